namespace ESeal.Db.Repositories;

public enum SealStatus
{
    /// <summary>未绑定介质.</summary>
    Unbound,

    /// <summary>已绑定USBKEY.</summary>
    UsbKey,

    /// <summary>已绑定手机.</summary>
    Mobile,
}

public enum MediumKind
{
    UsbKey,
    Mobile,
}

public static class SealStatusText
{
    public static string Label(SealStatus status) => status switch
    {
        SealStatus.Unbound => "未绑定介质",
        SealStatus.UsbKey => "已绑定USBKEY",
        SealStatus.Mobile => "已绑定手机",
        _ => status.ToString(),
    };
}

public sealed class Enterprise
{
    public Guid Id { get; init; }

    public required string CreditCode { get; init; }

    public required string Name { get; init; }

    public required string LegalRepName { get; init; }

    public required string LegalRepIdNumber { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

public sealed class Seal
{
    public Guid Id { get; init; }

    public Guid EnterpriseId { get; init; }

    public required string SealCode { get; init; }

    /// <summary>单位公章, 财务专用章, 合同专用章, 发票专用章, 法定代表人名章 …</summary>
    public required string SealType { get; init; }

    public required string Name { get; init; }

    public string? ImpressionSvg { get; init; }

    public SealStatus Status { get; init; }

    public int Version { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed class Medium
{
    public Guid Id { get; init; }

    public MediumKind Kind { get; init; }

    /// <summary>
    /// A USBKEY's identity: "key:" + <see cref="KeyId"/> (rows from before migration 0002 keep the
    /// serial they were bound with); a phone's device id.
    /// </summary>
    public required string Identifier { get; init; }

    /// <summary>SHA-256 (hex) of the SubjectPublicKeyInfo of the key that proved possession; null for phones and old rows.</summary>
    public string? KeyId { get; init; }

    /// <summary>The token serial the key helper reported: for people to read, never for deciding who holds what.</summary>
    public string? TokenSerial { get; init; }

    public string? CertSha256 { get; init; }

    public string? CertSerial { get; init; }

    public string? CertIssuer { get; init; }

    public string? CertSubject { get; init; }

    public DateTimeOffset? CertNotBefore { get; init; }

    public DateTimeOffset? CertNotAfter { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>The certificate that proved possession of a USBKEY; <paramref name="KeyId"/> is the SHA-256 (hex) of its public key.</summary>
/// <param name="NotBefore">Validity of the certificate (null where the caller does not know it, e.g. test setup).</param>
public sealed record UsbKeyCertificate(string Sha256, string KeyId, string Serial, string Issuer, string Subject, DateTimeOffset? NotBefore = null, DateTimeOffset? NotAfter = null);

/// <summary>The hall kiosk a binding was made at (a snapshot of its names); null for the Web channel.</summary>
public sealed record KioskRef(Guid Id, string Hall, string Name);

public sealed class SealBinding
{
    public Guid Id { get; init; }

    public Guid SealId { get; init; }

    public Guid MediumId { get; init; }

    public bool Active { get; init; }

    /// <summary>Kiosk, Web or Mobile.</summary>
    public required string Channel { get; init; }

    /// <summary>Channel Kiosk: the hall kiosk (id and its names when the binding was made).</summary>
    public Guid? KioskId { get; init; }

    public string? KioskHall { get; init; }

    public string? KioskName { get; init; }

    public DateTimeOffset BoundAt { get; init; }

    public Guid? BoundByInstanceId { get; init; }

    public string? HolderName { get; init; }

    public string? HolderIdType { get; init; }

    /// <summary>For screens and logs, e.g. 110105********002X (the full number is only encrypted).</summary>
    public string? HolderIdNumberMasked { get; init; }

    /// <summary>For screens and logs, e.g. 138****8000.</summary>
    public string? HolderPhoneMasked { get; init; }

    /// <summary>AES-GCM ciphertext (PersonalDataProtector); back office only, see <see cref="BindingRepository.RevealHolder"/>.</summary>
    public string? HolderIdNumberProtected { get; init; }

    /// <summary>AES-GCM ciphertext (PersonalDataProtector); back office only.</summary>
    public string? HolderPhoneProtected { get; init; }

    public DateTimeOffset? UnboundAt { get; init; }

    public Guid? UnboundByInstanceId { get; init; }

    public string? UnbindReason { get; init; }

    public int Version { get; init; }
}

/// <summary>持章人 recorded at binding.</summary>
public sealed record SealHolder(string Name, string IdType, string IdNumber, string Phone);

public enum PinCounterScope
{
    /// <summary>Reports signed by an enrolled key helper: the token itself refused the PIN. Holds everywhere.</summary>
    Key,

    /// <summary>What one browser session said without proof: binds that session only.</summary>
    Session,
}

/// <summary>Consecutive wrong PINs for one key, key-wide or within one browser session.</summary>
public sealed class PinCounter
{
    public required string CounterKey { get; init; }

    public required string KeyId { get; init; }

    public PinCounterScope Scope { get; init; }

    public required string TokenSerial { get; init; }

    public int FailedAttempts { get; init; }

    public DateTimeOffset? LastFailedAt { get; init; }

    public DateTimeOffset? LockedAt { get; init; }

    public DateTimeOffset? ClearedAt { get; init; }

    public string? ClearedBy { get; init; }

    public int Version { get; init; }

    public bool IsLocked => LockedAt is not null;
}

/// <summary>A key helper (kiosk PC) whose signed wrong-PIN reports the portal believes.</summary>
public sealed class EnrolledHelper
{
    public required string KeyId { get; init; }

    /// <summary>Base64 SubjectPublicKeyInfo (ECDSA P-256) of the helper's report key.</summary>
    public required string PublicKey { get; init; }

    public required string Hall { get; init; }

    public required string Kiosk { get; init; }

    public DateTimeOffset EnrolledAt { get; init; }

    public required string EnrolledBy { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public string? RevokedBy { get; init; }
}

public sealed class OutboxMessage
{
    public Guid Id { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public required string Kind { get; init; }

    public required string Payload { get; init; }

    public required string IdempotencyKey { get; init; }

    public int Attempts { get; init; }

    public DateTimeOffset NextAttemptAt { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }

    public string? LastError { get; init; }

    public int Version { get; init; }
}
