using System.Diagnostics;
using System.Text.RegularExpressions;
using ESeal.Browser.Tests.Infrastructure;
using ESeal.Db.Demo;
using ESeal.Db.MediumChange;
using ESeal.Db.Receipts;
using ESeal.Db.Repositories;
using ESeal.TestPki;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ESeal.Browser.Tests.Receipts;

/// <summary>
/// 办理回执 (SPEC §9) in Chromium: a real bind ends on a success page with the 业务流水号 and
/// 打印回执; the receipt prints to PDF on A4 and on 80 mm paper (looked at through pdftoppm and
/// pdftotext); its QR code's page confirms it, and refuses a forged code.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ReceiptBrowserTests(PortalFixture portal)
{
    private static readonly DemoData.DemoEnterprise Hz = DemoData.Hangzhou;

    [Fact]
    public async Task A_bind_gives_a_reference_number_and_a_receipt_that_prints_and_that_its_QR_page_confirms()
    {
        var seal = Hz.Seals.First(s => s.SealType == "单位公章");
        // The demo key is shared with the bind suite's happy path: start from it unbound, leave it so.
        await portal.ReleaseDemoKeyAsync(Hz);
        try
        {
            await BindAndPrintAsync(seal.Id);
        }
        finally
        {
            await portal.ReleaseDemoKeyAsync(Hz);
        }
    }

    private async Task BindAndPrintAsync(Guid sealId)
    {
        portal.InsertOnly(TestPkiSetup.DemoToken);
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);
        // The print dialog, played in the receipt's frame: it records what it printed and stays open
        // (blocks, as Chromium's print() does) for 2.5 s.
        await page.Context.AddInitScriptAsync("""
            if (window !== window.top) {
              window.print = () => {
                window.top.__printed = (window.top.__printed || []).concat([location.pathname + location.search]);
                const until = Date.now() + 2500;
                while (Date.now() < until) { }
              };
            }
            """);

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");
        await FlowDriver.ToPinAsync(page, sealId);
        await FlowDriver.EnterPinAsync(page, TestPkiSetup.UserPin);
        await FlowDriver.AnswerOnPhoneAsync(portal, page, pass: true);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "绑定成功" })).ToBeVisibleAsync(new() { Timeout = 10000 });
        // Hold the automatic return while we look (the same hold a print dialog takes).
        await page.EvaluateAsync("() => document.documentElement.setAttribute('data-printing', '')");
        var resultUrl = page.Url;

        var facts = page.Locator(".result-facts");
        await Expect(facts).ToContainTextAsync("业务流水号");
        var grouped = (await page.Locator("[data-receipt-code]").TextContentAsync())!.Trim();
        Assert.Matches("^([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}$", grouped);
        var code = ReceiptCode.Normalize(grouped)!;
        var print = page.GetByRole(AriaRole.Link, new() { Name = "打印回执", Exact = true });
        await Expect(print).ToBeVisibleAsync();
        await Expect(print).ToHaveAttributeAsync("href", $"/r/{code}/print");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "receipt-1-success-kiosk");
        await page.SetViewportSizeAsync(390, 844);
        await portal.ScreenshotAsync(page, "receipt-1-success-phone");
        await page.SetViewportSizeAsync(1920, 1080);

        // 打印回执: the receipt prints in a hidden frame; while the dialog is open the return waits,
        // and afterwards the full 5 seconds start again. Let the countdown run down to 2 first: a
        // return that did not start again would then come within 2 s of the dialog closing.
        await page.EvaluateAsync("() => document.documentElement.removeAttribute('data-printing')");
        await Expect(page.Locator("[data-countdown]")).ToHaveTextAsync("2", new() { Timeout = 8000 });
        await print.ClickAsync();
        var clicked = Stopwatch.StartNew();
        // Returns once the (blocking, 2.5 s) dialog has closed; then 5 s more, not the 2 that were left.
        await page.WaitForFunctionAsync("() => (window.__printed || []).length === 1", null, new() { Timeout = 10000 });
        Assert.Equal($"/r/{code}/print", await page.EvaluateAsync<string>("() => window.__printed[0]"));
        await page.WaitForTimeoutAsync(3500);
        Assert.Equal(resultUrl, page.Url);
        await page.WaitForURLAsync(portal.BaseUri.ToString(), new() { Timeout = 9000 });
        Assert.True(clicked.Elapsed > TimeSpan.FromSeconds(6), $"returned home {clicked.Elapsed} after 打印回执");

        var stored = await portal.Database.ReadAsync(s => new ReceiptRepository(s).FindAsync(code));
        Assert.NotNull(stored);
        Assert.Equal(ReceiptActions.Bind, stored.Action);

        // The receipt on paper: A4 and 80 mm, one page each, with the facts, masked holder and the code.
        var receipt = await portal.NewPageAsync(PortalFixture.Kiosk);
        foreach (var (paper, widthPt) in new[] { ("A4", 595), ("80mm", 227) })
        {
            var response = await receipt.GotoAsync(new Uri(portal.BaseUri, $"/r/{code}/print?paper={paper}").ToString());
            Assert.Equal(200, response!.Status);
            await Expect(receipt.GetByRole(AriaRole.Heading, new() { Name = "电子印章介质变更办理回执" })).ToBeVisibleAsync();
            await Expect(receipt.GetByAltText("回执核验二维码")).ToBeVisibleAsync();
            await Accessibility.AssertNoSeriousViolationsAsync(receipt);
            await portal.ScreenshotAsync(receipt, $"receipt-2-screen-{paper}");

            Directory.CreateDirectory(RepoPaths.ScreenshotDirectory);
            var pdf = Path.Combine(RepoPaths.ScreenshotDirectory, $"receipt-{paper}.pdf");
            await receipt.PdfAsync(new() { Path = pdf, PreferCSSPageSize = true, PrintBackground = true });
            var info = await RunAsync("pdfinfo", pdf);
            Assert.Matches(@"Pages:\s+1\b", info);
            var size = Regex.Match(info, @"Page size:\s+([\d.]+) x ([\d.]+) pts");
            Assert.True(size.Success, info);
            Assert.InRange(double.Parse(size.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), widthPt - 2, widthPt + 2);

            var text = Regex.Replace(await RunAsync("pdftotext", "-layout", pdf, "-"), @"[ \t]+", " ");
            foreach (var expected in new[] { "电子印章介质变更办理回执", Hz.Name, Hz.CreditCode, Hz.LegalRepName, "单位公章", "绑定USBKEY", "330106********1232", "138****8000", "王*国", grouped })
            {
                Assert.True(text.Contains(expected, StringComparison.Ordinal), $"{paper}: “{expected}” not in the PDF text (on one line):\n{text}");
            }

            Assert.DoesNotContain("330106197805121232", text, StringComparison.Ordinal);
            Assert.DoesNotContain("13800138000", text, StringComparison.Ordinal);
            var prefix = Path.Combine(RepoPaths.ScreenshotDirectory, $"receipt-{paper}-pdf");
            await RunAsync("pdftoppm", "-png", "-r", "60", "-singlefile", pdf, prefix);
            Assert.True(new FileInfo(prefix + ".png").Length > 5000, "the PDF rendered to an image");
        }

        // The QR code's page: genuine for this code, refused for a forged one.
        var check = await portal.NewPageAsync(PortalFixture.Phone);
        var genuine = await check.GotoAsync(new Uri(portal.BaseUri, $"/r/{code}").ToString());
        Assert.Equal(200, genuine!.Status);
        await Expect(check.GetByRole(AriaRole.Heading, new() { Name = "回执真实有效" })).ToBeVisibleAsync();
        await Expect(check.Locator(".receipt-facts")).ToContainTextAsync(Hz.Name);
        await Expect(check.Locator(".receipt-facts")).ToContainTextAsync("330106********1232");
        await Accessibility.AssertNoSeriousViolationsAsync(check);
        await portal.ScreenshotAsync(check, "receipt-3-check-genuine");

        var forgedCode = code[..^1] + (code[^1] == '0' ? '1' : '0'); // one character off: a forgery or a typo
        var forged = await check.GotoAsync(new Uri(portal.BaseUri, $"/r/{forgedCode}").ToString());
        Assert.Equal(404, forged!.Status);
        await Expect(check.GetByRole(AriaRole.Heading, new() { Name = "未找到该回执" })).ToBeVisibleAsync();
        await Expect(check.GetByText("回执无效", new() { Exact = false })).ToBeVisibleAsync();
        await Expect(check.GetByText("回执真实有效")).ToHaveCountAsync(0);
        await Accessibility.AssertNoSeriousViolationsAsync(check);
        await portal.ScreenshotAsync(check, "receipt-3-check-forged");

        // Typing the code from paper (lower case, with dashes) finds it too.
        await check.GetByLabel("请输入回执上的业务流水号").FillAsync(grouped.ToLowerInvariant());
        await check.GetByRole(AriaRole.Button, new() { Name = "核验", Exact = true }).ClickAsync();
        await Expect(check.GetByRole(AriaRole.Heading, new() { Name = "回执真实有效" })).ToBeVisibleAsync();
        await check.Context.CloseAsync();
        await receipt.Context.CloseAsync();
        await page.Context.CloseAsync();
    }

    private static async Task<string> RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException(tool + " did not start (apt poppler-utils, tests/install-prerequisites.sh)");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)}: {await error}");
        return await output;
    }
}
