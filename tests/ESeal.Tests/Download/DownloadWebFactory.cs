using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ESeal.KeyHelper.Release;
using ESeal.TestPki;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ESeal.Tests.Download;

/// <summary>The real web, in-process, reading its key-helper release from a folder of the test's choosing.</summary>
public sealed class DownloadWebFactory(
    string releaseDirectory,
    string? publisherRootPath,
    string? publicOrigin = null,
    string? keyHelperOrigin = null,
    IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "eseal-tests", "download-" + Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(directory);
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("Database:ConnectionString", $"Data Source={Path.Combine(directory, "web.db")}");
        builder.UseSetting("Demo:Seed", "false");
        builder.UseSetting("Download:ReleaseDirectory", releaseDirectory);
        if (publisherRootPath is not null)
        {
            builder.UseSetting("Download:PublisherRootPaths:0", publisherRootPath);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
        if (publicOrigin is not null)
        {
            builder.UseSetting("Flows:Proof:PublicOrigin", publicOrigin);
        }

        if (keyHelperOrigin is not null)
        {
            builder.UseSetting("Web:KeyHelperOrigin", keyHelperOrigin);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// A temp folder laid out like <c>keyhelper/packaging/publish.sh</c>'s output, with a manifest written and
/// CMS-signed by the shared release library (the code the helper's <c>manifest sign</c> runs) with the test
/// publisher's code-signing certificate (<see cref="CodeSigning"/>), or with another CA's (the attacker's).
/// </summary>
public sealed class FakeRelease : IDisposable
{
    private static readonly Lazy<CodeSigningSummary> Publisher = new(() =>
        CodeSigning.Init(Path.Combine(Path.GetTempPath(), "eseal-tests", "publisher-" + Environment.ProcessId), withToken: false));

    public FakeRelease()
    {
        Root = Path.Combine(Path.GetTempPath(), "eseal-tests", "release-" + Guid.NewGuid().ToString("N"));
        Directory = Path.Combine(Root, "keyhelper");
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Root { get; }

    public string Directory { get; }

    public static CodeSigningSummary Pki => Publisher.Value;

    /// <summary>PEM of the publisher's root CA, for Download:PublisherRootPaths.</summary>
    public static string RootPath => Pki.RootCa;

    public byte[] Write(string name, int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }

    /// <summary>The files publish.sh leaves (single-file exe per RID plus its appsettings.json).</summary>
    public void WriteBuilds()
    {
        Write("linux-x64/ESeal.KeyHelper", 1_572_864 + 123, 1);
        Write("linux-x64/appsettings.json", 321, 2);
        Write("win-x64/ESeal.KeyHelper.exe", 2_345_678, 3);
        Write("win-x64/appsettings.json", 321, 4);
    }

    public void Sign(bool otherPublisher = false)
    {
        var manifest = ReleaseFormat.CreateManifest(Directory, "1.0.0", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var (certPath, keyPath) = otherPublisher ? (Pki.OtherCertificate, Pki.OtherKey) : (Pki.Certificate, Pki.Key);
        using var certificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        using var key = certificate.GetRSAPrivateKey()!;
        File.WriteAllBytes(Path.Combine(Directory, ReleaseFormat.ManifestName), manifest);
        File.WriteAllBytes(Path.Combine(Directory, ReleaseFormat.SignatureName), DetachedSignature.Sign(manifest, certificate, key, null, DateTimeOffset.UtcNow));
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
