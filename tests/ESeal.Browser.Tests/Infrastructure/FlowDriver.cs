using Microsoft.Playwright;

namespace ESeal.Browser.Tests.Infrastructure;

/// <summary>Steps a user takes through the flows, written once for every test.</summary>
internal static class FlowDriver
{
    public const string Continue = "确认并进入下一步";

    /// <summary>Opens the menu entry and waits out the forced reading, asserting the grey countdown button.</summary>
    public static async Task StartAndAcknowledgeAsync(IPage page, Uri baseUri, string menuEntry, Func<IPage, Task>? whileReading = null)
    {
        await page.GotoAsync(baseUri.ToString());
        await page.GetByRole(AriaRole.Link, new() { Name = menuEntry, Exact = true }).First.ClickAsync();
        var button = page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^我知道了") });
        await Assertions.Expect(button).ToBeDisabledAsync();
        await Assertions.Expect(button).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("我知道了（[1-5]秒）"));
        if (whileReading is not null)
        {
            await whileReading(page);
        }

        await Assertions.Expect(button).ToBeEnabledAsync(new() { Timeout = 8000 });
        await Assertions.Expect(button).ToHaveTextAsync("我知道了");
        await button.ClickAsync();
    }

    public static Task ClickContinueAsync(IPage page) =>
        page.GetByRole(AriaRole.Button, new() { Name = Continue, Exact = true }).Last.ClickAsync();

    /// <summary>Picks a seal and continues; answers the "已绑定其他介质" dialog with continue when it appears.</summary>
    public static async Task ChooseSealAsync(IPage page, Guid sealId)
    {
        await page.Locator($"#seal-{sealId}").CheckAsync();
        await ClickContinueAsync(page);
        var dialog = page.GetByRole(AriaRole.Alertdialog);
        var pin = page.Locator("#pin-input");
        await Assertions.Expect(dialog.Or(pin)).ToBeVisibleAsync();
        if (await dialog.IsVisibleAsync())
        {
            await dialog.GetByRole(AriaRole.Button, new() { Name = Continue, Exact = true }).ClickAsync();
        }

        await Assertions.Expect(pin).ToBeVisibleAsync();
    }

    /// <summary>From the certificate list to the PIN dialog, with a valid holder.</summary>
    public static async Task ToPinAsync(IPage page, Guid sealId)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Radio).First).ToBeCheckedAsync();
        await ClickContinueAsync(page);
        await FillHolderAsync(page, "王建国", "330106197805121232", "13800138000");
        await ClickContinueAsync(page);
        await ChooseSealAsync(page, sealId);
    }

    public static async Task FillHolderAsync(IPage page, string name, string idNumber, string phone)
    {
        await page.GetByLabel("持章人姓名").FillAsync(name);
        await page.GetByLabel("证件号码").FillAsync(idNumber);
        await page.GetByLabel("联系电话").FillAsync(phone);
    }

    public static async Task EnterPinAsync(IPage page, string pin)
    {
        await page.Locator("#pin-input").FillAsync(pin);
        await page.GetByRole(AriaRole.Button, new() { Name = Continue, Exact = true }).ClickAsync();
    }

    /// <summary>The legal representative answers on a phone-sized page opened from the QR code's link.</summary>
    public static async Task AnswerOnPhoneAsync(PortalFixture portal, IPage desktop, bool pass, string[]? phoneShows = null, string? screenshot = null)
    {
        var link = desktop.Locator("[data-face-phone-link]");
        await Assertions.Expect(desktop.GetByAltText("法定代表人身份验证二维码")).ToBeVisibleAsync();
        var url = await link.GetAttributeAsync("href") ?? throw new InvalidOperationException("no phone link");
        var phone = await portal.NewPageAsync(PortalFixture.Phone);
        await phone.GotoAsync(url);
        await Assertions.Expect(phone.GetByRole(AriaRole.Note)).ToContainTextAsync("模拟环境");
        foreach (var text in phoneShows ?? [])
        {
            await Assertions.Expect(phone.Locator(".facts")).ToContainTextAsync(text);
        }

        if (screenshot is not null)
        {
            await Accessibility.AssertNoSeriousViolationsAsync(phone);
            await portal.ScreenshotAsync(phone, screenshot);
        }

        await phone.GetByRole(AriaRole.Button, new() { Name = pass ? "模拟：验证通过" : "模拟：验证不通过" }).ClickAsync();
        await Assertions.Expect(phone.GetByRole(AriaRole.Status)).ToContainTextAsync(pass ? "身份验证已通过" : "验证不通过");
        await phone.Context.CloseAsync();
    }
}
