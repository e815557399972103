using System.Net;
using System.Text.Json;
using ESeal.Db.Demo;
using ESeal.Db.Flows;
using ESeal.Db.Infrastructure;
using ESeal.Db.Kiosks;
using ESeal.Db.MediumChange;
using ESeal.Db.Repositories;
using ESeal.Tests.Web;
using ESeal.Web.Kiosk;
using Microsoft.Extensions.DependencyInjection;

namespace ESeal.Tests.Admin;

/// <summary>Staff mark a browser as a hall kiosk (SPEC §9); flows started there are recorded as Kiosk, all others as Web.</summary>
public sealed class KioskEnrollmentTests : IDisposable
{
    private readonly ESealWebFactory web = new();

    private Database Db => web.Services.GetRequiredService<Database>();

    [Fact]
    public async Task Enrolling_gives_the_browser_a_long_lived_kiosk_cookie_and_signs_the_staff_member_out_of_it()
    {
        using var browser = await AdminClient.SignedInAsync(web, "operator");

        using var response = await EnrollAsync(browser, "西湖区市民中心", "K-07", "80mm");
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("本浏览器已登记为自助终端", html, StringComparison.Ordinal);
        Assert.Contains("80毫米热敏纸", html, StringComparison.Ordinal);
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        var kiosk = Assert.Single(cookies, c => c.StartsWith(KioskIdentity.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("secure", kiosk, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", kiosk, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", kiosk, StringComparison.OrdinalIgnoreCase);
        var expires = DateTimeOffset.Parse(kiosk.Split("expires=", StringSplitOptions.None)[1].Split(';')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(expires > DateTimeOffset.UtcNow.AddYears(4), $"the kiosk cookie expires {expires}");
        using var admin = await browser.Http.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode); // nobody at the kiosk inherits the staff session

        var stored = Assert.Single(await Db.ReadAsync(s => new KioskRepository(s).ListAsync()));
        Assert.Equal(("西湖区市民中心", "K-07", "80mm", "staff:operator"), (stored.Hall, stored.Name, stored.ReceiptPaper, stored.EnrolledBy));
        Assert.DoesNotContain(stored.TokenHash, kiosk, StringComparison.Ordinal); // the database keeps a hash, not the secret
        Assert.Contains(await AuditAsync(), e => e.Kind == AuditKinds.KioskEnrolled && e.Actor == "staff:operator");
    }

    [Fact]
    public async Task A_flow_started_on_the_kiosk_is_recorded_as_Kiosk_with_its_hall_and_elsewhere_as_Web()
    {
        using var kioskBrowser = await AdminClient.SignedInAsync(web, "operator");
        (await EnrollAsync(kioskBrowser, "西湖区市民中心", "K-07", "A4")).Dispose();
        using var desktop = AdminClient.Anonymous(web);

        var atKiosk = await StartBindAsync(kioskBrowser);
        var atDesk = await StartBindAsync(desktop);

        Assert.Equal("Kiosk", atKiosk.GetProperty("channel").GetString());
        Assert.Equal("西湖区市民中心", atKiosk.GetProperty("kioskHall").GetString());
        Assert.Equal("K-07", atKiosk.GetProperty("kioskName").GetString());
        Assert.Equal("Web", atDesk.GetProperty("channel").GetString());
        Assert.False(atDesk.TryGetProperty("kioskHall", out _));
    }

    [Fact]
    public async Task A_forged_or_revoked_kiosk_cookie_counts_as_Web()
    {
        using var kioskBrowser = await AdminClient.SignedInAsync(web, "operator");
        using var enrolled = await EnrollAsync(kioskBrowser, "西湖区市民中心", "K-08", "A4");
        var cookie = enrolled.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(KioskIdentity.CookieName, StringComparison.Ordinal)).Split(';')[0];
        var value = cookie[(KioskIdentity.CookieName.Length + 1)..];

        // Tried: the right kiosk id with another secret, a truncated value, garbage.
        foreach (var forged in new[] { value[..33] + new string('A', 43), value[..40], "not-a-kiosk" })
        {
            using var forger = AdminClient.Anonymous(web);
            forger.Http.DefaultRequestHeaders.Add("Cookie", $"{KioskIdentity.CookieName}={forged}");
            Assert.Equal("Web", (await StartBindAsync(forger)).GetProperty("channel").GetString());
        }

        Assert.Equal("Kiosk", (await StartBindAsync(kioskBrowser)).GetProperty("channel").GetString());
        using var admin = await AdminClient.SignedInAsync(web, "admin");
        var id = (await Db.ReadAsync(s => new KioskRepository(s).ListAsync())).Single().Id;
        using var revoke = await admin.PostFormAsync("/admin/kiosks", "/admin/kiosks?handler=Revoke", [new("id", id.ToString("D"))]);
        Assert.Contains("终端已注销", WebUtility.HtmlDecode(await revoke.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal("Web", (await StartBindAsync(kioskBrowser)).GetProperty("channel").GetString());
        Assert.Contains(await AuditAsync(), e => e.Kind == AuditKinds.KioskRevoked && e.Actor == "staff:admin");
    }

    [Theory]
    [InlineData("", "K-01", "请填写大厅名称。")]               // no hall
    [InlineData("西湖区市民中心", "   ", "请填写终端编号。")]     // blank kiosk name
    [InlineData("西湖\u0001中心", "K-01", "大厅名称不能包含控制字符")] // control character
    [InlineData("西湖区市民中心", "K-01\u200B", "终端编号不能包含控制字符")] // zero-width space
    public async Task Bad_names_are_refused_next_to_the_field_and_enroll_nothing(string hall, string name, string message)
    {
        using var browser = await AdminClient.SignedInAsync(web, "operator");

        using var response = await EnrollAsync(browser, hall, name, "A4");
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var c) ? c : [], v => v.StartsWith(KioskIdentity.CookieName, StringComparison.Ordinal));
        Assert.Empty(await Db.ReadAsync(s => new KioskRepository(s).ListAsync()));
        using var admin = await browser.Http.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode); // still signed in: nothing happened
    }

