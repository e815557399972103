using System.Net;
using System.Text.Json;
using ESeal.Db.Demo;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using Microsoft.Extensions.DependencyInjection;

namespace ESeal.Tests.Admin;

/// <summary>/admin/pinlocks: the locked keys, and 解除锁定 with a reason, audited with the operator.</summary>
public sealed class OperatorPinLockTests(AdminWebFixture web) : IClassFixture<AdminWebFixture>
{
    private const string Page = "/admin/pinlocks";

    private Database Db => web.Factory.Services.GetRequiredService<Database>();

    /// <summary>Five proved wrong PINs lock the key everywhere (as in OpsCliTests).</summary>
    private async Task<string> LockAsync(string keyId, string serial)
    {
        for (var i = 0; i < 5; i++)
        {
            await Db.InTransactionAsync(s => new PinCounterRepository(s).RecordFailureAsync(PinCounterScope.Key, keyId, "kiosk-session", serial, 5, false, DateTimeOffset.UtcNow));
        }

        Assert.True((await Db.ReadAsync(s => new PinCounterRepository(s).StateAsync(keyId, "another-kiosk", 5))).Locked);
        return PinCounterRepository.KeyCounter(keyId);
    }

    private static Task<HttpResponseMessage> ClearAsync(AdminClient client, string counterKey, string? reason)
    {
        var fields = new List<KeyValuePair<string, string>> { new("counterKey", counterKey) };
        if (reason is not null)
        {
            fields.Add(new("reason", reason));
        }

        return client.PostFormAsync(Page, Page + "?handler=clear", fields);
    }

    [Fact]
    public async Task A_locked_key_is_listed_with_its_serial_key_id_enterprise_count_and_scope()
    {
        // The demo's bound key of Hangzhou's 财务专用章: a known medium, so the enterprise shows.
        var serial = DemoData.PreboundTokenSerial(DemoData.Hangzhou, 1);
        var medium = await Db.ReadAsync(s => s.QuerySingleOrDefaultAsync<Medium>("SELECT id, kind, identifier, key_id, token_serial FROM media WHERE token_serial = @serial", new { serial }));
        await LockAsync(medium!.KeyId!, serial);
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");

        var html = WebUtility.HtmlDecode(await client.GetHtmlAsync(Page));

        var row = RowOf(html, serial);
        Assert.Contains($"title=\"{medium.KeyId}\"", row, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"/admin/enterprises/{DemoData.Hangzhou.Id:D}\">杭州云印信息技术有限公司</a>", row, StringComparison.Ordinal);
        Assert.Contains("<td>5</td>", row, StringComparison.Ordinal);
        Assert.Contains("整个USBKEY", row, StringComparison.Ordinal);
        Assert.Contains("<label for=", row, StringComparison.Ordinal);
        Assert.Contains(">原因</label>", row, StringComparison.Ordinal);
        Assert.Contains(">解除锁定</button>", row, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a")]
    [InlineData("\u200B\u200B")]
    [InlineData("CA已\u0007重置")]
    public async Task Clearing_without_a_proper_reason_changes_nothing_and_says_so_next_to_the_field(string? reason)
    {
        var keyId = "no-reason-" + Guid.NewGuid().ToString("N");
        var counter = await LockAsync(keyId, "NOREASON-" + keyId[^6..]);
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");
        var auditBefore = (await Db.ReadAsync(s => new AuditLog(s).ListAsync())).Count;

        using var response = await ClearAsync(client, counter, reason);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = RowOf(html, "NOREASON-" + keyId[^6..]);
        Assert.Contains("<span class=\"error-text\" id=\"reason-error-field-error\">", row, StringComparison.Ordinal);
        var expected = string.IsNullOrWhiteSpace(reason) ? "请填写解除锁定的原因。" : reason.Length == 1 ? "原因至少2个字。" : "原因不能包含控制字符或不可见的格式字符";
        Assert.Contains(expected, row, StringComparison.Ordinal);

        Assert.DoesNotContain("pinlock-cleared", html, StringComparison.Ordinal);
        Assert.True((await Db.ReadAsync(s => new PinCounterRepository(s).GetAsync(counter)))!.IsLocked);
        Assert.Equal(auditBefore, (await Db.ReadAsync(s => new AuditLog(s).ListAsync())).Count);
    }

    [Fact]
    public async Task Clearing_with_a_reason_unlocks_audits_the_operator_and_the_reason_and_a_second_clear_changes_nothing()
    {
        var keyId = "with-reason-" + Guid.NewGuid().ToString("N");
        const string serial = "WITHREASON-1";
        var counter = await LockAsync(keyId, serial);
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");
        const string reason = "CA已于今日重置USBKEY";

        using var response = await ClearAsync(client, counter, reason);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"已解除 {serial} 的PIN码锁定。", html, StringComparison.Ordinal);
        Assert.Contains($"ESeal.KeyHelper pin-lock clear {serial} --operator", html, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-serial=\"{serial}\"", html, StringComparison.Ordinal);
        Assert.False((await Db.ReadAsync(s => new PinCounterRepository(s).StateAsync(keyId, "any-session", 5))).Locked);
        var cleared = (await Db.ReadAsync(s => new AuditLog(s).ListAsync())).Where(a => a.Kind == AuditKinds.PinLockCleared && a.Data.Contains(keyId, StringComparison.Ordinal)).ToList();
        var audit = Assert.Single(cleared);
        Assert.Equal("staff:operator", audit.Actor);
        var data = JsonDocument.Parse(audit.Data).RootElement;
        Assert.Equal(serial, data.GetProperty("tokenSerial").GetString());
        Assert.Equal(keyId, data.GetProperty("keyId").GetString());
        Assert.Equal(reason, data.GetProperty("reason").GetString());
        Assert.Equal("staff:operator", (await Db.ReadAsync(s => new PinCounterRepository(s).GetAsync(counter)))!.ClearedBy);

        using var again = await ClearAsync(client, counter, reason);
        var againHtml = WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains($"{serial} 的PIN码锁定已经解除，无需再次操作。", againHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("pinlock-cleared", againHtml, StringComparison.Ordinal);
        Assert.Single(await Db.ReadAsync(s => new AuditLog(s).ListAsync()), a => a.Kind == AuditKinds.PinLockCleared && a.Data.Contains(keyId, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("key:does-not-exist")]
    [InlineData("key:\u0001")]
    public async Task Clearing_an_unknown_lock_says_so_and_changes_nothing(string counterKey)
    {
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");
        var auditBefore = (await Db.ReadAsync(s => new AuditLog(s).ListAsync())).Count;

        using var response = await ClearAsync(client, counterKey, "CA已重置");
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("未找到该锁定记录，请刷新页面后重试。", html, StringComparison.Ordinal);
        Assert.Equal(auditBefore, (await Db.ReadAsync(s => new AuditLog(s).ListAsync())).Count);
    }

    private static string RowOf(string html, string serial)
    {
        var start = html.IndexOf($"<tr class=\"pinlock-row\" data-serial=\"{serial}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no row for {serial}");
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }
}
