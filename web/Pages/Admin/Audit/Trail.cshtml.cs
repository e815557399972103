using System.Text.Json;
using ESeal.Db.Admin;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Audit;

/// <summary>
/// The audit trail for auditors (SPEC §7): newest first, filtered, 50 a page; the chain check
/// (POST, then back here with the audited result) and the link to the CSV export.
/// </summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class TrailModel(Database database, TimeProvider clock) : PageModel
{
    public const int PageSize = 50;

    public AuditFilterForm Form { get; private set; } = AuditFilterForm.Read(new Microsoft.AspNetCore.Http.QueryCollection());

    public IReadOnlyList<AuditRow> Rows { get; private set; } = [];

    public long Total { get; private set; }

    public string? NewerUrl { get; private set; }

    public string? OlderUrl { get; private set; }

    public string? PagingProblem { get; private set; }

    public VerificationView? Verification { get; private set; }

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        Form = AuditFilterForm.Read(Request.Query);
        Verification = await VerificationAsync(ct);
        if (!Form.IsValid)
        {
            return;
        }

        var before = Paging("before");
        var after = before is null ? Paging("after") : null;
        await database.ReadAsync(
            async s =>
            {
                var queries = new AuditQueries(s);
                if (Form.Filter.EnterpriseText is { } enterprise && await queries.CountEnterprisesMatchingAsync(enterprise, ct) == 0)
                {
                    Form.Notes[AuditFilterForm.EnterpriseField] = "没有名称或统一社会信用代码与此匹配的企业。";
                }

                Total = (await queries.TallyAsync(Form.Filter, ct)).Total;
                Rows = await queries.PageAsync(Form.Filter, before, after, PageSize, ct);
                if (after is not null && Rows.Count < PageSize)
                {
                    // Near the newest end a "newer" page would come up short: show the first page instead.
                    Rows = await queries.PageAsync(Form.Filter, null, null, PageSize, ct);
                }

                if (Rows.Count > 0)
                {
                    if (await queries.AnyBeyondAsync(Form.Filter, Rows[0].Seq, newer: true, ct))
                    {
                        NewerUrl = Form.Url("/admin/audit", ("after", Rows[0].Seq.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    }

                    if (await queries.AnyBeyondAsync(Form.Filter, Rows[^1].Seq, newer: false, ct))
                    {
                        OlderUrl = Form.Url("/admin/audit", ("before", Rows[^1].Seq.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    }
                }

                return true;
            },
            ct);
    }

    /// <summary>Recomputes the whole chain, audits that it did, and shows the result (from that audit event) on the list.</summary>
    public async Task<IActionResult> OnPostVerifyAsync()
    {
        var ct = HttpContext.RequestAborted;
        var report = await AuditQueries.VerifyChainAsync(database, ct: ct);
        // Appended here rather than through StaffDirectory.RecordAsync: the page needs the event's seq back.
        var recorded = await database.InTransactionAsync(
            async s =>
            {
                var stored = await new AuditLog(s).AppendAsync(
                    new AuditEvent
                    {
                        Id = Guid.NewGuid(),
                        OccurredAt = clock.GetUtcNow(),
                        Kind = AuditKinds.AuditChainVerified,
                        Actor = User.StaffActor(),
                        Data = JsonSerializer.Serialize(new VerificationData(report.Checked, report.FirstBroken?.Seq, report.LastSeq)),
                    },
                    ct);
                return await new AuditQueries(s).SeqOfAsync(stored.Id, ct) ?? 0;
            },
            ct);
        return Redirect("/admin/audit?verified=" + recorded.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private long? Paging(string key)
    {
        var values = Request.Query[key];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count == 1 && values[0] is { Length: > 0 and <= 19 } text && text.All(char.IsAsciiDigit) && long.TryParse(text, out var seq) && seq > 0)
        {
            return seq;
        }

        PagingProblem = "分页参数无效，已显示最新的事件。";
        return null;
    }

    private async Task<VerificationView?> VerificationAsync(CancellationToken ct)
    {
        var values = Request.Query["verified"];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count != 1 || !AuditEventModel.TryParseSeq(values[0], out var seq))
        {
            return new VerificationView(null, null, null, "校验结果不存在。");
        }

        return await database.ReadAsync(
            async s =>
            {
                var queries = new AuditQueries(s);
                var row = await queries.GetAsync(seq, ct);
                VerificationData? data = null;
                try
                {
                    data = row is { Kind: AuditKinds.AuditChainVerified } ? JsonSerializer.Deserialize<VerificationData>(row.Data) : null;
                }
                catch (JsonException)
                {
                }

                if (row is null || data is null)
                {
                    return new VerificationView(null, null, null, "校验结果不存在。");
                }

                var broken = data.FirstBroken is { } b ? await queries.GetAsync(b, ct) : null;
                return new VerificationView(row, data, broken, null);
            },
            ct);
    }

    /// <summary>The data of an <see cref="AuditKinds.AuditChainVerified"/> event.</summary>
    public sealed record VerificationData(
        [property: System.Text.Json.Serialization.JsonPropertyName("checked")] long Checked,
        [property: System.Text.Json.Serialization.JsonPropertyName("firstBroken")] long? FirstBroken,
        [property: System.Text.Json.Serialization.JsonPropertyName("lastSeq")] long? LastSeq);

    public sealed record VerificationView(AuditRow? Event, VerificationData? Data, AuditRow? Broken, string? Problem);
}
