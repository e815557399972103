using ESeal.Db.Infrastructure;

namespace ESeal.Db.Repositories;

/// <summary>Kiosk key helpers enrolled by staff; their signed wrong-PIN reports count key-wide.</summary>
public sealed class EnrolledHelperRepository(ISqlSession db)
{
    private const string Columns = "key_id, public_key, hall, kiosk, enrolled_at, enrolled_by, revoked_at, revoked_by";

    /// <summary>An enrolled helper that has not been revoked, or null.</summary>
    public Task<EnrolledHelper?> FindActiveAsync(string keyId, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<EnrolledHelper>(
            $"SELECT {Columns} FROM enrolled_helpers WHERE key_id = @keyId AND revoked_at IS NULL", new { keyId }, ct);

    public Task<IReadOnlyList<EnrolledHelper>> ListAsync(CancellationToken ct = default) =>
        db.QueryAsync<EnrolledHelper>($"SELECT {Columns} FROM enrolled_helpers ORDER BY enrolled_at", ct: ct);

    /// <summary>Enrolls a helper key; false when this key is already enrolled (revoked keys stay revoked).</summary>
    public async Task<bool> EnrollAsync(string keyId, string publicKey, string hall, string kiosk, string enrolledBy, DateTimeOffset now, CancellationToken ct = default)
    {
        var exists = await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM enrolled_helpers WHERE key_id = @keyId", new { keyId }, ct);
        if (exists > 0)
        {
            return false;
        }

        await db.ExecuteAsync(
            """
            INSERT INTO enrolled_helpers (key_id, public_key, hall, kiosk, enrolled_at, enrolled_by)
            VALUES (@keyId, @publicKey, @hall, @kiosk, @now, @enrolledBy)
            """,
            new { keyId, publicKey, hall, kiosk, now, enrolledBy },
            ct);
        return true;
    }

    public async Task<bool> RevokeAsync(string keyId, string revokedBy, DateTimeOffset now, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            "UPDATE enrolled_helpers SET revoked_at = @now, revoked_by = @revokedBy WHERE key_id = @keyId AND revoked_at IS NULL",
            new { keyId, revokedBy, now },
            ct) == 1;
}
