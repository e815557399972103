using ESeal.Db.Infrastructure;

namespace ESeal.Db.Flows;

public static class FlowStatus
{
    public const string Running = "Running";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Expired = "Expired";

    /// <summary>Ended by its visitor: 取消办理, 结束办理, or the kiosk's idle countdown running out.</summary>
    public const string Abandoned = "Abandoned";
}

/// <summary>A running or finished flow. Variables are a JSON object of strings and never hold a PIN.</summary>
public sealed record FlowInstanceRow
{
    public Guid Id { get; init; }

    public required string DefinitionId { get; init; }

    public int DefinitionVersion { get; init; }

    public required string Status { get; init; }

    public string? CurrentActivityId { get; init; }

    public required string StepToken { get; init; }

    public required string OwnerSession { get; init; }

    public required string Variables { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public int Version { get; init; }
}

public sealed class FlowInstanceRepository(ISqlSession db)
{
    private const string Columns =
        "id, definition_id, definition_version, status, current_activity_id, step_token, owner_session, variables, not_before, created_at, updated_at, expires_at, version";

    public Task InsertAsync(FlowInstanceRow row, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        return db.ExecuteAsync(
            """
            INSERT INTO flow_instances (id, definition_id, definition_version, status, current_activity_id, step_token, owner_session, variables, not_before, created_at, updated_at, expires_at, version)
            VALUES (@Id, @DefinitionId, @DefinitionVersion, @Status, @CurrentActivityId, @StepToken, @OwnerSession, @Variables, @NotBefore, @CreatedAt, @UpdatedAt, @ExpiresAt, 1)
            """,
            row,
            ct);
    }

    public Task<FlowInstanceRow?> GetAsync(Guid id, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<FlowInstanceRow>($"SELECT {Columns} FROM flow_instances WHERE id = @id", new { id }, ct);

    /// <summary>
    /// Writes the new state when nobody changed the row since <paramref name="expectedVersion"/>;
    /// false means another request won and nothing was written.
    /// </summary>
    public async Task<bool> UpdateAsync(FlowInstanceRow row, int expectedVersion, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        return await db.ExecuteAsync(
            """
            UPDATE flow_instances
            SET status = @Status, current_activity_id = @CurrentActivityId, step_token = @StepToken, variables = @Variables,
                not_before = @NotBefore, updated_at = @UpdatedAt, expires_at = @ExpiresAt, version = version + 1
            WHERE id = @Id AND version = @expectedVersion
            """,
            new { row.Id, row.Status, row.CurrentActivityId, row.StepToken, row.Variables, row.NotBefore, row.UpdatedAt, row.ExpiresAt, expectedVersion },
            ct) == 1;
    }

    /// <summary>Ids of running instances idle past their expiry.</summary>
    public Task<IReadOnlyList<Guid>> AbandonedAsync(DateTimeOffset now, int max, CancellationToken ct = default) =>
        db.QueryAsync<Guid>(
            db.Dialect.Top(max, "SELECT id FROM flow_instances WHERE status = @running AND expires_at <= @now ORDER BY expires_at"),
            new { running = FlowStatus.Running, now },
            ct);

    /// <summary>
    /// Marks one abandoned instance expired and stores <paramref name="variables"/> (its variables
    /// without personal data) in the same statement; false when it is not (or no longer) running and
    /// overdue, or changed since it was read at <paramref name="expectedVersion"/>.
    /// </summary>
    public async Task<bool> ExpireAsync(Guid id, DateTimeOffset now, string variables, int expectedVersion, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE flow_instances SET status = @expired, variables = @variables, updated_at = @now, version = version + 1
            WHERE id = @id AND status = @running AND expires_at <= @now AND version = @expectedVersion
            """,
            new { id, now, variables, expectedVersion, expired = FlowStatus.Expired, running = FlowStatus.Running },
            ct) == 1;

    /// <summary>
    /// Ends a running instance as <paramref name="status"/> (Abandoned by its visitor, Expired when
    /// found past its idle limit) and stores <paramref name="variables"/> (personal data erased) in
    /// the same statement; false when it is not running or changed since <paramref name="expectedVersion"/>.
    /// </summary>
    public async Task<bool> EndAsync(Guid id, string status, DateTimeOffset now, string variables, int expectedVersion, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE flow_instances SET status = @status, variables = @variables, updated_at = @now, version = version + 1
            WHERE id = @id AND status = @running AND version = @expectedVersion
            """,
            new { id, status, now, variables, expectedVersion, running = FlowStatus.Running },
            ct) == 1;

    /// <summary>Moves a running instance's idle limit on (the visitor answered 继续办理 or is typing); false when it is not running.</summary>
    public async Task<bool> KeepAliveAsync(Guid id, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            "UPDATE flow_instances SET expires_at = @expiresAt, updated_at = @now WHERE id = @id AND status = @running AND expires_at > @now",
            new { id, now, expiresAt, running = FlowStatus.Running },
            ct) == 1;

    /// <summary>
    /// Ids of ended instances whose variables still hold <paramref name="key"/> (instances that ended
    /// before personal data was erased at the end, or by a path that did not erase it).
    /// </summary>
    public Task<IReadOnlyList<Guid>> EndedHoldingAsync(string key, int max, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (!key.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException("Variable names are ASCII letters and digits.", nameof(key));
        }

        // Keys are plain ASCII names, so a search of the JSON text is exact: "holderName" (with its
        // quotes) never matches "holderNameMasked".
        return db.QueryAsync<Guid>(
            db.Dialect.Top(max, "SELECT id FROM flow_instances WHERE status <> @running AND variables LIKE @pattern ORDER BY updated_at"),
            new { running = FlowStatus.Running, pattern = $"%\"{key}\"%" },
            ct);
    }

    /// <summary>Replaces an ended instance's variables (personal data erased); false when it changed meanwhile.</summary>
    public async Task<bool> ReplaceEndedVariablesAsync(Guid id, string variables, int expectedVersion, DateTimeOffset now, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE flow_instances SET variables = @variables, updated_at = @now, version = version + 1
            WHERE id = @id AND status <> @running AND version = @expectedVersion
            """,
            new { id, variables, expectedVersion, now, running = FlowStatus.Running },
            ct) == 1;

    /// <summary>How many instances are still running, per definition and version (for the flows page).</summary>
    public Task<IReadOnlyList<RunningCount>> RunningCountsAsync(CancellationToken ct = default) =>
        db.QueryAsync<RunningCount>(
            """
            SELECT definition_id, definition_version, COUNT(*) AS running
            FROM flow_instances WHERE status = @running
            GROUP BY definition_id, definition_version
            """,
            new { running = FlowStatus.Running },
            ct);
}

/// <summary>Running instances of one definition version.</summary>
public sealed record RunningCount
{
    public required string DefinitionId { get; init; }

    public int DefinitionVersion { get; init; }

    public long Running { get; init; }
}
