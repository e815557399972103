using System.Security.Cryptography;
using System.Text;
using ESeal.Db.Infrastructure;

namespace ESeal.Db.Repositories;

/// <summary>What the portal knows of a key's wrong PINs, as one browser session sees it.</summary>
public sealed record PinCounterState(int KeyWideAttempts, int SessionAttempts, bool Locked)
{
    /// <summary>Both counts: the key-wide one is proved by enrolled helpers, the session's own is what that session said.</summary>
    public int FailedAttempts => KeyWideAttempts + SessionAttempts;
}

/// <summary>
/// Consecutive wrong PINs per key (workflows/README.md, "Who may count a wrong PIN"). A report
/// signed by an enrolled key helper counts for the key everywhere; a report only the page vouches
/// for counts for that browser session. A session is locked when both together reach the limit;
/// the key is locked everywhere when the proved reports alone do. Only an operator clears a lock.
/// </summary>
public sealed class PinCounterRepository(ISqlSession db)
{
    private const string Columns = "counter_key, key_id, scope, token_serial, failed_attempts, last_failed_at, locked_at, cleared_at, cleared_by, version";

    public static string KeyCounter(string keyId) => "key:" + keyId;

    /// <summary>The owner session is a secret cookie value: only its hash is stored.</summary>
    public static string SessionCounter(string ownerSession, string keyId) =>
        $"session:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ownerSession)))[..32]}:{keyId}";

    public Task<PinCounter?> GetAsync(string counterKey, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<PinCounter>($"SELECT {Columns} FROM pin_counters WHERE counter_key = @counterKey", new { counterKey }, ct);

    public async Task<PinCounterState> StateAsync(string keyId, string ownerSession, int limit, CancellationToken ct = default)
    {
        var key = await GetAsync(KeyCounter(keyId), ct);
        var session = await GetAsync(SessionCounter(ownerSession, keyId), ct);
        var keyWide = key?.FailedAttempts ?? 0;
        var own = session?.FailedAttempts ?? 0;
        var locked = (key?.IsLocked ?? false) || (session?.IsLocked ?? false) || keyWide + own >= limit;
        return new PinCounterState(keyWide, own, locked);
    }

    /// <summary>
    /// Counts one wrong PIN (or, with <paramref name="tokenLocked"/>, the token's own refusal, which
    /// locks at once) in the given scope and returns the state the session now sees.
    /// </summary>
    public async Task<PinCounterState> RecordFailureAsync(PinCounterScope scope, string keyId, string ownerSession, string tokenSerial, int limit, bool tokenLocked, DateTimeOffset now, CancellationToken ct = default)
    {
        var counterKey = scope == PinCounterScope.Key ? KeyCounter(keyId) : SessionCounter(ownerSession, keyId);
        var updated = await db.ExecuteAsync(
            """
            UPDATE pin_counters
            SET failed_attempts = failed_attempts + 1, last_failed_at = @now, token_serial = @tokenSerial, version = version + 1
            WHERE counter_key = @counterKey
            """,
            new { counterKey, tokenSerial, now },
            ct);
        if (updated == 0)
        {
            await db.ExecuteAsync(
                """
                INSERT INTO pin_counters (counter_key, key_id, scope, token_serial, failed_attempts, last_failed_at, version)
                VALUES (@counterKey, @keyId, @scope, @tokenSerial, 1, @now, 1)
                """,
                new { counterKey, keyId, scope = scope.ToString(), tokenSerial, now },
                ct);
        }

        var key = await GetAsync(KeyCounter(keyId), ct);
        var session = await GetAsync(SessionCounter(ownerSession, keyId), ct);
        var reached = scope == PinCounterScope.Key
            ? key!.FailedAttempts >= limit
            : (key?.FailedAttempts ?? 0) + session!.FailedAttempts >= limit;
        if (tokenLocked || reached)
        {
            await db.ExecuteAsync(
                "UPDATE pin_counters SET locked_at = @now, version = version + 1 WHERE counter_key = @counterKey AND locked_at IS NULL",
                new { counterKey, now },
                ct);
        }

        return await StateAsync(keyId, ownerSession, limit, ct);
    }

    /// <summary>A right PIN ends the run of wrong ones (it cannot open a lock: a locked key never gets this far).</summary>
    public Task ResetAfterSuccessAsync(string keyId, string ownerSession, CancellationToken ct = default) => db.ExecuteAsync(
        """
        UPDATE pin_counters SET failed_attempts = 0, version = version + 1
        WHERE counter_key IN (@key, @session) AND locked_at IS NULL AND failed_attempts > 0
        """,
        new { key = KeyCounter(keyId), session = SessionCounter(ownerSession, keyId) },
        ct);

    /// <summary>
    /// Operator action after the CA reset the key: clears every count (key-wide and per session) of
    /// the key with this id, or of the keys last reported on this token serial. False when there was nothing to clear.
    /// </summary>
    public async Task<bool> ClearAsync(string keyIdOrSerial, string operatorName, DateTimeOffset now, CancellationToken ct = default)
    {
        var rows = await db.ExecuteAsync(
            """
            UPDATE pin_counters
            SET failed_attempts = 0, locked_at = NULL, cleared_at = @now, cleared_by = @operatorName, version = version + 1
            WHERE (key_id = @keyIdOrSerial OR token_serial = @keyIdOrSerial) AND (locked_at IS NOT NULL OR failed_attempts > 0)
            """,
            new { keyIdOrSerial, operatorName, now },
            ct);
        return rows > 0;
    }

    /// <summary>The counters <see cref="ClearAsync"/> would clear for <paramref name="keyIdOrSerial"/>, locked or not.</summary>
    public Task<IReadOnlyList<PinCounter>> ListForAsync(string keyIdOrSerial, CancellationToken ct = default) =>
        db.QueryAsync<PinCounter>(
            $"SELECT {Columns} FROM pin_counters WHERE key_id = @keyIdOrSerial OR token_serial = @keyIdOrSerial ORDER BY counter_key",
            new { keyIdOrSerial },
            ct);

    public Task<IReadOnlyList<PinCounter>> ListLockedAsync(CancellationToken ct = default) =>
        db.QueryAsync<PinCounter>($"SELECT {Columns} FROM pin_counters WHERE locked_at IS NOT NULL ORDER BY locked_at", ct: ct);
}
