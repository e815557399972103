using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using ESeal.Db.Demo;
using ESeal.Db.Infrastructure;
using ESeal.Testing;
using ESeal.Workflows;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Face;
using ESeal.Workflows.Proof;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Tests;

/// <summary>A clock the test moves by hand.</summary>
public sealed class FakeClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}

/// <summary>Test certificates made in-process: a trusted root, leaves for the demo enterprise, and bad ones.</summary>
public sealed class TestPki
{
    public static readonly string HangzhouCode = ESeal.Db.Demo.DemoData.Hangzhou.CreditCode;
    public static readonly string BeijingCode = ESeal.Db.Demo.DemoData.Beijing.CreditCode;

    private static readonly Lazy<TestPki> Shared = new(() => new TestPki());

    private TestPki()
    {
        var now = DateTimeOffset.UtcNow;
        Root = MakeRoot("CN=ESeal Test Root CA", now);
        OtherRoot = MakeRoot("CN=Untrusted Root CA", now);
        RsaLeaf = Leaf(Root, HangzhouCode, rsa: true, now.AddDays(-1), now.AddYears(1));
        EcLeaf = Leaf(Root, HangzhouCode, rsa: false, now.AddDays(-1), now.AddYears(1));
        UntrustedLeaf = Leaf(OtherRoot, HangzhouCode, rsa: true, now.AddDays(-1), now.AddYears(1));
        ExpiredLeaf = Leaf(Root, HangzhouCode, rsa: true, now.AddYears(-2), now.AddDays(-1));
        BeijingLeaf = Leaf(Root, BeijingCode, rsa: true, now.AddDays(-1), now.AddYears(1));
        RevokedLeaf = Leaf(Root, HangzhouCode, rsa: true, now.AddDays(-1), now.AddYears(1));
        Directory.CreateDirectory(CrlDirectory);
        CurrentCrlPath = WriteCrl("root-current.crl", Crl(Root, [RevokedLeaf], now.AddHours(-1), now.AddDays(7)));
    }

    public static TestPki Instance => Shared.Value;

    public X509Certificate2 Root { get; }

    public X509Certificate2 OtherRoot { get; }

    public X509Certificate2 RsaLeaf { get; }

    public X509Certificate2 EcLeaf { get; }

    public X509Certificate2 UntrustedLeaf { get; }

    public X509Certificate2 ExpiredLeaf { get; }

    public X509Certificate2 BeijingLeaf { get; }

    /// <summary>Chains to <see cref="Root"/>, valid, but listed in the root's current CRL.</summary>
    public X509Certificate2 RevokedLeaf { get; }

    public X509Certificate2Collection Roots => [X509CertificateLoader.LoadCertificate(Root.RawData)];

    /// <summary>This process's CRL files (temporary).</summary>
    public static string CrlDirectory { get; } = Path.Combine(Path.GetTempPath(), "eseal-tests", "workflows-crl-" + Guid.NewGuid().ToString("N"));

    /// <summary>The root's CRL, current for a week from now, revoking <see cref="RevokedLeaf"/> only.</summary>
    public string CurrentCrlPath { get; }

    /// <summary>Revocation as production checks it, from <see cref="CurrentCrlPath"/>.</summary>
    public RevocationCheck CurrentRevocation(TimeSpan? maxCrlAge = null) =>
        new CrlRevocationCheck(new CrlStore([CurrentCrlPath], Roots), maxCrlAge ?? TimeSpan.FromDays(1));

    /// <summary>A proof verifier for the test root with revocation checked against the current CRL.</summary>
    public ProofVerifier Verifier(string origin, TimeProvider clock) => new(origin, Roots, clock, CurrentRevocation());

    /// <summary>A CRL (DER) signed by <paramref name="issuer"/> with choosable dates, as a CA would publish it.</summary>
    public static byte[] Crl(X509Certificate2 issuer, IEnumerable<X509Certificate2> revoked, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var c in revoked)
        {
            builder.AddEntry(c, thisUpdate.AddMinutes(-1), X509RevocationReason.KeyCompromise);
        }

