using System.Text.Json;
using System.Text.Json.Nodes;
using ESeal.Db.Flows;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using Hangfire;

namespace ESeal.Workflows.Flowcharts;

/// <summary>A definition as the flows page shows it.</summary>
public sealed record FlowOverview(string DefinitionId, string Name, FlowDefinitionRow? Published, DraftInfo? Draft, IReadOnlyList<FlowDefinitionRow> Versions, IReadOnlyDictionary<int, long> Running);

/// <summary>The open draft of a definition and its review (a draft saved by the CLI has no review row yet: it reads as 草稿 by its creator).</summary>
public sealed record DraftInfo(FlowDefinitionRow Row, FlowReviewRow Review, IReadOnlyList<string> Editors)
{
    public Guid DraftId => Row.Id;

    public bool Editable => Review.State is ReviewState.Draft or ReviewState.Rejected;

    /// <summary>Everybody who may not approve or reject it: its author, everyone who saved it, who submitted it.</summary>
    public bool IsParty(string actor) =>
        string.Equals(Review.Author, actor, StringComparison.Ordinal)
        || string.Equals(Review.SubmittedBy, actor, StringComparison.Ordinal)
        || Editors.Contains(actor, StringComparer.Ordinal);
}

/// <summary>What an action did: done, or refused with the reason (Chinese) and the validator's problems.</summary>
public sealed record ReviewOutcome(bool Done, string Message, IReadOnlyList<ValidationProblem> Problems, int? Version = null)
{
    public static ReviewOutcome Refused(string message, IReadOnlyList<ValidationProblem>? problems = null) => new(false, message, problems ?? []);
}

/// <summary>
/// Drafts, their review and publication (SPEC §8): an analyst saves and submits, an approver who
/// did not write the draft approves or rejects it, then publishes it now or at a set time; a
/// rollback republishes an earlier version as a new one. Each action is one transaction with its
/// audit event (who, and a summary of the difference). Roles are checked by the pages' policies;
/// the rule "never approve a draft you wrote" is data and is checked here.
/// </summary>
/// <param name="jobs">The Hangfire client, asked for only when a publication is scheduled: creating it
/// touches Hangfire's process-wide logging, which no page that merely reads should depend on.</param>
public sealed class FlowReviewService(Database database, FlowDefinitionStore store, TimeProvider clock, Func<IBackgroundJobClient> jobs)
{
    public const int MaxCommentLength = 500;

    /// <summary>The definitions in the order of the shipped ones, then any other.</summary>
    public async Task<IReadOnlyList<FlowOverview>> OverviewAsync(CancellationToken ct = default)
    {
        var ids = await store.ListDefinitionIdsAsync(ct);
        string[] shipped = [ShippedDefinitions.UsbKeyBind, ShippedDefinitions.UsbKeyUnbind, ShippedDefinitions.MobileClaim];
        var running = await database.ReadAsync(s => new FlowInstanceRepository(s).RunningCountsAsync(ct), ct);
        var list = new List<FlowOverview>();
        foreach (var id in ids.OrderBy(i => Array.IndexOf(shipped, i) is var k and >= 0 ? k : int.MaxValue).ThenBy(i => i, StringComparer.Ordinal))
        {
            list.Add(await OverviewAsync(id, running, ct));
        }

        return list;
    }

    public async Task<FlowOverview?> OverviewAsync(string definitionId, CancellationToken ct = default)
    {
        var running = await database.ReadAsync(s => new FlowInstanceRepository(s).RunningCountsAsync(ct), ct);
        var overview = await OverviewAsync(definitionId, running, ct);
        return overview.Versions.Count == 0 ? null : overview;
    }

    public Task<IReadOnlyList<FlowReviewRow>> HistoryAsync(string definitionId, CancellationToken ct = default) =>
        database.ReadAsync(s => new FlowReviewRepository(s).ListAsync(definitionId, ct), ct);

    public Task<DraftInfo?> DraftAsync(string definitionId, CancellationToken ct = default) =>
        database.ReadAsync(s => DraftAsync(s, definitionId, ct), ct);

