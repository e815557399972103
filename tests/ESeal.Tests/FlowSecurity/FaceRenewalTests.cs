using System.Net;
using ESeal.Workflows.Activities.LegalRepFaceVerification;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Data.Sqlite;

namespace ESeal.Tests.FlowSecurity;

/// <summary>
/// Issue 9 (5): a face ticket that can no longer be answered (expired, or lost when the web restarted:
/// the simulator keeps tickets in memory) must not leave a dead QR code on screen with a poll that
/// never ends. The poll stops answering "pending", the page it reloads shows a fresh code with
/// "二维码已过期…", and that code finishes the flow.
/// </summary>
public sealed class FaceRenewalTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    public const string RenewedText = "二维码已过期，已为您生成新的二维码，请重新扫码。";

    [Fact]
    public async Task An_expired_QR_code_is_replaced_by_a_working_one_on_the_next_poll_and_the_flow_finishes_with_it()
    {
        // Tried: the face step left open past its 300 s ticket lifetime, then the page polls as htmx does.
        using var browser = factory.NewBrowser();
        var face = await browser.ToFaceAsync();
        var first = FlowBrowser.FaceTicketOf(face);
        Assert.NotNull(first);
        Assert.Equal(HttpStatusCode.NoContent, (await browser.PollFaceAsync()).Status);

        factory.Clock.Advance(TimeSpan.FromSeconds(301));
        var poll = await browser.PollFaceAsync();
        var page = await browser.GetAsync();

        Assert.NotNull(poll.HxLocation); // the poll makes the page reload the step at once
        var second = FlowBrowser.FaceTicketOf(page);
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
        Assert.Contains(RenewedText, page.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await browser.PollFaceAsync()).Status);
        var oldPhone = await browser.GetAsync($"/m/face/{first}");
        Assert.Contains("已过期", oldPhone.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("模拟：验证通过", oldPhone.Html, StringComparison.Ordinal);

        await FinishWithAsync(browser, second!);
    }

    /// <summary>Pass on the phone, let the page take the pass, and see the bind committed.</summary>
    internal static async Task FinishWithAsync(FlowBrowser browser, string ticket)
    {
        var phone = await browser.AnswerOnPhoneAsync(ticket, pass: true);
        Assert.Contains("身份验证已通过", phone.Html, StringComparison.Ordinal);
        Assert.NotNull((await browser.PollFaceAsync()).HxLocation);
        var passed = await browser.GetAsync();
        Assert.Contains("身份验证成功，正在绑定，请稍候…", passed.Html, StringComparison.Ordinal);
        var result = await browser.AdvanceAsync(passed, new Dictionary<string, string> { [LegalRepFaceVerificationFields.Action] = "check" });
        Assert.Contains("绑定成功", result.Html, StringComparison.Ordinal);
    }
}

/// <summary>Its own database: the flow here commits the same demo seal as the test above.</summary>
public sealed class FaceRenewalAfterRestartTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    [Fact]
    public async Task After_a_restart_of_the_web_the_face_page_shows_a_new_working_QR_code_and_the_flow_finishes()
    {
        // Tried: the web restarted (same database, a new face simulator that never heard of the ticket)
        // while the kiosk showed the face QR code; the same browser session goes on polling.
        using var browser = factory.NewBrowser();
        var face = await browser.ToFaceAsync();
        var lost = FlowBrowser.FaceTicketOf(face);
        Assert.NotNull(lost);

        using var restarted = factory.Restarted();
        var cookies = new System.Net.CookieContainer();
        cookies.Add(new Uri(FlowSecurityFactory.Origin), new System.Net.Cookie("eseal.session", OwnerSession(factory.DatabasePath, browser.InstanceId)));
        using var after = new FlowBrowser(restarted, restarted.CreateDefaultClient(new Uri(FlowSecurityFactory.Origin), new CookieContainerHandler(cookies))).Continue(browser.InstanceId);

        var poll = await after.PollFaceAsync();
        var page = await after.GetAsync();

        Assert.NotNull(poll.HxLocation);
        var renewed = FlowBrowser.FaceTicketOf(page);
        Assert.NotNull(renewed);
        Assert.NotEqual(lost, renewed);
        Assert.Contains(FaceRenewalTests.RenewedText, page.Html, StringComparison.Ordinal);

        await FaceRenewalTests.FinishWithAsync(after, renewed!);
    }

    private static string OwnerSession(string databasePath, Guid instanceId)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT owner_session FROM flow_instances WHERE lower(id) = lower($id)";
        cmd.Parameters.AddWithValue("$id", instanceId.ToString("D"));
        return (string)cmd.ExecuteScalar()!;
    }
}
