using ESeal.Db.Infrastructure;

namespace ESeal.Db.Flows;

/// <summary>Where a draft's review stands (SPEC §8). Stored as text; the labels are for staff.</summary>
public static class ReviewState
{
    public const string Draft = "Draft";
    public const string Submitted = "Submitted";
    public const string Rejected = "Rejected";
    public const string Approved = "Approved";
    public const string Scheduled = "Scheduled";
    public const string Published = "Published";
    public const string Discarded = "Discarded";

    public static string Label(string state) => state switch
    {
        Draft => "草稿",
        Submitted => "待审核",
        Rejected => "已驳回",
        Approved => "已批准待发布",
        Scheduled => "已安排发布",
        Published => "已发布",
        Discarded => "已放弃",
        _ => state,
    };

    /// <summary>States of a draft that is still open (its flow_definitions row exists).</summary>
    public static IReadOnlyList<string> Open { get; } = [Draft, Submitted, Rejected, Approved, Scheduled];
}

/// <summary>One draft's review: who wrote it, who submitted, reviewed and published it.</summary>
public sealed record FlowReviewRow
{
    public Guid DraftId { get; init; }

    public required string DefinitionId { get; init; }

    public int Version { get; init; }

    public int? BasedOnVersion { get; init; }

    public required string State { get; init; }

    public required string Author { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public string? SubmittedBy { get; init; }

    public DateTimeOffset? SubmittedAt { get; init; }

    public string? ReviewedBy { get; init; }

    public DateTimeOffset? ReviewedAt { get; init; }

    public string? ReviewComment { get; init; }

    public DateTimeOffset? PublishAt { get; init; }

    public string? ScheduledBy { get; init; }

    public string? PublishedBy { get; init; }

    public DateTimeOffset? PublishedAt { get; init; }
}

/// <summary>
/// Reviews of drafts. Every change of state names the state it expects, so a second approver, a
/// double click or a scheduled job that runs twice changes nothing the second time (false).
/// </summary>
public sealed class FlowReviewRepository(ISqlSession db)
{
    private const string Columns =
        "draft_id, definition_id, version, based_on_version, state, author, created_at, updated_at, submitted_by, submitted_at, reviewed_by, reviewed_at, review_comment, publish_at, scheduled_by, published_by, published_at";

    public Task InsertAsync(FlowReviewRow row, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        return db.ExecuteAsync(
            """
            INSERT INTO flow_reviews (draft_id, definition_id, version, based_on_version, state, author, created_at, updated_at)
            VALUES (@DraftId, @DefinitionId, @Version, @BasedOnVersion, @State, @Author, @CreatedAt, @UpdatedAt)
            """,
            row,
            ct);
    }

