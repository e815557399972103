using ESeal.Db.Flows;
using ESeal.Workflows.Flowcharts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Flows;

/// <summary>One flow: its versions (published, draft, running instances), the draft's review and its history.</summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class DefinitionModel(FlowReviewService reviews) : PageModel
{
    [FromRoute]
    public string DefinitionId { get; set; } = string.Empty;

    public FlowOverview Flow { get; private set; } = null!;

    public IReadOnlyList<FlowReviewRow> History { get; private set; } = [];

    public string? Notice { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? done)
    {
        var flow = DefinitionId.Length is > 0 and <= 100 ? await reviews.OverviewAsync(DefinitionId, HttpContext.RequestAborted) : null;
        if (flow is null)
        {
            return NotFound();
        }

        Flow = flow;
        History = await reviews.HistoryAsync(DefinitionId, HttpContext.RequestAborted);
        Notice = Notices.For(done);
        return Page();
    }
}

/// <summary>The confirmation shown after a redirect (?done=…); unknown values show nothing.</summary>
public static class Notices
{
    public static string? For(string? done) => done switch
    {
        "submitted" => "已提交审核，请等待流程审批员审批。",
        "discarded" => "草稿已放弃。",
        "approved" => "已审批通过，可以发布。",
        "rejected" => "已驳回，分析员可修改后重新提交。",
        "published" => "已发布：新开始的流程使用新版本，进行中的流程按原版本办完。",
        "scheduled" => "已安排定时发布。",
        "rolledback" => "已回滚：所选版本的内容已作为新版本发布。",
        _ => null,
    };
}
