using ESeal.Browser.Tests.Infrastructure;
using ESeal.Db.Demo;
using ESeal.TestPki;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ESeal.Browser.Tests.Face;

/// <summary>Issue 9 (5) in Chromium: the face page replaces a dead QR code by itself.</summary>
[Collection(PortalCollection.Name)]
public sealed class FaceRenewalBrowserTests(PortalFixture portal)
{
    [Fact]
    public async Task A_face_ticket_the_provider_lost_is_replaced_on_screen_within_seconds_by_a_live_one()
    {
        // Tried: while the kiosk shows the QR code, the flow's ticket becomes one the simulator never
        // issued — what the page sees after the web restarted (tickets live in the simulator's memory).
        portal.InsertOnly(TestPkiSetup.ResetToken);
        var seal = DemoData.Hangzhou.Seals.First(s => s.SealType == "合同专用章");
        var page = await portal.NewPageAsync(PortalFixture.Kiosk);
        await FlowDriver.StartAndAcknowledgeAsync(page, portal.BaseUri, "绑定USBKEY");
        await FlowDriver.ToPinAsync(page, seal.Id);
        await FlowDriver.EnterPinAsync(page, TestPkiSetup.UserPin);
        var link = page.Locator("[data-face-phone-link]");
        await Expect(page.GetByAltText("法定代表人身份验证二维码")).ToBeVisibleAsync();
        var lostUrl = await link.GetAttributeAsync("href");
        var instanceId = new Uri(page.Url).AbsolutePath["/flow/".Length..];

        await portal.Database.InTransactionAsync(s =>
            s.ExecuteAsync("UPDATE flow_instances SET variables = json_set(variables, '$.faceTicket', 'lost-in-a-restart') WHERE lower(id) = lower(@id)", new { id = instanceId }));

        // No click, no reload by the user: the 2 s poll notices and the page renews the code itself.
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("二维码已过期，已为您生成新的二维码，请重新扫码。", new() { Timeout = 10000 });
        await Expect(page.GetByAltText("法定代表人身份验证二维码")).ToBeVisibleAsync();
        var renewedUrl = await link.GetAttributeAsync("href");
        Assert.NotEqual(lostUrl, renewedUrl);
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await portal.ScreenshotAsync(page, "bind-branch-face-renewed");

        // The new code is live: the phone page offers the answer (not clicked; this test binds nothing).
        var phone = await portal.NewPageAsync(PortalFixture.Phone);
        await phone.GotoAsync(renewedUrl!);
        await Expect(phone.GetByRole(AriaRole.Button, new() { Name = "模拟：验证通过" })).ToBeVisibleAsync();
        await phone.Context.CloseAsync();
        await page.Context.CloseAsync();
    }
}