    public Task<FlowReviewRow?> GetAsync(Guid draftId, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<FlowReviewRow>($"SELECT {Columns} FROM flow_reviews WHERE draft_id = @draftId", new { draftId }, ct);

    /// <summary>Every review of a definition, newest first (open, published and discarded).</summary>
    public Task<IReadOnlyList<FlowReviewRow>> ListAsync(string definitionId, CancellationToken ct = default) =>
        db.QueryAsync<FlowReviewRow>(
            $"SELECT {Columns} FROM flow_reviews WHERE definition_id = @definitionId ORDER BY created_at DESC, version DESC",
            new { definitionId },
            ct);

    /// <summary>Scheduled drafts whose time has come (for the minutely sweep).</summary>
    public Task<IReadOnlyList<Guid>> DueAsync(DateTimeOffset now, int max, CancellationToken ct = default) =>
        db.QueryAsync<Guid>(
            db.Dialect.Top(max, "SELECT draft_id FROM flow_reviews WHERE state = @scheduled AND publish_at <= @now ORDER BY publish_at"),
            new { scheduled = ReviewState.Scheduled, now },
            ct);

    /// <summary>Moves a review from <paramref name="expected"/> to <paramref name="state"/>; false when it was not in that state.</summary>
    public async Task<bool> MoveAsync(Guid draftId, string expected, string state, DateTimeOffset now, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            "UPDATE flow_reviews SET state = @state, updated_at = @now WHERE draft_id = @draftId AND state = @expected",
            new { draftId, expected, state, now },
            ct) == 1;

    public async Task<bool> SubmitAsync(Guid draftId, string expected, string actor, DateTimeOffset now, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE flow_reviews SET state = @submitted, submitted_by = @actor, submitted_at = @now, updated_at = @now
            WHERE draft_id = @draftId AND state = @expected
            """,
            new { draftId, expected, actor, now, submitted = ReviewState.Submitted },
            ct) == 1;

    /// <summary>Approves or rejects a submitted draft with the reviewer's comment.</summary>
    public async Task<bool> ReviewAsync(Guid draftId, string state, string actor, string? comment, DateTimeOffset now, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE flow_reviews SET state = @state, reviewed_by = @actor, reviewed_at = @now, review_comment = @comment, updated_at = @now
            WHERE draft_id = @draftId AND state = @submitted
            """,
            new { draftId, state, actor, comment, now, submitted = ReviewState.Submitted },
            ct) == 1;

    public async Task<bool> ScheduleAsync(Guid draftId, DateTimeOffset publishAt, string actor, DateTimeOffset now, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE flow_reviews SET state = @scheduled, publish_at = @publishAt, scheduled_by = @actor, updated_at = @now
            WHERE draft_id = @draftId AND state IN (@approved, @scheduled)
            """,
            new { draftId, publishAt, actor, now, approved = ReviewState.Approved, scheduled = ReviewState.Scheduled },
            ct) == 1;

    /// <summary>Marks an approved (or scheduled and due) draft published, with its final version number.</summary>
    public async Task<bool> MarkPublishedAsync(Guid draftId, string expected, int version, string actor, DateTimeOffset now, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE flow_reviews SET state = @published, version = @version, published_by = @actor, published_at = @now, updated_at = @now
            WHERE draft_id = @draftId AND state = @expected
            """,
            new { draftId, expected, version, actor, now, published = ReviewState.Published },
            ct) == 1;

    /// <summary>
    /// The draft got a new version number (a rollback was published under it); an approval was
    /// for the difference to the version before, so the draft goes back to review.
    /// </summary>
    public Task<int> RenumberAsync(Guid draftId, int version, int basedOnVersion, DateTimeOffset now, CancellationToken ct = default) =>
        db.ExecuteAsync(
            """
            UPDATE flow_reviews SET version = @version, based_on_version = @basedOnVersion, updated_at = @now,
                state = CASE WHEN state IN (@approved, @scheduled) THEN @submitted ELSE state END,
                publish_at = CASE WHEN state = @scheduled THEN NULL ELSE publish_at END
            WHERE draft_id = @draftId
            """,
            new { draftId, version, basedOnVersion, now, approved = ReviewState.Approved, scheduled = ReviewState.Scheduled, submitted = ReviewState.Submitted },
            ct);

    /// <summary>Records that <paramref name="actor"/> changed the draft (once per account).</summary>
    public Task AddEditorAsync(Guid draftId, string actor, CancellationToken ct = default) =>
        db.ExecuteAsync(
            """
            INSERT INTO flow_draft_editors (draft_id, actor)
            SELECT @draftId, @actor WHERE NOT EXISTS (SELECT 1 FROM flow_draft_editors WHERE draft_id = @draftId AND actor = @actor)
            """,
            new { draftId, actor },
            ct);

    public Task<IReadOnlyList<string>> EditorsAsync(Guid draftId, CancellationToken ct = default) =>
        db.QueryAsync<string>("SELECT actor FROM flow_draft_editors WHERE draft_id = @draftId ORDER BY actor", new { draftId }, ct);
}
