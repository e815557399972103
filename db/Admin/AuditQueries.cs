using Dapper;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;

namespace ESeal.Db.Admin;

/// <summary>
/// What the auditor narrows the trail to. Every part is optional; set parts are combined with AND.
/// Times are instants (the page converts from Beijing time); <see cref="Until"/> is exclusive.
/// </summary>
public sealed record AuditFilter
{
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? Until { get; init; }

    public string? Kind { get; init; }

    public Guid? EnterpriseId { get; init; }

    /// <summary>A credit code (exact) or a part of the enterprise's name.</summary>
    public string? EnterpriseText { get; init; }

    public Guid? SealId { get; init; }

    public string? SealCode { get; init; }

    /// <summary>Any of these actors (e.g. "staff:zhang", "operator:zhang", "cli:zhang").</summary>
    public IReadOnlyList<string>? Actors { get; init; }
}

/// <summary>An audit event with the names the auditor reads beside the ids.</summary>
public sealed record AuditRow
{
    public long Seq { get; init; }

    public Guid Id { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    public string Kind { get; init; } = string.Empty;

    public string Actor { get; init; } = string.Empty;

    public Guid? EnterpriseId { get; init; }

    public string? EnterpriseName { get; init; }

    public Guid? SealId { get; init; }

    public string? SealCode { get; init; }

    public string? SealName { get; init; }

    public Guid? MediumId { get; init; }

    public Guid? InstanceId { get; init; }

    public string Data { get; init; } = string.Empty;

    public string PrevHash { get; init; } = string.Empty;

    public string Hash { get; init; } = string.Empty;
}

public sealed record AuditTally
{
    public long Total { get; init; }

    public long? MaxSeq { get; init; }
}

/// <summary>The outcome of recomputing the hash chain.</summary>
/// <param name="Checked">Events read, up to and including the broken one.</param>
/// <param name="LastSeq">The last event read (null when the trail is empty).</param>
/// <param name="FirstBroken">The first event whose link or hash does not match, or null when the chain is whole.</param>
public sealed record AuditChainReport(long Checked, long? LastSeq, AuditEvent? FirstBroken)
{
    public bool IsWhole => FirstBroken is null;
}

/// <summary>Read queries of the auditor's pages (SPEC §7): the filtered trail, one event, chain batches.</summary>
public sealed class AuditQueries(ISqlSession db)
{
    private const string RowSelect =
        """
        SELECT a.seq, a.id, a.occurred_at, a.kind, a.actor, a.enterprise_id, e.name AS enterprise_name,
               a.seal_id, s.seal_code, s.name AS seal_name, a.medium_id, a.instance_id, a.data, a.prev_hash, a.hash
        FROM audit_events a
        LEFT JOIN enterprises e ON e.id = a.enterprise_id
        LEFT JOIN seals s ON s.id = a.seal_id
        """;

    /// <summary>
    /// One page of the trail, newest first: the events below <paramref name="beforeSeq"/> (older),
    /// or, with <paramref name="afterSeq"/>, the <paramref name="size"/> events just above it (newer).
    /// </summary>
    public async Task<IReadOnlyList<AuditRow>> PageAsync(AuditFilter filter, long? beforeSeq, long? afterSeq, int size, CancellationToken ct = default)
    {
        var (conditions, parameters) = Where(filter);
        if (afterSeq is { } after)
        {
            conditions.Add("a.seq > @afterSeq");
            parameters.Add("afterSeq", after);
            var newer = await db.QueryAsync<AuditRow>(db.Dialect.Top(size, $"{RowSelect} {Clause(conditions)} ORDER BY a.seq"), parameters, ct);
            return newer.Reverse().ToList();
        }

        if (beforeSeq is { } before)
        {
            conditions.Add("a.seq < @beforeSeq");
            parameters.Add("beforeSeq", before);
        }

        return await db.QueryAsync<AuditRow>(db.Dialect.Top(size, $"{RowSelect} {Clause(conditions)} ORDER BY a.seq DESC"), parameters, ct);
    }

