using System.Text.RegularExpressions;
using ESeal.Browser.Tests.Infrastructure;
using ESeal.Db.Demo;
using ESeal.Db.Flows;
using ESeal.Db.Repositories;
using ESeal.TestPki;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ESeal.Browser.Tests.Hall;

/// <summary>
/// SPEC §9 as a hall visitor meets it, at an enrolled kiosk: walking away ends the flow and leaves
/// nothing to the next visitor, there is a way out of every step, and no step needs a keyboard.
/// The idle timer runs on Playwright's clock (fast-forwarded); the server's own limit is real time.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class HallSessionBrowserTests(PortalFixture portal)
{
    private const string HolderId = "330106197805121232";
    private const string HolderPhone = "13800138000";
    private static readonly DemoData.DemoEnterprise Hz = DemoData.Hangzhou;

    private Uri Home => portal.BaseUri;

    [Fact]
    public async Task Walking_away_at_the_PIN_step_warns_then_ends_the_flow_on_the_server_and_the_next_visitor_finds_nothing()
    {
        portal.InsertOnly(TestPkiSetup.ResetToken);
        var seal = Hz.Seals.First(s => s.SealType == "合同专用章");
        var page = await portal.NewKioskPageAsync(PortalFixture.Kiosk, "walk-away");
        await page.Clock.InstallAsync();
        await FlowDriver.StartAndAcknowledgeAsync(page, Home, "绑定USBKEY");
        await FlowDriver.ToPinAsync(page, seal.Id);
        var flowUrl = page.Url;
        var id = FlowId(page);
        var sessionBefore = await SessionCookieAsync(page);
        await page.Context.AddCookiesAsync([new Cookie { Name = "eseal.elder", Value = "1", Url = Home.ToString() }]); // this visitor chose 长辈版

        // 120 s without input: the warning, over the PIN dialog, with its countdown.
        await page.Clock.FastForwardAsync("02:01");
        var warning = page.GetByRole(AriaRole.Alertdialog, new() { Name = "您还在办理吗？" });
        await Expect(warning).ToBeVisibleAsync();
        await Expect(warning).ToContainTextAsync(new Regex("[0-9]+秒后将结束本次办理并返回首页"));
        await Expect(warning.GetByRole(AriaRole.Button, new() { Name = "继续办理" })).ToBeFocusedAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "hall-idle-warning-kiosk");

        // No answer: home, with a new session.
        await page.Clock.FastForwardAsync("00:31");
        await page.WaitForURLAsync(Home.ToString());
        Assert.NotEqual(sessionBefore, await SessionCookieAsync(page));
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "eseal.elder"); // the next one starts in the standard view

        var row = await InstanceAsync(id);
        Assert.Equal(FlowStatus.Abandoned, row.Status);
        Assert.DoesNotContain(HolderId, row.Variables, StringComparison.Ordinal);
        Assert.DoesNotContain(HolderPhone, row.Variables, StringComparison.Ordinal);
        Assert.DoesNotContain("王建国", row.Variables, StringComparison.Ordinal);

        // The next visitor, in the same browser, opens the old flow's URL: nothing of it.
        await page.GotoAsync(flowUrl);
        await Expect(page.Locator("#flow")).ToContainTextAsync("无法继续办理");
        await Expect(page.Locator("#flow")).Not.ToContainTextAsync(Hz.Name);
        await Expect(page.Locator("#pin-input")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Continuing_after_the_warning_keeps_the_flow_and_what_was_typed_and_the_keypad_enters_ID_and_phone_masked()
    {
        portal.InsertOnly(TestPkiSetup.ResetToken);
        var page = await portal.NewKioskPageAsync(PortalFixture.Kiosk, "continue");
        await page.Clock.InstallAsync();
        await FlowDriver.StartAndAcknowledgeAsync(page, Home, "绑定USBKEY");
        await FlowDriver.ClickContinueAsync(page);
        await page.GetByLabel("持章人姓名").FillAsync("王建国");

        await page.Clock.FastForwardAsync("02:01");
        var warning = page.GetByRole(AriaRole.Alertdialog, new() { Name = "您还在办理吗？" });
        await Expect(warning).ToBeVisibleAsync();
        await warning.GetByRole(AriaRole.Button, new() { Name = "继续办理" }).ClickAsync();
        await Expect(warning).ToBeHiddenAsync();
        await page.Clock.FastForwardAsync("00:40"); // past the old countdown: nothing ends
        Assert.Contains("/flow/", page.Url, StringComparison.Ordinal);
        await Expect(page.GetByLabel("持章人姓名")).ToHaveValueAsync("王建国");

        // The ID number and the phone by the on-screen keypad only; masked once entered.
        var idField = page.GetByLabel("证件号码");
        await idField.ClickAsync();
        var keypad = page.Locator("[data-field-keypad]");
        await Expect(keypad).ToBeVisibleAsync();
        await TapAsync(keypad, HolderId);
        await Expect(idField).ToHaveValueAsync(HolderId);
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "hall-holder-keypad-kiosk");
        await keypad.GetByRole(AriaRole.Button, new() { Name = "完成" }).ClickAsync();
        await Expect(idField).ToHaveValueAsync("330106********1232");
        var phoneField = page.GetByLabel("联系电话");
        await phoneField.ClickAsync();
        await Expect(keypad.Locator("[data-key='X']")).ToBeHiddenAsync(); // a phone number has no X
        await TapAsync(keypad, HolderPhone + "9");
        await keypad.Locator("[data-key='delete']").ClickAsync();
        await keypad.GetByRole(AriaRole.Button, new() { Name = "完成" }).ClickAsync();
        await Expect(phoneField).ToHaveValueAsync("138****8000");

        // The server got the real values: the next step, not a validation error.
        await FlowDriver.ClickContinueAsync(page);
        await Expect(page.Locator("[id^='seal-']").First).ToBeVisibleAsync();
        await Expect(page.Locator(".error-text")).ToHaveCountAsync(0);
        Assert.Contains(HolderId, (await InstanceAsync(FlowId(page))).Variables, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_step_posted_after_the_servers_idle_limit_is_refused_and_the_flow_is_gone()
    {
        portal.InsertOnly(TestPkiSetup.ResetToken);
        var page = await portal.NewKioskPageAsync(PortalFixture.Kiosk, "dead-script");
        await FlowDriver.StartAndAcknowledgeAsync(page, Home, "绑定USBKEY");
        await FlowDriver.ClickContinueAsync(page);
        var id = FlowId(page);
        await FlowDriver.FillHolderAsync(page, "王建国", HolderId, HolderPhone);

        // The page's script is alive here, but the server alone decides: its limit has passed.
        await portal.Database.InTransactionAsync(s => s.ExecuteAsync("UPDATE flow_instances SET expires_at = @past WHERE id = @id", new { past = DateTimeOffset.UtcNow.AddSeconds(-1), id }));
        await FlowDriver.ClickContinueAsync(page);

        await Expect(page.Locator("#flow")).ToContainTextAsync("您长时间未操作，本次办理已结束");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "继续办理" })).ToHaveCountAsync(0);
        var row = await InstanceAsync(id);
        Assert.Equal(FlowStatus.Expired, row.Status);
        Assert.DoesNotContain(HolderId, row.Variables, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_PIN_by_the_shuffled_on_screen_keypad_alone_completes_a_bind_and_never_reaches_the_portal()
    {
        portal.InsertOnly(TestPkiSetup.DemoToken);
        var seal = Hz.Seals.First(s => s.SealType == "财务专用章");
        await portal.ReleaseDemoKeyAsync(Hz);
        var page = await portal.NewKioskPageAsync(PortalFixture.Kiosk, "keypad");
        try
        {
            var sentToPortal = new System.Collections.Concurrent.ConcurrentBag<string>();
            page.Request += (_, r) =>
            {
                if (r.Url.StartsWith(Home.ToString(), StringComparison.Ordinal))
                {
                    sentToPortal.Add(r.Url + "\n" + r.PostData);
                }
            };
            await page.Clock.InstallAsync();
            await FlowDriver.StartAndAcknowledgeAsync(page, Home, "绑定USBKEY");
            await FlowDriver.ToPinAsync(page, seal.Id);
            var first = await DigitOrderAsync(page);

            // 取消 in the PIN dialog is 上一步: back to the seal list; opening the dialog again reshuffles.
            await page.Locator("[data-pin-cancel]").ClickAsync();
            await Expect(page.Locator($"#seal-{seal.Id}")).ToBeVisibleAsync();
            await FlowDriver.ChooseSealAsync(page, seal.Id);
            var second = await DigitOrderAsync(page);
            Assert.Equal("0123456789", string.Concat(first.Order()));
            Assert.NotEqual(first, second);
            await Accessibility.AssertNoSeriousViolationsAsync(page);
            await portal.ScreenshotAsync(page, "hall-pin-keypad-kiosk");

            var pin = page.Locator("#pin-input");
            await Expect(pin).ToHaveAttributeAsync("inputmode", "none"); // no OS keyboard pops up over the keypad
            await TapAsync(page.Locator(".pin-dialog [data-keypad]"), TestPkiSetup.UserPin + "7");
            await page.Locator(".pin-dialog [data-key='delete']").ClickAsync();
            await Expect(pin).ToHaveValueAsync(TestPkiSetup.UserPin);

            // The eye shows the PIN, and on a kiosk hides it again by itself.
            await page.Locator("[data-pin-toggle]").ClickAsync();
            await Expect(pin).ToHaveAttributeAsync("type", "text");
            await page.Clock.FastForwardAsync("00:06");
            await Expect(pin).ToHaveAttributeAsync("type", "password");

            await page.GetByRole(AriaRole.Button, new() { Name = FlowDriver.Continue, Exact = true }).ClickAsync();
            await Expect(page.Locator(".progress-step.current")).ToHaveTextAsync(new Regex("法定代表人身份验证"));
            await FlowDriver.AnswerOnPhoneAsync(portal, page, pass: true);
            await Expect(page.Locator(".result.success")).ToBeVisibleAsync(new() { Timeout = 15000 });

            // 返回首页 ends the finished flow's session too.
            var session = await SessionCookieAsync(page);
            await page.GetByRole(AriaRole.Button, new() { Name = "返回首页", Exact = true }).Last.ClickAsync();
            await page.WaitForURLAsync(Home.ToString());
            Assert.NotEqual(session, await SessionCookieAsync(page));
            Assert.DoesNotContain(sentToPortal, r => r.Contains(TestPkiSetup.UserPin, StringComparison.Ordinal));
        }
        finally
        {
            await page.Context.CloseAsync();
            await portal.ReleaseDemoKeyAsync(Hz);
        }
    }

    [Fact]
    public async Task Cancel_from_the_reading_notice_the_holder_form_and_the_PIN_dialog_asks_first_then_ends_the_flow()
    {
        portal.InsertOnly(TestPkiSetup.ResetToken);
        var seal = Hz.Seals.First(s => s.SealType == "合同专用章");
        var page = await portal.NewKioskPageAsync(PortalFixture.Kiosk, "cancel");
        var confirm = page.GetByRole(AriaRole.Alertdialog, new() { Name = "确定取消办理吗？" });

        // The forced reading: 取消办理 inside the notice; Esc asks as well, and 取消 keeps the flow.
        await page.GotoAsync(Home.ToString());
        await page.GetByRole(AriaRole.Link, new() { Name = "绑定USBKEY", Exact = true }).First.ClickAsync();
        var cancel = page.Locator(".modal [data-cancel-flow]");
        await Expect(cancel).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(confirm).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "hall-cancel-confirm-kiosk");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "取消", Exact = true }).ClickAsync();
        await Expect(confirm).ToBeHiddenAsync();
        await cancel.ClickAsync();
        await Expect(confirm).ToBeVisibleAsync();
        var id = FlowId(page);
        await confirm.GetByRole(AriaRole.Button, new() { Name = "确定取消办理" }).ClickAsync();
        await page.WaitForURLAsync(Home.ToString());
        Assert.Equal(FlowStatus.Abandoned, (await InstanceAsync(id)).Status);

        // The holder form: 取消 returns the focus to 取消办理; confirming ends the flow.
        await FlowDriver.StartAndAcknowledgeAsync(page, Home, "绑定USBKEY");
        await FlowDriver.ClickContinueAsync(page);
        await FlowDriver.FillHolderAsync(page, "王建国", HolderId, HolderPhone);
        var stepCancel = page.Locator(".step-exits [data-cancel-flow]");
        await stepCancel.ClickAsync();
        await Expect(confirm).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab"); // focus stays inside the dialog
        Assert.True(await confirm.EvaluateAsync<bool>("d => d.contains(document.activeElement)"));
        await page.Keyboard.PressAsync("Escape");
        await Expect(confirm).ToBeHiddenAsync();
        await Expect(stepCancel).ToBeFocusedAsync();
        id = FlowId(page);
        await stepCancel.ClickAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "确定取消办理" }).ClickAsync();
        await page.WaitForURLAsync(Home.ToString());
        var row = await InstanceAsync(id);
        Assert.Equal(FlowStatus.Abandoned, row.Status);
        Assert.DoesNotContain(HolderId, row.Variables, StringComparison.Ordinal);

        // The PIN dialog carries its own 取消办理.
        await FlowDriver.StartAndAcknowledgeAsync(page, Home, "绑定USBKEY");
        await FlowDriver.ToPinAsync(page, seal.Id);
        id = FlowId(page);
        await page.Locator(".pin-dialog .step-cancel").ClickAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "确定取消办理" }).ClickAsync();
        await page.WaitForURLAsync(Home.ToString());
        Assert.Equal(FlowStatus.Abandoned, (await InstanceAsync(id)).Status);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Back_is_offered_where_the_definition_connects_it_and_keeps_the_flow()
    {
        portal.InsertOnly(TestPkiSetup.ResetToken);
        var seal = Hz.Seals.First(s => s.SealType == "合同专用章");
        var page = await portal.NewPageAsync(PortalFixture.Phone);
        var back = page.GetByRole(AriaRole.Button, new() { Name = "上一步", Exact = true });
        // The notice is where the flow begins: no way back, only out.
        await FlowDriver.StartAndAcknowledgeAsync(page, Home, "绑定USBKEY", p => Expect(back).ToHaveCountAsync(0));

        await Expect(page.GetByRole(AriaRole.Radio).First).ToBeCheckedAsync();
        await FlowDriver.ClickContinueAsync(page);
        await Expect(back).ToBeVisibleAsync();
        await portal.ScreenshotAsync(page, "hall-holder-exits-phone");
        await back.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Radio).First).ToBeVisibleAsync(); // the certificate list again
        await FlowDriver.ToPinAsync(page, seal.Id);
        await Expect(page.Locator("#pin-input")).Not.ToHaveAttributeAsync("inputmode", "none"); // not a kiosk: the phone's own keyboard too
        await portal.ScreenshotAsync(page, "hall-pin-keypad-phone");
        await page.Keyboard.PressAsync("Escape"); // the PIN dialog's 取消 is 上一步
        await Expect(page.Locator($"#seal-{seal.Id}")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_locked_PIN_dialog_leads_home_and_ends_the_flow()
    {
        // The key locked in the portal (five wrong PINs earlier, at another kiosk); cleared again afterwards.
        portal.InsertOnly(TestPkiSetup.ResetToken);
        var token = portal.Pki.Token(TestPkiSetup.ResetToken);
        var keyId = PortalFixture.KeyIdOf(token.Certificates[0]);
        for (var i = 0; i < 5; i++)
        {
            await portal.Database.InTransactionAsync(s => new PinCounterRepository(s).RecordFailureAsync(PinCounterScope.Key, keyId, "other-kiosk", token.Serial, 5, false, DateTimeOffset.UtcNow));
        }

        var seal = Hz.Seals.First(s => s.SealType == "合同专用章");
        var page = await portal.NewKioskPageAsync(PortalFixture.Kiosk, "locked");
        try
        {
            await FlowDriver.StartAndAcknowledgeAsync(page, Home, "绑定USBKEY");
            await FlowDriver.ToPinAsync(page, seal.Id);
            await Expect(page.Locator("#pin-input")).ToBeDisabledAsync();
            await Expect(page.Locator("#pin-error")).ToHaveTextAsync("PIN码连续5次输入错误，请联系CA重置密码。");
            var home = page.GetByRole(AriaRole.Button, new() { Name = "返回首页", Exact = true });
            await Expect(home).ToBeEnabledAsync();
            await Expect(home).ToBeFocusedAsync();
            await Accessibility.AssertNoSeriousViolationsAsync(page);
            await portal.ScreenshotAsync(page, "hall-pin-locked-kiosk");
            var id = FlowId(page);
            await home.ClickAsync();
            await page.WaitForURLAsync(Home.ToString());
            Assert.Equal(FlowStatus.Abandoned, (await InstanceAsync(id)).Status);
        }
        finally
        {
            await page.Context.CloseAsync();
            await portal.Database.InTransactionAsync(s => new PinCounterRepository(s).ClearAsync(keyId, "test-teardown", DateTimeOffset.UtcNow));
        }
    }

    private static Guid FlowId(IPage page) => Guid.Parse(new Uri(page.Url).Segments.Last());

    private static async Task<string?> SessionCookieAsync(IPage page) =>
        (await page.Context.CookiesAsync()).FirstOrDefault(c => c.Name == "eseal.session")?.Value;

    private async Task<FlowInstanceRow> InstanceAsync(Guid id) =>
        (await portal.Database.ReadAsync(s => new FlowInstanceRepository(s).GetAsync(id)))!;

    private static async Task TapAsync(ILocator keypad, string keys)
    {
        foreach (var key in keys)
        {
            await keypad.Locator($"[data-key='{key}']").ClickAsync();
        }
    }

    private static async Task<string> DigitOrderAsync(IPage page) =>
        await page.Locator(".pin-dialog [data-keypad]").EvaluateAsync<string>("k => [...k.querySelectorAll('[data-key]')].map(b => b.dataset.key).filter(d => /^[0-9]$/.test(d)).join('')");
}