        return builder.Build(issuer, new System.Numerics.BigInteger(thisUpdate.ToUnixTimeSeconds()), nextUpdate, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, thisUpdate);
    }

    public static string WriteCrl(string fileName, byte[] crl)
    {
        var path = Path.Combine(CrlDirectory, fileName);
        File.WriteAllBytes(path, crl);
        return path;
    }

    public static PostedProof Sign(X509Certificate2 leaf, string origin, string nonce, string context)
    {
        var data = ProofVerifier.ToBeSigned(origin, nonce, context);
        if (leaf.GetRSAPrivateKey() is { } rsa)
        {
            using (rsa)
            {
                return new PostedProof("RS256", Convert.ToBase64String(rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)), Convert.ToBase64String(leaf.RawData));
            }
        }

        using var ec = leaf.GetECDsaPrivateKey()!;
        return new PostedProof("ES256", Convert.ToBase64String(ec.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)), Convert.ToBase64String(leaf.RawData));
    }

    public static string Sha256(X509Certificate2 c) => ProofVerifier.Sha256Hex(c.RawData);

    private static X509Certificate2 MakeRoot(string subject, DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        return req.CreateSelfSigned(now.AddYears(-3), now.AddYears(5));
    }

    private static X509Certificate2 Leaf(X509Certificate2 issuer, string creditCode, bool rsa, DateTimeOffset from, DateTimeOffset to)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("CN");
        name.AddOrganizationName("测试企业");
        name.Add("2.5.4.97", creditCode, System.Formats.Asn1.UniversalTagNumber.UTF8String);
        name.AddCommonName($"测试企业 {creditCode}");
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        if (rsa)
        {
            using var key = RSA.Create(2048);
            var req = Request(new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), issuer);
            using var cert = req.Create(issuer, from, to, serial);
            return cert.CopyWithPrivateKey(key);
        }

        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ecReq = Request(new CertificateRequest(name.Build(), ec, HashAlgorithmName.SHA256), issuer);
        using var issuerKey = issuer.GetRSAPrivateKey()!;
        using var ecCert = ecReq.Create(issuer.SubjectName, X509SignatureGenerator.CreateForRSA(issuerKey, RSASignaturePadding.Pkcs1), from, to, serial);
        return ecCert.CopyWithPrivateKey(ec);
    }

    private static CertificateRequest Request(CertificateRequest req, X509Certificate2 issuer)
    {
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        return req;
    }
}

/// <summary>Database with demo data, shipped definitions imported, simulator and runtime.</summary>
public sealed class FlowHarness : IDisposable
{
    public const string Origin = "https://eseal.test";
    public const string Owner = "session-A";
    public const string TokenSerial = "TESTKEY-0001";

    private FlowHarness(Func<IActivityHandler, IActivityHandler>? wrap)
    {
        Db = new SqliteDatabase();
        Clock = new FakeClock(DateTimeOffset.UtcNow);
        Store = new FlowDefinitionStore(Db.Database, Clock);
        Faces = new SimulatedFaceVerificationProvider(Clock);
        Verifier = TestPki.Instance.Verifier(Origin, Clock);
        var handlers = ActivityHandlers.Create(new ESeal.Db.MediumChange.MediumChangeCommands(Db.Database, Clock), Verifier, Faces);
        Runtime = new FlowRuntime(Db.Database, Store, Clock, new FlowSettings(), wrap is null ? handlers : handlers.Select(wrap));
    }

    public SqliteDatabase Db { get; }

    public Database Database => Db.Database;

    public FakeClock Clock { get; }

    public FlowDefinitionStore Store { get; }

    public SimulatedFaceVerificationProvider Faces { get; }

    public ProofVerifier Verifier { get; }

    public FlowRuntime Runtime { get; }

    public static async Task<FlowHarness> CreateAsync(Func<IActivityHandler, IActivityHandler>? wrap = null)
    {
        var h = new FlowHarness(wrap);
        await DemoData.SeedAsync(h.Database, h.Clock);
        await h.Store.ImportShippedAsync();
        return h;
    }

