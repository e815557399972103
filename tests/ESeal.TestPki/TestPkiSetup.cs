using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ESeal.TestPki;

public sealed record EnterpriseInfo(string CreditCode, string Name, string LegalRepresentative);

public sealed record CertificateInfo(string Name, string Id, EnterpriseInfo Enterprise, string Algorithm, string Kind, string File, string Sha256);

public sealed record TokenInfo(string Label, string Serial, string Pin, string Purpose, string? Directory, IReadOnlyList<CertificateInfo> Certificates);

/// <summary>What <c>init</c> created: printed by the CLI and written to DIR/summary.json.</summary>
public sealed record TestPkiSummary(
    string Directory,
    string Module,
    string SoftHsm2Conf,
    string TokenDirectory,
    string RootCa,
    string RootCaFormat,
    string RootCaCrl,
    string UserPin,
    string SoPin,
    IReadOnlyList<TokenInfo> Tokens)
{
    public TokenInfo Token(string label) => Tokens.Single(t => t.Label == label);
}

/// <summary>Library entry point, used by the CLI, the key helper tests and the benchmark.</summary>
public static class TestPkiSetup
{
    public const string UserPin = "123456";

    public const string DemoToken = "ESEAL-DEMO-HZ";
    public const string TwoCertsToken = "ESEAL-TWO-CERTS";
    public const string EmptyToken = "ESEAL-EMPTY";
    public const string EcOnlyToken = "ESEAL-EC-ONLY";
    public const string ExpiredToken = "ESEAL-EXPIRED";
    public const string UnknownCaToken = "ESEAL-UNKNOWN-CA";
    public const string LockToken = "ESEAL-LOCK-A";
    public const string ResetToken = "ESEAL-LOCK-B";
    public const string UnbindLockToken = "ESEAL-LOCK-C";
    public const string RemovableToken = "ESEAL-REMOVABLE";
    public const string BenchToken = "ESEAL-BENCH";
    public const string RevokedToken = "ESEAL-REVOKED";

    /// <summary>How long the CRL written by <see cref="Init"/> stays current (each run writes a fresh one).</summary>
    public static readonly TimeSpan CrlLifetime = TimeSpan.FromDays(30);

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private static readonly CertificateSpec HangzhouRsa = new("hangzhou-rsa", TestEnterprise.Hangzhou, KeyAlgorithm.Rsa2048, CertificateKind.Valid);

    // A key lives on one token (a USBKEY never exports it), and the portal tells media apart by
    // their public keys: each token of 杭州云印 that tests bind or lock gets a key of its own.
    private static readonly CertificateSpec HangzhouRsaLock = new("hangzhou-rsa-lock", TestEnterprise.Hangzhou, KeyAlgorithm.Rsa2048, CertificateKind.Valid);
    private static readonly CertificateSpec HangzhouRsaReset = new("hangzhou-rsa-reset", TestEnterprise.Hangzhou, KeyAlgorithm.Rsa2048, CertificateKind.Valid);
    private static readonly CertificateSpec HangzhouRsaBench = new("hangzhou-rsa-bench", TestEnterprise.Hangzhou, KeyAlgorithm.Rsa2048, CertificateKind.Valid);
    private static readonly CertificateSpec BeijingRsaLock = new("beijing-rsa-lock", TestEnterprise.Beijing, KeyAlgorithm.Rsa2048, CertificateKind.Valid);
    private static readonly CertificateSpec HangzhouEc = new("hangzhou-ec", TestEnterprise.Hangzhou, KeyAlgorithm.EcP256, CertificateKind.Valid);
    private static readonly CertificateSpec BeijingRsa = new("beijing-rsa", TestEnterprise.Beijing, KeyAlgorithm.Rsa2048, CertificateKind.Valid);
    private static readonly CertificateSpec ShenzhenEc = new("shenzhen-ec", TestEnterprise.Shenzhen, KeyAlgorithm.EcP256, CertificateKind.Valid);
    private static readonly CertificateSpec HangzhouExpired = new("hangzhou-rsa-expired", TestEnterprise.Hangzhou, KeyAlgorithm.Rsa2048, CertificateKind.Expired);
    private static readonly CertificateSpec BeijingUnknownCa = new("beijing-rsa-unknown-ca", TestEnterprise.Beijing, KeyAlgorithm.Rsa2048, CertificateKind.UnknownCa);
    private static readonly CertificateSpec HangzhouRevoked = new("hangzhou-rsa-revoked", TestEnterprise.Hangzhou, KeyAlgorithm.Rsa2048, CertificateKind.Revoked);

