using ESeal.Browser.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ESeal.Browser.Tests.Admin;

[Collection(PortalCollection.Name)]
public sealed class SignInBrowserTests(PortalFixture portal)
{
    [Fact]
    public async Task Staff_sign_in_with_the_host_only_cookie_and_see_only_their_roles_work()
    {
        var anonymous = await portal.NewPageAsync(BackOfficeDriver.Desk);
        await anonymous.GotoAsync(new Uri(portal.BaseUri, "/admin/login").ToString());
        await Accessibility.AssertNoSeriousViolationsAsync(anonymous);
        await anonymous.GetByLabel("用户名").FillAsync("operator");
        await anonymous.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
        Assert.Contains("请输入密码。", await anonymous.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("operator", await anonymous.GetByLabel("用户名").InputValueAsync());
        await portal.ScreenshotAsync(anonymous, "admin-login-error-kiosk");

        var page = await BackOfficeDriver.SignInAsync(portal, "operator");

        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "__Host-eseal.staff");
        Assert.True(cookie.Secure && cookie.HttpOnly && cookie.SameSite == SameSiteAttribute.Strict);
        Assert.Contains("您好，演示受理员", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
        var menu = await page.GetByRole(AriaRole.Navigation, new() { Name = "后台菜单" }).InnerTextAsync();
        Assert.Contains("企业与印章查询", menu, StringComparison.Ordinal);
        Assert.DoesNotContain("审计日志", menu, StringComparison.Ordinal);
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "admin-home-operator-kiosk");

        var denied = await page.GotoAsync(new Uri(portal.BaseUri, "/admin/staff").ToString());
        Assert.Equal(403, denied!.Status);
        Assert.Contains("没有权限", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
        await Accessibility.AssertNoSeriousViolationsAsync(page);

        await page.GotoAsync(new Uri(portal.BaseUri, "/admin").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).ClickAsync();
        Assert.Contains("您已退出登录", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
        await page.GotoAsync(new Uri(portal.BaseUri, "/admin").ToString());
        Assert.Contains("/admin/login", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_creates_an_account_with_a_mistake_first_and_the_staff_pages_are_accessible()
    {
        var page = await BackOfficeDriver.SignInAsync(portal, "admin");
        await page.GetByRole(AriaRole.Link, new() { Name = "员工账号" }).First.ClickAsync();
        var username = "kiosk" + Guid.NewGuid().ToString("N")[..6];
        await page.GetByLabel("用户名").FillAsync(username);
        await page.GetByLabel("姓名").FillAsync("赵大厅");
        await page.GetByLabel("受理员").CheckAsync();
        await page.GetByLabel("初始密码").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "创建账号" }).ClickAsync();

        Assert.Contains("密码至少10位。", await page.Locator(".error-summary").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(username, await page.GetByLabel("用户名").InputValueAsync());
        Assert.True(await page.GetByLabel("受理员").IsCheckedAsync());
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "admin-staff-error-kiosk");

        await page.GetByLabel("初始密码").FillAsync("Hall-Desk-2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "创建账号" }).ClickAsync();
        Assert.Contains($"已创建账号 {username}。", await page.Locator("[role=status]").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Link, new() { Name = "管理账号 " + username }).ClickAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "admin-staff-account-kiosk");
    }
}