    /// <summary>True when an event matching <paramref name="filter"/> lies above (newer) or below (older) <paramref name="seq"/>.</summary>
    public async Task<bool> AnyBeyondAsync(AuditFilter filter, long seq, bool newer, CancellationToken ct = default)
    {
        var (conditions, parameters) = Where(filter);
        conditions.Add(newer ? "a.seq > @seq" : "a.seq < @seq");
        parameters.Add("seq", seq);
        var found = await db.QuerySingleOrDefaultAsync<long?>(db.Dialect.Top(1, $"SELECT a.seq FROM audit_events a {Clause(conditions)} ORDER BY a.seq"), parameters, ct);
        return found is not null;
    }

    /// <summary>How many events match, and the newest of them.</summary>
    public async Task<AuditTally> TallyAsync(AuditFilter filter, CancellationToken ct = default)
    {
        var (conditions, parameters) = Where(filter);
        return await db.QuerySingleOrDefaultAsync<AuditTally>(
            $"SELECT COUNT(*) AS total, MAX(a.seq) AS max_seq FROM audit_events a {Clause(conditions)}", parameters, ct) ?? new AuditTally();
    }

    /// <summary>The next <paramref name="size"/> matching events after <paramref name="afterSeq"/>, up to <paramref name="throughSeq"/>, oldest first (the export).</summary>
    public async Task<IReadOnlyList<AuditRow>> ExportBatchAsync(AuditFilter filter, long afterSeq, long throughSeq, int size, CancellationToken ct = default)
    {
        var (conditions, parameters) = Where(filter);
        conditions.Add("a.seq > @afterSeq");
        conditions.Add("a.seq <= @throughSeq");
        parameters.Add("afterSeq", afterSeq);
        parameters.Add("throughSeq", throughSeq);
        return await db.QueryAsync<AuditRow>(db.Dialect.Top(size, $"{RowSelect} {Clause(conditions)} ORDER BY a.seq"), parameters, ct);
    }