    /// <summary>A new draft from the published version (the next version number).</summary>
    public async Task<ReviewOutcome> CreateDraftAsync(string definitionId, string actor, CancellationToken ct = default)
    {
        return await database.InTransactionAsync(async s =>
        {
            var definitions = new FlowDefinitionRepository(s);
            if (await DraftAsync(s, definitionId, ct) is { } open)
            {
                return ReviewOutcome.Refused($"已有草稿（第{open.Row.Version}版，{ReviewState.Label(open.Review.State)}），请在该草稿上修改。");
            }

            var published = await definitions.LatestPublishedAsync(definitionId, ct);
            if (published is null)
            {
                return ReviewOutcome.Refused("没有这个流程，或它还没有发布过的版本。");
            }

            var latest = await definitions.LatestAsync(definitionId, ct);
            var version = Math.Max(published.Version, latest?.Version ?? 0) + 1;
            var now = clock.GetUtcNow();
            var row = new FlowDefinitionRow
            {
                Id = Guid.NewGuid(),
                DefinitionId = definitionId,
                Version = version,
                Name = published.Name,
                IsPublished = false,
                Json = FlowDefinitionJson.WithVersion(published.Json, version, false),
                CreatedAt = now,
                CreatedBy = actor,
            };
            await definitions.InsertAsync(row, ct);
            var reviews = new FlowReviewRepository(s);
            await reviews.InsertAsync(NewReview(row, published.Version, actor, now), ct);
            await reviews.AddEditorAsync(row.Id, actor, ct);
            await AuditAsync(s, AuditKinds.FlowDraftSaved, actor, now, row, new { basedOn = published.Version, changes = new[] { $"从第{published.Version}版创建草稿" } }, ct);
            return new ReviewOutcome(true, $"已从第{published.Version}版创建草稿 第{version}版。", [], version);
        }, ct);
    }

    /// <summary>
    /// Saves the draft's new text when the validator accepts all of it; otherwise nothing is saved
    /// and the problems come back for the form. Only a draft not under review (草稿 or 已驳回) changes.
    /// </summary>
    public async Task<ReviewOutcome> SaveDraftAsync(string definitionId, Guid draftId, string json, string actor, CancellationToken ct = default)
    {
        var report = DefinitionValidator.Validate(json);
        if (!report.IsValid)
        {
            return ReviewOutcome.Refused("草稿未保存：流程定义未通过检查，请按提示修改。", report.Problems);
        }

        var d = report.Definition!;
        if (d.DefinitionId != definitionId)
        {
            return ReviewOutcome.Refused("草稿未保存：流程编号不能修改。");
        }

        return await database.InTransactionAsync(async s =>
        {
            var draft = await DraftAsync(s, definitionId, ct);
            if (draft is null || draft.DraftId != draftId)
            {
                return ReviewOutcome.Refused("草稿未保存：这份草稿已不存在（可能已被放弃或发布），请重新打开流程。");
            }

            if (!draft.Editable)
            {
                return ReviewOutcome.Refused($"草稿未保存：草稿当前为「{ReviewState.Label(draft.Review.State)}」，审核期间不能修改。");
            }

            var before = DefinitionValidator.Validate(draft.Row.Json).Definition;
            var difference = before is null ? null : FlowDiff.Compare(before, d);
            if (difference is { IsEmpty: true })
            {
                return new ReviewOutcome(true, "草稿没有改动。", [], draft.Row.Version);
            }

            var now = clock.GetUtcNow();
            var stamped = FlowDefinitionJson.WithVersion(d.Json, draft.Row.Version, false);
            await new FlowDefinitionRepository(s).UpdateDraftAsync(definitionId, draft.Row.Version, d.Name, stamped, ct);
            var reviews = new FlowReviewRepository(s);
            await EnsureReviewAsync(reviews, draft, now, ct);
            if (draft.Review.State == ReviewState.Rejected)
            {
                await reviews.MoveAsync(draftId, ReviewState.Rejected, ReviewState.Draft, now, ct);
            }

            await reviews.AddEditorAsync(draftId, actor, ct);
            await AuditAsync(s, AuditKinds.FlowDraftSaved, actor, now, draft.Row, new { changes = difference?.Summary() ?? ["草稿内容已替换"] }, ct);
            return new ReviewOutcome(true, $"已保存草稿 第{draft.Row.Version}版。", [], draft.Row.Version);
        }, ct);
    }

