using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;

namespace ESeal.Web.Pages.Download;

/// <summary>Bound from "Download".</summary>
public sealed class DownloadOptions
{
    public const string Section = "Download";

    /// <summary>
    /// Output folder of <c>keyhelper/packaging/publish.sh OUT KEY</c>. Relative paths are resolved
    /// against the content root; empty means <c>&lt;content root&gt;/../artifacts/keyhelper</c>.
    /// </summary>
    public string? ReleaseDirectory { get; set; }

    /// <summary>PEM public key (from <c>manifest keygen --public-key</c>) the manifest signature must verify with.</summary>
    public string? ReleasePublicKeyPath { get; set; }
}

public enum ReleaseState
{
    /// <summary>No folder, or no <c>release-manifest.json</c> in it.</summary>
    NotPublished,

    /// <summary>A manifest exists but is not valid JSON in the keyhelper's format.</summary>
    ManifestUnreadable,

    Published,
}

public enum SignatureState
{
    Verified,
    Invalid,
    SignatureMissing,
    NoPublicKeyConfigured,
    PublicKeyUnreadable,
}

public enum FileState
{
    Matches,
    Differs,
    Missing,
}

public sealed record ReleaseFile(string Name, string Platform, long Size, string Sha256, FileState State)
{
    public string FileName => Name[(Name.LastIndexOf('/') + 1)..];
}

public sealed record ReleaseSnapshot(
    ReleaseState State,
    SignatureState Signature,
    string? Product,
    string? Version,
    string? Created,
    IReadOnlyList<ReleaseFile> Files,
    long ManifestSize,
    long SignatureSize,
    string? PublicKeyPem,
    string? PublicKeySha256)
{
    /// <summary>Files may be offered only when the manifest is readable and its signature did not fail.</summary>
    public bool Trusted => State == ReleaseState.Published && Signature is SignatureState.Verified or SignatureState.NoPublicKeyConfigured;
}

/// <summary>A file the download handler may send: its full path, content type and download name.</summary>
public sealed record ReleaseDownload(string FullPath, string ContentType, string FileName);

/// <summary>
/// Reads the key-helper release folder written by <c>keyhelper/packaging/publish.sh</c>: the manifest
/// (<c>{"product","version","created","files":[{"name","size","sha256"}]}</c>, names relative with '/'),
/// its detached signature (base64 of raw r‖s, ECDSA P-256/SHA-256 over the manifest's exact bytes),
/// and the files themselves. The folder is read on every request (a new publish shows at once);
/// file hashes are cached by path, size and modification time, so 100 MB builds are hashed once.
/// </summary>
public sealed class KeyHelperReleaseCatalog
{
    public const string ManifestName = "release-manifest.json";
    public const string SignatureName = "release-manifest.json.sig";

    private readonly ConcurrentDictionary<string, (long Length, DateTime Modified, string Hash)> hashes = new(StringComparer.Ordinal);
    private readonly string? publicKeyPath;