    [Fact]
    public async Task Two_active_kiosks_of_one_hall_cannot_share_a_name()
    {
        using var first = await AdminClient.SignedInAsync(web, "operator");
        (await EnrollAsync(first, "西湖区市民中心", "K-09", "A4")).Dispose();
        using var second = await AdminClient.SignedInAsync(web, "operator");

        using var response = await EnrollAsync(second, "西湖区市民中心", "K-09", "A4");

        Assert.Contains("该大厅已有同名的在用终端", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Single(await Db.ReadAsync(s => new KioskRepository(s).ListAsync()));
    }

    [Fact]
    public async Task A_binding_made_at_a_kiosk_shows_its_hall_and_kiosk_and_the_certificate_validity_to_the_operator()
    {
        var enterprise = DemoData.Hangzhou;
        var seal = enterprise.Seals.First(s => s.State == DemoData.DemoState.Unbound);
        var notAfter = new DateTimeOffset(2028, 6, 30, 16, 0, 0, TimeSpan.Zero);
        var outcome = await new MediumChangeCommands(Db, TimeProvider.System).BindUsbKeyAsync(new BindUsbKeyCommand(
            Guid.NewGuid(), null, enterprise.Id, seal.Id, "KIOSK-TOKEN-1",
            new UsbKeyCertificate(new string('a', 64), new string('b', 64), "01", "CN=Test CA", "CN=" + enterprise.Name, notAfter.AddYears(-2), notAfter),
            new SealHolder("王建国", "居民身份证", "330106197805121232", "13800138000"), "Kiosk", null, "test", new KioskRef(Guid.NewGuid(), "西湖区市民中心", "K-07")));
        Assert.True(outcome.Succeeded, outcome.Message);
        using var operatorClient = await AdminClient.SignedInAsync(web, "operator");

        var html = WebUtility.HtmlDecode(await operatorClient.GetHtmlAsync($"/admin/enterprises/{enterprise.Id:D}"));

        Assert.Contains("西湖区市民中心 / K-07", html, StringComparison.Ordinal);
        Assert.Contains("2028-07-01", html, StringComparison.Ordinal); // 16:00 UTC is the next day in Beijing
        var binding = await Db.ReadAsync(s => new BindingRepository(s).ActiveForSealAsync(seal.Id));
        Assert.Equal(("Kiosk", "西湖区市民中心", "K-07"), (binding!.Channel, binding.KioskHall, binding.KioskName));
    }

    private static Task<HttpResponseMessage> EnrollAsync(AdminClient browser, string hall, string name, string paper) =>
        browser.PostFormAsync("/admin/kiosks/enroll", "/admin/kiosks/enroll", [new("Hall", hall), new("Name", name), new("ReceiptPaper", paper)]);

    private async Task<JsonElement> StartBindAsync(AdminClient browser)
    {
        using var start = await browser.Http.GetAsync(new Uri("/medium-change/bind", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var id = Guid.Parse(start.Headers.Location!.ToString().Split('/').Last());
        var row = await Db.ReadAsync(s => new FlowInstanceRepository(s).GetAsync(id));
        return JsonDocument.Parse(row!.Variables).RootElement.Clone();
    }

    private Task<IReadOnlyList<AuditEvent>> AuditAsync() => Db.ReadAsync(s => new AuditLog(s).ListAsync());

    public void Dispose() => web.Dispose();
}
