using ESeal.Workflows.Flowcharts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Flows;

/// <summary>流程分析员 / 流程审批员: every flow with its published version, its draft and the running instances per version.</summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class IndexModel(FlowReviewService reviews) : PageModel
{
    public IReadOnlyList<FlowOverview> Flows { get; private set; } = [];

    public async Task OnGetAsync() => Flows = await reviews.OverviewAsync(HttpContext.RequestAborted);

    public static string Beijing(DateTimeOffset? at) => at is { } t ? t.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "—";
}
