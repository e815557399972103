using System.Text.Json;
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
    public const string FailureReason = "failureReason";

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

    internal static string Instant(DateTimeOffset at) => at.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
