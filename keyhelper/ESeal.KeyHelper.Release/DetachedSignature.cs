using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace ESeal.KeyHelper.Release;

public enum SignatureStatus
{
    Verified,

    /// <summary>No publisher root is configured: nothing can be verified, so nothing is trusted.</summary>
    NoPublisherRoot,

    SignatureMissing,

    /// <summary>The signed file itself (the release manifest) is not there.</summary>
    FileMissing,

    /// <summary>Not a CMS SignedData with exactly one signer and its certificate.</summary>
    Malformed,

    /// <summary>The signature does not match these bytes: the signed file was changed.</summary>
    ContentTampered,

    /// <summary>The signer's certificate does not chain to a configured root, is out of date or not for code signing.</summary>
    UntrustedPublisher,
}

/// <summary>What a signature check found, with the words the page and the verb show.</summary>
public sealed record SignatureVerdict(SignatureStatus Status, string? SignerSubject = null, string? SignerSha256 = null)
{
    public bool IsVerified => Status == SignatureStatus.Verified;

    /// <summary>Stable code for scripts and tests (<c>UNTRUSTED_PUBLISHER</c>…).</summary>
    public string Code => Status switch
    {
        SignatureStatus.Verified => "VERIFIED",
        SignatureStatus.NoPublisherRoot => "NO_PUBLISHER_ROOT",
        SignatureStatus.SignatureMissing => "SIGNATURE_MISSING",
        SignatureStatus.FileMissing => "MANIFEST_MISSING",
        SignatureStatus.Malformed => "SIGNATURE_MALFORMED",
        SignatureStatus.ContentTampered => "CONTENT_TAMPERED",
        _ => "UNTRUSTED_PUBLISHER",
    };

    public string Message => Status switch
    {
        SignatureStatus.Verified => $"签名有效，发布者：{SignerSubject}",
        SignatureStatus.NoPublisherRoot => "未配置发布者根证书，无法验证签名，不能信任这些文件。",
        SignatureStatus.SignatureMissing => "缺少签名文件，不能信任这些文件。",
        SignatureStatus.FileMissing => "找不到发布清单（release-manifest.json）。",
        SignatureStatus.Malformed => "签名文件格式不正确，不能信任这些文件。",
        SignatureStatus.ContentTampered => "签名与文件内容不符，文件已被改动。",
        _ => $"签名证书（{SignerSubject}）不是由受信任的发布者根证书签发，或已过期、不可用于代码签名。",
    };
}

/// <summary>
/// CMS/PKCS#7 detached signatures (<see cref="SignedCms"/>, DER) over a file's exact bytes, from a
/// code-signing certificate; verification = signature over the bytes + the signer's chain to the
/// configured publisher roots (<see cref="CustomRootChain"/>, code-signing EKU, at the time of checking).
/// </summary>
public static class DetachedSignature
{
    /// <summary>
    /// Signs <paramref name="content"/>; <paramref name="key"/> may be any RSA/ECDsa, including one
    /// whose operations happen on a PKCS#11 token. <paramref name="chain"/> (intermediates) goes into
    /// the message; <paramref name="signingTime"/> is a signed attribute (SOURCE_DATE_EPOCH for releases).
    /// </summary>
    public static byte[] Sign(byte[] content, X509Certificate2 certificate, AsymmetricAlgorithm key, X509Certificate2Collection? chain, DateTimeOffset signingTime)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(key);
        var cms = new SignedCms(new ContentInfo(content), detached: true);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, certificate, key)
        {
            DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1"),
            IncludeOption = X509IncludeOption.EndCertOnly,
        };
        if (chain is not null)
        {
            foreach (var extra in chain)
            {
                if (extra.Subject != extra.Issuer)
                {
                    signer.Certificates.Add(extra);
                }
            }
        }

        signer.SignedAttributes.Add(new Pkcs9SigningTime(signingTime.UtcDateTime));
        cms.ComputeSignature(signer, silent: true);
        return cms.Encode();
    }

    public static SignatureVerdict Verify(byte[] content, byte[]? signature, X509Certificate2Collection publisherRoots, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(publisherRoots);
        if (publisherRoots.Count == 0)
        {
            return new(SignatureStatus.NoPublisherRoot);
        }

        if (signature is null || signature.Length == 0)
        {
            return new(SignatureStatus.SignatureMissing);
        }

        var cms = new SignedCms(new ContentInfo(content), detached: true);
        try
        {
            cms.Decode(signature);
        }
        catch (CryptographicException)
        {
            return new(SignatureStatus.Malformed);
        }

        if (cms.SignerInfos.Count != 1 || cms.SignerInfos[0].Certificate is not { } certificate)
        {
            return new(SignatureStatus.Malformed);
        }

        var subject = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
        try
        {
            cms.SignerInfos[0].CheckSignature(verifySignatureOnly: true);
        }
        catch (CryptographicException)
        {
            return new(SignatureStatus.ContentTampered, subject, sha256);
        }

        var trusted = CustomRootChain.Build(certificate, publisherRoots, now, cms.Certificates, CustomRootChain.CodeSigningEku);
        return new(trusted ? SignatureStatus.Verified : SignatureStatus.UntrustedPublisher, subject, sha256);
    }

    /// <summary>Verifies <paramref name="file"/> against <c>file.p7s</c> next to it.</summary>
    public static SignatureVerdict VerifyFile(string file, X509Certificate2Collection publisherRoots, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(file);
        var signaturePath = file + ReleaseFormat.SignatureSuffix;
        return Verify(File.ReadAllBytes(file), File.Exists(signaturePath) ? File.ReadAllBytes(signaturePath) : null, publisherRoots, now);
    }
}