    public KeyHelperReleaseCatalog(IConfiguration configuration, IWebHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var options = configuration.GetSection(DownloadOptions.Section).Get<DownloadOptions>() ?? new DownloadOptions();
        var directory = string.IsNullOrWhiteSpace(options.ReleaseDirectory)
            ? Path.Combine(environment.ContentRootPath, "..", "artifacts", "keyhelper")
            : Path.Combine(environment.ContentRootPath, options.ReleaseDirectory);
        ReleaseDirectory = Path.GetFullPath(directory);
        publicKeyPath = string.IsNullOrWhiteSpace(options.ReleasePublicKeyPath)
            ? null
            : Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.ReleasePublicKeyPath));
    }

    public string ReleaseDirectory { get; }

    public ReleaseSnapshot Read()
    {
        var manifestPath = Path.Combine(ReleaseDirectory, ManifestName);
        var signaturePath = Path.Combine(ReleaseDirectory, SignatureName);
        var (publicKeyPem, publicKeySha256) = ReadPublicKey();
        if (!File.Exists(manifestPath))
        {
            return Empty(ReleaseState.NotPublished, publicKeyPem, publicKeySha256);
        }

        byte[] bytes;
        ParsedManifest? manifest;
        try
        {
            bytes = File.ReadAllBytes(manifestPath);
            manifest = Parse(bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Empty(ReleaseState.ManifestUnreadable, publicKeyPem, publicKeySha256);
        }

        if (manifest is null)
        {
            return Empty(ReleaseState.ManifestUnreadable, publicKeyPem, publicKeySha256);
        }

        var signature = VerifySignature(bytes, signaturePath, publicKeyPem);
        var files = manifest.Files
            .Select(f => new ReleaseFile(f.Name, PlatformOf(f.Name), f.Size, f.Sha256, Check(f)))
            .ToList();
        return new ReleaseSnapshot(
            ReleaseState.Published,
            signature,
            manifest.Product,
            manifest.Version,
            manifest.Created,
            files,
            bytes.LongLength,
            File.Exists(signaturePath) ? new FileInfo(signaturePath).Length : 0,
            publicKeyPem,
            publicKeySha256);
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
            return snapshot.SignatureSize > 0 ? Resolve(name, "text/plain; charset=utf-8") : null;
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
    public static bool IsSafeName([NotNullWhen(true)] string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 260 || name.StartsWith('/'))
        {
            return false;
        }

        if (name.Any(c => char.IsControl(c) || c is '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|'))
        {
            return false;
        }

        return name.Split('/').All(segment => segment.Length > 0 && segment is not "." and not "..");
    }

    public static string PlatformOf(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? "" : name[..slash];
        return first is "win-x64" or "linux-x64" or "win-arm64" or "linux-arm64" or "osx-x64" or "osx-arm64" ? first : "通用";
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".exe" or ".dll" => "application/vnd.microsoft.portable-executable",
        ".json" => "application/json",
        ".pem" or ".txt" or ".sig" => "text/plain; charset=utf-8",
        ".zip" => "application/zip",
        ".gz" or ".tgz" => "application/gzip",
        _ => "application/octet-stream",
    };

    private FileState Check(ManifestEntry entry)
    {
        if (!IsSafeName(entry.Name))
        {
            return FileState.Missing;
        }

        var full = Path.GetFullPath(Path.Combine(ReleaseDirectory, entry.Name));
        var info = new FileInfo(full);
        if (!full.StartsWith(ReleaseDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !info.Exists)
        {
            return FileState.Missing;
        }

        if (info.Length != entry.Size)
        {
            return FileState.Differs;
        }

        try
        {
            return string.Equals(HashOf(info), entry.Sha256, StringComparison.OrdinalIgnoreCase) ? FileState.Matches : FileState.Differs;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return FileState.Missing;
        }
    }

    private string HashOf(FileInfo info)
    {
        var modified = info.LastWriteTimeUtc;
        if (hashes.TryGetValue(info.FullName, out var cached) && cached.Length == info.Length && cached.Modified == modified)
        {
            return cached.Hash;
        }

        using var stream = info.OpenRead();
        var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        hashes[info.FullName] = (info.Length, modified, hash);
        return hash;
    }

    private SignatureState VerifySignature(byte[] manifest, string signaturePath, string? publicKeyPem)
    {
        if (!File.Exists(signaturePath))
        {
            return SignatureState.SignatureMissing;
        }

        if (publicKeyPath is null)
        {
            return SignatureState.NoPublicKeyConfigured;
        }

        if (publicKeyPem is null)
        {
            return SignatureState.PublicKeyUnreadable;
        }

        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(publicKeyPem);
            var signature = Convert.FromBase64String(File.ReadAllText(signaturePath).Trim());
            return key.VerifyData(manifest, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
                ? SignatureState.Verified
                : SignatureState.Invalid;
        }
        catch (FormatException)
        {
            return SignatureState.Invalid;
        }
        catch (ArgumentException)
        {
            return SignatureState.PublicKeyUnreadable;
        }
        catch (CryptographicException)
        {
            return SignatureState.PublicKeyUnreadable;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return SignatureState.Invalid;
        }
    }

    private (string? Pem, string? Sha256) ReadPublicKey()
    {
        if (publicKeyPath is null || !File.Exists(publicKeyPath))
        {
            return (null, null);
        }

        try
        {
            var pem = File.ReadAllText(publicKeyPath).Trim();
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            return (pem, Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo())));
        }
        catch (Exception e) when (e is IOException or ArgumentException or CryptographicException)
        {
            return (null, null);
        }
    }

    private static ReleaseSnapshot Empty(ReleaseState state, string? publicKeyPem, string? publicKeySha256) =>
        new(state, SignatureState.SignatureMissing, null, null, null, [], 0, 0, publicKeyPem, publicKeySha256);

    private static ParsedManifest? Parse(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var entries = new List<ManifestEntry>();
            foreach (var file in files.EnumerateArray())
            {
                if (file.ValueKind != JsonValueKind.Object
                    || !file.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                    || !file.TryGetProperty("size", out var size) || !size.TryGetInt64(out var length)
                    || !file.TryGetProperty("sha256", out var sha) || sha.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                entries.Add(new ManifestEntry(name.GetString()!, length, sha.GetString()!));
            }

            return new ParsedManifest(Text(root, "product"), Text(root, "version"), Text(root, "created"), entries);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement root, string property) =>
        root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed record ManifestEntry(string Name, long Size, string Sha256);

    private sealed record ParsedManifest(string? Product, string? Version, string? Created, IReadOnlyList<ManifestEntry> Files);
}
