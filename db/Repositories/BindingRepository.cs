using ESeal.Db.Domain;
using ESeal.Db.Infrastructure;
using ESeal.Db.Protection;

namespace ESeal.Db.Repositories;

/// <summary>
/// Binding history. The holder's ID number and phone are kept encrypted (AES-GCM, with the
/// binding id as associated data), with a keyed hash for equality lookups and a masked copy for
/// screens; the plaintext columns of 0001 stay empty (migration 0003 and
/// <see cref="PlaintextHolderConversion"/>).
/// </summary>
public sealed class BindingRepository
{
    private const string Columns =
        """
        id, seal_id, medium_id, active, channel, bound_at, bound_by_instance_id, holder_name, holder_id_type,
        holder_id_number_masked AS HolderIdNumberMasked, holder_phone_masked AS HolderPhoneMasked,
        holder_id_number_enc AS HolderIdNumberProtected, holder_phone_enc AS HolderPhoneProtected,
        unbound_at, unbound_by_instance_id, unbind_reason, kiosk_id, kiosk_hall, kiosk_name, version
        """;

    private readonly ISqlSession db;
    private readonly PersonalDataProtector? personalData;

    /// <summary>Uses the session's (database's) personal-data protector when one is needed.</summary>
    public BindingRepository(ISqlSession db)
        : this(db, null)
    {
    }

    public BindingRepository(ISqlSession db, PersonalDataProtector? personalData)
    {
        ArgumentNullException.ThrowIfNull(db);
        this.db = db;
        this.personalData = personalData;
    }

    private PersonalDataProtector Protector => personalData ?? db.PersonalData
        ?? throw new InvalidOperationException("No personal-data protector: holder data is never stored in clear.");

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

    /// <summary>Bindings whose holder had this ID number (found by keyed hash, never by decrypting).</summary>
    public Task<IReadOnlyList<SealBinding>> FindByHolderIdNumberAsync(string idNumber, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(idNumber);
        var hash = Protector.Hash(HolderData.NormalizeIdNumber(idNumber), HolderData.IdNumberKind);
        return db.QueryAsync<SealBinding>(
            $"SELECT {Columns} FROM seal_bindings WHERE holder_id_number_hash = @hash ORDER BY bound_at, id", new { hash }, ct);
    }

    /// <summary>Bindings whose holder had this phone (found by keyed hash).</summary>
    public Task<IReadOnlyList<SealBinding>> FindByHolderPhoneAsync(string phone, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(phone);
        var hash = Protector.Hash(HolderData.NormalizePhone(phone), HolderData.PhoneKind);
        return db.QueryAsync<SealBinding>(
            $"SELECT {Columns} FROM seal_bindings WHERE holder_phone_hash = @hash ORDER BY bound_at, id", new { hash }, ct);
    }

    public Task InsertActiveAsync(Guid id, Guid sealId, Guid mediumId, string channel, DateTimeOffset boundAt, Guid? instanceId, SealHolder? holder, KioskRef? kiosk = null, CancellationToken ct = default)
    {
        var idNumber = holder?.IdNumber is { } n ? HolderData.NormalizeIdNumber(n) : null;
        var phone = holder?.Phone is { } p ? HolderData.NormalizePhone(p) : null;
        var protector = idNumber is null && phone is null ? null : Protector;
        return db.ExecuteAsync(
            """
            INSERT INTO seal_bindings (id, seal_id, medium_id, active, channel, bound_at, bound_by_instance_id,
                                       holder_name, holder_id_type,
                                       holder_id_number_enc, holder_id_number_hash, holder_id_number_masked,
                                       holder_phone_enc, holder_phone_hash, holder_phone_masked,
                                       kiosk_id, kiosk_hall, kiosk_name, version)
            VALUES (@id, @sealId, @mediumId, 1, @channel, @boundAt, @instanceId,
                    @holderName, @holderIdType,
                    @idNumberEnc, @idNumberHash, @idNumberMasked,
                    @phoneEnc, @phoneHash, @phoneMasked,
                    @kioskId, @kioskHall, @kioskName, 1)
            """,
            new
            {
                id,
                sealId,
                mediumId,
                channel,
                boundAt,
                instanceId,
                holderName = holder?.Name,
                holderIdType = holder?.IdType,
                idNumberEnc = protector?.Protect(idNumber, HolderData.IdNumberPurpose(id)),
                idNumberHash = protector?.Hash(idNumber, HolderData.IdNumberKind),
                idNumberMasked = idNumber is null ? null : Masking.IdNumber(idNumber),
                phoneEnc = protector?.Protect(phone, HolderData.PhonePurpose(id)),
                phoneHash = protector?.Hash(phone, HolderData.PhoneKind),
                phoneMasked = phone is null ? null : Masking.Phone(phone),
                kioskId = kiosk?.Id,
                kioskHall = kiosk?.Hall,
                kioskName = kiosk?.Name,
            },
            ct);
    }

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

    /// <summary>
    /// The holder in full. Back office only (roles that need the full ID number and phone); citizen
    /// pages use <see cref="SealBinding.HolderIdNumberMasked"/> and <see cref="SealBinding.HolderPhoneMasked"/>.
    /// Throws <see cref="System.Security.Cryptography.CryptographicException"/> when a value was tampered with.
    /// </summary>
    public static SealHolder? RevealHolder(SealBinding binding, PersonalDataProtector protector)
    {
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentNullException.ThrowIfNull(protector);
        if (binding.HolderName is null && binding.HolderIdNumberProtected is null && binding.HolderPhoneProtected is null)
        {
            return null;
        }

        return new SealHolder(
            binding.HolderName ?? string.Empty,
            binding.HolderIdType ?? string.Empty,
            binding.HolderIdNumberProtected is { } n ? protector.Reveal(n, HolderData.IdNumberPurpose(binding.Id)) : string.Empty,
            binding.HolderPhoneProtected is { } p ? protector.Reveal(p, HolderData.PhonePurpose(binding.Id)) : string.Empty);
    }
}

/// <summary>How the holder's ID number and phone are protected in seal_bindings: purposes, hash kinds, normal forms.</summary>
public static class HolderData
{
    public const string IdNumberKind = "holder_id_number";
    public const string PhoneKind = "holder_phone";

    /// <summary>Associated data of an encrypted ID number: the column and the binding it belongs to.</summary>
    public static string IdNumberPurpose(Guid bindingId) => $"seal_bindings.holder_id_number/{bindingId:D}";

    public static string PhonePurpose(Guid bindingId) => $"seal_bindings.holder_phone/{bindingId:D}";

    /// <summary>Hashes compare normal forms: an ID number in upper case without spaces.</summary>
    public static string NormalizeIdNumber(string idNumber)
    {
        ArgumentNullException.ThrowIfNull(idNumber);
        return idNumber.Trim().ToUpperInvariant();
    }

    /// <summary>The bare 11 digits of a mainland mobile number; anything else trimmed.</summary>
    public static string NormalizePhone(string phone)
    {
        ArgumentNullException.ThrowIfNull(phone);
        return MobilePhone.Normalize(phone) ?? phone.Trim();
    }
}
