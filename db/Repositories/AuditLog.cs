using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ESeal.Db.Infrastructure;

namespace ESeal.Db.Repositories;

public static class AuditKinds
{
    public const string Bind = "Bind";
    public const string Unbind = "Unbind";
    public const string Claim = "Claim";
    public const string ReleaseForRebind = "ReleaseForRebind";
    public const string PinFailed = "PinFailed";
    public const string PinLocked = "PinLocked";
    public const string PinLockCleared = "PinLockCleared";
    public const string HelperEnrolled = "HelperEnrolled";
    public const string HelperRevoked = "HelperRevoked";
    public const string FlowDefinitionChanged = "FlowDefinitionChanged";

    // Staff and the back office (SPEC §7): every staff action lands here with the staff account.
    public const string StaffSignedIn = "StaffSignedIn";
    public const string StaffSignInFailed = "StaffSignInFailed";
    public const string StaffLockedOut = "StaffLockedOut";
    public const string StaffSignedOut = "StaffSignedOut";
    public const string StaffAccountCreated = "StaffAccountCreated";
    public const string StaffRolesChanged = "StaffRolesChanged";
    public const string StaffDisabled = "StaffDisabled";
    public const string StaffEnabled = "StaffEnabled";
    public const string StaffPasswordChanged = "StaffPasswordChanged";
    public const string StaffPasswordReset = "StaffPasswordReset";
    public const string OutboxRetried = "OutboxRetried";
    public const string AuditExported = "AuditExported";
    public const string AuditChainVerified = "AuditChainVerified";
    public const string KioskEnrolled = "KioskEnrolled";
    public const string KioskRevoked = "KioskRevoked";
    public const string HolderRevealed = "HolderRevealed";

    // Flow drafts and their review (SPEC §8, issue 11): the data names the draft and sums up the difference.
    public const string FlowDraftSaved = "FlowDraftSaved";
    public const string FlowSubmitted = "FlowSubmitted";
    public const string FlowApproved = "FlowApproved";
    public const string FlowRejected = "FlowRejected";
    public const string FlowPublishScheduled = "FlowPublishScheduled";
    public const string FlowPublished = "FlowPublished";
    public const string FlowRolledBack = "FlowRolledBack";
    public const string FlowDraftDiscarded = "FlowDraftDiscarded";

    /// <summary>Every kind, for the auditor's filter.</summary>
    public static IReadOnlyList<string> All { get; } = typeof(AuditKinds)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();
}

public sealed record AuditEvent
{
    public long Seq { get; init; }

    public Guid Id { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    public required string Kind { get; init; }

    public required string Actor { get; init; }

    public Guid? EnterpriseId { get; init; }

    public Guid? SealId { get; init; }

    public Guid? MediumId { get; init; }

    public Guid? InstanceId { get; init; }

    /// <summary>JSON with the event's facts; personal data in it is masked.</summary>
    public required string Data { get; init; }

    public string PrevHash { get; init; } = string.Empty;

    public string Hash { get; init; } = string.Empty;
}

/// <summary>Append-only audit trail; each event carries the previous event's hash.</summary>
public sealed class AuditLog(ISqlSession db)
{
    public static readonly string Genesis = new('0', 64);

    private const string Columns =
        "seq, id, occurred_at, kind, actor, enterprise_id, seal_id, medium_id, instance_id, data, prev_hash, hash";

    public async Task<AuditEvent> AppendAsync(AuditEvent e, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(e);
        var last = await db.QuerySingleOrDefaultAsync<string>(
            db.Dialect.Top(1, $"SELECT hash FROM audit_events {db.Dialect.UpdateLock} ORDER BY seq DESC"), ct: ct);
        var prev = last ?? Genesis;
        var linked = e with { Id = e.Id == Guid.Empty ? Guid.NewGuid() : e.Id, PrevHash = prev, Data = Readable(e.Data) };
        var stored = linked with { Hash = HashOf(linked, prev) };

        await db.ExecuteAsync(
            """
            INSERT INTO audit_events (id, occurred_at, kind, actor, enterprise_id, seal_id, medium_id, instance_id, data, prev_hash, hash)
            VALUES (@Id, @OccurredAt, @Kind, @Actor, @EnterpriseId, @SealId, @MediumId, @InstanceId, @Data, @PrevHash, @Hash)
            """,
            stored,
            ct);
        return stored;
    }

    public Task<IReadOnlyList<AuditEvent>> ListAsync(CancellationToken ct = default) =>
        db.QueryAsync<AuditEvent>($"SELECT {Columns} FROM audit_events ORDER BY seq", ct: ct);

    public Task<IReadOnlyList<AuditEvent>> ForSealAsync(Guid sealId, CancellationToken ct = default) =>
        db.QueryAsync<AuditEvent>($"SELECT {Columns} FROM audit_events WHERE seal_id = @sealId ORDER BY seq", new { sealId }, ct);

    /// <summary>The seq of the first event whose hash or link does not match, or null when the chain is whole.</summary>
    public async Task<long?> FirstBrokenLinkAsync(CancellationToken ct = default)
    {
        var prev = Genesis;
        foreach (var e in await ListAsync(ct))
        {
            if (e.PrevHash != prev || e.Hash != HashOf(e, prev))
            {
                return e.Seq;
            }

            prev = e.Hash;
        }

        return null;
    }

    // Chinese stays Chinese in the stored data (callers serialise with the default encoder, which
    // writes \uXXXX), so an auditor reads the same text in the CSV export that the hash covers.
    // "Relaxed" only means it does not escape for embedding in HTML: pages encode the data as any
    // other text when they show it.
    private static readonly System.Text.Json.JsonSerializerOptions ReadableJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string Readable(string data)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(data);
            return System.Text.Json.JsonSerializer.Serialize(document.RootElement, ReadableJson);
        }
        catch (System.Text.Json.JsonException)
        {
            return data;
        }
    }

    public static string HashOf(AuditEvent e, string prevHash)
    {
        ArgumentNullException.ThrowIfNull(e);
        var canonical = string.Join(
            '\n',
            prevHash,
            e.Id.ToString("D"),
            e.OccurredAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            e.Kind,
            e.Actor,
            e.EnterpriseId?.ToString("D") ?? string.Empty,
            e.SealId?.ToString("D") ?? string.Empty,
            e.MediumId?.ToString("D") ?? string.Empty,
            e.InstanceId?.ToString("D") ?? string.Empty,
            e.Data);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
