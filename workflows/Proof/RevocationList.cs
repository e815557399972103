using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ESeal.Workflows.Proof;

/// <summary>
/// One X.509 CRL (RFC 5280 §5), read from DER or PEM. .NET can build and load CRLs
/// (<see cref="CertificateRevocationListBuilder"/>) but exposes neither their entries nor their dates
/// nor a signature check, so this reads the few fields we need and checks the signature itself.
/// A CRL that is only part of the picture (delta CRL, indirect, CA-only, only some reasons, unknown
/// critical extension) is refused when read: it must not make a certificate look "not revoked".
/// </summary>
public sealed class RevocationList
{
    private const string CrlNumberOid = "2.5.29.20";
    private const string DeltaCrlIndicatorOid = "2.5.29.27";
    private const string IssuingDistributionPointOid = "2.5.29.28";

    private readonly HashSet<BigInteger> revoked;
    private readonly byte[] toBeSigned;
    private readonly string signatureAlgorithm;
    private readonly byte[] signature;

    private RevocationList(X500DistinguishedName issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, BigInteger? number, bool onlyUserCertificates, HashSet<BigInteger> revoked, byte[] toBeSigned, string signatureAlgorithm, byte[] signature)
    {
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        Number = number;
        OnlyUserCertificates = onlyUserCertificates;
        this.revoked = revoked;
        this.toBeSigned = toBeSigned;
        this.signatureAlgorithm = signatureAlgorithm;
        this.signature = signature;
    }

    public X500DistinguishedName Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    public BigInteger? Number { get; }

    /// <summary>Issuing distribution point says onlyContainsUserCerts: says nothing about CA certificates.</summary>
    public bool OnlyUserCertificates { get; }

    public int RevokedCount => revoked.Count;

    /// <summary>Reads a DER or PEM ("X509 CRL") CRL; throws <see cref="CryptographicException"/> when it is not one we can use.</summary>
    public static RevocationList Parse(ReadOnlySpan<byte> data)
    {
        var der = data.ToArray();
        if (data.Length > 0 && data[0] != 0x30)
        {
            var text = System.Text.Encoding.ASCII.GetString(data);
            if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "X509 CRL")
            {
                throw new CryptographicException("Not a CRL (neither DER nor PEM \"X509 CRL\").");
            }

            der = Convert.FromBase64String(text[fields.Base64Data]);
        }

