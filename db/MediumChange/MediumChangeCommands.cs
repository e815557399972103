using System.Data.Common;
using System.Text.Json;
using ESeal.Db.Domain;
using ESeal.Db.Infrastructure;
using ESeal.Db.Receipts;
using ESeal.Db.Repositories;

namespace ESeal.Db.MediumChange;

public enum CommitError
{
    None,
    SealNotFound,
    KeyBoundToOtherSeal,
    AlreadyBoundToThisMedium,
    SealBoundToOtherMedium,
    KeyNotBound,
    PhoneHoldsOtherSeal,
    Conflict,
}

/// <summary>What a commit did; <see cref="Message"/> is the user-facing reason when it did nothing.</summary>
/// <param name="ReceiptCode">The 业务流水号 of the receipt the commit issued (SPEC §9), also on a repeat.</param>
public sealed record CommitOutcome(CommitError Error, string? Message, Guid? BindingId, Guid? SealId, DateTimeOffset? At, bool Repeated, string? ReceiptCode = null)
{
    public bool Succeeded => Error == CommitError.None;

    internal static CommitOutcome Fail(CommitError error, string message) => new(error, message, null, null, null, false);
}

/// <param name="TokenSerial">What the key helper reported: recorded for people to read, never an identity.</param>
/// <param name="Certificate">The certificate whose key the user proved: the medium is that key.</param>
/// <param name="ReleaseBindingId">
/// The seal's binding the user saw and confirmed releasing ("该印章已绑定其他介质…" → 确认), or null when
/// the seal was unbound when chosen. Only that binding is ever released.
/// </param>
public sealed record BindUsbKeyCommand(
    Guid OperationId,
    Guid? InstanceId,
    Guid EnterpriseId,
    Guid SealId,
    string TokenSerial,
    UsbKeyCertificate Certificate,
    SealHolder Holder,
    string Channel,
    Guid? ReleaseBindingId,
    string Actor,
    KioskRef? Kiosk = null);

/// <param name="KeyId">SHA-256 of the public key the user proved: the medium to unbind.</param>
/// <param name="CertificateSha256">The certificate that proved it (finds keys bound before key ids were recorded).</param>
public sealed record UnbindUsbKeyCommand(Guid OperationId, Guid? InstanceId, Guid EnterpriseId, string TokenSerial, string KeyId, string CertificateSha256, string Channel, string Actor, KioskRef? Kiosk = null);

public sealed record ClaimOnMobileCommand(Guid OperationId, Guid? InstanceId, Guid EnterpriseId, Guid SealId, string DeviceId, string Actor);

/// <summary>
/// Bind, unbind and claim: each one transaction that re-checks the one-to-one rule, writes the
/// binding, the seal status, the audit event and the outbox message, and remembers its operation
/// id so that a repeat changes nothing (ARCHITECTURE §5).
/// </summary>
public sealed class MediumChangeCommands(Database database, TimeProvider clock)
{
    public const string KeyBoundToOtherSealText = "该USBKEY已绑定其他印章，无法继续绑定。";
    public const string KeyNotBoundText = "该USBKEY未绑定印章，无需解绑。";
    /// <summary>
    /// The seal was bound elsewhere after the user chose it (another kiosk won), so nobody confirmed
    /// releasing that medium: the commit stops rather than take the seal away silently.
    /// </summary>
    public const string SealBoundToOtherMediumText = "该印章在您办理期间已绑定其他介质，本次绑定未生效。请返回重试，并在选择印章时确认是否改为绑定当前USBKEY。";
    public const string ConflictText = "印章或介质刚刚被其他操作修改，请返回重试。";

