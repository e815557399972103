using ESeal.Db.Infrastructure;

namespace ESeal.Db.Repositories;

/// <summary>
/// The server's record of consecutive wrong PINs per token. The count belongs to the key: a new
/// flow, a refresh or another kiosk reads the same row. Only an operator clears a lock.
/// </summary>
public sealed class PinLockoutRepository(ISqlSession db)
{
    private const string Columns = "token_serial, failed_attempts, last_failed_at, locked_at, cleared_at, cleared_by, version";

    public Task<PinLockout?> GetAsync(string tokenSerial, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<PinLockout>(
            $"SELECT {Columns} FROM pin_lockouts WHERE token_serial = @tokenSerial", new { tokenSerial }, ct);

    /// <summary>Counts one wrong PIN and locks at <paramref name="limit"/>; returns the new state.</summary>
    public async Task<PinLockout> RecordFailureAsync(string tokenSerial, int limit, DateTimeOffset now, CancellationToken ct = default)
    {
        var updated = await db.ExecuteAsync(
            """
            UPDATE pin_lockouts
            SET failed_attempts = failed_attempts + 1,
                last_failed_at = @now,
                locked_at = CASE WHEN locked_at IS NULL AND failed_attempts + 1 >= @limit THEN @now ELSE locked_at END,
                version = version + 1
            WHERE token_serial = @tokenSerial
            """,
            new { tokenSerial, limit, now },
            ct);
        if (updated == 0)
        {
            await db.ExecuteAsync(
                """
                INSERT INTO pin_lockouts (token_serial, failed_attempts, last_failed_at, locked_at, version)
                VALUES (@tokenSerial, 1, @now, CASE WHEN 1 >= @limit THEN @now ELSE NULL END, 1)
                """,
                new { tokenSerial, limit, now },
                ct);
        }

        return (await GetAsync(tokenSerial, ct))!;
    }

    /// <summary>A right PIN ends the run of wrong ones (it cannot open a lock: a locked key never signs).</summary>
    public Task ResetAfterSuccessAsync(string tokenSerial, CancellationToken ct = default) => db.ExecuteAsync(
        """
        UPDATE pin_lockouts SET failed_attempts = 0, version = version + 1
        WHERE token_serial = @tokenSerial AND locked_at IS NULL AND failed_attempts > 0
        """,
        new { tokenSerial },
        ct);

    /// <summary>Operator action after the CA reset the key; false when there was no lock.</summary>
    public async Task<bool> ClearAsync(string tokenSerial, string operatorName, DateTimeOffset now, CancellationToken ct = default)
    {
        var rows = await db.ExecuteAsync(
            """
            UPDATE pin_lockouts
            SET failed_attempts = 0, locked_at = NULL, cleared_at = @now, cleared_by = @operatorName, version = version + 1
            WHERE token_serial = @tokenSerial AND (locked_at IS NOT NULL OR failed_attempts > 0)
            """,
            new { tokenSerial, operatorName, now },
            ct);
        return rows == 1;
    }

    public Task<IReadOnlyList<PinLockout>> ListLockedAsync(CancellationToken ct = default) =>
        db.QueryAsync<PinLockout>($"SELECT {Columns} FROM pin_lockouts WHERE locked_at IS NOT NULL ORDER BY locked_at", ct: ct);
}
