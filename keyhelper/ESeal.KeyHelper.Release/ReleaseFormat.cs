using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace ESeal.KeyHelper.Release;

public sealed record ManifestEntry(string Name, long Size, string Sha256);

public sealed record ReleaseManifest(string? Product, string? Version, string? Created, IReadOnlyList<ManifestEntry> Files);

public enum FileState
{
    Matches,
    Differs,
    Missing,
}

public sealed record CheckedFile(ManifestEntry Entry, FileState State);

/// <summary>A whole release folder checked: the manifest's signature, then every listed file.</summary>
public sealed record ReleaseVerification(SignatureVerdict Signature, ReleaseManifest? Manifest, IReadOnlyList<CheckedFile> Files)
{
    public bool IsValid => Signature.IsVerified && Manifest is not null && Files.All(f => f.State == FileState.Matches);
}

/// <summary>
/// The release folder written by <c>keyhelper/packaging/publish.sh</c>:
/// <c>release-manifest.json</c> (<c>{"product","version","created","files":[{"name","size","sha256"}]}</c>,
/// names relative with '/', ordinal order, indented, UTF-8 without BOM) and
/// <c>release-manifest.json.p7s</c> (DER CMS SignedData, detached, over the manifest's exact bytes).
/// The manifest is a function of the files, the version and <c>created</c> only, so two builds of
/// the same commit give the same bytes.
/// </summary>
public static class ReleaseFormat
{
    public const string Product = "ESeal.KeyHelper";
    public const string ManifestName = "release-manifest.json";
    public const string SignatureSuffix = ".p7s";
    public const string SignatureName = ManifestName + SignatureSuffix;

    /// <summary>Roots the helper uses for <c>config verify</c> when none is given: shipped next to the executable.</summary>
    public const string PublisherRootsFileName = "publisher-roots.pem";

    /// <summary>The manifest bytes for every file under <paramref name="directory"/> (except the manifest pair).</summary>
    public static byte[] CreateManifest(string directory, string version, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(version);
        var entries = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(path => (Path: path, Name: Path.GetRelativePath(directory, path).Replace('\\', '/')))
            .Where(f => f.Name is not ManifestName and not SignatureName)
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => new ManifestEntry(f.Name, new FileInfo(f.Path).Length, HashFile(f.Path)));
        return WriteManifest(new ReleaseManifest(Product, version, FormatTime(created), [.. entries]));
    }

    public static byte[] WriteManifest(ReleaseManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("product", manifest.Product);
            json.WriteString("version", manifest.Version);
            json.WriteString("created", manifest.Created);
            json.WriteStartArray("files");
            foreach (var file in manifest.Files)
            {
                json.WriteStartObject();
                json.WriteString("name", file.Name);
                json.WriteNumber("size", file.Size);
                json.WriteString("sha256", file.Sha256);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Null when the bytes are not a manifest in this format.</summary>
    public static ReleaseManifest? ParseManifest(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
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

            return new ReleaseManifest(Text(root, "product"), Text(root, "version"), Text(root, "created"), entries);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Checks the signature of <c>DIR/release-manifest.json</c> against <paramref name="publisherRoots"/>,
    /// then (only if it verified) each listed file's size and SHA-256.
    /// </summary>
    public static ReleaseVerification VerifyDirectory(string directory, X509Certificate2Collection publisherRoots, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var manifestPath = Path.Combine(directory, ManifestName);
        if (!File.Exists(manifestPath))
        {
            return new(new SignatureVerdict(SignatureStatus.FileMissing), null, []);
        }

        var bytes = File.ReadAllBytes(manifestPath);
        var signaturePath = Path.Combine(directory, SignatureName);
        var verdict = DetachedSignature.Verify(bytes, File.Exists(signaturePath) ? File.ReadAllBytes(signaturePath) : null, publisherRoots, now);
        var manifest = ParseManifest(bytes);
        if (!verdict.IsVerified || manifest is null)
        {
            return new(verdict, manifest, []);
        }

        var files = manifest.Files.Select(entry => new CheckedFile(entry, Check(directory, entry, HashFile))).ToList();
        return new(verdict, manifest, files);
    }

    /// <summary>Size and hash of one listed file under <paramref name="directory"/>; <paramref name="hash"/> lets a caller cache.</summary>
    public static FileState Check(string directory, ManifestEntry entry, Func<string, string> hash)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(hash);
        if (!IsSafeName(entry.Name))
        {
            return FileState.Missing;
        }

        var root = Path.GetFullPath(directory);
        var full = Path.GetFullPath(Path.Combine(root, entry.Name));
        var info = new FileInfo(full);
        if (!full.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !info.Exists)
        {
            return FileState.Missing;
        }

        if (info.Length != entry.Size)
        {
            return FileState.Differs;
        }

        try
        {
            return string.Equals(hash(full), entry.Sha256, StringComparison.OrdinalIgnoreCase) ? FileState.Matches : FileState.Differs;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return FileState.Missing;
        }
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

    public static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? Text(JsonElement root, string property) =>
        root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
