using ESeal.Db.Infrastructure;

namespace ESeal.Db.Repositories;

/// <summary>Messages for the downstream system, written in the same transaction as the fact they report.</summary>
public sealed class OutboxRepository(ISqlSession db)
{
    private const string Columns =
        "id, created_at, kind, payload, idempotency_key, attempts, next_attempt_at, delivered_at, last_error, version";

    public Task EnqueueAsync(Guid id, string kind, string payload, string idempotencyKey, DateTimeOffset now, CancellationToken ct = default) =>
        db.ExecuteAsync(
            """
            INSERT INTO outbox (id, created_at, kind, payload, idempotency_key, attempts, next_attempt_at, version)
            VALUES (@id, @now, @kind, @payload, @idempotencyKey, 0, @now, 1)
            """,
            new { id, now, kind, payload, idempotencyKey },
            ct);

    public Task<OutboxMessage?> GetAsync(Guid id, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<OutboxMessage>($"SELECT {Columns} FROM outbox WHERE id = @id", new { id }, ct);

    public Task<IReadOnlyList<OutboxMessage>> DueAsync(DateTimeOffset now, int max, CancellationToken ct = default) =>
        db.QueryAsync<OutboxMessage>(
            db.Dialect.Top(max, $"SELECT {Columns} FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= @now ORDER BY created_at"),
            new { now },
            ct);

    /// <summary>False when another worker delivered or retried it meanwhile.</summary>
    public async Task<bool> MarkDeliveredAsync(Guid id, int expectedVersion, DateTimeOffset now, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE outbox SET delivered_at = @now, attempts = attempts + 1, last_error = NULL, version = version + 1
            WHERE id = @id AND version = @expectedVersion AND delivered_at IS NULL
            """,
            new { id, expectedVersion, now },
            ct) == 1;

    /// <summary>An operator's "retry now": due at once. False when it was delivered or changed meanwhile.</summary>
    public async Task<bool> RetryNowAsync(Guid id, int expectedVersion, DateTimeOffset now, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE outbox SET next_attempt_at = @now, version = version + 1
            WHERE id = @id AND version = @expectedVersion AND delivered_at IS NULL
            """,
            new { id, expectedVersion, now },
            ct) == 1;

    public async Task<bool> MarkFailedAsync(Guid id, int expectedVersion, string error, DateTimeOffset nextAttemptAt, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE outbox SET attempts = attempts + 1, last_error = @error, next_attempt_at = @nextAttemptAt, version = version + 1
            WHERE id = @id AND version = @expectedVersion AND delivered_at IS NULL
            """,
            new { id, expectedVersion, error, nextAttemptAt },
            ct) == 1;
}
