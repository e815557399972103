using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ESeal.Workflows.Proof;

public enum CrlMode
{
    /// <summary>URL sources are fetched by the CRL job into the cache directory; file sources are read as they are.</summary>
    Online,

    /// <summary>Nothing is fetched: only the configured files are read (kept current by the agency's own means).</summary>
    Offline,
}

/// <summary>Bound from "Flows:Proof:Revocation".</summary>
public sealed class RevocationOptions
{
    public const string Section = "Flows:Proof:Revocation";

    /// <summary>
    /// The CA's CRLs as the agency configures them: file paths and/or http(s) URLs. Never the
    /// distribution points named in a user's certificate (the user chooses those).
    /// </summary>
    public IList<string> CrlSources { get; set; } = [];

    /// <summary>How long after its nextUpdate a CRL is still used (a CA publishing late, a fetch failing for a while).</summary>
    public TimeSpan MaxCrlAge { get; set; } = TimeSpan.FromDays(1);

    public CrlMode Mode { get; set; } = CrlMode.Online;

    /// <summary>Where the CRL job writes what it fetched (one file per URL). Shared by every web node.</summary>
    public string CacheDirectory { get; set; } = "App_Data/crl-cache";

    public int FetchTimeoutSeconds { get; set; } = 30;

    public static bool IsUrl(string source) =>
        Uri.TryCreate(source, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    public IEnumerable<string> UrlSources => CrlSources.Where(IsUrl);

    public IEnumerable<string> FileSources => CrlSources.Where(s => !string.IsNullOrWhiteSpace(s) && !IsUrl(s));

    /// <summary>The cache file of one URL source: named by the URL's hash, so a changed URL never reads an old file.</summary>
    public string CachePath(string url) =>
        Path.Combine(CacheDirectory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..32] + ".crl");

    /// <summary>The files the trust check reads: the file sources, and in Online mode the cache files of the URL sources.</summary>
    public IReadOnlyList<string> FilesToRead() =>
        Mode == CrlMode.Offline ? [.. FileSources] : [.. FileSources, .. UrlSources.Select(CachePath)];
}

public enum RevocationStatus
{
    Good,
    Revoked,
    Unknown,
}

/// <summary>Whether a certificate issued by <c>issuer</c> is revoked, as of <c>now</c>.</summary>
public abstract class RevocationCheck
{
    /// <summary>
    /// Test-only: revocation is not checked at all. For tests that are not about revocation and have
    /// no CRL; never the default of anything, never configurable.
    /// </summary>
    public static RevocationCheck NotCheckedForTestsOnly { get; } = new NotChecked();

    public abstract RevocationStatus Check(X509Certificate2 certificate, X509Certificate2 issuer, DateTimeOffset now);

    private sealed class NotChecked : RevocationCheck
    {
        public override RevocationStatus Check(X509Certificate2 certificate, X509Certificate2 issuer, DateTimeOffset now) => RevocationStatus.Good;
    }
}

/// <summary>
/// Revocation from the newest verified CRL of the issuer. Fails closed: no CRL, a CRL not yet valid,
/// or one whose nextUpdate passed more than <c>maxCrlAge</c> ago gives <see cref="RevocationStatus.Unknown"/>.
/// A certificate listed in the newest CRL is revoked however old that CRL is.
/// </summary>
public sealed class CrlRevocationCheck(CrlStore store, TimeSpan maxCrlAge) : RevocationCheck
{
    // Clocks of the CA and of this server differ a little.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public override RevocationStatus Check(X509Certificate2 certificate, X509Certificate2 issuer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var crl = store.NewestFor(issuer);
        if (crl is null)
        {
            return RevocationStatus.Unknown;
        }

        if (crl.IsRevoked(certificate))
        {
            return RevocationStatus.Revoked;
        }

        var isCa = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault()?.CertificateAuthority == true;
        if (crl.OnlyUserCertificates && isCa)
        {
            return RevocationStatus.Unknown;
        }

        // Without nextUpdate the CA promises nothing: the CRL counts as due at once.
        var due = crl.NextUpdate ?? crl.ThisUpdate;
        if (crl.ThisUpdate > now + ClockSkew || now > due + maxCrlAge)
        {
            return RevocationStatus.Unknown;
        }

        return RevocationStatus.Good;
    }
}

/// <summary>
/// The CRLs in a fixed list of files, each read, parsed and signature-checked against the configured
/// CA certificates once per version of the file (its write time and length); a changed file is read
/// again on the next lookup. Files that are missing, unreadable, malformed or not signed by a
/// configured CA are ignored.
/// </summary>
public sealed class CrlStore(IReadOnlyList<string> files, X509Certificate2Collection authorities)
{
    private readonly ConcurrentDictionary<string, Loaded> loaded = new(StringComparer.Ordinal);

    /// <summary>No CRL at all: every lookup finds nothing, so every certificate is "revocation unknown".</summary>
    public static CrlStore Empty { get; } = new([], []);

    public IReadOnlyList<string> Files { get; } = files;

    /// <summary>The verified CRL of <paramref name="issuer"/> with the latest thisUpdate, or null.</summary>
    public RevocationList? NewestFor(X509Certificate2 issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var issuerHash = Convert.ToHexString(SHA256.HashData(issuer.RawData));
        RevocationList? newest = null;
        foreach (var path in Files)
        {
            if (Load(path) is { Crl: { } crl, SignerHash: { } signer }
                && signer == issuerHash
                && (newest is null || crl.ThisUpdate > newest.ThisUpdate))
            {
                newest = crl;
            }
        }

        return newest;
    }

    /// <summary>Reads and verifies a CRL: the CA certificate that signed it among <paramref name="candidates"/>, or null.</summary>
    public static (RevocationList? Crl, X509Certificate2? Signer) Verify(byte[] data, X509Certificate2Collection candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        RevocationList crl;
        try
        {
            crl = RevocationList.Parse(data);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return (null, null);
        }

        var signer = candidates.FirstOrDefault(crl.IsSignedBy);
        return signer is null ? (null, null) : (crl, signer);
    }

    private Loaded? Load(string path)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (!info.Exists)
            {
                loaded.TryRemove(path, out _);
                return null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }

        if (loaded.TryGetValue(path, out var known) && known.WrittenAt == info.LastWriteTimeUtc && known.Length == info.Length)
        {
            return known;
        }

        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var (crl, signer) = Verify(data, authorities);
        var entry = new Loaded(info.LastWriteTimeUtc, info.Length, crl, signer is null ? null : Convert.ToHexString(SHA256.HashData(signer.RawData)));
        loaded[path] = entry;
        return entry;
    }

    private sealed record Loaded(DateTime WrittenAt, long Length, RevocationList? Crl, string? SignerHash);
}
