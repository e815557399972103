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
/// a configured CA root, not revoked according to the CA's CRL, allows digital signatures. Used when
/// the key is detected (so an untrusted certificate reveals nothing about any enterprise and cannot
/// be used to count wrong PINs) and again when the PIN proof is verified.
/// </summary>
public sealed class CertificateTrust
{
    public const string RevokedText = "该证书已被CA吊销，不能用于办理。如USBKEY遗失或已更换，请联系CA。";
    public const string RevocationUnknownText = "暂时无法确认该证书是否已被吊销，请稍后重试或联系工作人员。";

    private readonly X509Certificate2Collection roots;
    private readonly TimeProvider clock;
    private readonly RevocationCheck revocation;

    /// <summary>Without CRLs: fails closed, every certificate is "revocation unknown".</summary>
    public CertificateTrust(X509Certificate2Collection roots, TimeProvider clock)
        : this(roots, clock, new CrlRevocationCheck(CrlStore.Empty, TimeSpan.Zero))
    {
    }

    public CertificateTrust(X509Certificate2Collection roots, TimeProvider clock, RevocationCheck revocation)
    {
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(revocation);
        this.roots = roots;
        this.clock = clock;
        this.revocation = revocation;
    }

    /// <summary>The configured CA certificates (a copy): the only ones whose CRLs are accepted.</summary>
    public X509Certificate2Collection Authorities => [.. roots];

    /// <summary>Roots from files (PEM or DER); revocation from the CRLs of <see cref="ProofOptions.Revocation"/>.</summary>
    public static CertificateTrust FromOptions(ProofOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        var roots = new X509Certificate2Collection();
        foreach (var path in options.CaRootPaths)
        {
            roots.Add(X509CertificateLoader.LoadCertificateFromFile(path));
        }

        var store = new CrlStore(options.Revocation.FilesToRead(), roots);
        return new CertificateTrust(roots, clock, new CrlRevocationCheck(store, options.Revocation.MaxCrlAge));
    }

    public CertificateTrustVerdict Evaluate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var now = clock.GetUtcNow();
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return new(ProofFailure.NotValidNow, "证书不在有效期内。");
        }

        // The one policy for chains to roots of our choosing (CustomRootChain, shared with the key
        // helper's release verification): custom roots only, and no downloads — the certificate comes
        // from the user, so the issuer URLs it names are never fetched (SSRF, slow requests).
        // Revocation is ours, against verified CRLs: on Linux X509Chain takes CRLs only from its
        // per-user download cache (no API to supply them, dotnet/runtime#104690).
        CertificateTrustVerdict? revoked = null;
        if (!ESeal.KeyHelper.Release.CustomRootChain.Build(certificate, roots, now, inspect: chain => revoked = RevocationOf(chain, now)))
        {
            return new(ProofFailure.UntrustedChain, "证书不是由受信任的CA签发。");
        }

        if (revoked is not null)
        {
            return revoked;
        }

        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
        {
            return new(ProofFailure.NoDigitalSignatureUsage, "证书不允许用于数字签名。");
        }

        return CertificateTrustVerdict.Trusted;
    }

    /// <summary>Every certificate below the trust anchor against its issuer's CRL; null when none is revoked or unknown.</summary>
    private CertificateTrustVerdict? RevocationOf(IReadOnlyList<X509Certificate2> chain, DateTimeOffset now)
    {
        var unknown = false;
        for (var i = 0; i < chain.Count - 1; i++)
        {
            switch (revocation.Check(chain[i], chain[i + 1], now))
            {
                case RevocationStatus.Revoked:
                    return new(ProofFailure.Revoked, RevokedText);
                case RevocationStatus.Unknown:
                    unknown = true;
                    break;
            }
        }

        return unknown ? new(ProofFailure.RevocationUnknown, RevocationUnknownText) : null;
    }
}
