using ESeal.Browser.Tests.Infrastructure;
using ESeal.Db.Demo;
using ESeal.Db.MediumChange;
using ESeal.Db.Repositories;
using ESeal.TestPki;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ESeal.Browser.Tests.Unbind;

/// <summary>SPEC §4: unbinding at the kiosk, the two ways on, and the claim on a phone.</summary>
[Collection(PortalCollection.Name)]
public sealed class UnbindFlowTests(PortalFixture portal)
{
    private static readonly DemoData.DemoEnterprise Bj = DemoData.Beijing;

    [Fact]
    public async Task No_key_page_always_shows_the_four_fixed_lines_with_the_download_link()
    {
        portal.InsertOnly();
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "解绑USBKEY");

        await Expect(page.GetByAltText("未检测到USBKEY")).ToBeVisibleAsync();
        var lines = page.Locator("[data-help-lines] li");
        await Expect(lines).ToHaveTextAsync(
        [
            "请使用win7以上操作系统，IE10或以上版本浏览器。",
            "请确保您的电脑已安装电子印章PC客户端，并已启动客户端程序。点此下载",
            "请确认是否运行加载项。查看页面顶部或者底部有无运行加载项的提示栏，若有提示请选择“允许”；若无显示提示栏请刷新页面。",
            "如无法显示所需企业USBKEY，请刷新重试。",
        ]);
        await Expect(lines.Nth(1).GetByRole(AriaRole.Link, new() { Name = "点此下载" })).ToHaveAttributeAsync("href", "/download/keyhelper");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "unbind-no-key");
    }

    [Fact]
    public async Task A_key_bound_to_no_seal_cannot_be_unbound()
    {
        portal.InsertOnly(TestPkiSetup.RemovableToken);
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "解绑USBKEY");

        await Expect(page.GetByRole(AriaRole.Alertdialog)).ToContainTextAsync("该USBKEY未绑定印章，无需解绑。");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = FlowDriver.Continue })).ToHaveCountAsync(0);
        await portal.ScreenshotAsync(page, "unbind-key-not-bound");
    }

    [Fact]
    public async Task Unbind_then_claim_on_a_phone_leaves_the_seal_on_that_phone_with_history_and_audit()
    {
        // The benchmark token carries the Hangzhou certificate; bind it to a Hangzhou seal first.
        var hz = DemoData.Hangzhou;
        var seal = hz.Seals.First(s => s.SealType == "财务专用章");
        await portal.BindInDatabaseAsync(hz, TestPkiSetup.BenchToken, seal.Id);
        portal.InsertOnly(TestPkiSetup.BenchToken);
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "解绑USBKEY");
        await Expect(page.GetByRole(AriaRole.Radio).First).ToBeCheckedAsync();
        await FlowDriver.ClickContinueAsync(page);

        // 印章解绑确认: the enterprise and the one seal bound to this key.
        await Expect(page.Locator(".progress-step.current")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("印章解绑确认"));
        await Expect(page.Locator(".enterprise-facts")).ToContainTextAsync(hz.Name);
        await Expect(page.Locator(".seal-card")).ToHaveCountAsync(1);
        await Expect(page.Locator(".seal-card")).ToContainTextAsync("财务专用章");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "unbind-confirm");
        await FlowDriver.ClickContinueAsync(page);
        await FlowDriver.EnterPinAsync(page, TestPkiSetup.UserPin);
        await FlowDriver.AnswerOnPhoneAsync(portal, page, pass: true);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "解绑成功" })).ToBeVisibleAsync(new() { Timeout = 10000 });
        var facts = page.Locator(".result-facts");
        foreach (var text in new[] { "企业名称", hz.Name, "企业统一社会信用代码", hz.CreditCode, "企业法定代表人", hz.LegalRepName, "印章类型（此次解绑）", "财务专用章", "解绑时间" })
        {
            await Expect(facts).ToContainTextAsync(text);
        }

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "返回", Exact = true })).ToBeVisibleAsync();
        var bindAgain = page.GetByRole(AriaRole.Link, new() { Name = "重新绑定USBKEY" });
        var claim = page.GetByRole(AriaRole.Link, new() { Name = "手机端直接领取印章" });
        await Expect(bindAgain).ToBeVisibleAsync();
        await Expect(claim).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "unbind-success");
        Assert.Equal(SealStatus.Unbound, (await SealAsync(seal.Id)).Status);

        // 手机端直接领取印章: the kiosk shows a QR code; the legal representative's phone takes over.
        await claim.ClickAsync();
        var phoneUrl = await page.Locator("a[href*='/m/claim?sealId=']").GetAttributeAsync("href");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "claim-kiosk-qr");

        var phone = await portal.NewPageAsync(PortalFixture.Phone);
        await phone.GotoAsync(phoneUrl!);
        await Expect(phone.Locator($"#seal-{seal.Id}")).ToBeCheckedAsync();
        await Expect(phone.Locator(".seal-card")).ToHaveCountAsync(4);
        var width = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"the claim page is {width}px wide on a 390px phone");
        await Accessibility.AssertNoSeriousViolationsAsync(phone);
        await portal.ScreenshotAsync(phone, "claim-phone-choose");
        await FlowDriver.ClickContinueAsync(phone);

        await phone.GetByRole(AriaRole.Link, new() { Name = "开始人脸识别" }).ClickAsync();
        await phone.GetByRole(AriaRole.Button, new() { Name = "模拟：验证通过" }).ClickAsync();
        await phone.GetByRole(AriaRole.Link, new() { Name = "返回办理页面" }).ClickAsync();
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "领取成功" })).ToBeVisibleAsync(new() { Timeout = 10000 });
        await Accessibility.AssertNoSeriousViolationsAsync(phone);
        await portal.ScreenshotAsync(phone, "claim-phone-success");

        Assert.Equal(SealStatus.Mobile, (await SealAsync(seal.Id)).Status);
        var history = await portal.Database.InTransactionAsync(s => new BindingRepository(s).HistoryForSealAsync(seal.Id));
        Assert.Single(history, b => b.Active && b.Channel == "Mobile");
        var audit = await portal.Database.InTransactionAsync(s => new AuditLog(s).ForSealAsync(seal.Id));
        Assert.Equal([AuditKinds.Unbind, AuditKinds.Claim], audit.Select(a => a.Kind).Where(k => k is AuditKinds.Unbind or AuditKinds.Claim).TakeLast(2));
    }

    [Fact]
    public async Task Five_wrong_PINs_lock_the_key_in_the_unbind_flow_too()
    {
        // A Beijing key of its own (a lock counts per key) bound to a Beijing seal.
        var seal = Bj.Seals.First(s => s.SealType == "财务专用章");
        await portal.BindInDatabaseAsync(Bj, TestPkiSetup.UnbindLockToken, seal.Id);
        portal.InsertOnly(TestPkiSetup.UnbindLockToken);
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);
        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "解绑USBKEY");
        await FlowDriver.ClickContinueAsync(page);
        await Expect(page.Locator(".seal-card")).ToContainTextAsync("财务专用章");
        await FlowDriver.ClickContinueAsync(page);

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await FlowDriver.EnterPinAsync(page, "111111");
            await Expect(page.Locator("#pin-error")).ToContainTextAsync($"PIN码输入错误，请重试，连续5次输入错误将锁定USBKEY（还可尝试{5 - attempt}次）");
        }

        await FlowDriver.EnterPinAsync(page, "111111");
        await Expect(page.Locator("#pin-error")).ToHaveTextAsync("PIN码连续5次输入错误，请联系CA重置密码。");
        await Expect(page.Locator("#pin-input")).ToBeDisabledAsync();
        await portal.ScreenshotAsync(page, "unbind-pin-locked");
        Assert.Equal(SealStatus.UsbKey, (await SealAsync(seal.Id)).Status);
    }

    [Fact]
    public async Task A_failed_face_verification_in_the_unbind_flow_returns_to_verification_and_unbinds_nothing()
    {
        var hz = DemoData.Hangzhou;
        var seal = hz.Seals.First(s => s.SealType == "发票专用章");
        await portal.BindInDatabaseAsync(hz, TestPkiSetup.EcOnlyToken, seal.Id);
        portal.InsertOnly(TestPkiSetup.EcOnlyToken);
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);
        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "解绑USBKEY");
        await FlowDriver.ClickContinueAsync(page);
        await FlowDriver.ClickContinueAsync(page);
        await FlowDriver.EnterPinAsync(page, TestPkiSetup.UserPin);

        await FlowDriver.AnswerOnPhoneAsync(portal, page, pass: false);

        await Expect(page.GetByText("验证失败，请稍后重试。", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 10000 });
        await portal.ScreenshotAsync(page, "unbind-face-failed");
        await Expect(page.GetByAltText("法定代表人身份验证二维码")).ToBeVisibleAsync(new() { Timeout = 10000 });
        Assert.Equal(SealStatus.UsbKey, (await SealAsync(seal.Id)).Status);
    }

    private async Task<Seal> SealAsync(Guid id) =>
        (await portal.Database.InTransactionAsync(s => new SealRepository(s).GetAsync(id)))!;
}
