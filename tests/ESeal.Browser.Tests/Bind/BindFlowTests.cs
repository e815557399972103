using ESeal.Browser.Tests.Infrastructure;
using ESeal.Db.Demo;
using ESeal.Db.Repositories;
using ESeal.TestPki;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ESeal.Browser.Tests.Bind;

/// <summary>SPEC §3 in Chromium at kiosk size, against the real web, key helper and SoftHSM2 tokens.</summary>
[Collection(PortalCollection.Name)]
public sealed class BindFlowTests(PortalFixture portal)
{
    private static readonly DemoData.DemoEnterprise Hz = DemoData.Hangzhou;

    [Fact]
    public async Task Happy_path_binds_the_seal_shows_the_five_facts_and_returns_home_after_5_seconds()
    {
        portal.InsertOnly(TestPkiSetup.DemoToken);
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);
        var seal = Hz.Seals.First(s => s.SealType == "单位公章");
        var origins = new System.Collections.Concurrent.ConcurrentBag<string>();
        page.Request += (_, r) =>
        {
            var u = new Uri(r.Url);
            origins.Add(u.Scheme is "http" or "https" ? u.GetLeftPart(UriPartial.Authority) : u.Scheme);
        };

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY", async p =>
        {
            await Expect(p.GetByRole(AriaRole.Dialog)).ToContainTextAsync("绑定说明");
            await Accessibility.AssertNoSeriousViolationsAsync(p);
            await portal.ScreenshotAsync(p, "bind-0-reading");
        });
        await Expect(page.Locator(".progress-step.current")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("插入USBKEY"));

        // 插入USBKEY: one certificate, preselected; the enterprise as the server read it.
        await Expect(page.GetByRole(AriaRole.Radio)).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Radio)).ToBeCheckedAsync();
        await Expect(page.Locator(".facts")).ToContainTextAsync(Hz.Name);
        await Expect(page.Locator(".facts")).ToContainTextAsync(Hz.CreditCode);
        await Expect(page.Locator(".facts")).ToContainTextAsync(Hz.LegalRepName);
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-1-certificate");
        await FlowDriver.ClickContinueAsync(page);

        // 印章绑定确认: wrong entries first; messages next to the fields and nothing entered is lost.
        await Expect(page.Locator(".progress-step.current")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("印章绑定确认"));
        await FlowDriver.FillHolderAsync(page, string.Empty, "110105194912310021", "1380013800");
        await FlowDriver.ClickContinueAsync(page);
        await Expect(page.Locator("#holderName-error")).ToHaveTextAsync("请输入持章人姓名");
        await Expect(page.Locator("#holderIdNumber-error")).ToHaveTextAsync("居民身份证号码校验位不正确");
        await Expect(page.Locator("#holderPhone-error")).ToHaveTextAsync("请输入正确的11位手机号码");
        await Expect(page.GetByLabel("证件号码")).ToHaveValueAsync("110105194912310021");
        await Expect(page.GetByLabel("联系电话")).ToHaveValueAsync("1380013800");
        await Expect(page.Locator(".error-summary a").First).ToBeFocusedAsync(); // keyboard and screen reader land on the errors
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-2-holder-errors");
        await FlowDriver.FillHolderAsync(page, "王建国", "330106197805121232", "13800138000");
        await FlowDriver.ClickContinueAsync(page);

        await page.Locator($"#seal-{seal.Id}").CheckAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-3-seal");
        await FlowDriver.ClickContinueAsync(page);

        // PIN dialog: masked, with the eye toggle; the PIN goes to the helper only.
        var pin = page.Locator("#pin-input");
        await Expect(pin).ToBeFocusedAsync();
        await Expect(pin).ToHaveAttributeAsync("type", "password");
        await pin.FillAsync(TestPkiSetup.UserPin);
        await page.Locator("[data-pin-toggle]").ClickAsync();
        await Expect(pin).ToHaveAttributeAsync("type", "text");
        await Expect(pin).Not.ToHaveAttributeAsync("name", new System.Text.RegularExpressions.Regex(".*"));
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-4-pin");
        await page.GetByRole(AriaRole.Button, new() { Name = FlowDriver.Continue, Exact = true }).ClickAsync();

        // 法定代表人身份验证 with the manual's texts, then the phone says yes.
        await Expect(page.Locator(".progress-step.current")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("法定代表人身份验证"));
        await Expect(page.GetByText("本业务需企业法定代表人本人确认同意，并完成身份验证；", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByText("验证过程中请不要离开本页面。", new() { Exact = true })).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-5-face");
        await FlowDriver.AnswerOnPhoneAsync(portal, page, pass: true, [Hz.Name, "王*国", "将电子印章绑定到USBKEY", "单位公章"], "bind-5-face-phone");

        // 完成: the five facts, 返回首页, and the automatic return.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "绑定成功" })).ToBeVisibleAsync(new() { Timeout = 10000 });
        var facts = page.Locator(".result-facts");
        foreach (var text in new[] { "企业名称", Hz.Name, "企业统一社会信用代码", Hz.CreditCode, "法定代表人", Hz.LegalRepName, "印章类型（此次绑定）", "单位公章", "绑定时间" })
        {
            await Expect(facts).ToContainTextAsync(text);
        }

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "返回首页", Exact = true }).Last).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-6-success");
        await page.WaitForURLAsync(portal.BaseUri.ToString(), new() { Timeout = 8000 });

        var stored = await portal.Database.InTransactionAsync(s => new SealRepository(s).GetAsync(seal.Id));
        Assert.Equal(SealStatus.UsbKey, stored!.Status);

        // The page talked to nothing but this server and the key helper on loopback (images are data: URIs).
        Assert.Subset(new HashSet<string> { portal.BaseUri.GetLeftPart(UriPartial.Authority), portal.KeyHelperUri.GetLeftPart(UriPartial.Authority), "data" }, origins.ToHashSet());
    }

    [Fact]
    public async Task No_key_shows_the_picture_then_an_inserted_key_with_two_certificates_is_noticed_and_must_be_chosen()
    {
        portal.InsertOnly();
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");
        await Expect(page.GetByAltText("未检测到USBKEY")).ToBeVisibleAsync();
        await Expect(page.GetByText("未检测到USBKEY，请插入USBKEY后点击刷新。")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "刷新", Exact = true })).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-branch-no-key");

        // A refresh of the page never shows the reading notice again.
        await page.ReloadAsync();
        await Expect(page.GetByAltText("未检测到USBKEY")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^我知道了") })).ToHaveCountAsync(0);

        // Inserting the key is noticed through the helper's change event, without a click.
        portal.InsertOnly(TestPkiSetup.TwoCertsToken);
        var radios = page.GetByRole(AriaRole.Radio);
        await Expect(radios).ToHaveCountAsync(2, new() { Timeout = 15000 });
        await Expect(radios.First).ToBeCheckedAsync();
        await portal.ScreenshotAsync(page, "bind-branch-two-certificates");

        var shenzhen = DemoData.Shenzhen;
        await page.Locator("label.choice-card", new() { HasText = shenzhen.Name }).ClickAsync();
        await FlowDriver.ClickContinueAsync(page);
        await Expect(page.GetByText($"企业：{shenzhen.Name}")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_key_whose_certificate_no_trusted_CA_issued_is_refused_and_names_no_enterprise()
    {
        // The token's certificate names 北京中关村's credit code but chains to a CA the portal does not trust.
        portal.InsertOnly(TestPkiSetup.UnknownCaToken);
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");

        var text = page.GetByText("USBKEY中的证书不是由受信任的CA签发，或已过期、已吊销，不能用于办理。请更换USBKEY或联系CA。（证书不是由受信任的CA签发。）", new() { Exact = true });
        await Expect(text).ToBeVisibleAsync();
        await Expect(page.Locator("#flow")).Not.ToContainTextAsync(DemoData.Beijing.Name);
        await Expect(page.Locator("#flow")).Not.ToContainTextAsync(DemoData.Beijing.LegalRepName);
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-branch-untrusted-certificate");
    }

    [Fact]
    public async Task A_key_without_certificates_shows_the_red_manual_text()
    {
        portal.InsertOnly(TestPkiSetup.EmptyToken);
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");

        var text = page.GetByText("未检测到证书，请重新插入USBKEY或检查驱动是否正确安装", new() { Exact = true });
        await Expect(text).ToBeVisibleAsync();
        await Expect(text).ToHaveCSSAsync("color", "rgb(179, 19, 27)");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-branch-no-certificate");
    }

    [Fact]
    public async Task A_key_already_bound_to_another_seal_stops_the_binding()
    {
        var seal = Hz.Seals.First(s => s.SealType == "发票专用章");
        await portal.BindInDatabaseAsync(Hz, TestPkiSetup.EcOnlyToken, seal.Id);
        portal.InsertOnly(TestPkiSetup.EcOnlyToken);
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");

        await Expect(page.GetByRole(AriaRole.Alertdialog)).ToContainTextAsync("该USBKEY已绑定其他印章，无法继续绑定。");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = FlowDriver.Continue })).ToHaveCountAsync(0);
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-branch-key-bound");
    }

    [Fact]
    public async Task A_seal_claimed_on_a_phone_asks_first_cancel_stays_and_continue_goes_on_to_the_PIN()
    {
        portal.InsertOnly(TestPkiSetup.TwoCertsToken);
        var beijing = DemoData.Beijing;
        var bound = beijing.Seals.First(s => s.State == DemoData.DemoState.Mobile);
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");
        await page.Locator("label.choice-card", new() { HasText = beijing.Name }).ClickAsync();
        await FlowDriver.ClickContinueAsync(page);
        await FlowDriver.FillHolderAsync(page, "李慧敏", "110108198509232428", "13912345678");
        await FlowDriver.ClickContinueAsync(page);
        await page.Locator($"#seal-{bound.Id}").CheckAsync();
        await FlowDriver.ClickContinueAsync(page);

        var dialog = page.GetByRole(AriaRole.Alertdialog);
        await Expect(dialog).ToContainTextAsync("该印章已绑定其他介质，是否继续与当前USBKEY绑定，绑定后，将仅能通过USBKEY签章");
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "取消", Exact = true })).ToBeFocusedAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-branch-seal-bound-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "取消", Exact = true }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(page.Locator($"#seal-{bound.Id}")).ToBeCheckedAsync();
        await Expect(page.Locator($"#seal-{bound.Id}")).ToBeFocusedAsync();

        await FlowDriver.ClickContinueAsync(page);
        await page.GetByRole(AriaRole.Alertdialog).GetByRole(AriaRole.Button, new() { Name = FlowDriver.Continue, Exact = true }).ClickAsync();
        await Expect(page.Locator("#pin-input")).ToBeVisibleAsync();
        var stored = await portal.Database.InTransactionAsync(s => new SealRepository(s).GetAsync(bound.Id));
        Assert.Equal(SealStatus.Mobile, stored!.Status); // nothing is released before the commit
    }

    [Fact]
    public async Task Five_wrong_PINs_lock_the_key_with_the_manual_texts_and_the_lock_survives_a_new_flow()
    {
        portal.InsertOnly(TestPkiSetup.LockToken);
        var seal = Hz.Seals.First(s => s.SealType == "合同专用章");
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);
        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");
        await FlowDriver.ToPinAsync(page, seal.Id);

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await FlowDriver.EnterPinAsync(page, "000000");
            var error = page.Locator("#pin-error");
            await Expect(error).ToContainTextAsync("PIN码输入错误，请重试，连续5次输入错误将锁定USBKEY");
            await Expect(error).ToContainTextAsync($"还可尝试{5 - attempt}次");
        }

        await portal.ScreenshotAsync(page, "bind-branch-wrong-pin");
        await FlowDriver.EnterPinAsync(page, "000000");
        await Expect(page.Locator("#pin-error")).ToHaveTextAsync("PIN码连续5次输入错误，请联系CA重置密码。");
        await Expect(page.Locator("#pin-input")).ToBeDisabledAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-branch-pin-locked");

        // The count belongs to the key: another browser and a new flow see the lock at once.
        var other = await portal.NewPageAsync(PortalFixture.Kiosk);
        await FlowDriver.StartAndAcknowledgeAsync(other, portal.BaseUri, "绑定USBKEY");
        await FlowDriver.ToPinAsync(other, seal.Id);
        await Expect(other.Locator("#pin-input")).ToBeDisabledAsync();
        await Expect(other.Locator("#pin-error")).ToHaveTextAsync("PIN码连续5次输入错误，请联系CA重置密码。");
    }

    [Fact]
    public async Task A_failed_face_verification_says_so_and_returns_to_the_verification_page_after_5_seconds()
    {
        portal.InsertOnly(TestPkiSetup.ResetToken);
        var seal = Hz.Seals.First(s => s.SealType == "合同专用章");
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);
        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");
        await FlowDriver.ToPinAsync(page, seal.Id);
        await FlowDriver.EnterPinAsync(page, TestPkiSetup.UserPin);

        await FlowDriver.AnswerOnPhoneAsync(portal, page, pass: false);

        await Expect(page.GetByText("验证失败，请稍后重试。", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 10000 });
        var failedAt = DateTime.UtcNow;
        await Expect(page.GetByText("秒后自动返回身份验证页面。")).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-branch-face-failed");
        await Expect(page.GetByAltText("法定代表人身份验证二维码")).ToBeVisibleAsync(new() { Timeout = 10000 });
        var shownFor = DateTime.UtcNow - failedAt;
        Assert.True(shownFor >= TimeSpan.FromSeconds(4), $"returned after {shownFor.TotalSeconds:0.0} s, before the 5 s shown to the user");
        await Expect(page.GetByText("验证失败，请稍后重试。", new() { Exact = true })).ToHaveCountAsync(0);
        Assert.False(await IsBoundAsync(TestPkiSetup.ResetToken), "a failed verification bound the key");
    }

    [Fact]
    public async Task An_unreachable_key_helper_is_explained_with_the_download_link()
    {
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);
        // As if the PC client were not running: every call to the helper fails at the network level.
        await page.RouteAsync(portal.KeyHelperUri.GetLeftPart(UriPartial.Authority) + "/**", route => route.AbortAsync("connectionrefused"));

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");

        var problem = page.Locator("[data-helper-state=unreachable]");
        await Expect(problem).ToBeVisibleAsync();
        await Expect(problem).ToContainTextAsync("无法连接电子印章PC客户端：请确认客户端已安装并已启动");
        await Expect(problem.GetByRole(AriaRole.Link, new() { Name = "点此下载" })).ToHaveAttributeAsync("href", "/download/keyhelper");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-branch-helper-unreachable");
    }

    [Fact]
    public async Task A_seal_taken_by_someone_else_before_the_commit_gives_the_failure_page_with_retry()
    {
        portal.InsertOnly(TestPkiSetup.ResetToken);
        var seal = Hz.Seals.First(s => s.SealType == "合同专用章");
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);
        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");
        await FlowDriver.ToPinAsync(page, seal.Id);
        await FlowDriver.EnterPinAsync(page, TestPkiSetup.UserPin);
        await Expect(page.GetByAltText("法定代表人身份验证二维码")).ToBeVisibleAsync();

        // While the legal representative verifies, another kiosk binds the same seal to another key.
        await portal.BindInDatabaseAsync(Hz, TestPkiSetup.ExpiredToken, seal.Id);
        await FlowDriver.AnswerOnPhoneAsync(portal, page, pass: true);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "绑定失败" })).ToBeVisibleAsync(new() { Timeout = 10000 });
        await Expect(page.Locator(".result.failure .error-text")).ToHaveTextAsync("该印章在您办理期间已绑定其他介质，本次绑定未生效。请返回重试，并在选择印章时确认是否改为绑定当前USBKEY。");
        var retry = page.GetByRole(AriaRole.Button, new() { Name = "返回重试", Exact = true });
        await Expect(retry).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-branch-commit-failed");
        // 返回重试 ends this visit's flow and starts the bind again, in a new flow.
        var failedFlow = page.Url;
        await retry.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("绑定说明");
        Assert.Contains("/flow/", page.Url, StringComparison.Ordinal);
        Assert.NotEqual(failedFlow, page.Url);
        Assert.False(await IsBoundAsync(TestPkiSetup.ResetToken), "the losing kiosk's key was bound anyway");
        var history = await portal.Database.InTransactionAsync(s => new BindingRepository(s).HistoryForSealAsync(seal.Id));
        Assert.Single(history, b => b.Active); // only the other kiosk's binding
    }

    private Task<bool> IsBoundAsync(string label) => portal.Database.InTransactionAsync(async s =>
    {
        var cert = portal.Pki.Token(label).Certificates[0];
        var medium = await new MediumRepository(s).FindUsbKeyAsync(PortalFixture.KeyIdOf(cert), cert.Sha256);
        return medium is not null && await new BindingRepository(s).ActiveForMediumAsync(medium.Id) is not null;
    });
}
