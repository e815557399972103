using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ESeal.Db.Domain;

namespace ESeal.Workflows.Proof;

/// <summary>Bound from "Flows:Proof".</summary>
public sealed class ProofOptions
{
    public const string Section = "Flows:Proof";

    /// <summary>The portal's public origin exactly as browsers send it in Origin (scheme://host[:port]).</summary>
    public string PublicOrigin { get; set; } = "https://localhost:5001";

    /// <summary>Files (PEM or DER) of the CA roots a USBKEY certificate must chain to.</summary>
    public IList<string> CaRootPaths { get; set; } = [];

    /// <summary>"Flows:Proof:Revocation": where the CA's CRLs come from and how old they may be.</summary>
    public RevocationOptions Revocation { get; set; } = new();
}

/// <summary>What the page posts after the key helper signed: the helper's answer unchanged.</summary>
public sealed record PostedProof(string Algorithm, string Signature, string Certificate);

/// <summary>What the server expects, rebuilt from its own state (never from the request body).</summary>
public sealed record ProofExpectation(string Nonce, string Context, string CreditCode, string CertificateSha256);

public enum ProofFailure
{
    None,
    Malformed,
    WrongCertificate,
    BadSignature,
    UntrustedChain,
    NotValidNow,
    NoDigitalSignatureUsage,
    WrongEnterprise,

    /// <summary>Listed in the issuing CA's current CRL (a lost or replaced USBKEY).</summary>
    Revoked,

    /// <summary>No usable CRL of the issuing CA (missing, stale, not signed by it): not trusted, try later.</summary>
    RevocationUnknown,
}

public sealed record ProofVerification(ProofFailure Failure, string Detail)
{
    public bool Succeeded => Failure == ProofFailure.None;
}

/// <summary>
/// Verifies a PIN proof (ARCHITECTURE §4): the signature over
/// ASCII("ESEAL-PROOF-V1") ‖ SHA256(origin) ‖ SHA256(nonce) ‖ SHA256(context) with the server's
/// configured origin, by the chosen certificate, which must chain to a configured root, be valid
/// now, allow digital signatures and name the instance's enterprise.
/// </summary>
public sealed class ProofVerifier
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("ESEAL-PROOF-V1");
    private readonly string origin;

    /// <summary>Without CRLs: every certificate is refused as "revocation unknown" (fail closed).</summary>
    public ProofVerifier(string publicOrigin, X509Certificate2Collection caRoots, TimeProvider clock)
        : this(publicOrigin, new CertificateTrust(caRoots, clock))
    {
    }

    public ProofVerifier(string publicOrigin, X509Certificate2Collection caRoots, TimeProvider clock, RevocationCheck revocation)
        : this(publicOrigin, new CertificateTrust(caRoots, clock, revocation))
    {
    }

    public ProofVerifier(string publicOrigin, CertificateTrust trust)
    {
        origin = publicOrigin;
        Trust = trust;
    }

    /// <summary>The portal's public origin: what every signature from the key helper is bound to.</summary>
    public string Origin => origin;

    /// <summary>The chain, validity and usage rules, shared with the key-detection step.</summary>
    public CertificateTrust Trust { get; }

    public static ProofVerifier FromOptions(ProofOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ProofVerifier(options.PublicOrigin, CertificateTrust.FromOptions(options, clock));
    }

    public static byte[] ToBeSigned(string origin, string nonce, string context)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(nonce);
        ArgumentNullException.ThrowIfNull(context);
        return [.. Magic, .. SHA256.HashData(Encoding.UTF8.GetBytes(origin)), .. SHA256.HashData(Encoding.UTF8.GetBytes(nonce)), .. SHA256.HashData(Encoding.UTF8.GetBytes(context))];
    }

    /// <summary>The context string the helper signs: every fact the proof must be bound to.</summary>
    public static string Context(string action, Guid instanceId, string creditCode, Guid? sealId, string tokenSerial, string certificateSha256) =>
        $"eseal-proof/1;action={action};instance={instanceId:D};enterprise={creditCode};seal={(sealId is { } s ? s.ToString("D") : "-")};token={tokenSerial};cert={certificateSha256}";

    public static string NewNonce() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Sha256Hex(byte[] der) => Convert.ToHexStringLower(SHA256.HashData(der));

    /// <summary>The key's identity: SHA-256 (hex) of the certificate's SubjectPublicKeyInfo. A CA renewal on the same key keeps it.</summary>
    public static string KeyIdOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    public ProofVerification Verify(PostedProof proof, ProofExpectation expected)
    {
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(expected);
        byte[] signature;
        X509Certificate2 certificate;
        try
        {
            signature = Convert.FromBase64String(proof.Signature);
            certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(proof.Certificate));
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return new(ProofFailure.Malformed, "签名或证书不是有效的Base64/DER数据。");
        }

        using (certificate)
        {
            if (!string.Equals(Sha256Hex(certificate.RawData), expected.CertificateSha256, StringComparison.OrdinalIgnoreCase))
            {
                return new(ProofFailure.WrongCertificate, "签名所用证书不是此前选择的证书。");
            }

            var data = ToBeSigned(origin, expected.Nonce, expected.Context);
            var valid = proof.Algorithm switch
            {
                "RS256" => certificate.GetRSAPublicKey() is { } rsa && Using(rsa, k => k.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)),
                "ES256" => certificate.GetECDsaPublicKey() is { } ec && Using(ec, k => k.KeySize == 256 && k.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
                _ => false,
            };
            if (!valid)
            {
                return new(ProofFailure.BadSignature, "签名校验未通过（挑战、来源或业务信息不一致，或签名已被使用）。");
            }

            var trusted = Trust.Evaluate(certificate);
            if (!trusted.IsTrusted)
            {
                return new(trusted.Failure, trusted.Detail);
            }

            if (!string.Equals(CertificateReader.CreditCodeOf(certificate), expected.CreditCode, StringComparison.OrdinalIgnoreCase))
            {
                return new(ProofFailure.WrongEnterprise, "证书所属企业与本次业务的企业不一致。");
            }

            return new(ProofFailure.None, string.Empty);
        }
    }

    private static bool Using<T>(T key, Func<T, bool> check)
        where T : IDisposable
    {
        using (key)
        {
            return check(key);
        }
    }
}

/// <summary>Reads the facts the server needs from a USBKEY certificate.</summary>
public static class CertificateReader
{
    private const string OrganizationIdentifier = "2.5.4.97";
    private const string SerialNumber = "2.5.4.5";

    /// <summary>The unified social credit code from the subject (2.5.4.97, else 2.5.4.5), or null.</summary>
    public static string? CreditCodeOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        foreach (var oid in new[] { OrganizationIdentifier, SerialNumber })
        {
            foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
            {
                if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == oid && rdn.GetSingleElementValue() is { } value)
                {
                    var code = Extract(value.Trim());
                    if (code is not null)
                    {
                        return code;
                    }
                }
            }
        }

        return null;
    }

    // Some CAs prefix the code (e.g. "NTRCN-"); take the valid 18-character code at the end.
    private static string? Extract(string value)
    {
        if (CreditCode.IsValid(value))
        {
            return value.ToUpperInvariant();
        }

        return value.Length > 18 && CreditCode.IsValid(value[^18..]) ? value[^18..].ToUpperInvariant() : null;
    }

    public static string CommonName(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
    }
}
