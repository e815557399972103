using System.Globalization;
using ESeal.Web.Staff;
using ESeal.Workflows.Flowcharts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Flows;

/// <summary>
/// 流程审批员: the submitted draft against the published version, 审批通过 / 驳回 with a comment
/// (never by a party to the draft: FlowReviewService refuses it), publish now or at a set time,
/// and 回滚 to an earlier version with a note.
/// </summary>
[Authorize(Policy = ActionPolicies.FlowsApprove)]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ReviewModel(FlowReviewService reviews, FlowDefinitionStore store, TimeProvider clock) : PageModel
{
    [FromRoute]
    public string DefinitionId { get; set; } = string.Empty;

    public FlowOverview Flow { get; private set; } = null!;

    public FlowDifference? Difference { get; private set; }

    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<ValidationProblem> Problems { get; private set; } = [];

    public string? Notice { get; private set; }

    [BindProperty]
    public string? Comment { get; set; }

    [BindProperty]
    public string? RejectComment { get; set; }

    [BindProperty]
    public string? PublishAt { get; set; }

    [BindProperty]
    public string? RollbackVersion { get; set; }

    [BindProperty]
    public string? RollbackNote { get; set; }

    /// <summary>True when the signed-in approver wrote, saved or submitted the draft (the buttons are not offered; the service refuses anyway).</summary>
    public bool IsParty => Flow.Draft?.IsParty(User.StaffActor()) == true;

    public async Task<IActionResult> OnGetAsync(string? done)
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        Notice = Notices.For(done);
        return Page();
    }

    public async Task<IActionResult> OnPostApproveAsync(Guid draftId) =>
        await AfterAsync(await reviews.ApproveAsync(draftId, User.StaffActor(), Comment, HttpContext.RequestAborted), "approved", nameof(Comment));

    public async Task<IActionResult> OnPostRejectAsync(Guid draftId) =>
        await AfterAsync(await reviews.RejectAsync(draftId, User.StaffActor(), RejectComment, HttpContext.RequestAborted), "rejected", nameof(RejectComment));

    public async Task<IActionResult> OnPostPublishAsync(Guid draftId) =>
        await AfterAsync(await reviews.PublishAsync(draftId, User.StaffActor(), HttpContext.RequestAborted), "published", "publish");

    public async Task<IActionResult> OnPostScheduleAsync(Guid draftId)
    {
        // datetime-local in Beijing time (the page says so), e.g. 2026-05-01T20:00
        if (!DateTime.TryParseExact(PublishAt?.Trim(), ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return await AfterAsync(ReviewOutcome.Refused("请按“年-月-日 时:分”填写发布时间（北京时间），例如 2026-05-01 20:00。"), "scheduled", nameof(PublishAt));
        }

        var at = new DateTimeOffset(local, TimeSpan.FromHours(8)).ToUniversalTime();
        return await AfterAsync(await reviews.ScheduleAsync(draftId, at, User.StaffActor(), HttpContext.RequestAborted), "scheduled", nameof(PublishAt));
    }

    public async Task<IActionResult> OnPostRollbackAsync()
    {
        if (!int.TryParse(RollbackVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return await AfterAsync(ReviewOutcome.Refused("请选择要回滚到的版本。"), "rolledback", nameof(RollbackVersion));
        }

        return await AfterAsync(await reviews.RollbackAsync(DefinitionId, version, RollbackNote, User.StaffActor(), HttpContext.RequestAborted), "rolledback", nameof(RollbackNote));
    }

    public DateTimeOffset Now => clock.GetUtcNow();

    private async Task<IActionResult> AfterAsync(ReviewOutcome outcome, string done, string field)
    {
        if (outcome.Done)
        {
            return Redirect($"/admin/flows/{DefinitionId}/review?done={done}");
        }

        if (!await LoadAsync())
        {
            return NotFound();
        }

        Errors[field] = outcome.Message;
        Problems = outcome.Problems;
        return Page();
    }

    private async Task<bool> LoadAsync()
    {
        var flow = DefinitionId.Length is > 0 and <= 100 ? await reviews.OverviewAsync(DefinitionId, HttpContext.RequestAborted) : null;
        if (flow is null)
        {
            return false;
        }

        Flow = flow;
        if (flow is { Draft: { } draft, Published: { } published })
        {
            var before = await store.GetVersionWithRowAsync(DefinitionId, published.Version, HttpContext.RequestAborted);
            var after = DefinitionValidator.Validate(draft.Row.Json).Definition;
            Difference = before?.Definition is { } b && after is not null ? FlowDiff.Compare(b, after) : null;
        }

        return true;
    }
}
