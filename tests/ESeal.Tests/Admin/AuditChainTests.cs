using System.Net;
using System.Text.Json;
using Dapper;
using ESeal.Db.Admin;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ESeal.Tests.Admin;

/// <summary>
/// "校验审计链" against a real SQLite file, whole and after someone with access to the file changed
/// it behind the application's back (dropping the append-only triggers first, as they would have to).
/// Each tampering test puts the row back, so the tests do not depend on their order.
/// </summary>
public sealed class AuditChainTests(AdminWebFixture web) : IClassFixture<AdminWebFixture>
{
    [Fact]
    public async Task A_whole_chain_is_reported_whole_with_the_number_of_events_and_the_check_is_audited()
    {
        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        var (count, max) = await CountAsync();

        var result = await VerifyAsync(auditor);
        Assert.Contains($"审计链完整：已校验 {count} 条事件，最后一条 #{max}。", result, StringComparison.Ordinal);

        await using var db = await OpenAsync();
        var recorded = await db.QuerySingleAsync<(string Actor, string Data)>(
            "SELECT actor, data FROM audit_events WHERE kind = 'AuditChainVerified' ORDER BY seq DESC LIMIT 1");
        Assert.Equal("staff:auditor", recorded.Actor);
        using var data = JsonDocument.Parse(recorded.Data);
        Assert.Equal(count, data.RootElement.GetProperty("checked").GetInt64());
        Assert.Equal(JsonValueKind.Null, data.RootElement.GetProperty("firstBroken").ValueKind);
    }

