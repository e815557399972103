using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ESeal.KeyHelper.Signing;

/// <summary>
/// What the helper signs with its report key (<see cref="Security.ReportKey"/>) when a sign ends in
/// PIN_INCORRECT or PIN_LOCKED, so the portal can count wrong PINs per key on the helper's word instead
/// of on whatever a page posts:
/// <code>
/// ASCII("ESEAL-PIN-REPORT-V1") ‖ SHA256(UTF8(origin)) ‖ SHA256(UTF8(nonce)) ‖ SHA256(UTF8(context))
///   ‖ SHA256(UTF8(tokenSerial)) ‖ SHA256(UTF8(error)) ‖ SHA256(UTF8(attemptsLeftText))
/// </code>
/// origin = the request's Origin header as received (as for <see cref="ProofBytes"/>); nonce, context and
/// tokenSerial = the request's fields; error = PIN_INCORRECT | PIN_LOCKED; attemptsLeftText = the decimal
/// attemptsLeft of the answer, or "-" when it has none. Signature: ECDSA P-256 / SHA-256, raw r‖s.
/// The portal's PIN report verifier (next to <c>ProofVerifier</c> in workflows/Proof) rebuilds exactly these
/// bytes from its own state: change one side, change the other, and the protocol text in keyhelper/README.md.
/// </summary>
public static class PinReport
{
    private static readonly byte[] Prefix = Encoding.ASCII.GetBytes("ESEAL-PIN-REPORT-V1");

    public static byte[] Build(string origin, string nonce, string context, string tokenSerial, string error, int? attemptsLeft)
    {
        string[] parts = [origin, nonce, context, tokenSerial, error, AttemptsLeftText(attemptsLeft)];
        var result = new byte[Prefix.Length + (parts.Length * SHA256.HashSizeInBytes)];
        Prefix.CopyTo(result, 0);
        var offset = Prefix.Length;
        foreach (var part in parts)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(part), result.AsSpan(offset, SHA256.HashSizeInBytes));
            offset += SHA256.HashSizeInBytes;
        }

        return result;
    }

    public static string AttemptsLeftText(int? attemptsLeft) =>
        attemptsLeft is { } n ? n.ToString(CultureInfo.InvariantCulture) : "-";
}
