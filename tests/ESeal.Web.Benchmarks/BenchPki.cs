using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ESeal.Web.Benchmarks;

/// <summary>
/// A benchmark CA (ECDSA P-256) and one leaf per enterprise with the credit code in OID 2.5.4.97,
/// made in-process; the key helper's signature is made with the leaf's key (ES256).
/// </summary>
internal sealed class BenchPki : IDisposable
{
    private readonly ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public BenchPki(string directory)
    {
        var now = DateTimeOffset.UtcNow;
        var req = new CertificateRequest("CN=ESeal Benchmark Root CA", caKey, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        Root = req.CreateSelfSigned(now.AddYears(-1), now.AddYears(5));
        RootPath = Path.Combine(directory, "bench-root.cer");
        File.WriteAllBytes(RootPath, Root.RawData);

        // The CA's (empty) CRL: production checks revocation on every proof, so the benchmark does too.
        CrlPath = Path.Combine(directory, "bench-root.crl");
        File.WriteAllBytes(CrlPath, new CertificateRevocationListBuilder().Build(Root, 1, now.AddDays(7), HashAlgorithmName.SHA256, null, now.AddHours(-1)));
    }

    public X509Certificate2 Root { get; }

    public string RootPath { get; }

    public string CrlPath { get; }

    public X509Certificate2 Leaf(string creditCode, string enterpriseName)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("CN");
        name.AddOrganizationName(enterpriseName);
        name.Add("2.5.4.97", creditCode, UniversalTagNumber.UTF8String);
        name.AddCommonName(enterpriseName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        var now = DateTimeOffset.UtcNow;
        using var cert = req.Create(Root.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), now.AddDays(-1), now.AddYears(1), serial);
        return cert.CopyWithPrivateKey(key);
    }

    public void Dispose()
    {
        caKey.Dispose();
        Root.Dispose();
    }
}
