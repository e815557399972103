using System.Security.Cryptography;
using System.Text;

namespace ESeal.KeyHelper.Signing;

/// <summary>
/// The bytes of §4: ASCII("ESEAL-PROOF-V1") ‖ SHA256(UTF8(origin)) ‖ SHA256(UTF8(nonce)) ‖ SHA256(UTF8(context)).
/// The origin comes from the request's Origin header, never from the body, so a page of another
/// site cannot obtain a proof that the portal would accept (Web eID's rule).
/// </summary>
public static class ProofBytes
{
    private static readonly byte[] Prefix = Encoding.ASCII.GetBytes("ESEAL-PROOF-V1");

    public static byte[] Build(string origin, string nonce, string context)
    {
        var result = new byte[Prefix.Length + (3 * SHA256.HashSizeInBytes)];
        Prefix.CopyTo(result, 0);
        var offset = Prefix.Length;
        foreach (var part in new[] { origin, nonce, context })
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(part), result.AsSpan(offset, SHA256.HashSizeInBytes));
            offset += SHA256.HashSizeInBytes;
        }

        return result;
    }
}
