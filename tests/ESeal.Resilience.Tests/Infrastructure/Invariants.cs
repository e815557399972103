using System.Text;
using System.Text.Json;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;

namespace ESeal.Resilience.Tests.Infrastructure;

/// <summary>
/// What the database must hold whatever happened to the web process: the one-to-one rule, seal
/// statuses that agree with the active bindings, an audit chain that recomputes (AuditLog's own
/// code), and for every committed operation exactly one outbox message and one audit event (and
/// nothing of either without an operation).
/// </summary>
public static class Invariants
{
    public sealed class BindingRow
    {
        public string Id { get; set; } = "";

        public string SealId { get; set; } = "";

        public string MediumId { get; set; } = "";

        public long Active { get; set; }

        public string? MediumKind { get; set; }

        /// <summary>A USBKEY's reported token serial (its identity is its key), else the phone's device id.</summary>
        public string? Identifier { get; set; }

        public string? BoundByInstanceId { get; set; }

        public string? UnboundByInstanceId { get; set; }

        public string? UnbindReason { get; set; }
    }

    public sealed class SealRow
    {
        public string Id { get; set; } = "";

        public string Status { get; set; } = "";

        public string Name { get; set; } = "";
    }

    public sealed class OperationRow
    {
        public string OperationId { get; set; } = "";

        public string Kind { get; set; } = "";

        public string? BindingId { get; set; }
    }

    public sealed class AuditRow
    {
        public long Seq { get; set; }

        public string Kind { get; set; } = "";

        public string? SealId { get; set; }

        public string? MediumId { get; set; }

        public string? InstanceId { get; set; }

        public string Data { get; set; } = "";
    }

    public static Task<IReadOnlyList<BindingRow>> BindingsAsync(Database db) => db.ReadAsync(s => s.QueryAsync<BindingRow>(
        """
        SELECT b.id AS Id, b.seal_id AS SealId, b.medium_id AS MediumId, b.active AS Active, m.kind AS MediumKind, COALESCE(m.token_serial, m.identifier) AS Identifier,
               b.bound_by_instance_id AS BoundByInstanceId, b.unbound_by_instance_id AS UnboundByInstanceId, b.unbind_reason AS UnbindReason
        FROM seal_bindings b JOIN media m ON m.id = b.medium_id ORDER BY b.bound_at, b.id
        """));

    public static Task<IReadOnlyList<SealRow>> SealsAsync(Database db) =>
        db.ReadAsync(s => s.QueryAsync<SealRow>("SELECT id AS Id, status AS Status, seal_type || '/' || name AS Name FROM seals ORDER BY id"));

    public static Task<IReadOnlyList<OperationRow>> OperationsAsync(Database db) =>
        db.ReadAsync(s => s.QueryAsync<OperationRow>("SELECT operation_id AS OperationId, kind AS Kind, binding_id AS BindingId FROM committed_operations"));

    public static Task<IReadOnlyList<AuditRow>> AuditAsync(Database db) =>
        db.ReadAsync(s => s.QueryAsync<AuditRow>("SELECT seq AS Seq, kind AS Kind, seal_id AS SealId, medium_id AS MediumId, instance_id AS InstanceId, data AS Data FROM audit_events ORDER BY seq"));

