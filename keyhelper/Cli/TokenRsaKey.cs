using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ESeal.KeyHelper.Infrastructure;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace ESeal.KeyHelper.Cli;

/// <summary>
/// The publisher's RSA release key on a PKCS#11 token (SoftHSM2 in tests, the publisher's HSM or
/// USBKEY in production): an <see cref="RSA"/> whose <see cref="SignHash"/> is CKM_RSA_PKCS over the
/// DigestInfo, so <c>SignedCms</c> signs with it and the key never leaves the token. PKCS#1 v1.5 only.
/// </summary>
internal sealed class TokenRsaKey : RSA
{
    private static readonly Dictionary<string, byte[]> DigestInfoPrefix = new(StringComparer.Ordinal)
    {
        ["SHA256"] = Convert.FromHexString("3031300d060960864801650304020105000420"),
        ["SHA384"] = Convert.FromHexString("3041300d060960864801650304020205000430"),
        ["SHA512"] = Convert.FromHexString("3051300d060960864801650304020305000440"),
    };

    private readonly IPkcs11Library _library;
    private readonly Net.Pkcs11Interop.HighLevelAPI.ISession _session;
    private readonly IObjectHandle _key;
    private readonly RSA _public;

    public TokenRsaKey(string modulePath, string tokenLabel, string keyLabel, string pin, X509Certificate2 certificate)
    {
        NativeLibraryFix.Apply();
        var factories = new Pkcs11InteropFactories();
        _library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, modulePath, AppType.SingleThreaded);
        try
        {
            var slot = _library.GetSlotList(SlotsType.WithTokenPresent)
                .FirstOrDefault(s => s.GetTokenInfo().Label.Trim() == tokenLabel)
                ?? throw new ArgumentException($"no token labelled {tokenLabel} in {modulePath}");
            _session = slot.OpenSession(SessionType.ReadOnly);
            _session.Login(CKU.CKU_USER, pin);
            var f = factories.ObjectAttributeFactory;
            _key = _session.FindAllObjects([f.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY), f.Create(CKA.CKA_LABEL, keyLabel)]).FirstOrDefault()
                ?? throw new ArgumentException($"no private key labelled {keyLabel} on token {tokenLabel}");
        }
        catch
        {
            _library.Dispose();
            throw;
        }

        _public = certificate.GetRSAPublicKey() ?? throw new ArgumentException("the certificate has no RSA key");
        KeySizeValue = _public.KeySize;
        LegalKeySizesValue = [new KeySizes(_public.KeySize, _public.KeySize, 0)];
    }

    public override RSAParameters ExportParameters(bool includePrivateParameters) =>
        includePrivateParameters ? throw new CryptographicException("the key stays on the token") : _public.ExportParameters(false);

    public override void ImportParameters(RSAParameters parameters) => throw new NotSupportedException();

    public override byte[] SignHash(byte[] hash, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
    {
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentNullException.ThrowIfNull(padding);
        if (padding != RSASignaturePadding.Pkcs1 || !DigestInfoPrefix.TryGetValue(hashAlgorithm.Name ?? "", out var prefix))
        {
            throw new CryptographicException($"the token key signs PKCS#1 v1.5 with SHA-256/384/512 only, not {hashAlgorithm.Name}/{padding}");
        }

        var mechanism = new Pkcs11InteropFactories().MechanismFactory.Create(CKM.CKM_RSA_PKCS);
        return _session.Sign(mechanism, _key, [.. prefix, .. hash]);
    }

    public override bool VerifyHash(byte[] hash, byte[] signature, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding) =>
        _public.VerifyHash(hash, signature, hashAlgorithm, padding);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                _session.Logout();
            }
            catch (Pkcs11Exception)
            {
                // Logged out already or token gone: nothing to undo.
            }

            _session.Dispose();
            _library.Dispose();
            _public.Dispose();
        }

        base.Dispose(disposing);
    }
}
