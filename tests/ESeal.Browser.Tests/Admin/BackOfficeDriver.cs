using ESeal.Browser.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ESeal.Browser.Tests.Admin;

/// <summary>A staff member at a desk: signs in on /admin/login with the demo accounts (web/Staff/DemoStaff.cs).</summary>
internal static class BackOfficeDriver
{
    public const string DemoPassword = "ESeal-Demo-2026";

    public static BrowserNewContextOptions Desk => new() { ViewportSize = new() { Width = 1920, Height = 1080 }, Locale = "zh-CN" };

    public static async Task<IPage> SignInAsync(PortalFixture portal, string username, string password = DemoPassword)
    {
        ArgumentNullException.ThrowIfNull(portal);
        var page = await portal.NewPageAsync(Desk);
        var pending = new System.Collections.Concurrent.ConcurrentDictionary<IRequest, string>();
        page.Request += (_, r) => pending[r] = r.Method + " " + r.Url;
        page.RequestFinished += (_, r) => pending.TryRemove(r, out string? _);
        page.RequestFailed += (_, r) => pending.TryRemove(r, out string? _);
        await page.GotoAsync(new Uri(portal.BaseUri, "/admin").ToString());
        Assert.EndsWith("/admin/login?returnUrl=%2Fadmin", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("用户名").FillAsync(username);
        await page.GetByLabel("密码").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
        try
        {
            // DOMContentLoaded, not load: what the test needs next is the page's markup, and on a busy
            // CI machine the load event can trail far behind it (once seen waiting past 30 s).
            await page.WaitForURLAsync(new Uri(portal.BaseUri, "/admin").ToString(), new() { Timeout = 30_000, WaitUntil = WaitUntilState.DOMContentLoaded });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{username} was not signed in; the page at {page.Url} says: {await page.Locator("body").InnerTextAsync()}; still loading: {string.Join(", ", pending.Values)}");
        }

        return page;
    }
}
