using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ESeal.KeyHelper.Release;

namespace ESeal.Web.Pages.Download;

/// <summary>Bound from "Download".</summary>
public sealed class DownloadOptions
{
    public const string Section = "Download";

    /// <summary>
    /// Output folder of <c>keyhelper/packaging/publish.sh --out OUT</c>. Relative paths are resolved
    /// against the content root; empty means <c>&lt;content root&gt;/../artifacts/keyhelper</c>.
    /// </summary>
    public string? ReleaseDirectory { get; set; }

    /// <summary>
    /// PEM/DER files of the publisher's root certificate(s): the manifest's CMS signature must come from a
    /// code-signing certificate chaining to one of them. None configured → nothing is offered.
    /// </summary>
    public List<string> PublisherRootPaths { get; set; } = [];

    /// <summary>PKCS#11 modules of the agency's CA USBKEYs, per OS (<c>windows</c>, <c>linux</c>), written into the generated helper configuration.</summary>
    public Dictionary<string, List<string>> Pkcs11Modules { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>PEM certificate (optionally followed by its chain) and PEM private key the generated configuration is signed with.</summary>
    public string? ConfigSigningCertificatePath { get; set; }

    public string? ConfigSigningKeyPath { get; set; }
}

public enum ReleaseState
{
    /// <summary>No folder, or no <c>release-manifest.json</c> in it.</summary>
    NotPublished,

    /// <summary>A manifest exists but is not valid JSON in the keyhelper's format.</summary>
    ManifestUnreadable,

    Published,
}

public sealed record ReleaseFile(string Name, string Platform, long Size, string Sha256, FileState State)
{
    public string FileName => Name[(Name.LastIndexOf('/') + 1)..];
}

/// <summary>A configured publisher root as the page shows it.</summary>
public sealed record PublisherRoot(string Subject, string Sha256, string Pem);

public sealed record ReleaseSnapshot(
    ReleaseState State,
    SignatureVerdict Signature,
    string? Product,
    string? Version,
    string? Created,
    IReadOnlyList<ReleaseFile> Files,
    long ManifestSize,
    long SignatureSize,
    IReadOnlyList<PublisherRoot> PublisherRoots,
    string? PublisherRootError)
{
    /// <summary>Files are offered only when the manifest is readable and its CMS signature verified to a configured publisher root.</summary>
    public bool Trusted => State == ReleaseState.Published && Signature.IsVerified;
}

/// <summary>A file the download handler may send: its full path, content type and download name.</summary>
public sealed record ReleaseDownload(string FullPath, string ContentType, string FileName);

/// <summary>
/// Reads the key-helper release folder written by <c>keyhelper/packaging/publish.sh</c> in the format of
/// <see cref="ReleaseFormat"/> (the same code as the helper's <c>manifest verify</c>): the manifest, its CMS
/// detached signature (<c>release-manifest.json.p7s</c>) checked against <c>Download:PublisherRootPaths</c>,
/// and the files. No publisher root configured means nothing is offered (no "trusted by default").
/// The folder is read on every request (a new publish shows at once); file hashes are cached by path,
/// size and modification time, so 100 MB builds are hashed once.
/// </summary>
public sealed class KeyHelperReleaseCatalog
{
    public const string ManifestName = ReleaseFormat.ManifestName;
    public const string SignatureName = ReleaseFormat.SignatureName;

    private readonly ConcurrentDictionary<string, (long Length, DateTime Modified, string Hash)> hashes = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<string> rootPaths;
    private readonly TimeProvider clock;

    public KeyHelperReleaseCatalog(IConfiguration configuration, IWebHostEnvironment environment, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        this.clock = clock ?? TimeProvider.System;
        var options = configuration.GetSection(DownloadOptions.Section).Get<DownloadOptions>() ?? new DownloadOptions();
        var directory = string.IsNullOrWhiteSpace(options.ReleaseDirectory)
            ? Path.Combine(environment.ContentRootPath, "..", "artifacts", "keyhelper")
            : Path.Combine(environment.ContentRootPath, options.ReleaseDirectory);
        ReleaseDirectory = Path.GetFullPath(directory);
        rootPaths = [.. options.PublisherRootPaths.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => Path.GetFullPath(Path.Combine(environment.ContentRootPath, p)))];
    }

    public string ReleaseDirectory { get; }

