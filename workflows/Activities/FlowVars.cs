using System.Text.Json;
using ESeal.Db.Domain;
using ESeal.Db.Repositories;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities;

/// <summary>
/// The flow variables the activities share (all strings). Pages may read every key that does not
/// start with "_" through FlowView.Variables; holder ID number and phone arrive masked there.
/// </summary>
public static class FlowVars
{
    public const string TokenSerial = "tokenSerial";
    public const string TokenLabel = "tokenLabel";
    public const string Certificates = "certificates";
    public const string CertificateId = "certificateId";
    public const string CertSha256 = "certSha256";

    /// <summary>SHA-256 (hex) of the chosen certificate's public key: the medium's identity.</summary>
    public const string KeyId = "keyId";
    public const string CertSerial = "certSerial";
    public const string CertIssuer = "certIssuer";
    public const string CertSubject = "certSubject";
    public const string CertNotBefore = "certNotBefore";
    public const string CertNotAfter = "certNotAfter";

    /// <summary>Set at start by the web: Kiosk (an enrolled hall kiosk, with its id and names) or Web.</summary>
    public const string Channel = "channel";
    public const string KioskId = "kioskId";
    public const string KioskHall = "kioskHall";
    public const string KioskName = "kioskName";
    public const string EnterpriseId = "enterpriseId";
    public const string EnterpriseName = "enterpriseName";
    public const string CreditCode = "creditCode";
    public const string LegalRepName = "legalRepName";
    public const string HolderName = "holderName";
    public const string HolderIdType = "holderIdType";
    public const string HolderIdNumber = "holderIdNumber";
    public const string HolderPhone = "holderPhone";
    public const string SealId = "sealId";
    public const string SealType = "sealType";
    public const string SealName = "sealName";
    /// <summary>The seal's binding the user confirmed releasing (bind to a seal held by another medium), else absent.</summary>
    public const string ReleaseBindingId = "releaseBindingId";
    public const string DeviceId = "deviceId";
    public const string PinProvedCertSha256 = "pinProvedCertSha256";
    public const string PinProvedToken = "provedToken";
    public const string FaceTicket = "faceTicket";
    public const string FaceVerifiedEnterpriseId = "faceVerifiedEnterpriseId";
    public const string ResultAt = "resultAt";
    public const string BindingId = "bindingId";

    /// <summary>The 业务流水号 of the commit's receipt (SPEC §9): not personal, kept after the flow ends.</summary>
    public const string ReceiptCode = "receiptCode";
    public const string FailureReason = "failureReason";

    /// <summary>Masked copies kept after the flow ends (for the finished page and the receipt, SPEC §9).</summary>
    public const string HolderNameMasked = "holderNameMasked";
    public const string HolderIdNumberMasked = "holderIdNumberMasked";
    public const string HolderPhoneMasked = "holderPhoneMasked";

    /// <summary>
    /// Personal data a flow needs only while it runs, erased (in the transaction that ends the
    /// instance: Completed, Failed, Expired) so that it does not stay in flow_instances for ever
    /// (ARCHITECTURE §5): the holder's name, ID number and phone — the binding record keeps those,
    /// encrypted — and the key's certificate list, whose certificates can name natural persons and
    /// which no finished page needs. Kept: the enterprise facts the result page shows (name, credit
    /// code, legal representative — public registry facts SPEC §3/§4 require there), the holder's
    /// ID type (not identifying), the chosen certificate's hash/serial/issuer/subject (the medium
    /// record keeps them too) and masked copies of the holder (<see cref="HolderNameMasked"/> …).
    /// The legal representative's ID number is never a flow variable.
    /// </summary>
    public static readonly IReadOnlyList<string> Personal = [HolderName, HolderIdNumber, HolderPhone, Certificates];

    /// <summary>Erases <see cref="Personal"/>, keeping masked copies of the holder; true when something changed.</summary>
    public static bool ForgetPersonal(FlowVariables v)
    {
        ArgumentNullException.ThrowIfNull(v);
        if (!Personal.Any(k => v[k] is not null))
        {
            return false;
        }

        if (v[HolderName] is { } name)
        {
            v[HolderNameMasked] = Masking.PersonName(name);
        }

        if (v[HolderIdNumber] is { } idNumber)
        {
            v[HolderIdNumberMasked] = Masking.IdNumber(idNumber);
        }

        if (v[HolderPhone] is { } phone)
        {
            v[HolderPhoneMasked] = Masking.Phone(phone);
        }

        foreach (var key in Personal)
        {
            v[key] = null;
        }

        return true;
    }

    /// <summary>The same for a stored variables object (JSON of strings); the same text when nothing is personal.</summary>
    public static string ForgetPersonal(string variablesJson)
    {
        var values = JsonSerializer.Deserialize<Dictionary<string, string>>(variablesJson) ?? new Dictionary<string, string>(StringComparer.Ordinal);
        return ForgetPersonal(new FlowVariables(values)) ? JsonSerializer.Serialize(values) : variablesJson;
    }

    internal const string PinNonce = "_pinNonce";
    internal const string PinNonceExpires = "_pinNonceExpires";
    internal const string PinContext = "_pinContext";
    internal const string FaceState = "_faceState";

    /// <summary>The binding the "已绑定其他介质" dialog was shown for: confirming releases this one only.</summary>
    internal const string ReleaseOffered = "_releaseOffered";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A new key or certificate invalidates everything proved for the old one.</summary>
    internal static void ForgetProofs(FlowVariables v)
    {
        v[PinProvedCertSha256] = null;
        v[PinProvedToken] = null;
        v[FaceVerifiedEnterpriseId] = null;
        v[PinNonce] = null;
        v[PinContext] = null;
        v[PinNonceExpires] = null;
    }

    /// <summary>Fills the enterprise facts from the enterprise id (the claim flow starts with only the id).</summary>
    internal static async Task EnsureEnterpriseAsync(StepContext c)
    {
        if (c.Variables[EnterpriseName] is not null || c.Variables.Guid(EnterpriseId) is not { } id)
        {
            return;
        }

        var e = await c.ReadAsync(s => new EnterpriseRepository(s).GetAsync(id, c.CancellationToken));
        if (e is not null)
        {
            c.Variables[EnterpriseName] = e.Name;
            c.Variables[CreditCode] = e.CreditCode;
            c.Variables[LegalRepName] = e.LegalRepName;
        }
    }

    /// <summary>The channel the web recorded when the flow started; the definition's input for flows started before that.</summary>
    internal static string ChannelOf(FlowVariables v, string definitionChannel) => v[Channel] is { Length: > 0 } recorded ? recorded : definitionChannel;

    /// <summary>The hall kiosk the flow runs at, or null (Web, or a flow started before kiosks were recorded).</summary>
    internal static KioskRef? KioskOf(FlowVariables v) =>
        v[Channel] == "Kiosk" && v.Guid(KioskId) is { } id && v[KioskHall] is { } hall && v[KioskName] is { } name ? new KioskRef(id, hall, name) : null;

    internal static DateTimeOffset? InstantOrNull(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at) ? at : null;

    internal static string Instant(DateTimeOffset at) => at.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
