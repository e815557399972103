using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ESeal.KeyHelper.Release;

/// <summary>
/// <c>ESeal.KeyHelper manifest keygen|sign|verify</c>: a release manifest (file names, sizes,
/// SHA-256) signed with an ECDSA P-256 release key, so the "点此下载" files can be checked
/// by anyone holding the public key. The private key is generated to a path outside the repo.
/// </summary>
internal static class ReleaseManifest
{
    public const string ManifestName = "release-manifest.json";
    public const string SignatureName = "release-manifest.json.sig";

    public static int Run(string[] args)
    {
        var verb = args.Length > 1 ? args[1] : "";
        var opts = ParseOptions(args.Skip(2).ToArray());
        try
        {
            return verb switch
            {
                "keygen" => KeyGen(Require(opts, "private-key"), Require(opts, "public-key")),
                "sign" => Sign(Require(opts, "dir"), Require(opts, "key"), opts.GetValueOrDefault("version") ?? "1.0.0"),
                "verify" => Verify(Require(opts, "dir"), Require(opts, "public-key")),
                _ => Usage(),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return Usage();
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage:
              ESeal.KeyHelper manifest keygen --private-key PATH --public-key PATH
              ESeal.KeyHelper manifest sign   --dir DIST --key PRIVATE.pem [--version X]
              ESeal.KeyHelper manifest verify --dir DIST --public-key PUBLIC.pem
            """);
        return 2;
    }

    private static int KeyGen(string privatePath, string publicPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(privatePath, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(privatePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(publicPath, key.ExportSubjectPublicKeyInfoPem());
        Console.WriteLine($"private key: {privatePath} (keep offline, never commit)\npublic key:  {publicPath}");
        return 0;
    }

    /// <summary>Hashes every file of DIST (except the manifest pair) and signs the manifest bytes.</summary>
    public static int Sign(string dir, string privateKeyPath, string version)
    {
        var files = new JsonArray();
        foreach (var path in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(dir, path).Replace('\\', '/');
            if (name is ManifestName or SignatureName)
            {
                continue;
            }

            files.Add(new JsonObject
            {
                ["name"] = name,
                ["size"] = new FileInfo(path).Length,
                ["sha256"] = HashFile(path),
            });
        }

        var manifest = new JsonObject
        {
            ["product"] = "ESeal.KeyHelper",
            ["version"] = version,
            ["created"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["files"] = files,
        };
        var bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(privateKeyPath));
        var signature = key.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        File.WriteAllBytes(Path.Combine(dir, ManifestName), bytes);
        File.WriteAllText(Path.Combine(dir, SignatureName), Convert.ToBase64String(signature));
        Console.WriteLine($"signed {files.Count} file(s): {Path.Combine(dir, ManifestName)}");
        return 0;
    }

    /// <summary>0 when the signature is good and every listed file has its size and hash; 1 otherwise.</summary>
    public static int Verify(string dir, string publicKeyPath)
    {
        var manifestPath = Path.Combine(dir, ManifestName);
        var signaturePath = Path.Combine(dir, SignatureName);
        if (!File.Exists(manifestPath) || !File.Exists(signaturePath))
        {
            Console.Error.WriteLine("FAIL: manifest or signature missing");
            return 1;
        }

        var bytes = File.ReadAllBytes(manifestPath);
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(publicKeyPath));
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(File.ReadAllText(signaturePath).Trim());
        }
        catch (FormatException)
        {
            signature = [];
        }

        if (!key.VerifyData(bytes, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            Console.Error.WriteLine("FAIL: manifest signature does not verify with this public key");
            return 1;
        }

        var ok = true;
        var files = JsonNode.Parse(bytes)?["files"]?.AsArray() ?? [];
        foreach (var entry in files)
        {
            var name = (string?)entry?["name"] ?? "";
            var path = Path.Combine(dir, name);
            if (name.Contains("..", StringComparison.Ordinal) || !File.Exists(path))
            {
                Console.Error.WriteLine($"FAIL: {name} missing");
                ok = false;
            }
            else if (new FileInfo(path).Length != (long?)entry?["size"] || HashFile(path) != (string?)entry?["sha256"])
            {
                Console.Error.WriteLine($"FAIL: {name} differs from the manifest");
                ok = false;
            }
        }

        Console.WriteLine(ok ? $"OK: signature valid, {files.Count} file(s) match" : "FAIL");
        return ok ? 0 : 1;
    }

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static Dictionary<string, string> ParseOptions(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument {args[i]}");
            }

            result[args[i][2..]] = args[i + 1];
        }

        return result;
    }

    private static string Require(Dictionary<string, string> opts, string name) =>
        opts.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");
}