    /// <summary>The configured publisher roots; empty (with an error text when a file is unreadable) when none can be used.</summary>
    public (X509Certificate2Collection Roots, string? Error) LoadRoots()
    {
        if (rootPaths.Count == 0)
        {
            return ([], null);
        }

        try
        {
            return (CustomRootChain.LoadCertificates(rootPaths), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return ([], "发布者根证书文件无法读取：" + string.Join("、", rootPaths.Select(Path.GetFileName)));
        }
    }

    public ReleaseSnapshot Read()
    {
        var manifestPath = Path.Combine(ReleaseDirectory, ManifestName);
        var signaturePath = Path.Combine(ReleaseDirectory, SignatureName);
        var (roots, rootError) = LoadRoots();
        var shownRoots = roots.Select(r => new PublisherRoot(
            r.GetNameInfo(X509NameType.SimpleName, false),
            Convert.ToHexStringLower(SHA256.HashData(r.RawData)),
            r.ExportCertificatePem())).ToList();
        if (!File.Exists(manifestPath))
        {
            return Empty(ReleaseState.NotPublished, shownRoots, rootError);
        }

        byte[] bytes;
        byte[]? signature;
        ReleaseManifest? manifest;
        try
        {
            bytes = File.ReadAllBytes(manifestPath);
            signature = File.Exists(signaturePath) ? File.ReadAllBytes(signaturePath) : null;
            manifest = ReleaseFormat.ParseManifest(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Empty(ReleaseState.ManifestUnreadable, shownRoots, rootError);
        }

        if (manifest is null)
        {
            return Empty(ReleaseState.ManifestUnreadable, shownRoots, rootError);
        }

        var verdict = DetachedSignature.Verify(bytes, signature, roots, clock.GetUtcNow());
        var files = manifest.Files
            .Select(f => new ReleaseFile(f.Name, PlatformOf(f.Name), f.Size, f.Sha256, ReleaseFormat.Check(ReleaseDirectory, f, HashOf)))
            .ToList();
        return new ReleaseSnapshot(
            ReleaseState.Published,
            verdict,
            manifest.Product,
            manifest.Version,
            manifest.Created,
            files,
            bytes.LongLength,
            signature?.LongLength ?? 0,
            shownRoots,
            rootError);
    }

    /// <summary>
    /// The file to send for <paramref name="name"/>, or null: only the manifest, its signature and
    /// names the manifest lists, only when the release is trusted and the file still matches it.
    /// </summary>
    public ReleaseDownload? Find(string? name)
    {
        if (!IsSafeName(name))
        {
            return null;
        }

        var snapshot = Read();
        if (snapshot.State != ReleaseState.Published)
        {
            return null;
        }

        if (name is ManifestName)
        {
            return Resolve(name, "application/json");
        }

        if (name is SignatureName)
        {
            return snapshot.SignatureSize > 0 ? Resolve(name, "application/pkcs7-signature") : null;
        }

        var file = snapshot.Files.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));
        if (file is null || file.State != FileState.Matches || !snapshot.Trusted)
        {
            return null;
        }

        return Resolve(name, ContentTypeOf(name));
    }

    private ReleaseDownload? Resolve(string name, string contentType)
    {
        var root = ReleaseDirectory.EndsWith(Path.DirectorySeparatorChar) ? ReleaseDirectory : ReleaseDirectory + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(ReleaseDirectory, name.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(root, StringComparison.Ordinal) || !File.Exists(full))
        {
            return null;
        }

        return new ReleaseDownload(full, contentType, Path.GetFileName(full));
    }

    /// <summary>Relative, '/'-separated, no empty, '.' or '..' segment, no backslash, colon or control character.</summary>
    public static bool IsSafeName([NotNullWhen(true)] string? name) => ReleaseFormat.IsSafeName(name);

    public static string PlatformOf(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? "" : name[..slash];
        if (first is "win-x64" or "linux-x64" or "win-arm64" or "linux-arm64" or "osx-x64" or "osx-arm64")
        {
            return first;
        }

        return name.EndsWith("_amd64.deb", StringComparison.Ordinal) ? "linux-x64" : "通用";
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".exe" or ".dll" => "application/vnd.microsoft.portable-executable",
        ".json" => "application/json",
        ".pem" or ".txt" or ".sig" => "text/plain; charset=utf-8",
        ".deb" => "application/vnd.debian.binary-package",
        ".p7s" => "application/pkcs7-signature",
        ".zip" => "application/zip",
        ".gz" or ".tgz" => "application/gzip",
        _ => "application/octet-stream",
    };

    private string HashOf(string fullPath)
    {
        var info = new FileInfo(fullPath);
        var modified = info.LastWriteTimeUtc;
        if (hashes.TryGetValue(info.FullName, out var cached) && cached.Length == info.Length && cached.Modified == modified)
        {
            return cached.Hash;
        }

        var hash = ReleaseFormat.HashFile(fullPath);
        hashes[info.FullName] = (info.Length, modified, hash);
        return hash;
    }

    private static ReleaseSnapshot Empty(ReleaseState state, IReadOnlyList<PublisherRoot> roots, string? rootError) =>
        new(state, new SignatureVerdict(SignatureStatus.SignatureMissing), null, null, null, [], 0, 0, roots, rootError);
}
