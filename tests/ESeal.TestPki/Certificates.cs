using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ESeal.TestPki;

public enum KeyAlgorithm
{
    Rsa2048,
    EcP256,
}

public enum CertificateKind
{
    /// <summary>Chains to "ESeal Test Root CA" and is inside its validity period.</summary>
    Valid,

    /// <summary>Chains to the root but expired yesterday.</summary>
    Expired,

    /// <summary>Issued by "Unknown CA", which the web server does not trust.</summary>
    UnknownCa,

    /// <summary>Chains to the root and is valid, but listed in the root's CRL (a lost USBKEY).</summary>
    Revoked,
}

/// <summary>A certificate (with its private key) to put on a token.</summary>
public sealed record CertificateSpec(string Name, TestEnterprise Enterprise, KeyAlgorithm Algorithm, CertificateKind Kind);

/// <summary>A generated certificate with the private key that must sit next to it on the token.</summary>
public sealed class IssuedCertificate(CertificateSpec spec, X509Certificate2 certificate, AsymmetricAlgorithm key) : IDisposable
{
    public CertificateSpec Spec { get; } = spec;
    public X509Certificate2 Certificate { get; } = certificate;
    public AsymmetricAlgorithm Key { get; } = key;

    /// <summary>CKA_ID of both the certificate and its private key: the subject key identifier, as many CA tools do.</summary>
    public byte[] Id => Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }
}

/// <summary>
/// Creates the test PKI with .NET only (no openssl CLI), and keeps it on disk so a second run
/// reuses the same CA: certificates already on tokens must keep chaining to the root the web trusts.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    public const string RootName = "ESeal Test Root CA";
    public const string UnknownName = "Unknown CA";

    private readonly string _pkiDirectory;
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _unknown;

    private CertificateAuthority(string pkiDirectory, X509Certificate2 root, X509Certificate2 unknown)
    {
        _pkiDirectory = pkiDirectory;
        _root = root;
        _unknown = unknown;
    }

    /// <summary>PEM file of the root the web server should trust.</summary>
    public string RootCertificatePath => Path.Combine(_pkiDirectory, "root-ca.crt");

    public X509Certificate2 Root => _root;

    /// <summary>DER file of the root's CRL, written by <see cref="WriteRootCrl"/>.</summary>
    public string RootCrlPath => Path.Combine(_pkiDirectory, "root-ca.crl");

    /// <summary>Writes the root's CRL (DER) listing <paramref name="revoked"/>; see <see cref="IssueCrl"/>.</summary>
    public void WriteRootCrl(IEnumerable<X509Certificate2> revoked, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate)
    {
        var temporary = RootCrlPath + ".tmp";
        File.WriteAllBytes(temporary, IssueCrl(_root, revoked, thisUpdate, nextUpdate));
        File.Move(temporary, RootCrlPath, overwrite: true); // a web reading it meanwhile sees the old or the new CRL, never half
    }

    /// <summary>
    /// A CRL (DER) signed by <paramref name="issuer"/> (with its private key, RSA or EC) listing
    /// <paramref name="revoked"/>, with the given thisUpdate/nextUpdate; the CRL number is thisUpdate
    /// in Unix seconds unless given, so a later CRL always has a larger number.
    /// </summary>
    public static byte[] IssueCrl(X509Certificate2 issuer, IEnumerable<X509Certificate2> revoked, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate, BigInteger? number = null)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(revoked);
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, thisUpdate.AddMinutes(-1), X509RevocationReason.KeyCompromise);
        }

        var crlNumber = number ?? new BigInteger(thisUpdate.ToUnixTimeSeconds());
        var padding = issuer.GetKeyAlgorithm() == "1.2.840.113549.1.1.1" ? RSASignaturePadding.Pkcs1 : null;
        return builder.Build(issuer, crlNumber, nextUpdate, HashAlgorithmName.SHA256, padding, thisUpdate);
    }

    public static CertificateAuthority OpenOrCreate(string pkiDirectory)
    {
        Directory.CreateDirectory(pkiDirectory);
        var root = LoadOrCreateCa(pkiDirectory, "root-ca", RootName);
        var unknown = LoadOrCreateCa(pkiDirectory, "unknown-ca", UnknownName);
        return new CertificateAuthority(pkiDirectory, root, unknown);
    }

    /// <summary>Loads the certificate and key from the PKI directory, or issues and saves them.</summary>
    public IssuedCertificate GetOrIssue(CertificateSpec spec)
    {
        var certPath = Path.Combine(_pkiDirectory, spec.Name + ".crt");
        var keyPath = Path.Combine(_pkiDirectory, spec.Name + ".key");
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            var loaded = X509Certificate2.CreateFromPem(File.ReadAllText(certPath));
            AsymmetricAlgorithm key = spec.Algorithm == KeyAlgorithm.Rsa2048 ? RSA.Create() : ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(keyPath));
            return new IssuedCertificate(spec, loaded, key);
        }

        var issued = Issue(spec);
        File.WriteAllText(keyPath, issued.Key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, issued.Certificate.ExportCertificatePem());
        return issued;
    }

    private IssuedCertificate Issue(CertificateSpec spec)
    {
        var subject = EnterpriseSubject(spec.Enterprise);
        AsymmetricAlgorithm key;
        CertificateRequest request;
        if (spec.Algorithm == KeyAlgorithm.Rsa2048)
        {
            var rsa = RSA.Create(2048);
            key = rsa;
            request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        else
        {
            var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            key = ec;
            request = new CertificateRequest(subject, ec, HashAlgorithmName.SHA256);
        }

        var issuer = spec.Kind == CertificateKind.UnknownCa ? _unknown : _root;
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));

        var now = DateTimeOffset.UtcNow;
        var (notBefore, notAfter) = spec.Kind == CertificateKind.Expired
            ? (now.AddYears(-2), now.AddDays(-1))
            : (now.AddDays(-1), now.AddYears(3));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;

        using var issuerKey = issuer.GetRSAPrivateKey();
        var signer = X509SignatureGenerator.CreateForRSA(issuerKey!, RSASignaturePadding.Pkcs1);
        using var cert = request.Create(issuer.SubjectName, signer, notBefore, notAfter, serial);
        return new IssuedCertificate(spec, X509CertificateLoader.LoadCertificate(cert.RawData), key);
    }

    /// <summary>CN and O = enterprise name; the credit code both as organizationIdentifier (2.5.4.97) and serialNumber (2.5.4.5).</summary>
    public static X500DistinguishedName EnterpriseSubject(TestEnterprise enterprise)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCountryOrRegion("CN");
        builder.AddOrganizationName(enterprise.Name);
        builder.Add("2.5.4.97", enterprise.CreditCode, UniversalTagNumber.UTF8String);
        builder.Add("2.5.4.5", enterprise.CreditCode, UniversalTagNumber.PrintableString);
        builder.AddCommonName(enterprise.Name);
        return builder.Build();
    }

    private static X509Certificate2 LoadOrCreateCa(string dir, string fileName, string commonName)
    {
        var certPath = Path.Combine(dir, fileName + ".crt");
        var keyPath = Path.Combine(dir, fileName + ".key");
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }

        using var rsa = RSA.Create(2048);
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCountryOrRegion("CN");
        builder.AddOrganizationName("ESeal Test");
        builder.AddCommonName(commonName);
        var request = new CertificateRequest(builder.Build(), rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-2), now.AddYears(10));
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, created.ExportCertificatePem());
        return X509Certificate2.CreateFromPemFile(certPath, keyPath);
    }

    public void Dispose()
    {
        _root.Dispose();
        _unknown.Dispose();
    }
}
