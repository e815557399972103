using System.Net;
using ESeal.Db.Flows;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Db.Staff;
using ESeal.Tests.Web;
using ESeal.Web.Staff;
using ESeal.Workflows.Activities.ReadingNotice;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;
using static ESeal.Tests.Admin.FlowAdminSupport;

namespace ESeal.Tests.Admin;

/// <summary>
/// 提交审核 → 审批通过 / 驳回 → publish now or at a set time → 回滚, against the real web: roles by
/// policy (403), "never approve your own draft" by the service, running instances keep their
/// version, every action in the audit trail.
/// </summary>
public sealed class FlowReviewTests : IDisposable
{
    private const string NewBody = "绑定前请准备好USBKEY，并请法定代表人准备手机。";
    private const string ShippedBody = "绑定后，所选电子印章将仅能通过当前USBKEY签章。办理前请准备好企业USBKEY及其PIN码，并请企业法定代表人使用手机完成身份验证。";
    private readonly ESealWebFactory web = new();

    [Fact]
    public async Task The_analyst_cannot_open_or_post_the_approvers_page_and_the_approver_cannot_edit()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        using var approver = await AdminClient.SignedInAsync(web, "approver");
        var draftId = await SubmittedDraftAsync(analyst);

        using var page = await analyst.Http.GetAsync(new Uri(ReviewUrl(), UriKind.Relative));
        var token = AdminClient.TokenOf(await analyst.GetHtmlAsync("/admin/flows/usbkey-bind"));
        using var post = await analyst.Http.PostAsync(new Uri(ReviewUrl() + "?handler=Approve", UriKind.Relative), new FormUrlEncodedContent([new("draftId", draftId.ToString()), new("__RequestVerificationToken", token)]));
        using var edit = await approver.Http.GetAsync(new Uri(EditUrl(), UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Contains("没有权限", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, edit.StatusCode);
        Assert.Equal(ReviewState.Submitted, (await ReviewAsync(draftId))!.State);
    }

    [Fact]
    public async Task An_approver_who_wrote_the_draft_cannot_approve_or_reject_it()
    {
        var directory = web.Services.GetRequiredService<StaffDirectory>();
        Assert.True((await directory.CreateAsync("li.both", "李双岗", [StaffRoles.Analyst, StaffRoles.Approver], "Flows-Both-2026", "test")).Succeeded);
        using var both = await AdminClient.SignedInAsync(web, "li.both", "Flows-Both-2026");
        var draftId = await SubmittedDraftAsync(both);

        var html = await both.GetHtmlAsync(ReviewUrl());
        using var approve = await both.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Approve", [new("draftId", draftId.ToString())]);
        using var reject = await both.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Reject", [new("draftId", draftId.ToString()), new("RejectComment", "自己驳回自己")]);

        Assert.Contains("您编写或提交了这份草稿，不能审批自己的草稿", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"approve\"", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        Assert.Contains("您编写或提交了这份草稿，不能审批自己的草稿，请由另一位流程审批员审批。", await approve.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("您编写或提交了这份草稿", await reject.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(ReviewState.Submitted, (await ReviewAsync(draftId))!.State);
        Assert.DoesNotContain(await FlowAuditAsync(web), e => e.Kind is AuditKinds.FlowApproved or AuditKinds.FlowRejected);

        // The service says the same to a caller that skips the page.
        var outcome = await web.Services.GetRequiredService<FlowReviewService>().ApproveAsync(draftId, "staff:li.both", null);
        Assert.False(outcome.Done);
    }

    [Fact]
    public async Task Approve_then_publish_new_flows_take_the_new_version_while_a_flow_started_before_keeps_the_old_one()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        using var approver = await AdminClient.SignedInAsync(web, "approver");
        var runtime = web.Services.GetRequiredService<IFlowRuntime>();
        var before = await runtime.StartAsync(Bind, "session-before-publish");
        var draftId = await SubmittedDraftAsync(analyst);

        using var approved = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Approve", [new("draftId", draftId.ToString()), new("Comment", "同意")]);
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        Assert.Equal(ReviewState.Approved, (await ReviewAsync(draftId))!.State);
        Assert.Equal(1, (await runtime.StartAsync(Bind, "session-after-approval")).DefinitionVersion); // approved is not published
        using var published = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Publish", [new("draftId", draftId.ToString())]);
        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        var after = await runtime.StartAsync(Bind, "session-after-publish");

        Assert.Equal(2, after.DefinitionVersion);
        Assert.Equal(8, ((ReadingNoticeInputs)after.Inputs).Seconds);
        Assert.Equal(NewBody, ((ReadingNoticeInputs)after.Inputs).Body);
        var old = (await runtime.GetAsync(before.InstanceId, "session-before-publish")).View!;
        Assert.Equal(1, old.DefinitionVersion);
        Assert.Equal(5, ((ReadingNoticeInputs)old.Inputs).Seconds);
        var list = await approver.GetHtmlAsync("/admin/flows");
        Assert.Contains("第1版：2 个", list, StringComparison.Ordinal);
        Assert.Contains("第2版：1 个", list, StringComparison.Ordinal);
        Assert.Equal(ReviewState.Published, (await ReviewAsync(draftId))!.State);

        using var again = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Publish", [new("draftId", draftId.ToString())]);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("只有审批通过的草稿才能发布", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await FlowAuditAsync(web), e => e.Kind == AuditKinds.FlowPublished);
    }

    [Fact]
    public async Task A_rejected_draft_goes_back_to_the_analyst_with_the_comment_and_can_be_fixed_and_resubmitted()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        using var approver = await AdminClient.SignedInAsync(web, "approver");
        var draftId = await SubmittedDraftAsync(analyst);

        using var empty = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Reject", [new("draftId", draftId.ToString()), new("RejectComment", "   ")]);
        Assert.Contains("请填写驳回理由。", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var tooLong = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Reject", [new("draftId", draftId.ToString()), new("RejectComment", new string('长', 501))]);
        Assert.Contains("驳回理由最多500个字，现在有501个字。", await tooLong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var control = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Reject", [new("draftId", draftId.ToString()), new("RejectComment", "坏\u0001字")]);
        Assert.Contains("驳回理由中不能含有控制字符。", await control.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(ReviewState.Submitted, (await ReviewAsync(draftId))!.State);

        using var rejected = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Reject", [new("draftId", draftId.ToString()), new("RejectComment", "正文太长")]);
        Assert.Equal(HttpStatusCode.Redirect, rejected.StatusCode);
        var editor = await analyst.GetHtmlAsync(EditUrl());
        Assert.Contains("正文太长（staff:approver）", editor, StringComparison.Ordinal);
        using var saved = await SaveAsync(analyst, f => f.With("in.reading.body", "短一些。"));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal(ReviewState.Draft, (await ReviewAsync(draftId))!.State);
        var editorBeforeSubmit = await analyst.GetHtmlAsync(EditUrl());
        using var submitted = await analyst.PostFormAsync(EditUrl(), EditUrl() + "?handler=Submit", [new("draftId", draftId.ToString())]);
        Assert.Equal(HttpStatusCode.Redirect, submitted.StatusCode);
        Assert.Equal(ReviewState.Submitted, (await ReviewAsync(draftId))!.State);

        // Under review the draft is locked: the editor says so, and the form posted from a page opened before is refused.
        Assert.Contains("审核期间不能修改", await analyst.GetHtmlAsync(EditUrl()), StringComparison.Ordinal);
        var stale = FormOf(editorBeforeSubmit).With("in.reading.seconds", "9");
        stale.Add(new("op", "save"));
        stale.Add(new("__RequestVerificationToken", AdminClient.TokenOf(editorBeforeSubmit)));
        using var locked = await analyst.Http.PostAsync(new Uri(EditUrl() + "?handler=Save", UriKind.Relative), new FormUrlEncodedContent(stale));
        Assert.Contains("审核期间不能修改", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(8, (await DraftAsync(web)).Activity("reading")!.Integer("seconds"));
    }

    [Fact]
    public async Task Rollback_publishes_the_old_version_as_a_new_version_with_the_note_and_new_flows_get_the_old_text()
    {
        var runtime = web.Services.GetRequiredService<IFlowRuntime>();
        using var approver = await PublishedChangeAsync();

        using var noNote = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Rollback", [new("RollbackVersion", "1"), new("RollbackNote", "")]);
        Assert.Contains("请填写回滚说明。", await noNote.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unknown = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Rollback", [new("RollbackVersion", "99"), new("RollbackNote", "试试")]);
        Assert.Contains("没有已发布的第99版", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var garbage = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Rollback", [new("RollbackVersion", "1; DROP TABLE x"), new("RollbackNote", "试试")]);
        Assert.Contains("请选择要回滚到的版本。", await garbage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var current = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Rollback", [new("RollbackVersion", "2"), new("RollbackNote", "试试")]);
        Assert.Contains("第2版就是当前发布的版本，无需回滚。", await current.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var rolledBack = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Rollback", [new("RollbackVersion", "1"), new("RollbackNote", "新文字引起咨询，先恢复")]);

        Assert.Equal(HttpStatusCode.Redirect, rolledBack.StatusCode);
        var store = web.Services.GetRequiredService<FlowDefinitionStore>();
        var v1 = (await store.GetVersionWithRowAsync(Bind, 1))!.Value.Definition!;
        var v3 = (await store.GetLatestPublishedAsync(Bind))!;
        Assert.Equal(3, v3.Version);
        Assert.True(FlowDiff.Compare(v1, v3).IsEmpty);
        var started = await runtime.StartAsync(Bind, "session-after-rollback");
        Assert.Equal(3, started.DefinitionVersion);
        Assert.Equal(5, ((ReadingNoticeInputs)started.Inputs).Seconds);
        var audit = (await FlowAuditAsync(web)).Last();
        Assert.Equal(AuditKinds.FlowRolledBack, audit.Kind);
        Assert.Equal("staff:approver", audit.Actor);
        Assert.Contains("新文字引起咨询，先恢复", audit.Data, StringComparison.Ordinal);
        Assert.Contains("reading.seconds（强制阅读秒数）：8 → 5", audit.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rollback_while_a_draft_is_approved_moves_the_draft_up_one_version_and_back_to_review()
    {
        using var approver = await PublishedChangeAsync();
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        var draftId = await SubmittedDraftAsync(analyst, seconds: "12");
        using var approved = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Approve", [new("draftId", draftId.ToString())]);
        Assert.Equal(ReviewState.Approved, (await ReviewAsync(draftId))!.State);

        using var rolledBack = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Rollback", [new("RollbackVersion", "1"), new("RollbackNote", "紧急恢复")]);

        Assert.Equal(HttpStatusCode.Redirect, rolledBack.StatusCode);
        var review = (await ReviewAsync(draftId))!;
        Assert.Equal(ReviewState.Submitted, review.State);
        Assert.Equal(4, review.Version);
        Assert.Equal(3, (await web.Services.GetRequiredService<FlowDefinitionStore>().GetLatestPublishedAsync(Bind))!.Version);
        Assert.Equal(12, (await DraftAsync(web)).Activity("reading")!.Integer("seconds"));
        Assert.Equal(4, (await DraftAsync(web)).Version);
    }

    [Fact]
    public async Task The_diff_shows_a_changed_text_character_by_character_and_a_changed_number()
    {
        using var approver = await PublishedChangeAsync();

        var html = await approver.GetHtmlAsync("/admin/flows/usbkey-bind/diff?from=1&to=2");

        Assert.Contains("强制阅读秒数", html, StringComparison.Ordinal);
        Assert.Contains("<del>5</del> <ins>8</ins>", html, StringComparison.Ordinal);
        // The character diff of 说明正文: without its insertions it reads as the old text, without its deletions as the new one.
        var cell = System.Text.RegularExpressions.Regex.Match(html, "说明正文 <span class=\"mono hint\">body</span></th>.*?<td class=\"flow-diff-chars\">(?<cell>.*?)</td>", System.Text.RegularExpressions.RegexOptions.Singleline).Groups["cell"].Value;
        Assert.Contains("<ins>", cell, StringComparison.Ordinal);
        Assert.Contains("<del>", cell, StringComparison.Ordinal);
        string Text(string s) => WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(s, "<[^>]+>|\\s", string.Empty));
        Assert.Equal(NewBody, Text(System.Text.RegularExpressions.Regex.Replace(cell, "<del>.*?</del>", string.Empty)));
        Assert.Equal(ShippedBody, Text(System.Text.RegularExpressions.Regex.Replace(cell, "<ins>.*?</ins>", string.Empty)));
        Assert.Contains("两个版本的内容相同", await approver.GetHtmlAsync("/admin/flows/usbkey-bind/diff?from=2&to=2"), StringComparison.Ordinal);
        foreach (var bad in new[] { "from=abc&to=2", "from=1&to=99", "from=-1&to=%00", "from=" + new string('9', 40) })
        {
            var page = await approver.GetHtmlAsync("/admin/flows/usbkey-bind/diff?" + bad);
            Assert.Contains("请从列表中选择版本。", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_diff_names_steps_added_moved_and_connections_changed()
    {
        var store = web.Services.GetRequiredService<FlowDefinitionStore>();
        var v1 = (await store.GetLatestPublishedAsync(Bind))!;
        var root = ESeal.Web.Pages.Admin.Flows.FlowForm.Parse(v1.Json);
        Assert.Null(FlowEdits.InsertAfter(root, "pin", ActivityCatalog.ReadingNotice, out var added));
        Assert.Null(FlowEdits.Move(root, "holder", up: false));
        var changed = DefinitionValidator.Validate(root.ToJsonString());
        Assert.True(changed.IsValid, string.Join(" ", changed.Problems));

        var difference = FlowDiff.Compare(v1, changed.Definition!);

        Assert.Contains(difference.Steps, s => s.ActivityId == added && s.Kind == StepChangeKind.Added);
        var moved = Assert.Single(difference.Steps, s => s.Moved);
        Assert.Contains(moved.ActivityId, new[] { "holder", "chooseSeal" });
        Assert.Contains(difference.Connections, c => c.Added && c.Text == "chooseCertificate —Done→ chooseSeal");
        Assert.Contains(difference.Connections, c => c.Added && c.Text == "pin —Done→ readingNotice");
        Assert.Contains(difference.Connections, c => !c.Added && c.Text == "holder —Done→ chooseSeal");
        Assert.Contains("新增步骤 readingNotice（强制阅读说明）", difference.Summary());
    }

    [Fact]
    public async Task A_scheduled_publication_runs_once_even_when_the_job_runs_twice_and_not_before_its_time()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        using var approver = await AdminClient.SignedInAsync(web, "approver");
        var draftId = await SubmittedDraftAsync(analyst);
        using var approved = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Approve", [new("draftId", draftId.ToString())]);
        foreach (var (bad, message) in new[] { ("2026-13-45T25:00", "请按“年-月-日 时:分”填写发布时间"), ("", "请按“年-月-日 时:分”填写发布时间"), ("2020-01-01T08:00", "发布时间必须晚于现在至少1分钟。"), ("2999-01-01T08:00", "发布时间不能晚于90天之后。") })
        {
            using var refused = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Schedule", [new("draftId", draftId.ToString()), new("PublishAt", bad)]);
            Assert.Contains(message, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var at = DateTimeOffset.UtcNow.AddHours(2).ToOffset(TimeSpan.FromHours(8));
        using var scheduled = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Schedule", [new("draftId", draftId.ToString()), new("PublishAt", at.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture))]);
        Assert.Equal(HttpStatusCode.Redirect, scheduled.StatusCode);
        Assert.Equal(ReviewState.Scheduled, (await ReviewAsync(draftId))!.State);
        var service = web.Services.GetRequiredService<FlowReviewService>();

        Assert.False(await service.PublishScheduledAsync(draftId)); // early: nothing happens
        Assert.Equal(1, (await web.Services.GetRequiredService<FlowDefinitionStore>().GetLatestPublishedAsync(Bind))!.Version);

        await web.Services.GetRequiredService<Database>().InTransactionAsync(s => s.ExecuteAsync("UPDATE flow_reviews SET publish_at = @past WHERE draft_id = @draftId", new { past = DateTimeOffset.UtcNow.AddMinutes(-1), draftId }));
        var first = await service.PublishScheduledAsync(draftId);
        var second = await service.PublishScheduledAsync(draftId);
        var sweep = await service.PublishDueAsync();

        Assert.True(first);
        Assert.False(second);
        Assert.Equal(0, sweep);
        Assert.Equal(2, (await web.Services.GetRequiredService<FlowDefinitionStore>().GetLatestPublishedAsync(Bind))!.Version);
        var publishedEvent = Assert.Single(await FlowAuditAsync(web), e => e.Kind == AuditKinds.FlowPublished);
        Assert.Equal("job:scheduled-publish", publishedEvent.Actor);
        Assert.Contains("\"scheduledBy\":\"staff:approver\"", publishedEvent.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_action_lands_in_the_audit_trail_with_the_staff_account_and_a_summary_of_the_difference()
    {
        using var approver = await PublishedChangeAsync();
        using var rolledBack = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Rollback", [new("RollbackVersion", "1"), new("RollbackNote", "恢复")]);
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        await CreateDraftAsync(analyst);
        using var discarded = await analyst.PostFormAsync(EditUrl(), EditUrl() + "?handler=Discard", [new("draftId", (await DraftRowAsync(web))!.Id.ToString())]);

        var events = await FlowAuditAsync(web);

        Assert.Equal(
            [
                (AuditKinds.FlowDraftSaved, "staff:analyst"), (AuditKinds.FlowDraftSaved, "staff:analyst"), (AuditKinds.FlowSubmitted, "staff:analyst"),
                (AuditKinds.FlowApproved, "staff:approver"), (AuditKinds.FlowPublished, "staff:approver"), (AuditKinds.FlowRolledBack, "staff:approver"),
                (AuditKinds.FlowDraftSaved, "staff:analyst"), (AuditKinds.FlowDraftDiscarded, "staff:analyst"),
            ],
            events.Select(e => (e.Kind, e.Actor)).ToList());
        Assert.All(events, e => Assert.Contains("\"definitionId\":\"usbkey-bind\"", e.Data, StringComparison.Ordinal));
        foreach (var kind in new[] { AuditKinds.FlowSubmitted, AuditKinds.FlowApproved, AuditKinds.FlowPublished })
        {
            Assert.Contains("reading.seconds（强制阅读秒数）：5 → 8", events.Single(e => e.Kind == kind).Data, StringComparison.Ordinal);
        }

        Assert.Null(await web.Services.GetRequiredService<Database>().ReadAsync(s => new AuditLog(s).FirstBrokenLinkAsync()));
    }

    public void Dispose() => web.Dispose();

    /// <summary>The analyst creates a draft, sets 强制阅读秒数 and 说明正文, saves and submits it.</summary>
    private async Task<Guid> SubmittedDraftAsync(AdminClient analyst, string seconds = "8")
    {
        if (await DraftRowAsync(web) is null)
        {
            await CreateDraftAsync(analyst);
        }

        using var saved = await SaveAsync(analyst, f => f.With("in.reading.seconds", seconds).With("in.reading.body", NewBody));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var draftId = (await DraftRowAsync(web))!.Id;
        using var submitted = await analyst.PostFormAsync(EditUrl(), EditUrl() + "?handler=Submit", [new("draftId", draftId.ToString())]);
        Assert.Equal(HttpStatusCode.Redirect, submitted.StatusCode);
        return draftId;
    }

    /// <summary>Version 2 (8 s, new body) approved by the approver and published; returns the approver's client.</summary>
    private async Task<AdminClient> PublishedChangeAsync()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        var approver = await AdminClient.SignedInAsync(web, "approver");
        var draftId = await SubmittedDraftAsync(analyst);
        using var approved = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Approve", [new("draftId", draftId.ToString())]);
        using var published = await approver.PostFormAsync(ReviewUrl(), ReviewUrl() + "?handler=Publish", [new("draftId", draftId.ToString())]);
        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        return approver;
    }

    private Task<FlowReviewRow?> ReviewAsync(Guid draftId) =>
        web.Services.GetRequiredService<Database>().ReadAsync(s => new FlowReviewRepository(s).GetAsync(draftId));
}
