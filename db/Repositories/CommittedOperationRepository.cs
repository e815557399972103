using ESeal.Db.Infrastructure;

namespace ESeal.Db.Repositories;

public sealed class CommittedOperation
{
    public Guid OperationId { get; init; }

    public required string Kind { get; init; }

    public Guid? BindingId { get; init; }

    public DateTimeOffset CommittedAt { get; init; }
}

/// <summary>Operation ids of bind/unbind/claim commits, so that a repeated commit changes nothing.</summary>
public sealed class CommittedOperationRepository(ISqlSession db)
{
    public Task<CommittedOperation?> FindAsync(Guid operationId, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<CommittedOperation>(
            "SELECT operation_id, kind, binding_id, committed_at FROM committed_operations WHERE operation_id = @operationId",
            new { operationId },
            ct);

    public Task InsertAsync(Guid operationId, string kind, Guid? bindingId, DateTimeOffset now, CancellationToken ct = default) =>
        db.ExecuteAsync(
            "INSERT INTO committed_operations (operation_id, kind, binding_id, committed_at) VALUES (@operationId, @kind, @bindingId, @now)",
            new { operationId, kind, bindingId, now },
            ct);
}
