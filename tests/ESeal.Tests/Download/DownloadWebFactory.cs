using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ESeal.Tests.Download;

/// <summary>The real web, in-process, reading its key-helper release from a folder of the test's choosing.</summary>
public sealed class DownloadWebFactory(string releaseDirectory, string? publicKeyPath, string? publicOrigin = null, string? keyHelperOrigin = null) : WebApplicationFactory<Program>
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
        builder.UseSetting("Download:ReleasePublicKeyPath", publicKeyPath ?? "");
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
/// A temp folder laid out like <c>keyhelper/packaging/publish.sh</c>'s output, with a manifest
/// written and signed exactly as <c>ESeal.KeyHelper manifest sign</c> does (ReleaseManifest.Sign:
/// ordinal file order, indented JSON, ECDSA P-256 SHA-256, base64 of raw r‖s). That class is
/// internal to the key helper, so the format is reproduced here.
/// </summary>
public sealed class FakeRelease : IDisposable
{
    public FakeRelease()
    {
        Root = Path.Combine(Path.GetTempPath(), "eseal-tests", "release-" + Guid.NewGuid().ToString("N"));
        Directory = Path.Combine(Root, "keyhelper");
        System.IO.Directory.CreateDirectory(Directory);
        Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        PublicKeyPath = Path.Combine(Root, "eseal-release.pub.pem");
        File.WriteAllText(PublicKeyPath, Key.ExportSubjectPublicKeyInfoPem());
    }

    public string Root { get; }

    public string Directory { get; }

    public ECDsa Key { get; }

    public string PublicKeyPath { get; }

    public byte[] Write(string name, int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }

    /// <summary>The three files publish.sh leaves (single-file exe per RID plus its appsettings.json).</summary>
    public void WriteBuilds()
    {
        Write("linux-x64/ESeal.KeyHelper", 1_572_864 + 123, 1);
        Write("linux-x64/appsettings.json", 321, 2);
        Write("win-x64/ESeal.KeyHelper.exe", 2_345_678, 3);
        Write("win-x64/appsettings.json", 321, 4);
    }

    public void Sign(ECDsa? key = null)
    {
        var files = new JsonArray();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(Directory, path).Replace('\\', '/');
            if (name is "release-manifest.json" or "release-manifest.json.sig")
            {
                continue;
            }

            files.Add(new JsonObject
            {
                ["name"] = name,
                ["size"] = new FileInfo(path).Length,
                ["sha256"] = Sha256(File.ReadAllBytes(path)),
            });
        }

        var manifest = new JsonObject
        {
            ["product"] = "ESeal.KeyHelper",
            ["version"] = "1.0.0",
            ["created"] = "2025-01-02T03:04:05Z",
            ["files"] = files,
        };
        var bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var signature = (key ?? Key).SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        File.WriteAllBytes(Path.Combine(Directory, "release-manifest.json"), bytes);
        File.WriteAllText(Path.Combine(Directory, "release-manifest.json.sig"), Convert.ToBase64String(signature));
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public void Dispose()
    {
        Key.Dispose();
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
