using System.Globalization;
using ESeal.Db.Flows;
using ESeal.Workflows.Flowcharts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Flows;

/// <summary>The difference between any two stored versions of a flow (published or draft), by step and field.</summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class DiffModel(FlowReviewService reviews, FlowDefinitionStore store) : PageModel
{
    [FromRoute]
    public string DefinitionId { get; set; } = string.Empty;

    [FromQuery]
    public string? From { get; set; }

    [FromQuery]
    public string? To { get; set; }

    public FlowOverview Flow { get; private set; } = null!;

    public FlowDifference? Difference { get; private set; }

    public int? FromVersion { get; private set; }

    public int? ToVersion { get; private set; }

    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    public async Task<IActionResult> OnGetAsync()
    {
        var flow = DefinitionId.Length is > 0 and <= 100 ? await reviews.OverviewAsync(DefinitionId, HttpContext.RequestAborted) : null;
        if (flow is null)
        {
            return NotFound();
        }

        Flow = flow;
        var versions = flow.Versions;
        var published = flow.Published?.Version ?? versions[^1].Version;
        FromVersion = Parse(From, nameof(From), versions, fallback: versions.Count > 1 && flow.Draft is null ? versions[^2].Version : published);
        ToVersion = Parse(To, nameof(To), versions, fallback: flow.Draft?.Row.Version ?? published);
        if (Errors.Count > 0 || FromVersion is null || ToVersion is null)
        {
            return Page();
        }

        var a = await store.GetVersionWithRowAsync(DefinitionId, FromVersion.Value, HttpContext.RequestAborted);
        var b = await store.GetVersionWithRowAsync(DefinitionId, ToVersion.Value, HttpContext.RequestAborted);
        if (a?.Definition is { } older && b?.Definition is { } newer)
        {
            Difference = FlowDiff.Compare(older, newer);
        }
        else
        {
            Errors[nameof(To)] = "所选版本不再符合当前的规则，无法比较。";
        }

        return Page();
    }

    public static string VersionLabel(FlowDefinitionRow v, FlowOverview flow) =>
        $"第{v.Version}版（{(v.IsPublished ? (v.Version == flow.Published?.Version ? "当前发布" : "曾发布") : "草稿")}）";

    private int? Parse(string? value, string field, IReadOnlyList<FlowDefinitionRow> versions, int fallback)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) || versions.All(r => r.Version != v))
        {
            Errors[field] = $"没有第「{(value.Length > 20 ? value[..20] + "…" : value)}」版，请从列表中选择版本。";
            return null;
        }

        return v;
    }
}
