using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace ESeal.TestPki;

/// <summary>
/// Initialises SoftHSM2 tokens in a private token directory through Pkcs11Interop, in this process.
/// SoftHSM2 reads SOFTHSM2_CONF with the C library's getenv, which does not see
/// Environment.SetEnvironmentVariable on Unix, hence the setenv P/Invoke.
/// </summary>
public static partial class SoftHsm
{
    public const string DefaultModulePath = "/usr/lib/softhsm/libsofthsm2.so";
    public const string SoPin = "12345678";

    private static readonly Pkcs11InteropFactories Factories = CreateFactories();

    // DER of OID 1.2.840.10045.3.1.7 (prime256v1), the CKA_EC_PARAMS of a P-256 key.
    private static readonly byte[] P256Params = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeSetEnv(string name, string value, int overwrite);

    private static Pkcs11InteropFactories CreateFactories()
    {
        NativeLibraryFix.Apply();
        return new Pkcs11InteropFactories();
    }

    /// <summary>Writes DIR/softhsm2.conf pointing at DIR/tokens and returns its path.</summary>
    public static string WriteConfig(string directory)
    {
        var tokens = Path.Combine(directory, "tokens");
        Directory.CreateDirectory(tokens);
        var conf = Path.Combine(directory, "softhsm2.conf");
        File.WriteAllText(conf, $"""
            # Written by ESeal.TestPki: a private SoftHSM2 store for tests and the demo.
            directories.tokendir = {tokens}/
            objectstore.backend = file
            log.level = ERROR
            slots.removable = true
            slots.mechanisms = ALL
            library.reset_on_fork = false

            """);
        return conf;
    }

    /// <summary>Points SoftHSM2 in this process at the given config (before the module is loaded).</summary>
    public static void UseConfig(string confPath)
    {
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", confPath);
        if (!OperatingSystem.IsWindows())
        {
            _ = NativeSetEnv("SOFTHSM2_CONF", confPath, 1);
        }
    }

    /// <summary>Creates the tokens that are missing (by label); existing ones are left as they are.</summary>
    public static IReadOnlyDictionary<string, string> EnsureTokens(string modulePath, IEnumerable<(string Label, IReadOnlyList<IssuedCertificate> Certificates)> tokens, string userPin)
    {
        var serials = new Dictionary<string, string>(StringComparer.Ordinal);
        using var library = Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, modulePath, AppType.MultiThreaded);
        foreach (var (label, certificates) in tokens)
        {
            var existing = FindToken(library, label);
            if (existing is not null)
            {
                serials[label] = existing.GetTokenInfo().SerialNumber;
                continue;
            }

            var free = library.GetSlotList(SlotsType.WithTokenPresent)
                .First(s => !s.GetTokenInfo().TokenFlags.TokenInitialized);
            free.InitToken(SoPin, label);

            // SoftHSM2 moves an initialised token to a new slot id; look it up again by label.
            var slot = FindToken(library, label) ?? throw new InvalidOperationException($"Token {label} vanished after C_InitToken.");
            using (var session = slot.OpenSession(SessionType.ReadWrite))
            {
                session.Login(CKU.CKU_SO, SoPin);
                session.InitPin(userPin);
                session.Logout();
            }

            using (var session = slot.OpenSession(SessionType.ReadWrite))
            {
                session.Login(CKU.CKU_USER, userPin);
                foreach (var cert in certificates)
                {
                    Import(session, cert);
                }

                session.Logout();
            }

            serials[label] = slot.GetTokenInfo().SerialNumber;
        }

        return serials;
    }

    private static ISlot? FindToken(IPkcs11Library library, string label) =>
        library.GetSlotList(SlotsType.WithTokenPresent)
            .FirstOrDefault(s =>
            {
                var info = s.GetTokenInfo();
                return info.TokenFlags.TokenInitialized && info.Label.Trim() == label;
            });

    private static void Import(ISession session, IssuedCertificate issued)
    {
        var f = Factories.ObjectAttributeFactory;
        var id = issued.Id;
        var label = issued.Spec.Name;
        var keyAttributes = new List<IObjectAttribute>
        {
            f.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY),
            f.Create(CKA.CKA_TOKEN, true),
            f.Create(CKA.CKA_PRIVATE, true),
            f.Create(CKA.CKA_SENSITIVE, true),
            f.Create(CKA.CKA_EXTRACTABLE, false),
            f.Create(CKA.CKA_SIGN, true),
            f.Create(CKA.CKA_ID, id),
            f.Create(CKA.CKA_LABEL, label),
        };
        if (issued.Key is RSA rsa)
        {
            var p = rsa.ExportParameters(true);
            keyAttributes.AddRange(
            [
                f.Create(CKA.CKA_KEY_TYPE, CKK.CKK_RSA),
                f.Create(CKA.CKA_MODULUS, p.Modulus!),
                f.Create(CKA.CKA_PUBLIC_EXPONENT, p.Exponent!),
                f.Create(CKA.CKA_PRIVATE_EXPONENT, p.D!),
                f.Create(CKA.CKA_PRIME_1, p.P!),
                f.Create(CKA.CKA_PRIME_2, p.Q!),
                f.Create(CKA.CKA_EXPONENT_1, p.DP!),
                f.Create(CKA.CKA_EXPONENT_2, p.DQ!),
                f.Create(CKA.CKA_COEFFICIENT, p.InverseQ!),
            ]);
        }
        else
        {
            var p = ((ECDsa)issued.Key).ExportParameters(true);
            keyAttributes.AddRange(
            [
                f.Create(CKA.CKA_KEY_TYPE, CKK.CKK_EC),
                f.Create(CKA.CKA_EC_PARAMS, P256Params),
                f.Create(CKA.CKA_VALUE, p.D!),
            ]);
        }

        session.CreateObject(keyAttributes);
        session.CreateObject(
        [
            f.Create(CKA.CKA_CLASS, CKO.CKO_CERTIFICATE),
            f.Create(CKA.CKA_CERTIFICATE_TYPE, CKC.CKC_X_509),
            f.Create(CKA.CKA_TOKEN, true),
            f.Create(CKA.CKA_PRIVATE, false),
            f.Create(CKA.CKA_ID, id),
            f.Create(CKA.CKA_LABEL, label),
            f.Create(CKA.CKA_SUBJECT, issued.Certificate.SubjectName.RawData),
            f.Create(CKA.CKA_ISSUER, issued.Certificate.IssuerName.RawData),
            f.Create(CKA.CKA_VALUE, issued.Certificate.RawData),
        ]);
    }

    /// <summary>
    /// The token's directory under tokendir (SoftHSM2 names it by a UUID). The serial is stored
    /// as plain bytes in token.object, which is enough to tell the directories apart.
    /// </summary>
    public static string? FindTokenDirectory(string tokenDir, string serial)
    {
        var needle = System.Text.Encoding.ASCII.GetBytes(serial);
        foreach (var dir in Directory.EnumerateDirectories(tokenDir))
        {
            var file = Path.Combine(dir, "token.object");
            if (File.Exists(file) && File.ReadAllBytes(file).AsSpan().IndexOf(needle) >= 0)
            {
                return dir;
            }
        }

        return null;
    }
}
