using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ESeal.Db.Demo;
using ESeal.Workflows.Proof;

namespace ESeal.Tests.FlowSecurity;

/// <summary>
/// Certificates made in-process, with their private keys, so that the tests can sign proofs as the
/// key helper would: a root the web trusts, another it does not, and Hangzhou leaves (credit code
/// in 2.5.4.97 like the test PKI) — good, second good, expired, issued by the untrusted root, and
/// revoked (listed in the root's CRL, <see cref="Crl"/>).
/// </summary>
public sealed class FlowSecurityPki
{
    private static readonly Lazy<FlowSecurityPki> Shared = new(() => new FlowSecurityPki());

    private FlowSecurityPki()
    {
        var now = DateTimeOffset.UtcNow;
        var code = DemoData.Hangzhou.CreditCode;
        Root = MakeRoot("CN=ESeal FlowSecurity Test Root", now);
        UnknownRoot = MakeRoot("CN=Unknown CA", now);
        Good = Leaf(Root, code, now.AddDays(-1), now.AddYears(1));
        SecondGood = Leaf(Root, code, now.AddDays(-1), now.AddYears(1));
        Expired = Leaf(Root, code, now.AddYears(-2), now.AddDays(-1));
        UnknownCa = Leaf(UnknownRoot, code, now.AddDays(-1), now.AddYears(1));
        Revoked = Leaf(Root, code, now.AddDays(-1), now.AddYears(1));
    }

    public static FlowSecurityPki Instance => Shared.Value;

    public X509Certificate2 Root { get; }

    public X509Certificate2 UnknownRoot { get; }

    public X509Certificate2 Good { get; }

    public X509Certificate2 SecondGood { get; }

    public X509Certificate2 Expired { get; }

    public X509Certificate2 UnknownCa { get; }

    /// <summary>A lost USBKEY: chains to <see cref="Root"/>, valid, listed in the root's CRL.</summary>
    public X509Certificate2 Revoked { get; }

    /// <summary>The root's CRL (DER) listing <see cref="Revoked"/>, with the given dates.</summary>
    public byte[] Crl(DateTimeOffset thisUpdate, DateTimeOffset nextUpdate)
    {
        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry(Revoked, thisUpdate.AddMinutes(-1), X509RevocationReason.KeyCompromise);
        return builder.Build(Root, new System.Numerics.BigInteger(thisUpdate.ToUnixTimeSeconds()), nextUpdate, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, thisUpdate);
    }

    /// <summary>What the helper's POST /v1/sign answers: RS256 over the proof bytes for <paramref name="origin"/>.</summary>
    public static SignedProof Sign(X509Certificate2 leaf, string origin, string nonce, string context)
    {
        var data = ProofVerifier.ToBeSigned(origin, nonce, context);
        using var rsa = leaf.GetRSAPrivateKey()!;
        return new SignedProof("RS256", Convert.ToBase64String(rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)), Convert.ToBase64String(leaf.RawData));
    }

    /// <summary>The helper's GET /v1/tokens answer for one token holding <paramref name="certificates"/> (ids 01, 02, …).</summary>
    public static string TokensJson(string serial, params X509Certificate2[] certificates) => TokensJson(serial, "测试USBKEY", certificates);

    public static string TokensJson(string serial, string label, params X509Certificate2[] certificates) => JsonSerializer.Serialize(new
    {
        tokens = new[]
        {
            new
            {
                serial,
                label,
                manufacturer = "SoftHSM project",
                model = "SoftHSM v2",
                pinLocked = false,
                pinCountLow = false,
                pinFinalTry = false,
                certificates = certificates.Select((c, i) => new { id = (i + 1).ToString("x2", System.Globalization.CultureInfo.InvariantCulture), der = Convert.ToBase64String(c.RawData) }).ToArray(),
            },
        },
    });

    private static X509Certificate2 MakeRoot(string subject, DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        return req.CreateSelfSigned(now.AddYears(-3), now.AddYears(5));
    }

    private static X509Certificate2 Leaf(X509Certificate2 issuer, string creditCode, DateTimeOffset from, DateTimeOffset to)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddCountryOrRegion("CN");
        name.AddOrganizationName(DemoData.Hangzhou.Name);
        name.Add("2.5.4.97", creditCode, System.Formats.Asn1.UniversalTagNumber.UTF8String);
        name.AddCommonName(DemoData.Hangzhou.Name);
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var key = RSA.Create(2048);
        var req = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var cert = req.Create(issuer, from, to, serial);
        return cert.CopyWithPrivateKey(key);
    }
}

public sealed record SignedProof(string Algorithm, string Signature, string Certificate);
