using ESeal.Db.Infrastructure;

namespace ESeal.Db.Flows;

/// <summary>One stored version of a flow definition (Elsa-3-shaped JSON).</summary>
public sealed class FlowDefinitionRow
{
    public Guid Id { get; init; }

    public required string DefinitionId { get; init; }

    public int Version { get; init; }

    public required string Name { get; init; }

    public bool IsPublished { get; init; }

    public required string Json { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }

    public DateTimeOffset? PublishedAt { get; init; }
}

/// <summary>
/// Drafts and published versions. A published row is never changed again: every UPDATE here
/// carries "is_published = 0", so immutability holds even against a buggy caller.
/// </summary>
public sealed class FlowDefinitionRepository(ISqlSession db)
{
    private const string Columns = "id, definition_id, version, name, is_published, json, created_at, created_by, published_at";

    public Task InsertAsync(FlowDefinitionRow row, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        return db.ExecuteAsync(
            """
            INSERT INTO flow_definitions (id, definition_id, version, name, is_published, json, created_at, created_by, published_at)
            VALUES (@Id, @DefinitionId, @Version, @Name, @IsPublished, @Json, @CreatedAt, @CreatedBy, @PublishedAt)
            """,
            row,
            ct);
    }

    public Task<FlowDefinitionRow?> GetAsync(string definitionId, int version, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<FlowDefinitionRow>(
            $"SELECT {Columns} FROM flow_definitions WHERE definition_id = @definitionId AND version = @version",
            new { definitionId, version },
            ct);

    /// <summary>The newest stored version, draft or published.</summary>
    public Task<FlowDefinitionRow?> LatestAsync(string definitionId, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<FlowDefinitionRow>(
            db.Dialect.Top(1, $"SELECT {Columns} FROM flow_definitions WHERE definition_id = @definitionId ORDER BY version DESC"),
            new { definitionId },
            ct);

    public Task<FlowDefinitionRow?> LatestPublishedAsync(string definitionId, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<FlowDefinitionRow>(
            db.Dialect.Top(1, $"SELECT {Columns} FROM flow_definitions WHERE definition_id = @definitionId AND is_published = 1 ORDER BY version DESC"),
            new { definitionId },
            ct);

    public Task<IReadOnlyList<FlowDefinitionRow>> ListVersionsAsync(string definitionId, CancellationToken ct = default) =>
        db.QueryAsync<FlowDefinitionRow>(
            $"SELECT {Columns} FROM flow_definitions WHERE definition_id = @definitionId ORDER BY version",
            new { definitionId },
            ct);

    /// <summary>Replaces a draft's text; false when the version is published (or missing).</summary>
    public async Task<bool> UpdateDraftAsync(string definitionId, int version, string name, string json, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE flow_definitions SET name = @name, json = @json
            WHERE definition_id = @definitionId AND version = @version AND is_published = 0
            """,
            new { definitionId, version, name, json },
            ct) == 1;

    /// <summary>Marks a draft published; false when it already was (or is missing).</summary>
    public async Task<bool> PublishAsync(string definitionId, int version, string json, DateTimeOffset now, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE flow_definitions SET is_published = 1, published_at = @now, json = @json
            WHERE definition_id = @definitionId AND version = @version AND is_published = 0
            """,
            new { definitionId, version, json, now },
            ct) == 1;

    /// <summary>Every definition id that has a stored version.</summary>
    public Task<IReadOnlyList<string>> DefinitionIdsAsync(CancellationToken ct = default) =>
        db.QueryAsync<string>("SELECT DISTINCT definition_id FROM flow_definitions ORDER BY definition_id", null, ct);

    /// <summary>Deletes a discarded draft; false when the version is published (or missing).</summary>
    public async Task<bool> DeleteDraftAsync(string definitionId, int version, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            "DELETE FROM flow_definitions WHERE definition_id = @definitionId AND version = @version AND is_published = 0",
            new { definitionId, version },
            ct) == 1;

    /// <summary>
    /// Gives a draft a new version number and the JSON stamped with it, so a rollback can be
    /// published under the draft's old number and the draft stays the newest version.
    /// </summary>
    public async Task<bool> RenumberDraftAsync(string definitionId, int version, int newVersion, string json, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE flow_definitions SET version = @newVersion, json = @json
            WHERE definition_id = @definitionId AND version = @version AND is_published = 0
            """,
            new { definitionId, version, newVersion, json },
            ct) == 1;
}
