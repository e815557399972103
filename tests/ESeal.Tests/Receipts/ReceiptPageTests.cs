using System.Net;
using ESeal.Db.Demo;
using ESeal.Db.MediumChange;
using ESeal.Db.Receipts;
using ESeal.Db.Repositories;
using ESeal.Tests.Web;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ESeal.Tests.Receipts;

/// <summary>/r/{code} (the public check) and /r/{code}/print (the receipt) on the real web.</summary>
public sealed class ReceiptPageTests(ESealWebFactory factory) : IClassFixture<ESealWebFactory>
{
    private static readonly SealHolder Holder = new("李示明", "居民身份证", "330106197805121232", "13800138000");

    [Fact]
    public async Task The_check_page_confirms_a_real_receipt_with_masked_facts_only()
    {
        var code = await BindAsync();
        using var client = Client();

        var response = await client.GetAsync(new Uri($"/r/{code}", UriKind.Relative));
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("回执真实有效", html, StringComparison.Ordinal);
        Assert.Contains(ReceiptCode.Grouped(code), html, StringComparison.Ordinal);
        Assert.Contains(DemoData.Hangzhou.Name, html, StringComparison.Ordinal);
        Assert.Contains("330106********1232", html, StringComparison.Ordinal);
        Assert.Contains("138****8000", html, StringComparison.Ordinal);
        Assert.DoesNotContain(Holder.IdNumber, html, StringComparison.Ordinal);
        Assert.DoesNotContain(Holder.Phone, html, StringComparison.Ordinal);
        Assert.DoesNotContain(Holder.Name, html, StringComparison.Ordinal);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_code_is_found_however_it_was_typed_from_paper()
    {
        var code = await BindAsync();
        using var client = Client();

        var grouped = await client.GetAsync(new Uri($"/r/{ReceiptCode.Grouped(code).ToLowerInvariant()}", UriKind.Relative));
        var typed = await client.GetAsync(new Uri($"/r?number={Uri.EscapeDataString(ReceiptCode.Grouped(code))}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, grouped.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, typed.StatusCode);
        Assert.Equal($"/r/{code}", typed.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("7K2MQX9D4HBT0RWE5YCN8GSA")] // well formed, never issued
    [InlineData("not-a-code")]
    [InlineData("%3Cscript%3Ealert(1)%3C%2Fscript%3E")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("%E4%B8%9A%E5%8A%A1%E6%B5%81%E6%B0%B4%E5%8F%B7")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_forged_or_unknown_code_is_refused_with_a_plain_page_not_an_error(string code)
    {
        using var client = Client();

        foreach (var path in new[] { $"/r/{code}", $"/r/{code}/print" })
        {
            var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            var html = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("未找到该回执", html, StringComparison.Ordinal);
            Assert.Contains("回执无效", html, StringComparison.Ordinal);
            Assert.DoesNotContain("回执真实有效", html, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/r/7K2MQX9D4HBT0RWE5YCN8GSA")]
    [InlineData("/r/7K2MQX9D4HBT0RWE5YCN8GSA/print")]
    [InlineData("/r")]
    public async Task Posting_to_the_receipt_pages_changes_nothing_and_is_no_server_error(string path)
    {
        using var client = Client();
        using var content = new FormUrlEncodedContent([new("number", "x")]);

        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);

        Assert.InRange((int)response.StatusCode, 400, 499);
    }

    [Fact]
    public async Task A_mistyped_code_in_the_field_says_what_is_wrong_next_to_it()
    {
        using var client = Client();

        var response = await client.GetAsync(new Uri("/r?number=12345", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("业务流水号应为24位字母和数字", html, StringComparison.Ordinal);
        Assert.Contains("aria-invalid=\"true\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_receipt_prints_on_A4_by_default_and_on_80mm_when_asked_with_a_QR_code_to_the_check_page()
    {
        var code = await BindAsync();
        using var client = Client();

        var a4 = await client.GetAsync(new Uri($"/r/{code}/print", UriKind.Relative));
        var a4Html = WebUtility.HtmlDecode(await a4.Content.ReadAsStringAsync());
        var thermal = WebUtility.HtmlDecode(await client.GetStringAsync(new Uri($"/r/{code}/print?paper=80mm", UriKind.Relative)));
        var odd = WebUtility.HtmlDecode(await client.GetStringAsync(new Uri($"/r/{code}/print?paper=<b>", UriKind.Relative)));

        Assert.Equal(HttpStatusCode.OK, a4.StatusCode);
        Assert.Contains("receipt-a4.css", a4Html, StringComparison.Ordinal);
        Assert.Contains("receipt-80mm.css", thermal, StringComparison.Ordinal);
        Assert.Contains("receipt-a4.css", odd, StringComparison.Ordinal);
        Assert.Contains("data:image/svg+xml;base64,", a4Html, StringComparison.Ordinal);
        Assert.Contains($"/r/{code}</span>", a4Html, StringComparison.Ordinal);
        Assert.Contains("电子印章介质变更办理回执", a4Html, StringComparison.Ordinal);
        Assert.Contains("330106********1232", a4Html, StringComparison.Ordinal);
        Assert.DoesNotContain(Holder.IdNumber, a4Html, StringComparison.Ordinal);
        // The success page prints it in a frame of its own origin; nobody else may frame it.
        Assert.Contains("frame-ancestors 'self'", a4.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("SAMEORIGIN", a4.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task A_kiosk_enrolled_with_thermal_paper_prints_80mm_unless_asked_for_A4()
    {
        var code = await BindAsync();
        using var kiosk = await ESeal.Tests.Admin.AdminClient.SignedInAsync(factory, "operator");
        using (var enrolled = await kiosk.PostFormAsync("/admin/kiosks/enroll", "/admin/kiosks/enroll", [new("Hall", "西湖区市民中心"), new("Name", "R-80"), new("ReceiptPaper", "80mm")]))
        {
            Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);
        }

        var atKiosk = await kiosk.GetHtmlAsync($"/r/{code}/print");
        var asked = await kiosk.GetHtmlAsync($"/r/{code}/print?paper=A4");
        using var desk = Client();
        var atDesk = await desk.GetStringAsync(new Uri($"/r/{code}/print", UriKind.Relative));

        Assert.Contains("receipt-80mm.css", atKiosk, StringComparison.Ordinal);
        Assert.Contains("receipt-a4.css", asked, StringComparison.Ordinal);
        Assert.Contains("receipt-a4.css", atDesk, StringComparison.Ordinal);
    }

    private HttpClient Client() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private async Task<string> BindAsync()
    {
        var commands = factory.Services.GetRequiredService<MediumChangeCommands>();
        var enterprise = DemoData.Enterprises[0];
        var token = "RCPT-WEB-" + Guid.NewGuid().ToString("N")[..8];
        // A fresh seal each time: the demo has few unbound ones and tests share the web.
        var seal = await AnyUnboundSealAsync(enterprise.Id);
        var outcome = await commands.BindUsbKeyAsync(new BindUsbKeyCommand(Guid.NewGuid(), null, enterprise.Id, seal, token, Certificate(token), Holder, "Web", null, "test"));
        Assert.True(outcome.Succeeded, outcome.Message);
        var key = Certificate(token);
        // Free the seal again (its own receipt), so the next test finds it unbound.
        Assert.True((await commands.UnbindUsbKeyAsync(new UnbindUsbKeyCommand(Guid.NewGuid(), null, enterprise.Id, token, key.KeyId, key.Sha256, "Web", "test"))).Succeeded);
        return outcome.ReceiptCode!;
    }

    private async Task<Guid> AnyUnboundSealAsync(Guid enterpriseId)
    {
        var db = factory.Services.GetRequiredService<ESeal.Db.Infrastructure.Database>();
        var seals = await db.ReadAsync(s => new SealRepository(s).ListByEnterpriseAsync(enterpriseId));
        return seals.First(s => s.Status == SealStatus.Unbound).Id;
    }

    private static UsbKeyCertificate Certificate(string token) =>
        new(Hex("cert:" + token), Hex("key:" + token), "1F", "CN=ESeal Test Root CA", "CN=test");

    private static string Hex(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
