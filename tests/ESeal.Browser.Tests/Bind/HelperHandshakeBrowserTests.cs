using ESeal.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ESeal.Browser.Tests.Bind;

/// <summary>
/// The version handshake (issue 13): the page asks the helper's /v1/info before using it. An old
/// helper is told to upgrade, one whose USBKEY driver failed to load is named as such — not
/// reported as "no key". The suite's real helper (1.0.0, the minimum) passes it in every other test.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class HelperHandshakeBrowserTests(PortalFixture portal)
{
    [Fact]
    public async Task An_outdated_helper_is_told_to_upgrade_with_the_download_link_and_never_asked_for_tokens()
    {
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);
        var tokenCalls = 0;
        await AnswerInfoAsync(page, "0.9.3", "loaded", () => tokenCalls++);

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");

        var problem = page.Locator("[data-helper-state=outdated]");
        await Expect(problem).ToBeVisibleAsync();
        await Expect(problem).ToContainTextAsync("请升级电子印章PC客户端");
        await Expect(problem.GetByRole(AriaRole.Link, new() { Name = "下载新版电子印章PC客户端" })).ToHaveAttributeAsync("href", "/download/keyhelper");
        await Expect(page.Locator("[data-helper-state=unreachable]")).ToBeHiddenAsync();
        Assert.Equal(0, tokenCalls);
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-branch-helper-outdated");
    }

    [Fact]
    public async Task A_helper_whose_usbkey_driver_failed_to_load_says_the_driver_is_missing()
    {
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);
        await AnswerInfoAsync(page, "1.4.0", "failed", () => { });

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");

        var problem = page.Locator("[data-helper-state=driver-missing]");
        await Expect(problem).ToBeVisibleAsync();
        await Expect(problem).ToContainTextAsync("USBKEY驱动未安装");
        await portal.ScreenshotAsync(page, "bind-branch-helper-driver-missing");
    }

    /// <summary>Plays another key helper on the suite's helper address: /v1/info answers as given; tokens are counted.</summary>
    private async Task AnswerInfoAsync(IPage page, string version, string moduleStatus, Action onTokens)
    {
        var helper = portal.KeyHelperUri.GetLeftPart(UriPartial.Authority);
        var cors = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = portal.BaseUri.GetLeftPart(UriPartial.Authority), ["Content-Type"] = "application/json" };
        await page.RouteAsync(helper + "/v1/info", route => route.FulfillAsync(new()
        {
            Status = 200,
            Headers = cors,
            Body = $$"""{"protocol":"eseal-keyhelper/1","version":"{{version}}","reportKey":"","reportKeyId":"","modules":[{"path":"/usr/lib/vendor/libusbkey.so","status":"{{moduleStatus}}"}]}""",
        }));
        await page.RouteAsync(helper + "/v1/tokens**", route =>
        {
            onTokens();
            return route.FulfillAsync(new() { Status = 200, Headers = cors, Body = """{"version":"1","tokens":[]}""" });
        });
    }
}
