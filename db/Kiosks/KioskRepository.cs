using ESeal.Db.Infrastructure;

namespace ESeal.Db.Kiosks;

public sealed class Kiosk
{
    public Guid Id { get; init; }

    public required string Hall { get; init; }

    public required string Name { get; init; }

    public required string TokenHash { get; init; }

    /// <summary>"A4" or "80mm".</summary>
    public string ReceiptPaper { get; init; } = "A4";

    public DateTimeOffset EnrolledAt { get; init; }

    public required string EnrolledBy { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public string? RevokedBy { get; init; }

    public bool IsActive => RevokedAt is null;
}

/// <summary>Browsers that staff marked as hall kiosks (SPEC §9).</summary>
public sealed class KioskRepository(ISqlSession db)
{
    private const string Columns = "id, hall, name, token_hash, receipt_paper, enrolled_at, enrolled_by, revoked_at, revoked_by";

    public Task<Kiosk?> GetAsync(Guid id, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<Kiosk>($"SELECT {Columns} FROM kiosks WHERE id = @id", new { id }, ct);

    public Task<IReadOnlyList<Kiosk>> ListAsync(CancellationToken ct = default) =>
        db.QueryAsync<Kiosk>($"SELECT {Columns} FROM kiosks ORDER BY hall, name, enrolled_at", ct: ct);

    /// <summary>False when an active kiosk of that hall already has that name.</summary>
    public async Task<bool> AddAsync(Kiosk kiosk, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kiosk);
        var taken = await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM kiosks WHERE hall = @Hall AND name = @Name AND revoked_at IS NULL", kiosk, ct);
        if (taken > 0)
        {
            return false;
        }

        await db.ExecuteAsync(
            """
            INSERT INTO kiosks (id, hall, name, token_hash, receipt_paper, enrolled_at, enrolled_by)
            VALUES (@Id, @Hall, @Name, @TokenHash, @ReceiptPaper, @EnrolledAt, @EnrolledBy)
            """,
            kiosk,
            ct);
        return true;
    }

    public async Task<bool> RevokeAsync(Guid id, string revokedBy, DateTimeOffset now, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            "UPDATE kiosks SET revoked_at = @now, revoked_by = @revokedBy WHERE id = @id AND revoked_at IS NULL",
            new { id, revokedBy, now },
            ct) == 1;
}