        try
        {
            return ParseDer(der);
        }
        catch (AsnContentException ex)
        {
            throw new CryptographicException("Malformed CRL: " + ex.Message, ex);
        }
    }

    public bool IsRevoked(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return revoked.Contains(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true));
    }

    /// <summary>Named by and signed with the key of <paramref name="ca"/>, which may sign CRLs.</summary>
    public bool IsSignedBy(X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(ca);
        if (!ca.SubjectName.RawData.AsSpan().SequenceEqual(Issuer.RawData)
            && !string.Equals(ca.SubjectName.Name, Issuer.Name, StringComparison.Ordinal))
        {
            return false;
        }

        var usage = ca.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.CrlSign))
        {
            return false;
        }

        try
        {
            switch (signatureAlgorithm)
            {
                case "1.2.840.113549.1.1.11":
                case "1.2.840.113549.1.1.12":
                case "1.2.840.113549.1.1.13":
                    using (var rsa = ca.GetRSAPublicKey())
                    {
                        return rsa is not null && rsa.VerifyData(toBeSigned, signature, RsaHash(signatureAlgorithm), RSASignaturePadding.Pkcs1);
                    }

                case "1.2.840.10045.4.3.2":
                case "1.2.840.10045.4.3.3":
                case "1.2.840.10045.4.3.4":
                    using (var ec = ca.GetECDsaPublicKey())
                    {
                        return ec is not null && ec.VerifyData(toBeSigned, signature, EcHash(signatureAlgorithm), DSASignatureFormat.Rfc3279DerSequence);
                    }

                default:
                    return false; // SM2, PSS, SHA-1…: not accepted rather than guessed
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static HashAlgorithmName RsaHash(string oid) => oid[^2..] switch
    {
        "11" => HashAlgorithmName.SHA256,
        "12" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    private static HashAlgorithmName EcHash(string oid) => oid[^1] switch
    {
        '2' => HashAlgorithmName.SHA256,
        '3' => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    private static RevocationList ParseDer(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var certList = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var toBeSigned = certList.PeekEncodedValue().ToArray();
        var tbs = certList.ReadSequence();
        var algorithm = ReadAlgorithm(certList);
        var signature = certList.ReadBitString(out _);
        certList.ThrowIfNotEmpty();

        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer) && tbs.ReadInteger() != 1)
        {
            throw new CryptographicException("Unsupported CRL version.");
        }

        if (ReadAlgorithm(tbs) != algorithm)
        {
            throw new CryptographicException("The CRL's two signature algorithms differ.");
        }

        var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
        var thisUpdate = ReadTime(tbs);
        DateTimeOffset? nextUpdate = null;
        if (tbs.HasData && IsTime(tbs.PeekTag()))
        {
            nextUpdate = ReadTime(tbs);
        }

        var revoked = new HashSet<BigInteger>();
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                revoked.Add(entry.ReadInteger());
                ReadTime(entry);
                if (entry.HasData)
                {
                    // certificateIssuer (indirect CRL) is critical; any critical entry extension changes what the entry means.
                    ReadExtensions(entry.ReadSequence(), (oid, critical, _) =>
                    {
                        if (critical)
                        {
                            throw new CryptographicException($"CRL entry has an unsupported critical extension {oid}.");
                        }
                    });
                }

                entry.ThrowIfNotEmpty();
            }
        }

        BigInteger? number = null;
        var onlyUser = false;
        if (tbs.HasData)
        {
            var wrapper = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            ReadExtensions(wrapper.ReadSequence(), (oid, critical, value) =>
            {
                switch (oid)
                {
                    case CrlNumberOid:
                        number = new AsnReader(value, AsnEncodingRules.DER).ReadInteger();
                        break;
                    case DeltaCrlIndicatorOid:
                        throw new CryptographicException("Delta CRLs are not supported: configure the full CRL.");
                    case IssuingDistributionPointOid:
                        onlyUser = ReadDistributionPointScope(value);
                        break;
                    default:
                        if (critical)
                        {
                            throw new CryptographicException($"CRL has an unsupported critical extension {oid}.");
                        }

                        break;
                }
            });
            wrapper.ThrowIfNotEmpty();
        }

        tbs.ThrowIfNotEmpty();
        return new RevocationList(issuer, thisUpdate, nextUpdate, number, onlyUser, revoked, toBeSigned, algorithm, signature);
    }

    /// <summary>
    /// IssuingDistributionPoint: a distributionPoint name and onlyContainsUserCerts are fine; CA-only,
    /// some-reasons-only, indirect and attribute-certificate CRLs are not a full answer for our issuer.
    /// </summary>
    private static bool ReadDistributionPointScope(byte[] value)
    {
        var idp = new AsnReader(value, AsnEncodingRules.DER).ReadSequence();
        var onlyUser = false;
        while (idp.HasData)
        {
            var tag = idp.PeekTag();
            var encoded = idp.ReadEncodedValue();
            if (tag.TagClass != TagClass.ContextSpecific)
            {
                throw new CryptographicException("Malformed issuing distribution point.");
            }

            switch (tag.TagValue)
            {
                case 0:
                    break;
                case 1:
                    onlyUser = new AsnReader(encoded, AsnEncodingRules.DER).ReadBoolean(tag);
                    break;
                default:
                    throw new CryptographicException("Partial CRLs (CA-only, some reasons, indirect, attribute certificates) are not supported.");
            }
        }

        return onlyUser;
    }

    private static void ReadExtensions(AsnReader extensions, Action<string, bool, byte[]> each)
    {
        while (extensions.HasData)
        {
            var extension = extensions.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            var critical = extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
            var value = extension.ReadOctetString();
            extension.ThrowIfNotEmpty();
            each(oid, critical, value);
        }
    }

    private static string ReadAlgorithm(AsnReader reader)
    {
        var algorithm = reader.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        if (algorithm.HasData)
        {
            algorithm.ReadEncodedValue(); // parameters (NULL for RSA)
        }

        algorithm.ThrowIfNotEmpty();
        return oid;
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