    public Task<CommitOutcome> BindUsbKeyAsync(BindUsbKeyCommand c, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(c);
        return RunAsync(c.OperationId, "Bind", async (db, now) =>
        {
            var seals = new SealRepository(db);
            var bindings = new BindingRepository(db);
            var seal = await seals.GetAsync(c.SealId, ct);
            if (seal is null || seal.EnterpriseId != c.EnterpriseId)
            {
                return CommitOutcome.Fail(CommitError.SealNotFound, "所选印章不属于该企业，请返回重新选择。");
            }

            var medium = await new MediumRepository(db).GetOrCreateUsbKeyAsync(c.Certificate, c.TokenSerial, now, ct);
            var ofMedium = await bindings.ActiveForMediumAsync(medium.Id, ct);
            if (ofMedium is not null)
            {
                return ofMedium.SealId == seal.Id
                    ? CommitOutcome.Fail(CommitError.AlreadyBoundToThisMedium, "该印章已绑定当前USBKEY，无需重复绑定。")
                    : CommitOutcome.Fail(CommitError.KeyBoundToOtherSeal, KeyBoundToOtherSealText);
            }

            var audit = new AuditLog(db);
            var ofSeal = await bindings.ActiveForSealAsync(seal.Id, ct);
            // The user confirmed releasing exactly one binding (or none). If the seal is held by any
            // other binding now — another kiosk committed in between — nobody confirmed taking it away.
            if (ofSeal?.Id != c.ReleaseBindingId)
            {
                return CommitOutcome.Fail(CommitError.SealBoundToOtherMedium, SealBoundToOtherMediumText);
            }

            if (ofSeal is not null)
            {
                if (!await bindings.CloseAsync(ofSeal.Id, ofSeal.Version, now, c.InstanceId, "ReleasedForRebind", ct))
                {
                    return CommitOutcome.Fail(CommitError.Conflict, ConflictText);
                }

                await audit.AppendAsync(Event(AuditKinds.ReleaseForRebind, c.Actor, now, seal, ofSeal.MediumId, c.InstanceId, new { bindingId = ofSeal.Id }), ct);
            }

            var bindingId = Guid.NewGuid();
            await bindings.InsertActiveAsync(bindingId, seal.Id, medium.Id, c.Channel, now, c.InstanceId, c.Holder, c.Kiosk, ct);
            if (!await seals.SetStatusAsync(seal.Id, SealStatus.UsbKey, seal.Version, now, ct))
            {
                return CommitOutcome.Fail(CommitError.Conflict, ConflictText);
            }

            var facts = new
            {
                bindingId,
                tokenSerial = c.TokenSerial,
                keyId = c.Certificate.KeyId,
                certificateSha256 = c.Certificate.Sha256,
                holderName = Masking.PersonName(c.Holder.Name),
                holderIdType = c.Holder.IdType,
                holderIdNumber = Masking.IdNumber(c.Holder.IdNumber),
                holderPhone = Masking.Phone(c.Holder.Phone),
                channel = c.Channel,
                kiosk = c.Kiosk is { } k ? new { id = k.Id, hall = k.Hall, name = k.Name } : null,
            };
            await audit.AppendAsync(Event(AuditKinds.Bind, c.Actor, now, seal, medium.Id, c.InstanceId, facts), ct);
            await Outbox(db, "seal.bound", c.OperationId, new { sealId = seal.Id, sealCode = seal.SealCode, enterpriseId = seal.EnterpriseId, medium = "UsbKey", tokenSerial = c.TokenSerial, certificateSha256 = c.Certificate.Sha256, at = now }, now, ct);
            var code = await IssueReceiptAsync(db, c.OperationId, bindingId, ReceiptActions.Bind, now, seal, c.Channel, c.Kiosk, Masking.PersonName(c.Holder.Name), c.Holder.IdType, Masking.IdNumber(HolderData.NormalizeIdNumber(c.Holder.IdNumber)), Masking.Phone(HolderData.NormalizePhone(c.Holder.Phone)), ct);
            return new CommitOutcome(CommitError.None, null, bindingId, seal.Id, now, false, code);
        }, ct);
    }

