using ESeal.Db.Infrastructure;

namespace ESeal.Db.Repositories;

public sealed class SealRepository(ISqlSession db)
{
    private const string Columns =
        "id, enterprise_id, seal_code, seal_type, name, impression_svg, status, version, created_at, updated_at";

    public Task InsertAsync(Seal s, CancellationToken ct = default) => db.ExecuteAsync(
        """
        INSERT INTO seals (id, enterprise_id, seal_code, seal_type, name, impression_svg, status, version, created_at, updated_at)
        VALUES (@Id, @EnterpriseId, @SealCode, @SealType, @Name, @ImpressionSvg, @Status, 1, @CreatedAt, @UpdatedAt)
        """,
        new { s.Id, s.EnterpriseId, s.SealCode, s.SealType, s.Name, s.ImpressionSvg, Status = s.Status.ToString(), s.CreatedAt, s.UpdatedAt },
        ct);

    public Task<Seal?> GetAsync(Guid id, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<Seal>($"SELECT {Columns} FROM seals WHERE id = @id", new { id }, ct);

    public Task<IReadOnlyList<Seal>> ListByEnterpriseAsync(Guid enterpriseId, CancellationToken ct = default) =>
        db.QueryAsync<Seal>(
            $"SELECT {Columns} FROM seals WHERE enterprise_id = @enterpriseId ORDER BY seal_code",
            new { enterpriseId },
            ct);

    /// <summary>Sets the status when nobody changed the seal since <paramref name="expectedVersion"/>; false otherwise.</summary>
    public async Task<bool> SetStatusAsync(Guid id, SealStatus status, int expectedVersion, DateTimeOffset now, CancellationToken ct = default)
    {
        var rows = await db.ExecuteAsync(
            """
            UPDATE seals SET status = @status, version = version + 1, updated_at = @now
            WHERE id = @id AND version = @expectedVersion
            """,
            new { id, status = status.ToString(), expectedVersion, now },
            ct);
        return rows == 1;
    }
}