    public static string TokensJson(string serial, params X509Certificate2[] certs) => JsonSerializer.Serialize(new
    {
        tokens = new[]
        {
            new
            {
                serial,
                label = "ESeal Test Key",
                manufacturer = "SoftHSM project",
                model = "SoftHSM v2",
                pinLocked = false,
                certificates = certs.Select((c, i) => new { id = $"0{i + 1}", der = Convert.ToBase64String(c.RawData) }).ToArray(),
            },
        },
    });

    public static Dictionary<string, string> Empty => new();

    public static Dictionary<string, string> Input(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    public async Task<FlowView> AdvanceAsync(FlowView view, Dictionary<string, string> input, string owner = Owner)
    {
        var result = await Runtime.ResumeAsync(view.InstanceId, owner, view.StepToken, input);
        Assert.True(result.Kind == ResumeKind.Advanced, $"{view.ActivityId}: {result.Kind} {result.Reason} {result.StayCode} {result.Message} {string.Join(";", result.FieldErrors.Select(e => e.Key + "=" + e.Value))}");
        return result.View!;
    }

    /// <summary>Signs the current PinProof challenge in-process as the key helper would.</summary>
    public async Task<Dictionary<string, string>> SignedProofAsync(FlowView view, X509Certificate2 leaf, string origin = Origin)
    {
        var challenge = await Runtime.IssuePinChallengeAsync(view.InstanceId, Owner, view.StepToken);
        Assert.Equal(RefusalReason.None, challenge.Reason);
        Assert.NotNull(challenge.Nonce);
        var proof = TestPki.Sign(leaf, origin, challenge.Nonce!, challenge.Context!);
        return Input(("result", "signed"), ("nonce", challenge.Nonce!), ("algorithm", proof.Algorithm), ("signature", proof.Signature), ("certificate", proof.Certificate));
    }

    /// <summary>The simulated phone passes (or fails) the current ticket.</summary>
    public async Task CompleteFaceAsync(FlowView view, bool passed) =>
        Assert.True(await Faces.CompleteAsync(view.Variables["faceTicket"], passed));

    /// <summary>Bind flow up to (not including) the PIN step.</summary>
    public async Task<FlowView> BindToPinAsync(Guid sealId, X509Certificate2? leaf = null, string serial = TokenSerial, string owner = Owner, IReadOnlyDictionary<string, string>? initial = null)
    {
        leaf ??= TestPki.Instance.RsaLeaf;
        var view = await Runtime.StartAsync(ShippedDefinitions.UsbKeyBind, owner, initial);
        Clock.Advance(TimeSpan.FromSeconds(5));
        view = await AdvanceAsync(view, [], owner);
        view = await AdvanceAsync(view, Input(("tokens", TokensJson(serial, leaf))), owner);
        view = await AdvanceAsync(view, Input(("certificateId", "01")), owner);
        view = await AdvanceAsync(view, Input(("holderName", "张三"), ("holderIdType", "ResidentId"), ("holderIdNumber", "11010519491231002X"), ("holderPhone", "13800138000")), owner);
        view = await AdvanceAsync(view, Input(("sealId", sealId.ToString())), owner);
        Assert.Equal(ActivityCatalog.PinProof, view.ActivityType);
        return view;
    }

    public async Task<FlowView> PassFaceAsync(FlowView view)
    {
        Assert.Equal(ActivityCatalog.LegalRepFaceVerification, view.ActivityType);
        await CompleteFaceAsync(view, passed: true);
        return await AdvanceAsync(view, Input(("action", "check")));
    }

    /// <summary>The shipped bind definition as a JSON object, to break on purpose.</summary>
    public static JsonObject BindJson() => JsonNode.Parse(ShippedDefinitions.Json(ShippedDefinitions.UsbKeyBind))!.AsObject();

    public void Dispose() => Db.Dispose();
}