    public Task<CommitOutcome> UnbindUsbKeyAsync(UnbindUsbKeyCommand c, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(c);
        return RunAsync(c.OperationId, "Unbind", async (db, now) =>
        {
            var bindings = new BindingRepository(db);
            // The medium is the proved key, whatever serial the page reported.
            var medium = await new MediumRepository(db).FindUsbKeyAsync(c.KeyId, c.CertificateSha256, ct);
            var binding = medium is null ? null : await bindings.ActiveForMediumAsync(medium.Id, ct);
            var seals = new SealRepository(db);
            var seal = binding is null ? null : await seals.GetAsync(binding.SealId, ct);
            if (medium is null || binding is null || seal is null || seal.EnterpriseId != c.EnterpriseId)
            {
                return CommitOutcome.Fail(CommitError.KeyNotBound, KeyNotBoundText);
            }

            if (!await bindings.CloseAsync(binding.Id, binding.Version, now, c.InstanceId, "Unbind", ct) ||
                !await seals.SetStatusAsync(seal.Id, SealStatus.Unbound, seal.Version, now, ct))
            {
                return CommitOutcome.Fail(CommitError.Conflict, ConflictText);
            }

            await new AuditLog(db).AppendAsync(Event(AuditKinds.Unbind, c.Actor, now, seal, medium.Id, c.InstanceId, new { bindingId = binding.Id, tokenSerial = c.TokenSerial, keyId = c.KeyId, certificateSha256 = c.CertificateSha256, channel = c.Channel, kiosk = c.Kiosk is { } k ? new { id = k.Id, hall = k.Hall, name = k.Name } : null }), ct);
            await Outbox(db, "seal.unbound", c.OperationId, new { sealId = seal.Id, sealCode = seal.SealCode, enterpriseId = seal.EnterpriseId, tokenSerial = c.TokenSerial, certificateSha256 = c.CertificateSha256, at = now }, now, ct);
            // The holder on an unbind receipt is the one the ended binding recorded (masked there already).
            var code = await IssueReceiptAsync(db, c.OperationId, binding.Id, ReceiptActions.Unbind, now, seal, c.Channel, c.Kiosk, binding.HolderName is { } n ? Masking.PersonName(n) : null, binding.HolderIdType, binding.HolderIdNumberMasked, binding.HolderPhoneMasked, ct);
            return new CommitOutcome(CommitError.None, null, binding.Id, seal.Id, now, false, code);
        }, ct);
    }

    public Task<CommitOutcome> ClaimOnMobileAsync(ClaimOnMobileCommand c, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(c);
        return RunAsync(c.OperationId, "Claim", async (db, now) =>
        {
            var seals = new SealRepository(db);
            var bindings = new BindingRepository(db);
            var seal = await seals.GetAsync(c.SealId, ct);
            if (seal is null || seal.EnterpriseId != c.EnterpriseId)
            {
                return CommitOutcome.Fail(CommitError.SealNotFound, "所选印章不属于该企业，请返回重新选择。");
            }

            if (await bindings.ActiveForSealAsync(seal.Id, ct) is not null)
            {
                return CommitOutcome.Fail(CommitError.SealBoundToOtherMedium, "该印章已绑定介质，请先解绑后再在手机端领取。");
            }

            var medium = await new MediumRepository(db).GetOrCreateMobileAsync(c.DeviceId, now, ct);
            if (await bindings.ActiveForMediumAsync(medium.Id, ct) is not null)
            {
                return CommitOutcome.Fail(CommitError.PhoneHoldsOtherSeal, "该手机已领取其他印章，一部手机只能领取一枚印章。");
            }

            var bindingId = Guid.NewGuid();
            await bindings.InsertActiveAsync(bindingId, seal.Id, medium.Id, "Mobile", now, c.InstanceId, null, null, ct);
            if (!await seals.SetStatusAsync(seal.Id, SealStatus.Mobile, seal.Version, now, ct))
            {
                return CommitOutcome.Fail(CommitError.Conflict, ConflictText);
            }

            await new AuditLog(db).AppendAsync(Event(AuditKinds.Claim, c.Actor, now, seal, medium.Id, c.InstanceId, new { bindingId, deviceId = c.DeviceId }), ct);
            await Outbox(db, "seal.claimed", c.OperationId, new { sealId = seal.Id, sealCode = seal.SealCode, enterpriseId = seal.EnterpriseId, medium = "Mobile", at = now }, now, ct);
            var code = await IssueReceiptAsync(db, c.OperationId, bindingId, ReceiptActions.Claim, now, seal, "Mobile", null, null, null, null, null, ct);
            return new CommitOutcome(CommitError.None, null, bindingId, seal.Id, now, false, code);
        }, ct);
    }