    public async Task<ReviewOutcome> SubmitAsync(string definitionId, Guid draftId, string actor, CancellationToken ct = default)
    {
        return await database.InTransactionAsync(async s =>
        {
            var draft = await DraftAsync(s, definitionId, ct);
            if (draft is null || draft.DraftId != draftId)
            {
                return ReviewOutcome.Refused("这份草稿已不存在（可能已被放弃或发布）。");
            }

            if (!draft.Editable)
            {
                return ReviewOutcome.Refused($"草稿当前为「{ReviewState.Label(draft.Review.State)}」，不能再次提交审核。");
            }

            var report = DefinitionValidator.Validate(draft.Row.Json);
            if (!report.IsValid)
            {
                return ReviewOutcome.Refused("草稿未通过检查，不能提交审核，请先在编辑页修改。", report.Problems);
            }

            var now = clock.GetUtcNow();
            var reviews = new FlowReviewRepository(s);
            await EnsureReviewAsync(reviews, draft, now, ct);
            if (!await reviews.SubmitAsync(draftId, draft.Review.State, actor, now, ct))
            {
                return ReviewOutcome.Refused("草稿的状态刚刚被别人改变了，请刷新页面后再试。");
            }

            await AuditAsync(s, AuditKinds.FlowSubmitted, actor, now, draft.Row, new { changes = await SummaryAgainstPublishedAsync(s, report.Definition!, ct) }, ct);
            return new ReviewOutcome(true, $"已提交审核：草稿 第{draft.Row.Version}版。", [], draft.Row.Version);
        }, ct);
    }

    public Task<ReviewOutcome> ApproveAsync(Guid draftId, string actor, string? comment, CancellationToken ct = default) =>
        ReviewAsync(draftId, actor, comment, approve: true, ct);

    public Task<ReviewOutcome> RejectAsync(Guid draftId, string actor, string? comment, CancellationToken ct = default) =>
        ReviewAsync(draftId, actor, comment, approve: false, ct);

    /// <summary>Publishes an approved (or scheduled) draft now, as the version it carries.</summary>
    public async Task<ReviewOutcome> PublishAsync(Guid draftId, string actor, CancellationToken ct = default)
    {
        var outcome = await database.InTransactionAsync(s => PublishInAsync(s, draftId, actor, [ReviewState.Approved, ReviewState.Scheduled], null, ct), ct);
        return outcome;
    }

    /// <summary>Schedules an approved draft for <paramref name="publishAt"/> (a Hangfire job with the draft id; a minutely sweep catches jobs lost with in-memory storage).</summary>
    public async Task<ReviewOutcome> ScheduleAsync(Guid draftId, DateTimeOffset publishAt, string actor, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        if (publishAt <= now.AddMinutes(1))
        {
            return ReviewOutcome.Refused("发布时间必须晚于现在至少1分钟。");
        }

        if (publishAt > now.AddDays(90))
        {
            return ReviewOutcome.Refused("发布时间不能晚于90天之后。");
        }

        var outcome = await database.InTransactionAsync(async s =>
        {
            var review = await new FlowReviewRepository(s).GetAsync(draftId, ct);
            var row = review is null ? null : await new FlowDefinitionRepository(s).GetAsync(review.DefinitionId, review.Version, ct);
            if (review is null || row is null || row.Id != draftId)
            {
                return ReviewOutcome.Refused("这份草稿已不存在。");
            }

            if (!await new FlowReviewRepository(s).ScheduleAsync(draftId, publishAt, actor, now, ct))
            {
                return ReviewOutcome.Refused($"草稿当前为「{ReviewState.Label(review.State)}」，只有审批通过的草稿才能安排发布。");
            }

            await AuditAsync(s, AuditKinds.FlowPublishScheduled, actor, now, row, new { publishAt }, ct);
            return new ReviewOutcome(true, $"已安排在 {publishAt.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd HH:mm}（北京时间）发布第{row.Version}版。", [], row.Version);
        }, ct);
        if (outcome.Done)
        {
            jobs().Schedule<FlowReviewService>(j => j.PublishScheduledAsync(draftId), publishAt);
        }

        return outcome;
    }

    /// <summary>
    /// The scheduled publication of one draft (Hangfire, by id). Safe to run twice or early: it
    /// publishes only a draft still 已安排发布 whose time has come, once.
    /// </summary>
    public async Task<bool> PublishScheduledAsync(Guid draftId)
    {
        var now = clock.GetUtcNow();
        var outcome = await database.InTransactionAsync(async s =>
        {
            var review = await new FlowReviewRepository(s).GetAsync(draftId);
            if (review is not { State: ReviewState.Scheduled } || review.PublishAt > now)
            {
                return ReviewOutcome.Refused("not due");
            }

            return await PublishInAsync(s, draftId, "job:scheduled-publish", [ReviewState.Scheduled], review.ScheduledBy, CancellationToken.None);
        });
        return outcome.Done;
    }

