using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ESeal.KeyHelper.Release;

namespace ESeal.KeyHelper.Cli;

/// <summary>
/// <c>manifest sign|verify</c> and <c>config verify</c>: the release format of
/// <see cref="ReleaseFormat"/> (one implementation with the web's download page). Exit codes:
/// 0 verified/signed, 1 refused (tampered, wrong publisher, no root…), 64 usage.
/// </summary>
internal static class ReleaseVerbs
{
    public const int Usage = 64;

    private const string UsageText = """
        usage:
          ESeal.KeyHelper manifest sign   --dir DIST --version X --cert CERT.pem [--chain CHAIN.pem]
                                          (--key KEY.pem | --pkcs11-module LIB --pkcs11-token LABEL --pkcs11-key LABEL)
                                          [--created UNIX_SECONDS]   (default: $SOURCE_DATE_EPOCH; PIN in $ESEAL_SIGNING_PIN)
          ESeal.KeyHelper manifest verify --dir DIST [--root PUBLISHER_ROOT.pem ...]
          ESeal.KeyHelper config verify   --file eseal-keyhelper.json [--root PUBLISHER_ROOT.pem ...]
        Without --root: publisher-roots.pem next to the executable.
        """;

    public static int RunManifest(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, args.FirstOrDefault() switch
    {
        "sign" => Sign,
        "verify" => VerifyManifest,
        _ => null,
    });

    public static int RunConfig(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, args.FirstOrDefault() switch
    {
        "verify" => VerifyConfig,
        _ => null,
    });

    private static int Run(string[] args, TextWriter stdout, TextWriter stderr, Func<Options, TextWriter, TextWriter, int>? verb)
    {
        try
        {
            return verb is null ? throw new ArgumentException("unknown verb") : verb(Options.Parse(args.Skip(1)), stdout, stderr);
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine(e.Message);
            stderr.WriteLine(UsageText);
            return Usage;
        }
    }

    private static int Sign(Options o, TextWriter stdout, TextWriter stderr)
    {
        var dir = o.Required("dir");
        var version = o.Required("version");
        var created = o.Single("created") ?? Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        var time = created is null
            ? DateTimeOffset.UtcNow
            : DateTimeOffset.FromUnixTimeSeconds(long.Parse(created, NumberStyles.None, CultureInfo.InvariantCulture));
        if (created is null)
        {
            stderr.WriteLine("warning: neither --created nor SOURCE_DATE_EPOCH: the manifest gets the current time and is not reproducible");
        }

        // --cert may hold the leaf followed by its chain; the first certificate is the signer's.
        using var certificate = CustomRootChain.LoadCertificates([o.Required("cert")])[0];
        var chain = o.Single("chain") is { } chainPath ? CustomRootChain.LoadCertificates([chainPath]) : null;
        using var key = OpenKey(o, certificate);
        var manifest = ReleaseFormat.CreateManifest(dir, version, time);
        var signature = DetachedSignature.Sign(manifest, certificate, key, chain, time);
        File.WriteAllBytes(Path.Combine(dir, ReleaseFormat.ManifestName), manifest);
        File.WriteAllBytes(Path.Combine(dir, ReleaseFormat.SignatureName), signature);
        stdout.WriteLine($"signed {ReleaseFormat.ParseManifest(manifest)!.Files.Count} file(s) as {certificate.GetNameInfo(X509NameType.SimpleName, false)}: {Path.Combine(dir, ReleaseFormat.ManifestName)}");
        return 0;
    }

    private static AsymmetricAlgorithm OpenKey(Options o, X509Certificate2 certificate)
    {
        if (o.Single("key") is { } keyPath)
        {
            var pem = File.ReadAllText(keyPath);
            AsymmetricAlgorithm key = certificate.GetKeyAlgorithm() == "1.2.840.10045.2.1" ? ECDsa.Create() : RSA.Create();
            key.ImportFromPem(pem);
            return key;
        }

        var pin = Environment.GetEnvironmentVariable("ESEAL_SIGNING_PIN")
            ?? throw new ArgumentException("--pkcs11-module needs the token PIN in ESEAL_SIGNING_PIN");
        return new TokenRsaKey(o.Required("pkcs11-module"), o.Required("pkcs11-token"), o.Required("pkcs11-key"), pin, certificate);
    }

    private static int VerifyManifest(Options o, TextWriter stdout, TextWriter stderr)
    {
        var result = ReleaseFormat.VerifyDirectory(o.Required("dir"), Roots(o, stderr), DateTimeOffset.UtcNow);
        if (!result.Signature.IsVerified)
        {
            stderr.WriteLine($"FAIL {result.Signature.Code}: {result.Signature.Message}");
            return 1;
        }

        if (result.Manifest is null)
        {
            stderr.WriteLine("FAIL MANIFEST_UNREADABLE: 发布清单格式不正确。");
            return 1;
        }

        foreach (var file in result.Files.Where(f => f.State != FileState.Matches))
        {
            stderr.WriteLine(file.State == FileState.Missing
                ? $"FAIL FILE_MISSING: {file.Entry.Name} 缺失。"
                : $"FAIL FILE_TAMPERED: {file.Entry.Name} 与发布清单不符（文件已被改动）。");
        }

        if (!result.IsValid)
        {
            return 1;
        }

        stdout.WriteLine($"OK: {result.Signature.Message}；版本 {result.Manifest.Version}，{result.Files.Count} 个文件与清单一致");
        return 0;
    }

    private static int VerifyConfig(Options o, TextWriter stdout, TextWriter stderr)
    {
        var file = o.Required("file");
        if (!File.Exists(file))
        {
            stderr.WriteLine($"FAIL: {file} not found");
            return 1;
        }

        var verdict = DetachedSignature.VerifyFile(file, Roots(o, stderr), DateTimeOffset.UtcNow);
        if (!verdict.IsVerified)
        {
            stderr.WriteLine($"FAIL {verdict.Code}: {verdict.Message}");
            return 1;
        }

        stdout.WriteLine($"OK: {verdict.Message}");
        return 0;
    }

    /// <summary>--root files, or publisher-roots.pem next to the executable; an empty set refuses everything.</summary>
    public static X509Certificate2Collection Roots(Options o, TextWriter stderr)
    {
        var paths = o.All("root");
        if (paths.Count == 0)
        {
            var shipped = Path.Combine(AppContext.BaseDirectory, ReleaseFormat.PublisherRootsFileName);
            if (!File.Exists(shipped))
            {
                return [];
            }

            paths = [shipped];
        }

        try
        {
            return CustomRootChain.LoadCertificates(paths);
        }
        catch (Exception e) when (e is IOException or CryptographicException)
        {
            stderr.WriteLine($"publisher root unreadable: {e.Message}");
            return [];
        }
    }

    internal sealed class Options
    {
        private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

        public static Options Parse(IEnumerable<string> args)
        {
            var result = new Options();
            var list = args.ToList();
            for (var i = 0; i < list.Count; i++)
            {
                if (!list[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= list.Count)
                {
                    throw new ArgumentException($"unexpected argument {list[i]}");
                }

                var name = list[i][2..];
                if (!result._values.TryGetValue(name, out var values))
                {
                    result._values[name] = values = [];
                }

                values.Add(list[++i]);
            }

            return result;
        }

        public string? Single(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

        public List<string> All(string name) => _values.TryGetValue(name, out var v) ? [.. v] : [];

        public string Required(string name) => Single(name) ?? throw new ArgumentException($"--{name} is required");
    }
}