    public Task<AuditRow?> GetAsync(long seq, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<AuditRow>($"{RowSelect} WHERE a.seq = @seq", new { seq }, ct);

    /// <summary>The seq the database gave an appended event (AuditLog.AppendAsync does not read it back).</summary>
    public Task<long?> SeqOfAsync(Guid id, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<long?>("SELECT seq FROM audit_events WHERE id = @id", new { id }, ct);

    /// <summary>The seq of the event just before <paramref name="seq"/> in the chain, if any.</summary>
    public Task<long?> PreviousSeqAsync(long seq, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<long?>(db.Dialect.Top(1, "SELECT seq FROM audit_events WHERE seq < @seq ORDER BY seq DESC"), new { seq }, ct);

    public Task<long?> NextSeqAsync(long seq, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<long?>(db.Dialect.Top(1, "SELECT seq FROM audit_events WHERE seq > @seq ORDER BY seq"), new { seq }, ct);

    /// <summary>How many enterprises a filter text names (credit code or part of the name).</summary>
    public Task<int> CountEnterprisesMatchingAsync(string text, CancellationToken ct = default) =>
        db.ExecuteScalarAsync<int>(
            """SELECT COUNT(*) FROM enterprises WHERE credit_code = @code OR name LIKE @pattern ESCAPE '\'""",
            new { code = text.ToUpperInvariant(), pattern = Contains(text) },
            ct);

    /// <summary>The chain in seq order, <paramref name="size"/> events after <paramref name="afterSeq"/>: the verifier reads it batch by batch.</summary>
    public Task<IReadOnlyList<AuditEvent>> ChainBatchAsync(long afterSeq, int size, CancellationToken ct = default) =>
        db.QueryAsync<AuditEvent>(
            db.Dialect.Top(size, "SELECT seq, id, occurred_at, kind, actor, enterprise_id, seal_id, medium_id, instance_id, data, prev_hash, hash FROM audit_events WHERE seq > @afterSeq ORDER BY seq"),
            new { afterSeq },
            ct);

    /// <summary>
    /// Recomputes the whole hash chain (<see cref="AuditLog.HashOf"/>) in batches of
    /// <paramref name="batchSize"/>, each in its own short read, so a long trail is never held in
    /// memory nor a reader kept open against writers. Events are append-only, so a batch boundary
    /// cannot fall between an event and a change to its predecessor.
    /// </summary>
    public static async Task<AuditChainReport> VerifyChainAsync(Database database, int batchSize = 1000, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        var prev = AuditLog.Genesis;
        long afterSeq = 0;
        long checkedCount = 0;
        long? lastSeq = null;
        while (true)
        {
            var batch = await database.ReadAsync(s => new AuditQueries(s).ChainBatchAsync(afterSeq, batchSize, ct), ct);
            foreach (var e in batch)
            {
                checkedCount++;
                lastSeq = e.Seq;
                if (e.PrevHash != prev || e.Hash != AuditLog.HashOf(e, prev))
                {
                    return new AuditChainReport(checkedCount, lastSeq, e);
                }

                prev = e.Hash;
            }

            if (batch.Count < batchSize)
            {
                return new AuditChainReport(checkedCount, lastSeq, null);
            }

            afterSeq = batch[^1].Seq;
        }
    }

    /// <summary>A LIKE pattern for "contains <paramref name="text"/>", its wildcards taken literally on both dialects.</summary>
    public static string Contains(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal)
            .Replace("[", "\\[", StringComparison.Ordinal);
        return "%" + escaped + "%";
    }

    private static string Clause(List<string> conditions) => conditions.Count == 0 ? string.Empty : "WHERE " + string.Join(" AND ", conditions);

    private static (List<string> Conditions, DynamicParameters Parameters) Where(AuditFilter? filter)
    {
        var conditions = new List<string>();
        var p = new DynamicParameters();
        if (filter is null)
        {
            return (conditions, p);
        }

        if (filter.From is { } from)
        {
            conditions.Add("a.occurred_at >= @from");
            p.Add("from", from);
        }

        if (filter.Until is { } until)
        {
            conditions.Add("a.occurred_at < @until");
            p.Add("until", until);
        }

        if (!string.IsNullOrEmpty(filter.Kind))
        {
            conditions.Add("a.kind = @kind");
            p.Add("kind", filter.Kind);
        }

        if (filter.EnterpriseId is { } enterpriseId)
        {
            conditions.Add("a.enterprise_id = @enterpriseId");
            p.Add("enterpriseId", enterpriseId);
        }
        else if (!string.IsNullOrEmpty(filter.EnterpriseText))
        {
            conditions.Add("""a.enterprise_id IN (SELECT id FROM enterprises WHERE credit_code = @enterpriseCode OR name LIKE @enterprisePattern ESCAPE '\')""");
            p.Add("enterpriseCode", filter.EnterpriseText.ToUpperInvariant());
            p.Add("enterprisePattern", Contains(filter.EnterpriseText));
        }

        if (filter.SealId is { } sealId)
        {
            conditions.Add("a.seal_id = @sealId");
            p.Add("sealId", sealId);
        }
        else if (!string.IsNullOrEmpty(filter.SealCode))
        {
            conditions.Add("a.seal_id IN (SELECT id FROM seals WHERE seal_code = @sealCode)");
            p.Add("sealCode", filter.SealCode);
        }

        if (filter.Actors is { Count: > 0 } actors)
        {
            // Named one by one: the SQL text stays plain T-SQL (no list expansion) on both dialects.
            var names = new List<string>();
            for (var i = 0; i < actors.Count; i++)
            {
                names.Add("@actor" + i);
                p.Add("actor" + i, actors[i]);
            }

            conditions.Add($"a.actor IN ({string.Join(", ", names)})");
        }

        return (conditions, p);
    }
}
