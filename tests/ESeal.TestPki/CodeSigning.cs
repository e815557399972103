using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ESeal.TestPki;

/// <summary>What <see cref="CodeSigning.Init"/> wrote: all paths are PEM files.</summary>
public sealed record CodeSigningSummary(
    string Directory,
    string RootCa,
    string Certificate,
    string Key,
    string OtherRootCa,
    string OtherCertificate,
    string OtherKey,
    string SoftHsm2Conf,
    string TokenLabel,
    string TokenPin,
    string KeyLabel,
    string KeyId);

/// <summary>
/// A publisher PKI for the key helper's releases: "ESeal Test Publisher Root CA" issuing an
/// RSA-2048 code-signing certificate (EKU 1.3.6.1.5.5.7.3.3) to "ESeal Test Publisher", and an
/// unrelated "Other Publisher Root CA" with a code-signing certificate of its own (the attacker's).
/// The publisher's key is also put on a SoftHSM2 token of its own store (DIR/softhsm2.conf,
/// token <see cref="TokenLabel"/>, object label <see cref="KeyLabel"/>): the release key belongs on a token.
/// Idempotent like <see cref="TestPkiSetup.Init"/>; separate from the USBKEY store so the helper's
/// token list is unchanged.
/// </summary>
public static class CodeSigning
{
    public const string RootName = "ESeal Test Publisher Root CA";
    public const string PublisherName = "ESeal Test Publisher";
    public const string OtherRootName = "Other Publisher Root CA";
    public const string TokenLabel = "ESEAL-RELEASE";
    public const string KeyLabel = "codesign";

    public static CodeSigningSummary Init(string directory, bool withToken = true, string modulePath = SoftHsm.DefaultModulePath)
    {
        directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(directory);
        var root = LoadOrCreate(directory, "publisher-root-ca", RootName, issuer: null);
        var leaf = LoadOrCreate(directory, "codesign", PublisherName, root);
        var other = LoadOrCreate(directory, "other-root-ca", OtherRootName, issuer: null);
        var otherLeaf = LoadOrCreate(directory, "other-codesign", "Other Publisher", other);
        var conf = Path.Combine(directory, "softhsm2.conf");
        if (!withToken)
        {
            foreach (var c in new[] { root, leaf, other, otherLeaf })
            {
                c.Dispose();
            }

            return Summary(directory, conf, "");
        }

        conf = SoftHsm.WriteConfig(directory);
        SoftHsm.UseConfig(conf);
        using var key = RSA.Create();
        key.ImportFromPem(File.ReadAllText(Path.Combine(directory, "codesign.key")));
        using var issued = new IssuedCertificate(
            new CertificateSpec(KeyLabel, TestEnterprise.Hangzhou, KeyAlgorithm.Rsa2048, CertificateKind.Valid),
            X509CertificateLoader.LoadCertificate(leaf.RawData),
            key.ExportRSAPrivateKey() is { } der ? ImportRsa(der) : throw new InvalidOperationException());
        SoftHsm.EnsureTokens(modulePath, [(TokenLabel, [issued])], TestPkiSetup.UserPin);
        var id = Convert.ToHexStringLower(issued.Id);
        foreach (var c in new[] { root, leaf, other, otherLeaf })
        {
            c.Dispose();
        }

        return Summary(directory, conf, id);
    }

    private static CodeSigningSummary Summary(string directory, string conf, string id) =>
        new(
            directory,
            Path.Combine(directory, "publisher-root-ca.crt"),
            Path.Combine(directory, "codesign.crt"),
            Path.Combine(directory, "codesign.key"),
            Path.Combine(directory, "other-root-ca.crt"),
            Path.Combine(directory, "other-codesign.crt"),
            Path.Combine(directory, "other-codesign.key"),
            conf,
            TokenLabel,
            TestPkiSetup.UserPin,
            KeyLabel,
            id);

    private static RSA ImportRsa(byte[] der)
    {
        var rsa = RSA.Create();
        rsa.ImportRSAPrivateKey(der, out _);
        return rsa;
    }

    /// <summary>A CA (issuer null) or a code-signing leaf, from NAME.crt/NAME.key or newly issued.</summary>
    private static X509Certificate2 LoadOrCreate(string dir, string name, string commonName, X509Certificate2? issuer)
    {
        var certPath = Path.Combine(dir, name + ".crt");
        var keyPath = Path.Combine(dir, name + ".key");
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }

        using var rsa = RSA.Create(2048);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCountryOrRegion("CN");
        subject.AddOrganizationName("ESeal Test");
        subject.AddCommonName(commonName);
        var request = new CertificateRequest(subject.Build(), rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        X509Certificate2 created;
        if (issuer is null)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            created = request.CreateSelfSigned(now.AddDays(-2), now.AddYears(10));
        }
        else
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.3")], false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
            var serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7F;
            created = request.Create(issuer, now.AddDays(-1), now.AddYears(3), serial);
        }

        using (created)
        {
            File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(certPath, created.ExportCertificatePem());
        }

        return X509Certificate2.CreateFromPemFile(certPath, keyPath);
    }
}
