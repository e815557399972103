using System.Security.Cryptography.X509Certificates;

namespace ESeal.Workflows.Proof;

/// <summary>Whether a USBKEY certificate may be used at all, and why not.</summary>
public sealed record CertificateTrustVerdict(ProofFailure Failure, string Detail)
{
    public static readonly CertificateTrustVerdict Trusted = new(ProofFailure.None, string.Empty);

    public bool IsTrusted => Failure == ProofFailure.None;
}

/// <summary>
/// The one place that decides whether a certificate from a USBKEY is trusted: valid now, chains to
/// a configured CA root, allows digital signatures. Used when the key is detected (so an untrusted
/// certificate reveals nothing about any enterprise and cannot be used to count wrong PINs) and
/// again when the PIN proof is verified.
/// </summary>
public sealed class CertificateTrust(X509Certificate2Collection roots, TimeProvider clock)
{
    public CertificateTrustVerdict Evaluate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var now = clock.GetUtcNow();
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return new(ProofFailure.NotValidNow, "证书不在有效期内。");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // The certificate comes from the user: never fetch the issuer URLs it names (SSRF, slow requests).
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (roots.Count == 0 || !chain.Build(certificate))
        {
            return new(ProofFailure.UntrustedChain, "证书不是由受信任的CA签发。");
        }

        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
        {
            return new(ProofFailure.NoDigitalSignatureUsage, "证书不允许用于数字签名。");
        }

        return CertificateTrustVerdict.Trusted;
    }
}
