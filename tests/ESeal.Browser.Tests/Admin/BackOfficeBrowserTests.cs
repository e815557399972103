using System.Text;
using ESeal.Browser.Tests.Infrastructure;
using ESeal.Db.Demo;
using ESeal.Db.Repositories;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;

namespace ESeal.Browser.Tests.Admin;

/// <summary>
/// The back office as its people use it (issue 10): an operator finds an enterprise by part of its
/// name, reads a seal's history and clears a PIN lock with a reason; the auditor finds that in the
/// trail under the operator's name, verifies the chain, exports CSV, and sees a row changed behind
/// the application's back named as the break. Every page is checked with axe and photographed.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class BackOfficeBrowserTests(PortalFixture portal)
{
    [Fact]
    public async Task An_operator_clears_a_pin_lock_and_the_auditor_finds_it_verifies_the_chain_and_exports_it()
    {
        var serial = "LOCKED-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var keyId = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(serial)));
        for (var i = 0; i < 5; i++)
        {
            await portal.Database.InTransactionAsync(s => new PinCounterRepository(s).RecordFailureAsync(PinCounterScope.Key, keyId, "kiosk-session", serial, 5, false, DateTimeOffset.UtcNow));
        }

        // The operator: search by part of the name, the enterprise's seals and history.
        var op = await BackOfficeDriver.SignInAsync(portal, "operator");
        await op.GetByRole(AriaRole.Link, new() { Name = "企业与印章查询" }).First.ClickAsync();
        await op.GetByLabel("企业名称或统一社会信用代码").FillAsync("云印");
        await op.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(op);
        await portal.ScreenshotAsync(op, "admin-enterprise-search-kiosk");
        await op.GetByRole(AriaRole.Link, new() { Name = DemoData.Hangzhou.Name }).ClickAsync();
        Assert.Contains(DemoData.Hangzhou.CreditCode, await op.Locator("#enterprise-facts").InnerTextAsync(), StringComparison.Ordinal);
        var boundSeal = DemoData.Hangzhou.Seals.First(s => s.State == DemoData.DemoState.UsbKey);
        var history = op.Locator($"#history-{boundSeal.SealCode}");
        Assert.True(await history.Locator("tbody tr").CountAsync() >= 1);
        var historyText = await history.InnerTextAsync();
        Assert.DoesNotContain(DemoData.Hangzhou.LegalRepIdNumber, await op.ContentAsync(), StringComparison.Ordinal);
        Assert.Contains("当前有效", historyText, StringComparison.Ordinal);
        await Accessibility.AssertNoSeriousViolationsAsync(op);
        await portal.ScreenshotAsync(op, "admin-enterprise-detail-kiosk");

        // The PIN lock: without a reason nothing happens; with one it is cleared.
        await op.GetByRole(AriaRole.Link, new() { Name = "PIN锁定解除" }).First.ClickAsync();
        var row = op.Locator($"tr.pinlock-row[data-serial='{serial}']");
        await row.GetByRole(AriaRole.Button, new() { Name = "解除锁定 " + serial }).ClickAsync();
        Assert.Contains("请填写解除锁定的原因。", await op.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True((await portal.Database.ReadAsync(s => new PinCounterRepository(s).GetAsync(PinCounterRepository.KeyCounter(keyId))))!.IsLocked);
        await Accessibility.AssertNoSeriousViolationsAsync(op);
        await portal.ScreenshotAsync(op, "admin-pinlock-reason-missing-kiosk");
        await op.Locator($"tr.pinlock-row[data-serial='{serial}']").GetByLabel("原因").FillAsync("CA已于今日重置该USBKEY");
        await op.Locator($"tr.pinlock-row[data-serial='{serial}']").GetByRole(AriaRole.Button, new() { Name = "解除锁定 " + serial }).ClickAsync();
        Assert.Contains($"已解除 {serial} 的PIN码锁定。", await op.Locator("#pinlock-cleared").InnerTextAsync(), StringComparison.Ordinal);
        Assert.False((await portal.Database.ReadAsync(s => new PinCounterRepository(s).GetAsync(PinCounterRepository.KeyCounter(keyId))))!.IsLocked);
        await portal.ScreenshotAsync(op, "admin-pinlock-cleared-kiosk");

        // The auditor: the clearing under the operator's name, the chain whole, a CSV export.
        var auditor = await BackOfficeDriver.SignInAsync(portal, "auditor");
        await auditor.GetByRole(AriaRole.Link, new() { Name = "审计日志" }).First.ClickAsync();
        await auditor.Locator("#audit-kind").SelectOptionAsync(AuditKinds.PinLockCleared);
        await auditor.Locator("#audit-staff").FillAsync("operator");
        await auditor.Locator("#audit-search").ClickAsync();
        var cleared = auditor.Locator("#audit-table tbody tr").Filter(new() { HasText = "staff:operator" }).First;
        Assert.Contains("staff:operator", await cleared.InnerTextAsync(), StringComparison.Ordinal);
        await Accessibility.AssertNoSeriousViolationsAsync(auditor);
        await portal.ScreenshotAsync(auditor, "admin-audit-filtered-kiosk");
        await cleared.GetByRole(AriaRole.Link).First.ClickAsync();
        var detail = await auditor.Locator("#event-data").InnerTextAsync();
        Assert.Contains("CA已于今日重置该USBKEY", detail, StringComparison.Ordinal);
        Assert.Contains(serial, detail, StringComparison.Ordinal);
        await Accessibility.AssertNoSeriousViolationsAsync(auditor);
        await portal.ScreenshotAsync(auditor, "admin-audit-event-kiosk");

        await auditor.GotoAsync(new Uri(portal.BaseUri, "/admin/audit").ToString());
        await auditor.Locator("#audit-verify").ClickAsync();
        Assert.StartsWith("审计链完整", await auditor.Locator("#audit-verify-result").InnerTextAsync(), StringComparison.Ordinal);
        await portal.ScreenshotAsync(auditor, "admin-audit-chain-whole-kiosk");

        var download = await auditor.RunAndWaitForDownloadAsync(() => auditor.Locator("#audit-export").ClickAsync());
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var csv = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        Assert.StartsWith("序号,", csv, StringComparison.Ordinal);
        Assert.Contains("CA已于今日重置该USBKEY", csv, StringComparison.Ordinal);

        // Someone with the database file changes one event; the chain check names exactly that one.
        var victim = await portal.Database.ReadAsync(s => new AuditLog(s).ListAsync());
        var tampered = victim.Last(e => e.Kind == AuditKinds.PinLockCleared);
        await TamperAsync(tampered.Seq, tampered.Data.Replace("CA已于今日重置该USBKEY", "无", StringComparison.Ordinal));
        try
        {
            await auditor.GotoAsync(new Uri(portal.BaseUri, "/admin/audit").ToString());
            await auditor.Locator("#audit-verify").ClickAsync();
            Assert.Contains($"#{tampered.Seq}", await auditor.Locator("#audit-broken-link").InnerTextAsync(), StringComparison.Ordinal);
            await Accessibility.AssertNoSeriousViolationsAsync(auditor);
            await portal.ScreenshotAsync(auditor, "admin-audit-chain-broken-kiosk");
        }
        finally
        {
            await TamperAsync(tampered.Seq, tampered.Data); // the rest of the suite shares this database
        }
    }

    [Fact]
    public async Task Every_back_office_page_passes_axe_for_the_role_that_uses_it()
    {
        var pages = new (string User, string Path)[]
        {
            ("operator", "/admin"),
            ("operator", "/admin/enterprises"),
            ("operator", "/admin/enterprises?q=" + Uri.EscapeDataString("\u0001")),
            ("operator", $"/admin/enterprises/{DemoData.Beijing.Id:D}"),
            ("operator", "/admin/pinlocks"),
            ("operator", "/admin/outbox"),
            ("operator", "/admin/kiosks"),
            ("operator", "/admin/kiosks/enroll"),
            ("operator", "/admin/account/password"),
            ("auditor", "/admin/audit"),
            ("auditor", "/admin/audit?from=2026-13-40"),
            ("auditor", "/admin/audit/1"),
            ("admin", "/admin/staff"),
            ("admin", "/admin/staff/operator"),
        };
        foreach (var group in pages.GroupBy(p => p.User))
        {
            var page = await BackOfficeDriver.SignInAsync(portal, group.Key);
            foreach (var (_, path) in group)
            {
                var response = await page.GotoAsync(new Uri(portal.BaseUri, path).ToString());
                Assert.True(response!.Ok, $"{path}: {response.Status}");
                await Accessibility.AssertNoSeriousViolationsAsync(page);
                var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
                Assert.True(scrollWidth <= 1920, $"{path} is {scrollWidth}px wide");
            }
        }

        // Hangfire's own dashboard (not our markup, so no axe): it must render under our CSP for an admin.
        var admin = await BackOfficeDriver.SignInAsync(portal, "admin");
        var jobs = await admin.GotoAsync(new Uri(portal.BaseUri, "/admin/jobs/recurring").ToString());
        Assert.True(jobs!.Ok);
        Assert.Contains("flows-expire-instances", await admin.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        await portal.ScreenshotAsync(admin, "admin-jobs-kiosk");

        var phone = await portal.NewPageAsync(PortalFixture.Phone);
        await phone.GotoAsync(new Uri(portal.BaseUri, "/admin/login").ToString());
        await Accessibility.AssertNoSeriousViolationsAsync(phone);
        await portal.ScreenshotAsync(phone, "admin-login-phone");
    }

    /// <summary>Changes one audit row directly in the SQLite file, past the append-only trigger, as an attacker with the file would.</summary>
    private async Task TamperAsync(long seq, string data)
    {
        await using var connection = new SqliteConnection(portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            DROP TRIGGER IF EXISTS tr_audit_events_no_update;
            UPDATE audit_events SET data = $data WHERE seq = $seq;
            CREATE TRIGGER tr_audit_events_no_update BEFORE UPDATE ON audit_events
            BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
            """;
        command.Parameters.AddWithValue("$data", data);
        command.Parameters.AddWithValue("$seq", seq);
        await command.ExecuteNonQueryAsync();
    }
}