    /// <summary>Minutely: every scheduled draft whose time has come (in case its own job was lost).</summary>
    public async Task<int> PublishDueAsync()
    {
        var due = await database.ReadAsync(s => new FlowReviewRepository(s).DueAsync(clock.GetUtcNow(), 20));
        var published = 0;
        foreach (var id in due)
        {
            published += await PublishScheduledAsync(id) ? 1 : 0;
        }

        return published;
    }

    public async Task<ReviewOutcome> DiscardAsync(string definitionId, Guid draftId, string actor, CancellationToken ct = default)
    {
        return await database.InTransactionAsync(async s =>
        {
            var draft = await DraftAsync(s, definitionId, ct);
            if (draft is null || draft.DraftId != draftId)
            {
                return ReviewOutcome.Refused("这份草稿已不存在（可能已被放弃或发布）。");
            }

            if (draft.Review.State is ReviewState.Approved or ReviewState.Scheduled)
            {
                return ReviewOutcome.Refused($"草稿当前为「{ReviewState.Label(draft.Review.State)}」，已经审批通过，不能由分析员放弃。");
            }

            var now = clock.GetUtcNow();
            var reviews = new FlowReviewRepository(s);
            await EnsureReviewAsync(reviews, draft, now, ct);
            if (!await reviews.MoveAsync(draftId, draft.Review.State, ReviewState.Discarded, now, ct)
                || !await new FlowDefinitionRepository(s).DeleteDraftAsync(definitionId, draft.Row.Version, ct))
            {
                throw new InvalidOperationException("The draft changed while it was discarded.");
            }

            var d = DefinitionValidator.Validate(draft.Row.Json).Definition;
            await AuditAsync(s, AuditKinds.FlowDraftDiscarded, actor, now, draft.Row, new { changes = d is null ? [] : await SummaryAgainstPublishedAsync(s, d, ct) }, ct);
            return new ReviewOutcome(true, $"已放弃草稿 第{draft.Row.Version}版。", [], draft.Row.Version);
        }, ct);
    }

    /// <summary>
    /// Republishes <paramref name="toVersion"/> as a new version with the note. An open draft keeps
    /// being the newest version: it moves up one number, and an approval it had goes back to review
    /// (the published version it was approved against has changed).
    /// </summary>
    public async Task<ReviewOutcome> RollbackAsync(string definitionId, int toVersion, string? note, string actor, CancellationToken ct = default)
    {
        if (CheckText(note, "回滚说明", required: true) is { } problem)
        {
            return ReviewOutcome.Refused(problem);
        }

        return await database.InTransactionAsync(async s =>
        {
            var definitions = new FlowDefinitionRepository(s);
            var target = await definitions.GetAsync(definitionId, toVersion, ct);
            var current = await definitions.LatestPublishedAsync(definitionId, ct);
            if (target is not { IsPublished: true } || current is null)
            {
                return ReviewOutcome.Refused($"没有已发布的第{toVersion}版，只能回滚到发布过的版本。");
            }

            if (target.Version == current.Version)
            {
                return ReviewOutcome.Refused($"第{toVersion}版就是当前发布的版本，无需回滚。");
            }

            var report = DefinitionValidator.Validate(target.Json);
            if (!report.IsValid)
            {
                return ReviewOutcome.Refused($"第{toVersion}版不再符合当前的规则，不能回滚到它。", report.Problems);
            }

            var now = clock.GetUtcNow();
            var draft = await DraftAsync(s, definitionId, ct);
            var latest = await definitions.LatestAsync(definitionId, ct);
            var version = (latest?.Version ?? current.Version) + (draft is null ? 1 : 0);
            if (draft is not null)
            {
                var moved = draft.Row.Version + 1;
                await definitions.RenumberDraftAsync(definitionId, draft.Row.Version, moved, FlowDefinitionJson.WithVersion(draft.Row.Json, moved, false), ct);
                var reviews = new FlowReviewRepository(s);
                await EnsureReviewAsync(reviews, draft, now, ct);
                await reviews.RenumberAsync(draft.DraftId, moved, version, now, ct);
                version = draft.Row.Version;
            }

            var row = new FlowDefinitionRow
            {
                Id = Guid.NewGuid(),
                DefinitionId = definitionId,
                Version = version,
                Name = target.Name,
                IsPublished = true,
                Json = FlowDefinitionJson.WithVersion(target.Json, version, true),
                CreatedAt = now,
                CreatedBy = actor,
                PublishedAt = now,
            };
            await definitions.InsertAsync(row, ct);
            var before = DefinitionValidator.Validate(current.Json).Definition;
            var changes = before is null ? [] : FlowDiff.Compare(before, report.Definition!).Summary();
            await AuditAsync(s, AuditKinds.FlowRolledBack, actor, now, row, new { from = current.Version, restored = toVersion, note = note!.Trim(), changes, draftMovedTo = draft is null ? (int?)null : draft.Row.Version + 1 }, ct);
            return new ReviewOutcome(true, $"已回滚：第{toVersion}版的内容已作为第{version}版发布。", [], version);
        }, ct);
    }

