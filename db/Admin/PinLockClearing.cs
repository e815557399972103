using System.Text.Json;
using ESeal.Db.Domain;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;

namespace ESeal.Db.Admin;

/// <param name="Cleared">False when there was no lock or wrong-PIN count left to clear (nothing changed).</param>
/// <param name="TokenSerial">The serial the cleared counters were last reported on (or what was asked for).</param>
/// <param name="KeyId">The key whose counts were cleared, when known.</param>
public sealed record PinLockClearResult(bool Cleared, string TokenSerial, string? KeyId);

/// <summary>
/// Clearing a PIN lock after the CA reset the key, for the back office (/admin/pinlocks) and the
/// ops CLI (`pin-lock clear`) alike, so what is cleared and what is audited cannot drift between
/// them: every count of the key (key-wide and per browser session) and one PinLockCleared event,
/// in the caller's transaction.
/// </summary>
public static class PinLockClearing
{
    public const int ReasonMinLength = 2;
    public const int ReasonMaxLength = 200;
    public const string ReasonRequiredText = "请填写解除锁定的原因。";

    /// <summary>Null when <paramref name="reason"/> will do; otherwise the message for the 原因 field.</summary>
    public static string? ValidateReason(string? reason)
    {
        var message = FreeText.Validate(reason, "原因", ReasonRequiredText, ReasonMaxLength);
        if (message is null && new System.Globalization.StringInfo(reason!.Trim()).LengthInTextElements < ReasonMinLength)
        {
            return $"原因至少{ReasonMinLength}个字。";
        }

        return message;
    }

    /// <param name="keyIdOrSerial">A key id (exact) or the token serial its counters were last reported on.</param>
    /// <param name="actor">The audit actor, e.g. staff:NAME or operator:NAME.</param>
    /// <param name="clearedBy">Who the counters record as having cleared them.</param>
    /// <param name="reason">Why (the CA reset the key …); already validated by <see cref="ValidateReason"/> where given.</param>
    public static async Task<PinLockClearResult> ClearAsync(ISqlSession session, string keyIdOrSerial, string actor, string clearedBy, string? reason, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyIdOrSerial);
        var counters = new PinCounterRepository(session);
        var before = await counters.ListForAsync(keyIdOrSerial, ct);
        var subject = before.OrderByDescending(c => c.IsLocked).ThenBy(c => c.Scope).FirstOrDefault();
        var serial = subject?.TokenSerial ?? keyIdOrSerial;
        var keyId = subject?.KeyId;
        if (!await counters.ClearAsync(keyIdOrSerial, clearedBy, now, ct))
        {
            return new PinLockClearResult(false, serial, keyId);
        }

        await new AuditLog(session).AppendAsync(
            new AuditEvent
            {
                Id = Guid.NewGuid(),
                OccurredAt = now,
                Kind = AuditKinds.PinLockCleared,
                Actor = actor,
                Data = JsonSerializer.Serialize(new { tokenSerial = serial, keyId, reason = reason?.Trim() }),
            },
            ct);
        return new PinLockClearResult(true, serial, keyId);
    }
}
