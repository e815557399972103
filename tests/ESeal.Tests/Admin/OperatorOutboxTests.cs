using System.Net;
using System.Text.Json;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using Microsoft.Extensions.DependencyInjection;

namespace ESeal.Tests.Admin;

/// <summary>/admin/outbox: the backlog, and 立即重试 on one message.</summary>
public sealed class OperatorOutboxTests(AdminWebFixture web) : IClassFixture<AdminWebFixture>
{
    private const string Page = "/admin/outbox";

    private Database Db => web.Factory.Services.GetRequiredService<Database>();

    private async Task<Guid> EnqueueFailedAsync(string error)
    {
        var id = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        await Db.InTransactionAsync(async s =>
        {
            var outbox = new OutboxRepository(s);
            await outbox.EnqueueAsync(id, "seal.bound", "{}", "test:" + id.ToString("N"), now.AddMinutes(-10));
            return await outbox.MarkFailedAsync(id, 1, error, now.AddHours(3));
        });
        return id;
    }

    private Task<OutboxMessage?> GetAsync(Guid id) => Db.ReadAsync(s => new OutboxRepository(s).GetAsync(id));

    [Fact]
    public async Task The_backlog_lists_undelivered_messages_and_counts_the_last_day_deliveries()
    {
        var failed = await EnqueueFailedAsync("下游返回 503");
        var delivered = Guid.NewGuid();
        await Db.InTransactionAsync(async s =>
        {
            await new OutboxRepository(s).EnqueueAsync(delivered, "seal.unbound", "{}", "test:" + delivered.ToString("N"), DateTimeOffset.UtcNow.AddMinutes(-5));
            return await new OutboxRepository(s).MarkDeliveredAsync(delivered, 1, DateTimeOffset.UtcNow);
        });
        var deliveredCount = await Db.ReadAsync(s => s.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NOT NULL"));
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");

        var html = WebUtility.HtmlDecode(await client.GetHtmlAsync(Page));

        var row = RowOf(html, failed);
        Assert.Contains("seal.bound", row, StringComparison.Ordinal);
        Assert.Contains("下游返回 503", row, StringComparison.Ordinal);
        Assert.Contains("<td>1</td>", row, StringComparison.Ordinal);
        Assert.Contains(">立即重试</button>", row, StringComparison.Ordinal);
        Assert.DoesNotContain($"outbox-{delivered:D}", html, StringComparison.Ordinal);
        Assert.Contains($"<dd id=\"outbox-delivered-24h\">{deliveredCount} 条</dd>", html, StringComparison.Ordinal);
        Assert.True(deliveredCount >= 1);
    }

    [Fact]
    public async Task Retry_now_makes_the_message_due_now_and_audits_the_operator()
    {
        var id = await EnqueueFailedAsync("timeout");
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");
        var before = DateTimeOffset.UtcNow;

        using var response = await client.PostFormAsync(Page, Page + "?handler=retry", [new("id", id.ToString("D")), new("version", "2")]);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"已安排立即重试：seal.bound（{id:D}）。", html, StringComparison.Ordinal);
        var message = await GetAsync(id);
        Assert.InRange(message!.NextAttemptAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Null(message.DeliveredAt);
        var audit = Assert.Single(await Db.ReadAsync(s => new AuditLog(s).ListAsync()), a => a.Kind == AuditKinds.OutboxRetried && a.Data.Contains(id.ToString("D"), StringComparison.Ordinal));
        Assert.Equal("staff:operator", audit.Actor);
        Assert.Equal(id.ToString("D"), JsonDocument.Parse(audit.Data).RootElement.GetProperty("messageId").GetString());

        // The page's version is now stale: a second post of the same form changes nothing.
        using var stale = await client.PostFormAsync(Page, Page + "?handler=retry", [new("id", id.ToString("D")), new("version", "2")]);
        Assert.Contains("未做任何更改", WebUtility.HtmlDecode(await stale.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Single(await Db.ReadAsync(s => new AuditLog(s).ListAsync()), a => a.Kind == AuditKinds.OutboxRetried && a.Data.Contains(id.ToString("D"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retrying_a_delivered_message_changes_nothing_and_says_it_was_delivered()
    {
        var id = await EnqueueFailedAsync("timeout");
        await Db.InTransactionAsync(s => new OutboxRepository(s).MarkDeliveredAsync(id, 2, DateTimeOffset.UtcNow));
        var before = await GetAsync(id);
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");

        using var response = await client.PostFormAsync(Page, Page + "?handler=retry", [new("id", id.ToString("D")), new("version", "3")]);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("投递成功，无需重试，未做任何更改。", html, StringComparison.Ordinal);
        var after = await GetAsync(id);
        Assert.Equal(before!.Version, after!.Version);
        Assert.Equal(before.NextAttemptAt, after.NextAttemptAt);
        Assert.DoesNotContain((await Db.ReadAsync(s => new AuditLog(s).ListAsync())), a => a.Kind == AuditKinds.OutboxRetried && a.Data.Contains(id.ToString("D"), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not-a-guid", "1")]
    [InlineData("00000000-0000-0000-0000-000000000000", "1")]
    [InlineData("", "x")]
    public async Task Retrying_an_unknown_message_says_so(string id, string version)
    {
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");

        using var response = await client.PostFormAsync(Page, Page + "?handler=retry", [new("id", id), new("version", version)]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("未找到该消息，未做任何更改。", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string RowOf(string html, Guid id)
    {
        var start = html.IndexOf($"<tr id=\"outbox-{id:D}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no row for {id}");
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }
}