    private async Task<CommitOutcome> RunAsync(Guid operationId, string kind, Func<DbSession, DateTimeOffset, Task<CommitOutcome>> work, CancellationToken ct)
    {
        try
        {
            await using var db = await database.BeginAsync(ct);
            var operations = new CommittedOperationRepository(db);
            if (await operations.FindAsync(operationId, ct) is { } done)
            {
                var sealId = done.BindingId is { } id ? (await new BindingRepository(db).GetAsync(id, ct))?.SealId : null;
                var receipt = await new ReceiptRepository(db).ForOperationAsync(operationId, ct);
                return new CommitOutcome(CommitError.None, null, done.BindingId, sealId, done.CommittedAt, true, receipt?.Code);
            }

            var now = clock.GetUtcNow();
            var outcome = await work(db, now);
            if (!outcome.Succeeded)
            {
                return outcome; // disposing rolls back whatever the failed attempt wrote
            }

            await operations.InsertAsync(operationId, kind, outcome.BindingId, now, ct);
            await db.CommitAsync(ct);
            return outcome;
        }
        catch (DbException ex) when (database.Dialect.IsUniqueViolation(ex))
        {
            // The other side of a race won at the unique index: nothing of ours was kept.
            return CommitOutcome.Fail(CommitError.Conflict, ConflictText);
        }
    }

    /// <summary>The receipt of this commit, in its transaction: a snapshot of the facts the success page shows.</summary>
    private static async Task<string> IssueReceiptAsync(DbSession db, Guid operationId, Guid bindingId, string action, DateTimeOffset now, Seal seal, string channel, KioskRef? kiosk, string? holderNameMasked, string? holderIdType, string? holderIdNumberMasked, string? holderPhoneMasked, CancellationToken ct)
    {
        var enterprise = await new EnterpriseRepository(db).GetAsync(seal.EnterpriseId, ct)
            ?? throw new InvalidOperationException("A seal's enterprise is missing.");
        var receipt = new Receipt
        {
            Code = ReceiptCode.New(),
            OperationId = operationId,
            BindingId = bindingId,
            Action = action,
            IssuedAt = now,
            EnterpriseName = enterprise.Name,
            CreditCode = enterprise.CreditCode,
            LegalRepName = enterprise.LegalRepName,
            SealType = seal.SealType,
            SealName = seal.Name,
            Channel = channel,
            KioskHall = kiosk?.Hall,
            KioskName = kiosk?.Name,
            HolderNameMasked = string.IsNullOrEmpty(holderNameMasked) ? null : holderNameMasked,
            HolderIdType = holderIdType,
            HolderIdNumberMasked = string.IsNullOrEmpty(holderIdNumberMasked) ? null : holderIdNumberMasked,
            HolderPhoneMasked = string.IsNullOrEmpty(holderPhoneMasked) ? null : holderPhoneMasked,
        };
        await new ReceiptRepository(db).InsertAsync(receipt, ct);
        return receipt.Code;
    }

    private static AuditEvent Event(string kind, string actor, DateTimeOffset now, Seal seal, Guid mediumId, Guid? instanceId, object facts) => new()
    {
        Id = Guid.NewGuid(),
        OccurredAt = now,
        Kind = kind,
        Actor = actor,
        EnterpriseId = seal.EnterpriseId,
        SealId = seal.Id,
        MediumId = mediumId,
        InstanceId = instanceId,
        Data = JsonSerializer.Serialize(facts),
    };

    private static Task Outbox(ISqlSession db, string kind, Guid operationId, object payload, DateTimeOffset now, CancellationToken ct) =>
        new OutboxRepository(db).EnqueueAsync(Guid.NewGuid(), kind, JsonSerializer.Serialize(payload), $"{kind}:{operationId:N}", now, ct);
}
