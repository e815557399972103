using ESeal.Browser.Tests.Infrastructure;

namespace ESeal.Browser.Tests.Home;

[Collection(PortalCollection.Name)]
public sealed class HomePageTests(PortalFixture portal)
{
    [Fact]
    public async Task Kiosk_home_shows_the_menu_and_is_accessible()
    {
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };

        await page.GotoAsync(portal.BaseUri.ToString());

        Assert.Equal("介质变更", await page.Locator(".menu-title").InnerTextAsync());
        Assert.True(await page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "绑定USBKEY", Exact = true }).First.IsVisibleAsync());
        Assert.True(await page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "解绑USBKEY", Exact = true }).First.IsVisibleAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => typeof htmx === 'object' && htmx.config.allowEval === false"));
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "home-kiosk");
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task Phone_home_fits_the_screen()
    {
        var page = await portal.NewPageAsync(PortalFixture.Phone);

        await page.GotoAsync(portal.BaseUri.ToString());

        var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 390, $"page is {scrollWidth}px wide on a 390px phone");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "home-phone");
    }
}