    /// <summary>Label, purpose, certificates. The demo gets only the first.</summary>
    private static readonly (string Label, string Purpose, CertificateSpec[] Certs)[] FullSet =
    [
        (DemoToken, "demo / primary key of 杭州云印 (RSA)", [HangzhouRsa]),
        (TwoCertsToken, "two certificates: 北京 RSA + 深圳 EC", [BeijingRsa, ShenzhenEc]),
        (EmptyToken, "a key without certificates", []),
        (EcOnlyToken, "EC P-256 only (杭州)", [HangzhouEc]),
        (ExpiredToken, "expired certificate (杭州)", [HangzhouExpired]),
        (UnknownCaToken, "certificate from Unknown CA (北京)", [BeijingUnknownCa]),
        (LockToken, "tests: PIN lock and restart", [HangzhouRsaLock]),
        (ResetToken, "tests: right PIN resets the count", [HangzhouRsaReset]),
        (UnbindLockToken, "tests: PIN lock in the unbind flow (北京)", [BeijingRsaLock]),
        (RemovableToken, "tests: removal and re-insertion", [ShenzhenEc]),
        (BenchToken, "benchmark", [HangzhouRsaBench]),
        (RevokedToken, "certificate revoked in the root's CRL (杭州; a lost key)", [HangzhouRevoked]),
    ];

    /// <summary>
    /// Creates (when missing) DIR/pki, DIR/softhsm2.conf, DIR/tokens and the tokens, writes
    /// DIR/summary.json. Idempotent: a second run reuses the CA and leaves existing tokens alone.
    /// Every run writes a fresh DIR/pki/root-ca.crl (DER; valid for <see cref="CrlLifetime"/>) listing
    /// the certificates of kind <see cref="CertificateKind.Revoked"/> (none in the demo).
    /// Sets SOFTHSM2_CONF for this process as a side effect.
    /// </summary>
    public static TestPkiSummary Init(string directory, bool demoOnly = false, string modulePath = SoftHsm.DefaultModulePath)
    {
        directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(directory);
        using var ca = CertificateAuthority.OpenOrCreate(Path.Combine(directory, "pki"));
        var conf = SoftHsm.WriteConfig(directory);
        SoftHsm.UseConfig(conf);
        var tokenDir = Path.Combine(directory, "tokens");

        var set = demoOnly ? FullSet[..1] : FullSet;
        var issued = new Dictionary<string, IssuedCertificate>();
        try
        {
            foreach (var spec in set.SelectMany(t => t.Certs).DistinctBy(c => c.Name))
            {
                issued[spec.Name] = ca.GetOrIssue(spec);
            }

            var now = DateTimeOffset.UtcNow;
            ca.WriteRootCrl(
                [.. issued.Values.Where(c => c.Spec.Kind == CertificateKind.Revoked).Select(c => c.Certificate)],
                now.AddMinutes(-5),
                now + CrlLifetime);

            var serials = SoftHsm.EnsureTokens(
                modulePath,
                set.Select(t => (t.Label, (IReadOnlyList<IssuedCertificate>)[.. t.Certs.Select(c => issued[c.Name])])),
                UserPin);

            var tokens = set.Select(t => new TokenInfo(
                t.Label,
                serials[t.Label],
                UserPin,
                t.Purpose,
                SoftHsm.FindTokenDirectory(tokenDir, serials[t.Label]),
                [.. t.Certs.Select(c => Describe(issued[c.Name], directory))])).ToList();

            var summary = new TestPkiSummary(directory, modulePath, conf, tokenDir, ca.RootCertificatePath, "PEM", ca.RootCrlPath, UserPin, SoftHsm.SoPin, tokens);
            var json = JsonSerializer.Serialize(summary, JsonOptions);
            File.WriteAllText(Path.Combine(directory, "summary.json"), json);
            return summary;
        }
        finally
        {
            foreach (var c in issued.Values)
            {
                c.Dispose();
            }
        }
    }

    private static CertificateInfo Describe(IssuedCertificate c, string directory) => new(
        c.Spec.Name,
        Convert.ToHexStringLower(c.Id),
        new EnterpriseInfo(c.Spec.Enterprise.CreditCode, c.Spec.Enterprise.Name, c.Spec.Enterprise.LegalRepresentative),
        c.Spec.Algorithm == KeyAlgorithm.Rsa2048 ? "RSA-2048 (RS256)" : "EC P-256 (ES256)",
        c.Spec.Kind switch
        {
            CertificateKind.Valid => "valid",
            CertificateKind.Expired => "expired",
            CertificateKind.Revoked => "revoked",
            _ => "unknown-ca",
        },
        Path.Combine(directory, "pki", c.Spec.Name + ".crt"),
        Convert.ToHexStringLower(SHA256.HashData(c.Certificate.RawData)));

    /// <summary>
    /// Simulates pulling the key out: moves the token's directory out of SoftHSM2's token
    /// directory (to DIR/removed). SoftHSM2 then fails every operation on that token.
    /// </summary>
    public static void RemoveToken(TestPkiSummary summary, string label)
    {
        var token = summary.Token(label);
        var source = token.Directory ?? throw new InvalidOperationException("Token directory unknown.");
        var parking = Path.Combine(summary.Directory, "removed");
        Directory.CreateDirectory(parking);
        Directory.Move(source, Path.Combine(parking, Path.GetFileName(source)));
    }

    /// <summary>Puts a removed token back where SoftHSM2 looks for it.</summary>
    public static void InsertToken(TestPkiSummary summary, string label)
    {
        var token = summary.Token(label);
        var target = token.Directory ?? throw new InvalidOperationException("Token directory unknown.");
        Directory.Move(Path.Combine(summary.Directory, "removed", Path.GetFileName(target)), target);
    }
}
