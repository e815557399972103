using System.Security.Cryptography;
using System.Text;

namespace ESeal.Workflows.Proof;

/// <summary>
/// A key helper's signed word that the token refused a PIN (PIN_INCORRECT) or refuses logins
/// (PIN_LOCKED). A wrong PIN yields no signature by the user's key, so only the helper that talked
/// to the token can vouch for it; the portal believes the report only from a helper staff enrolled
/// (a hall kiosk), whose key signs it. The bytes are those of keyhelper/Signing/PinReport.cs:
/// ASCII("ESEAL-PIN-REPORT-V1") ‖ SHA256(origin) ‖ SHA256(nonce) ‖ SHA256(context) ‖
/// SHA256(tokenSerial) ‖ SHA256(error) ‖ SHA256(attemptsLeft as decimal, or "-"), ECDSA P-256
/// with SHA-256, signature as raw r‖s. Origin is the portal's own (the helper signs the Origin
/// header it received), nonce and context the instance's own: a report is one-time and bound to
/// this flow, this key and this portal.
/// </summary>
public static class PinReport
{
    public const string PinIncorrect = "PIN_INCORRECT";
    public const string PinLocked = "PIN_LOCKED";

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("ESEAL-PIN-REPORT-V1");

    public static byte[] ToBeSigned(string origin, string nonce, string context, string tokenSerial, string error, string attemptsLeftText) =>
    [
        .. Magic,
        .. Hash(origin), .. Hash(nonce), .. Hash(context), .. Hash(tokenSerial), .. Hash(error), .. Hash(attemptsLeftText),
    ];

    /// <summary>The helper's report key id: SHA-256 (hex) of its SubjectPublicKeyInfo DER.</summary>
    public static string KeyIdOf(byte[] subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>True when <paramref name="signatureBase64"/> is the enrolled key's signature over exactly these facts.</summary>
    public static bool Verify(string publicKeyBase64, string signatureBase64, byte[] toBeSigned)
    {
        ArgumentNullException.ThrowIfNull(toBeSigned);
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKeyBase64), out _);
            return key.KeySize == 256 &&
                key.VerifyData(toBeSigned, Convert.FromBase64String(signatureBase64), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return false;
        }
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