    /// <summary>Every broken rule, in words; empty when the database is whole.</summary>
    public static async Task<List<string>> CheckAsync(Database db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var problems = new List<string>();
        var bindings = await BindingsAsync(db);
        var active = bindings.Where(b => b.Active == 1).ToList();
        foreach (var g in active.GroupBy(b => Norm(b.SealId)).Where(g => g.Count() > 1))
        {
            problems.Add($"seal {g.Key} has {g.Count()} active bindings (media {string.Join(", ", g.Select(b => b.Identifier))})");
        }

        foreach (var g in active.GroupBy(b => Norm(b.MediumId)).Where(g => g.Count() > 1))
        {
            problems.Add($"medium {g.First().Identifier} has {g.Count()} active bindings (seals {string.Join(", ", g.Select(b => b.SealId))})");
        }

        var seals = await SealsAsync(db);
        if (seals.Count == 0)
        {
            problems.Add("the database holds no seals at all (the wrong file?)");
        }

        foreach (var seal in seals)
        {
            var binding = active.FirstOrDefault(b => Norm(b.SealId) == Norm(seal.Id));
            var expected = binding?.MediumKind ?? "Unbound";
            if (seal.Status != expected)
            {
                problems.Add($"seal {seal.Id} ({seal.Name}) has status {seal.Status} but its active binding says {expected}");
            }
        }

        var broken = await db.ReadAsync(s => new AuditLog(s).FirstBrokenLinkAsync());
        if (broken is not null)
        {
            problems.Add($"the audit hash chain breaks at seq {broken}");
        }

        var operations = await OperationsAsync(db);
        var audit = await AuditAsync(db);
        var outbox = await db.ReadAsync(s => s.QueryAsync<string>("SELECT idempotency_key FROM outbox"));
        var outboxByOperation = outbox.GroupBy(k => k[(k.LastIndexOf(':') + 1)..], StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        var businessEvents = audit.Where(e => e.Kind is AuditKinds.Bind or AuditKinds.Unbind or AuditKinds.Claim)
            .Select(e => (e.Kind, BindingId: BindingIdOf(e.Data), e.Seq)).ToList();
        foreach (var op in operations)
        {
            var n = Guid.Parse(op.OperationId).ToString("N");
            var messages = outboxByOperation.GetValueOrDefault(n);
            if (messages != 1)
            {
                problems.Add($"committed operation {op.OperationId} ({op.Kind}) has {messages} outbox messages");
            }

            var events = businessEvents.Count(e => e.Kind == op.Kind && e.BindingId is not null && op.BindingId is not null && Norm(e.BindingId) == Norm(op.BindingId));
            if (events != 1)
            {
                problems.Add($"committed operation {op.OperationId} ({op.Kind}, binding {op.BindingId}) has {events} {op.Kind} audit events");
            }
        }

        var operationIds = operations.Select(o => Guid.Parse(o.OperationId).ToString("N")).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var key in outbox.Where(k => !operationIds.Contains(k[(k.LastIndexOf(':') + 1)..])))
        {
            problems.Add($"outbox message {key} belongs to no committed operation");
        }

        var operationBindings = operations.Where(o => o.BindingId is not null).Select(o => (o.Kind, Norm(o.BindingId!))).ToHashSet();
        foreach (var e in businessEvents.Where(e => e.BindingId is null || !operationBindings.Contains((e.Kind, Norm(e.BindingId)))))
        {
            problems.Add($"audit event seq {e.Seq} ({e.Kind}, binding {e.BindingId}) belongs to no committed operation");
        }

        // A release for a rebind is part of one committed bind (same instance = operation id), at most one per bind.
        var bindOperations = operations.Where(o => o.Kind == AuditKinds.Bind).Select(o => Guid.Parse(o.OperationId)).ToHashSet();
        var releases = audit.Where(e => e.Kind == AuditKinds.ReleaseForRebind).ToList();
        foreach (var e in releases.Where(e => e.InstanceId is null || !bindOperations.Contains(Guid.Parse(e.InstanceId))))
        {
            problems.Add($"audit event seq {e.Seq} (ReleaseForRebind by instance {e.InstanceId}) belongs to no committed bind");
        }

        foreach (var g in releases.Where(e => e.InstanceId is not null).GroupBy(e => Guid.Parse(e.InstanceId!)).Where(g => g.Count() > 1))
        {
            problems.Add($"the bind {g.Key} released {g.Count()} bindings");
        }

        foreach (var b in active.Where(b => !operationBindings.Contains((b.MediumKind == "Mobile" ? AuditKinds.Claim : AuditKinds.Bind, Norm(b.Id)))))
        {
            problems.Add($"active binding {b.Id} (seal {b.SealId}, medium {b.Identifier}) was made by no committed operation");
        }

        return problems;
    }

    /// <summary>The state worth printing when a test fails: bindings, seals, operations, audit tail, instances.</summary>
    public static async Task<string> DumpAsync(Database db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sb = new StringBuilder();
        sb.AppendLine("seals:");
        foreach (var s in await SealsAsync(db))
        {
            sb.AppendLine($"  {s.Id} {s.Status} {s.Name}");
        }

        sb.AppendLine("bindings:");
        foreach (var b in await BindingsAsync(db))
        {
            sb.AppendLine($"  {b.Id} seal {b.SealId} medium {b.Identifier} active={b.Active} by {b.BoundByInstanceId} closed by {b.UnboundByInstanceId} {b.UnbindReason}");
        }

        sb.AppendLine("committed operations:");
        foreach (var o in await OperationsAsync(db))
        {
            sb.AppendLine($"  {o.OperationId} {o.Kind} binding {o.BindingId}");
        }

        sb.AppendLine("audit (last 30):");
        foreach (var e in (await AuditAsync(db)).TakeLast(30))
        {
            sb.AppendLine($"  {e.Seq} {e.Kind} seal {e.SealId} instance {e.InstanceId} {e.Data}");
        }

        sb.AppendLine("flow instances:");
        foreach (var i in await db.ReadAsync(s => s.QueryAsync<string>("SELECT id || ' ' || definition_id || ' ' || status || ' at ' || coalesce(current_activity_id, '-') FROM flow_instances ORDER BY created_at")))
        {
            sb.AppendLine("  " + i);
        }

        return sb.ToString();
    }

    public static string Norm(string id) => Guid.Parse(id).ToString("D");

    private static string? BindingIdOf(string data)
    {
        try
        {
            using var doc = JsonDocument.Parse(data);
            return doc.RootElement.TryGetProperty("bindingId", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
