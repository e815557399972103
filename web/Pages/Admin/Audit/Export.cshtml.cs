using System.Globalization;
using System.Text.Json;
using ESeal.Db.Admin;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Audit;

/// <summary>
/// The filtered trail as CSV for Excel: UTF-8 with BOM, Chinese header, RFC 4180 quoting, no cell
/// a spreadsheet would run as a formula. Oldest first (the chain's order, so prev_hash can be
/// followed row by row), streamed in batches, at most <see cref="MaxRows"/> rows.
/// </summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ExportModel(Database database, TimeProvider clock) : PageModel
{
    public const int MaxRows = 100_000;
    private const int BatchSize = 1000;

    public static IReadOnlyList<string> Header { get; } = ["序号", "时间（北京时间）", "类型", "操作人", "企业", "印章", "数据", "哈希", "前一哈希"];

    public async Task<IActionResult> OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        var form = AuditFilterForm.Read(Request.Query);
        if (!form.IsValid)
        {
            // The list page says what is wrong, next to the field, with the values kept.
            return Redirect(form.Url("/admin/audit"));
        }

        var tally = await database.ReadAsync(s => new AuditQueries(s).TallyAsync(form.Filter, ct), ct);
        var rows = Math.Min(tally.Total, MaxRows);
        var capped = tally.Total > MaxRows;
        var now = clock.GetUtcNow();

        // Audited before the first byte leaves, so an aborted download is on record too; the export
        // stops at the newest matching event counted here, so it never contains its own audit event.
        await database.InTransactionAsync(
            s => new AuditLog(s).AppendAsync(
                new AuditEvent
                {
                    Id = Guid.NewGuid(),
                    OccurredAt = now,
                    Kind = AuditKinds.AuditExported,
                    Actor = User.StaffActor(),
                    Data = JsonSerializer.Serialize(new { filters = form.Described(), rows, capped, matching = tally.Total }),
                },
                ct),
            ct);

        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=audit-{now.ToOffset(AuditText.BeijingOffset).ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv";
        Response.Headers.CacheControl = "no-store";
        var body = Response.Body;
        await body.WriteAsync(CsvCell.Bom.ToArray(), ct);
        await WriteAsync(body, CsvCell.Row(Header), ct);

        long written = 0;
        long afterSeq = 0;
        long? firstSeq = null;
        while (tally.MaxSeq is { } through && written < rows)
        {
            var size = (int)Math.Min(BatchSize, rows - written);
            var batch = await database.ReadAsync(s => new AuditQueries(s).ExportBatchAsync(form.Filter, afterSeq, through, size, ct), ct);
            if (batch.Count == 0)
            {
                break;
            }

            firstSeq ??= batch[0].Seq;
            var text = new System.Text.StringBuilder();
            foreach (var e in batch)
            {
                text.Append(CsvCell.Row(
                [
                    e.Seq.ToString(CultureInfo.InvariantCulture),
                    AuditText.Beijing(e.OccurredAt),
                    AuditText.KindLabel(e.Kind),
                    e.Actor,
                    e.EnterpriseName ?? e.EnterpriseId?.ToString("D"),
                    e.SealCode is { } code ? $"{e.SealName}（{code}）" : e.SealId?.ToString("D"),
                    e.Data,
                    e.Hash,
                    e.PrevHash,
                ]));
            }

            await WriteAsync(body, text.ToString(), ct);
            written += batch.Count;
            afterSeq = batch[^1].Seq;
        }

        if (capped)
        {
            await WriteAsync(body, CsvCell.Row([$"（已达导出上限{MaxRows}条：只导出了序号 #{firstSeq} 至 #{afterSeq} 的事件，符合条件的共{tally.Total}条。请缩小时间范围后分批导出。）"]), ct);
        }

        return new EmptyResult();
    }

    private static async Task WriteAsync(Stream body, string text, CancellationToken ct) =>
        await body.WriteAsync(CsvCell.Utf8.GetBytes(text), ct);
}