    /// <summary>A staff-written text (comment, note): empty when required, too long, or with control characters is refused.</summary>
    public static string? CheckText(string? text, string what, bool required)
    {
        var t = text?.Trim() ?? string.Empty;
        if (t.Length == 0)
        {
            return required ? $"请填写{what}。" : null;
        }

        if (t.Length > MaxCommentLength)
        {
            return $"{what}最多{MaxCommentLength}个字，现在有{t.Length}个字。";
        }

        return t.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')) ? $"{what}中不能含有控制字符。" : null;
    }

    private async Task<ReviewOutcome> ReviewAsync(Guid draftId, string actor, string? comment, bool approve, CancellationToken ct)
    {
        var what = approve ? "审批意见" : "驳回理由";
        if (CheckText(comment, what, required: !approve) is { } problem)
        {
            return ReviewOutcome.Refused(problem);
        }

        return await database.InTransactionAsync(async s =>
        {
            var reviews = new FlowReviewRepository(s);
            var review = await reviews.GetAsync(draftId, ct);
            var draft = review is null ? null : await DraftAsync(s, review.DefinitionId, ct);
            if (draft is null || draft.DraftId != draftId)
            {
                return ReviewOutcome.Refused("这份草稿已不存在（可能已被放弃或发布）。");
            }

            if (draft.IsParty(actor))
            {
                return ReviewOutcome.Refused("您编写或提交了这份草稿，不能审批自己的草稿，请由另一位流程审批员审批。");
            }

            var now = clock.GetUtcNow();
            var state = approve ? ReviewState.Approved : ReviewState.Rejected;
            if (!await reviews.ReviewAsync(draftId, state, actor, string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(), now, ct))
            {
                return ReviewOutcome.Refused($"草稿当前为「{ReviewState.Label(draft.Review.State)}」，只有待审核的草稿才能{(approve ? "审批通过" : "驳回")}。");
            }

            var d = DefinitionValidator.Validate(draft.Row.Json).Definition;
            await AuditAsync(s, approve ? AuditKinds.FlowApproved : AuditKinds.FlowRejected, actor, now, draft.Row, new { comment = comment?.Trim(), changes = d is null ? [] : await SummaryAgainstPublishedAsync(s, d, ct) }, ct);
            return new ReviewOutcome(true, approve ? $"已审批通过草稿 第{draft.Row.Version}版，可以发布。" : $"已驳回草稿 第{draft.Row.Version}版。", [], draft.Row.Version);
        }, ct);
    }