    [Fact]
    public async Task Changed_data_in_one_event_is_found_at_exactly_that_event()
    {
        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        await using var db = await OpenAsync();
        var (seq, data) = await db.QuerySingleAsync<(long, string)>(
            "SELECT seq, data FROM audit_events WHERE kind = 'StaffSignedIn' ORDER BY seq LIMIT 1");
        var (count, _) = await CountAsync();
        Assert.True(seq < count, "the tampered event should not be the last one");

        await db.ExecuteAsync("DROP TRIGGER IF EXISTS tr_audit_events_no_update");
        await db.ExecuteAsync("UPDATE audit_events SET data = @tampered WHERE seq = @seq", new { seq, tampered = data.Replace("}", ",\"note\":\"x\"}", StringComparison.Ordinal) });
        try
        {
            var result = await VerifyAsync(auditor);
            Assert.Contains($"审计链在第 <a id=\"audit-broken-link\" href=\"/admin/audit/{seq}\">#{seq}</a> 条事件处断开（", result, StringComparison.Ordinal);
            Assert.Contains("工作人员登录）：该事件的内容或前一事件的哈希与记录不符。", result, StringComparison.Ordinal);
            Assert.Contains($"已校验 {seq} 条事件", result, StringComparison.Ordinal);
            Assert.Equal(seq, await LastRecordedBreakAsync(db));
        }
        finally
        {
            await db.ExecuteAsync("UPDATE audit_events SET data = @data WHERE seq = @seq", new { seq, data });
        }

        Assert.Contains("审计链完整", await VerifyAsync(auditor), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_prev_hash_or_a_removed_event_is_found_where_the_link_breaks()
    {
        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        await using var db = await OpenAsync();
        await db.ExecuteAsync("DROP TRIGGER IF EXISTS tr_audit_events_no_update");
        await db.ExecuteAsync("DROP TRIGGER IF EXISTS tr_audit_events_no_delete");
        var rows = (await db.QueryAsync<Stored>("SELECT seq AS Seq, id AS Id, occurred_at AS OccurredAt, kind AS Kind, actor AS Actor, enterprise_id AS EnterpriseId, seal_id AS SealId, medium_id AS MediumId, instance_id AS InstanceId, data AS Data, prev_hash AS PrevHash, hash AS Hash FROM audit_events ORDER BY seq LIMIT 3")).ToList();
        Assert.Equal(3, rows.Count);

        // The second event claims another predecessor: its own hash no longer matches either.
        var target = rows[1];
        await db.ExecuteAsync("UPDATE audit_events SET prev_hash = @fake WHERE seq = @Seq", new { fake = new string('f', 64), target.Seq });
        try
        {
            Assert.Contains($"审计链在第 <a id=\"audit-broken-link\" href=\"/admin/audit/{target.Seq}\">#{target.Seq}</a> 条事件处断开", await VerifyAsync(auditor), StringComparison.Ordinal);
        }
        finally
        {
            await db.ExecuteAsync("UPDATE audit_events SET prev_hash = @PrevHash WHERE seq = @Seq", target);
        }

        // Removing the second event leaves the third pointing at a hash that is no longer its predecessor's.
        await db.ExecuteAsync("DELETE FROM audit_events WHERE seq = @Seq", target);
        try
        {
            Assert.Contains($"审计链在第 <a id=\"audit-broken-link\" href=\"/admin/audit/{rows[2].Seq}\">#{rows[2].Seq}</a> 条事件处断开", await VerifyAsync(auditor), StringComparison.Ordinal);
        }
        finally
        {
            await db.ExecuteAsync(
                "INSERT INTO audit_events (seq, id, occurred_at, kind, actor, enterprise_id, seal_id, medium_id, instance_id, data, prev_hash, hash) VALUES (@Seq, @Id, @OccurredAt, @Kind, @Actor, @EnterpriseId, @SealId, @MediumId, @InstanceId, @Data, @PrevHash, @Hash)",
                target);
        }

        // Two events swapped in order (their contents exchanged between the seq numbers).
        var (a, b) = (rows[0], rows[1]);
        await db.ExecuteAsync("DELETE FROM audit_events WHERE seq IN (@A, @B)", new { A = a.Seq, B = b.Seq });
        await InsertAsync(db, b with { Seq = a.Seq });
        await InsertAsync(db, a with { Seq = b.Seq });
        try
        {
            Assert.Contains($"href=\"/admin/audit/{a.Seq}\">#{a.Seq}</a> 条事件处断开", await VerifyAsync(auditor), StringComparison.Ordinal);
        }
        finally
        {
            await db.ExecuteAsync("DELETE FROM audit_events WHERE seq IN (@A, @B)", new { A = a.Seq, B = b.Seq });
            await InsertAsync(db, a);
            await InsertAsync(db, b);
        }

        Assert.Contains("审计链完整", await VerifyAsync(auditor), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_check_reads_in_batches_and_finds_a_break_beyond_the_first_batch_like_the_full_read_does()
    {
        var database = web.Factory.Services.GetRequiredService<Database>();
        await database.InTransactionAsync(async s =>
        {
            var log = new AuditLog(s);
            for (var i = 0; i < 1100; i++)
            {
                await log.AppendAsync(new AuditEvent { Id = Guid.NewGuid(), OccurredAt = DateTimeOffset.UtcNow, Kind = AuditKinds.OutboxRetried, Actor = "test:bulk", Data = $"{{\"i\":{i}}}" });
            }

            return true;
        });

        var (count, max) = await CountAsync();
        Assert.True(count > 1000);
        foreach (var batch in new[] { 1, 7, 1000 })
        {
            var whole = await AuditQueries.VerifyChainAsync(database, batch);
            Assert.Equal((count, (long?)max, true), (whole.Checked, whole.LastSeq, whole.IsWhole));
        }

        await using var db = await OpenAsync();
        var seq = max - 5;
        var data = await db.QuerySingleAsync<string>("SELECT data FROM audit_events WHERE seq = @seq", new { seq });
        await db.ExecuteAsync("DROP TRIGGER IF EXISTS tr_audit_events_no_update");
        await db.ExecuteAsync("UPDATE audit_events SET data = '{}' WHERE seq = @seq", new { seq });
        try
        {
            var broken = await AuditQueries.VerifyChainAsync(database, 1000);
            Assert.Equal(seq, broken.FirstBroken?.Seq);
            Assert.Equal(await database.ReadAsync(s => new AuditLog(s).FirstBrokenLinkAsync()), broken.FirstBroken?.Seq);
        }
        finally
        {
            await db.ExecuteAsync("UPDATE audit_events SET data = @data WHERE seq = @seq", new { seq, data });
        }
    }

    [Fact]
    public async Task A_verification_result_address_that_is_not_a_verification_says_so()
    {
        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        foreach (var bad in new[] { "1", "abc", "99999999999", "1&verified=2" })
        {
            var html = await auditor.GetHtmlAsync("/admin/audit?verified=" + bad);
            Assert.Contains("校验结果不存在。", html, StringComparison.Ordinal);
        }
    }

    private async Task<string> VerifyAsync(AdminClient auditor)
    {
        using var response = await auditor.PostFormAsync("/admin/audit", "/admin/audit?handler=Verify", []);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith("/admin/audit?verified=", location, StringComparison.Ordinal);
        return await auditor.GetHtmlAsync(location);
    }

    private async Task<(long Count, long Max)> CountAsync()
    {
        await using var db = await OpenAsync();
        return await db.QuerySingleAsync<(long, long)>("SELECT COUNT(*), MAX(seq) FROM audit_events");
    }

    private static async Task<long?> LastRecordedBreakAsync(SqliteConnection db)
    {
        var data = await db.QuerySingleAsync<string>("SELECT data FROM audit_events WHERE kind = 'AuditChainVerified' ORDER BY seq DESC LIMIT 1");
        using var doc = JsonDocument.Parse(data);
        return doc.RootElement.GetProperty("firstBroken").GetInt64();
    }

    private static Task InsertAsync(SqliteConnection db, Stored row) => db.ExecuteAsync(
        "INSERT INTO audit_events (seq, id, occurred_at, kind, actor, enterprise_id, seal_id, medium_id, instance_id, data, prev_hash, hash) VALUES (@Seq, @Id, @OccurredAt, @Kind, @Actor, @EnterpriseId, @SealId, @MediumId, @InstanceId, @Data, @PrevHash, @Hash)",
        row);

    private async Task<SqliteConnection> OpenAsync()
    {
        // Opening the web once makes sure its database file exists and is migrated.
        _ = web.Factory.Services;
        var db = new SqliteConnection(web.Factory.ConnectionString);
        await db.OpenAsync();
        await db.ExecuteAsync("PRAGMA busy_timeout = 5000");
        return db;
    }

    /// <summary>A row exactly as stored (all TEXT in SQLite), so it can be put back byte for byte.</summary>
    private sealed record Stored(long Seq, string Id, string OccurredAt, string Kind, string Actor, string? EnterpriseId, string? SealId, string? MediumId, string? InstanceId, string Data, string PrevHash, string Hash);
}
