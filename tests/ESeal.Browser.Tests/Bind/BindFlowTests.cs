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

        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");
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
        await FlowDriver.AnswerOnPhoneAsync(portal, page, pass: true);

        // 完成: the five facts, 返回首页, and the automatic return.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "绑定成功" })).ToBeVisibleAsync(new() { Timeout = 10000 });
        var facts = page.Locator(".result-facts");
        foreach (var text in new[] { "企业名称", Hz.Name, "企业统一社会信用代码", Hz.CreditCode, "法定代表人", Hz.LegalRepName, "印章类型（此次绑定）", "单位公章", "绑定时间" })
        {
            await Expect(facts).ToContainTextAsync(text);
        }

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "返回首页", Exact = true }).Last).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-6-success");
        await page.WaitForURLAsync(portal.BaseUri.ToString(), new() { Timeout = 8000 });

        var stored = await portal.Database.InTransactionAsync(s => new SealRepository(s).GetAsync(seal.Id));
        Assert.Equal(SealStatus.UsbKey, stored!.Status);
    }
}