    private async Task<ReviewOutcome> PublishInAsync(DbSession s, Guid draftId, string actor, string[] allowed, string? scheduledBy, CancellationToken ct)
    {
        var reviews = new FlowReviewRepository(s);
        var review = await reviews.GetAsync(draftId, ct);
        var definitions = new FlowDefinitionRepository(s);
        var row = review is null ? null : await definitions.GetAsync(review.DefinitionId, review.Version, ct);
        if (review is null || row is null || row.Id != draftId)
        {
            return ReviewOutcome.Refused("这份草稿已不存在。");
        }

        if (!allowed.Contains(review.State) || row.IsPublished)
        {
            return ReviewOutcome.Refused($"草稿当前为「{ReviewState.Label(review.State)}」，只有审批通过的草稿才能发布。");
        }

        var report = DefinitionValidator.Validate(row.Json);
        if (!report.IsValid)
        {
            return ReviewOutcome.Refused("草稿不再符合当前的规则，不能发布。", report.Problems);
        }

        var now = clock.GetUtcNow();
        var previous = await definitions.LatestPublishedAsync(review.DefinitionId, ct);
        if (!await reviews.MarkPublishedAsync(draftId, review.State, row.Version, actor, now, ct)
            || !await definitions.PublishAsync(review.DefinitionId, row.Version, FlowDefinitionJson.WithVersion(row.Json, row.Version, true), now, ct))
        {
            throw new InvalidOperationException("The draft changed while it was published.");
        }

        var before = previous is null ? null : DefinitionValidator.Validate(previous.Json).Definition;
        var changes = before is null ? [] : FlowDiff.Compare(before, report.Definition!).Summary();
        await AuditAsync(s, AuditKinds.FlowPublished, actor, now, row, new { from = previous?.Version, scheduledBy, changes }, ct);
        return new ReviewOutcome(true, $"已发布第{row.Version}版：新开始的流程使用这一版，进行中的流程按原版本办完。", [], row.Version);
    }

    private async Task<FlowOverview> OverviewAsync(string definitionId, IReadOnlyList<RunningCount> running, CancellationToken ct)
    {
        return await database.ReadAsync(async s =>
        {
            var versions = await new FlowDefinitionRepository(s).ListVersionsAsync(definitionId, ct);
            var published = versions.LastOrDefault(v => v.IsPublished);
            var draft = await DraftAsync(s, definitionId, ct);
            var counts = running.Where(r => r.DefinitionId == definitionId).ToDictionary(r => r.DefinitionVersion, r => r.Running);
            return new FlowOverview(definitionId, published?.Name ?? versions.LastOrDefault()?.Name ?? definitionId, published, draft, versions, counts);
        }, ct);
    }

    private static async Task<DraftInfo?> DraftAsync(DbSession s, string definitionId, CancellationToken ct)
    {
        var latest = await new FlowDefinitionRepository(s).LatestAsync(definitionId, ct);
        if (latest is not { IsPublished: false })
        {
            return null;
        }

        var reviews = new FlowReviewRepository(s);
        var review = await reviews.GetAsync(latest.Id, ct);
        var editors = review is null ? [] : await reviews.EditorsAsync(latest.Id, ct);
        return new DraftInfo(latest, review ?? NewReview(latest, null, latest.CreatedBy, latest.CreatedAt), editors);
    }

    private static FlowReviewRow NewReview(FlowDefinitionRow row, int? basedOn, string author, DateTimeOffset now) => new()
    {
        DraftId = row.Id,
        DefinitionId = row.DefinitionId,
        Version = row.Version,
        BasedOnVersion = basedOn,
        State = ReviewState.Draft,
        Author = author,
        CreatedAt = now,
        UpdatedAt = now,
    };

    // A draft saved another way (CLI, shipped import) has no review row until its first action here.
    private static async Task EnsureReviewAsync(FlowReviewRepository reviews, DraftInfo draft, DateTimeOffset now, CancellationToken ct)
    {
        if (await reviews.GetAsync(draft.DraftId, ct) is null)
        {
            await reviews.InsertAsync(draft.Review with { UpdatedAt = now }, ct);
            await reviews.AddEditorAsync(draft.DraftId, draft.Review.Author, ct);
        }
    }

    private static async Task<IReadOnlyList<string>> SummaryAgainstPublishedAsync(DbSession s, FlowDefinition d, CancellationToken ct)
    {
        var published = await new FlowDefinitionRepository(s).LatestPublishedAsync(d.DefinitionId, ct);
        var before = published is null ? null : DefinitionValidator.Validate(published.Json).Definition;
        return before is null ? ["（没有已发布的版本可比较）"] : FlowDiff.Compare(before, d).Summary();
    }

    private static Task AuditAsync(DbSession s, string kind, string actor, DateTimeOffset now, FlowDefinitionRow draft, object details, CancellationToken ct)
    {
        var data = JsonSerializer.SerializeToNode(details)!.AsObject();
        data.Insert(0, "definitionId", draft.DefinitionId);
        data.Insert(1, "version", draft.Version);
        data.Insert(2, "draftId", draft.Id.ToString("D"));
        return new AuditLog(s).AppendAsync(
            new AuditEvent { Id = Guid.NewGuid(), OccurredAt = now, Kind = kind, Actor = actor, Data = data.ToJsonString(JsonOptions) },
            ct);
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
