using ESeal.Db.Infrastructure;

namespace ESeal.Db.Repositories;

public sealed class BindingRepository(ISqlSession db)
{
    private const string Columns =
        """
        id, seal_id, medium_id, active, channel, bound_at, bound_by_instance_id, holder_name, holder_id_type,
        holder_id_number, holder_phone, unbound_at, unbound_by_instance_id, unbind_reason, version
        """;

    public Task<SealBinding?> GetAsync(Guid id, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<SealBinding>($"SELECT {Columns} FROM seal_bindings WHERE id = @id", new { id }, ct);

    public Task<SealBinding?> ActiveForSealAsync(Guid sealId, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<SealBinding>(
            $"SELECT {Columns} FROM seal_bindings WHERE seal_id = @sealId AND active = 1", new { sealId }, ct);

    public Task<SealBinding?> ActiveForMediumAsync(Guid mediumId, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<SealBinding>(
            $"SELECT {Columns} FROM seal_bindings WHERE medium_id = @mediumId AND active = 1", new { mediumId }, ct);

    public Task<IReadOnlyList<SealBinding>> HistoryForSealAsync(Guid sealId, CancellationToken ct = default) =>
        db.QueryAsync<SealBinding>(
            $"SELECT {Columns} FROM seal_bindings WHERE seal_id = @sealId ORDER BY bound_at, id", new { sealId }, ct);

    public Task InsertActiveAsync(Guid id, Guid sealId, Guid mediumId, string channel, DateTimeOffset boundAt, Guid? instanceId, SealHolder? holder, CancellationToken ct = default) =>
        db.ExecuteAsync(
            """
            INSERT INTO seal_bindings (id, seal_id, medium_id, active, channel, bound_at, bound_by_instance_id,
                                       holder_name, holder_id_type, holder_id_number, holder_phone, version)
            VALUES (@id, @sealId, @mediumId, 1, @channel, @boundAt, @instanceId,
                    @holderName, @holderIdType, @holderIdNumber, @holderPhone, 1)
            """,
            new { id, sealId, mediumId, channel, boundAt, instanceId, holderName = holder?.Name, holderIdType = holder?.IdType, holderIdNumber = holder?.IdNumber, holderPhone = holder?.Phone },
            ct);

    /// <summary>Ends an active binding; false when it was already ended or changed meanwhile.</summary>
    public async Task<bool> CloseAsync(Guid id, int expectedVersion, DateTimeOffset at, Guid? instanceId, string reason, CancellationToken ct = default)
    {
        var rows = await db.ExecuteAsync(
            """
            UPDATE seal_bindings
            SET active = 0, unbound_at = @at, unbound_by_instance_id = @instanceId, unbind_reason = @reason, version = version + 1
            WHERE id = @id AND active = 1 AND version = @expectedVersion
            """,
            new { id, expectedVersion, at, instanceId, reason },
            ct);
        return rows == 1;
    }
}
