using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ESeal.KeyHelper.Release;

/// <summary>
/// Builds an <see cref="X509Chain"/> to configured roots only (<see cref="X509ChainTrustMode.CustomRootTrust"/>):
/// the machine's store is never consulted, the certificate's issuer URLs are never fetched (it comes
/// from someone else's file), revocation is the caller's business. One policy for every chain the
/// project builds to roots of its own choosing (the publisher of the key helper here).
/// </summary>
public static class CustomRootChain
{
    /// <summary>Extended key usage "code signing" (1.3.6.1.5.5.7.3.3).</summary>
    public const string CodeSigningEku = "1.3.6.1.5.5.7.3.3";

    /// <summary>
    /// True when <paramref name="certificate"/> chains to one of <paramref name="roots"/> at
    /// <paramref name="time"/>; <paramref name="inspect"/> sees the built chain (leaf first) before
    /// it is disposed. <paramref name="intermediates"/> are extra certificates that may complete the
    /// chain (e.g. those carried in a CMS message), never trust anchors. <paramref name="requiredEku"/>
    /// is enforced as an application policy when given.
    /// </summary>
    public static bool Build(
        X509Certificate2 certificate,
        X509Certificate2Collection roots,
        DateTimeOffset time,
        X509Certificate2Collection? intermediates = null,
        string? requiredEku = null,
        Action<IReadOnlyList<X509Certificate2>>? inspect = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(roots);
        if (roots.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        if (intermediates is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        }

        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = time.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (requiredEku is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(requiredEku));
        }

        try
        {
            var built = chain.Build(certificate);
            if (built && inspect is not null)
            {
                inspect([.. chain.ChainElements.Select(e => e.Certificate)]);
            }

            return built;
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                if (!ReferenceEquals(element.Certificate, certificate))
                {
                    element.Certificate.Dispose();
                }
            }
        }
    }

    /// <summary>Every certificate of PEM (one or more blocks) or DER files; unreadable files throw.</summary>
    public static X509Certificate2Collection LoadCertificates(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var result = new X509Certificate2Collection();
        foreach (var path in paths)
        {
            var bytes = File.ReadAllBytes(path);
            var text = System.Text.Encoding.ASCII.GetString(bytes);
            if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                var found = new X509Certificate2Collection();
                found.ImportFromPem(text);
                if (found.Count == 0)
                {
                    throw new CryptographicException($"no certificate in {path}");
                }

                result.AddRange(found);
            }
            else
            {
                result.Add(X509CertificateLoader.LoadCertificate(bytes));
            }
        }

        return result;
    }
}
