using System.Security.Cryptography;

namespace ESeal.Db.Receipts;

/// <summary>
/// The 业务流水号 of a receipt: 120 random bits as 24 characters of Crockford base32 (digits and
/// capitals without I, L, O, U), shown in groups of four. Random rather than derived from an id, so
/// that knowing one receipt, or every binding id, does not lead to another: at 2^120 codes, guessing
/// finds nothing. Reading is forgiving the way Crockford meant it (lower case, O for 0, I/L for 1,
/// spaces and dashes ignored), so a code typed from paper still finds its receipt.
/// </summary>
public static class ReceiptCode
{
    public const int Length = 24;
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[15];
        RandomNumberGenerator.Fill(bytes);
        var chars = new char[Length];
        // 15 bytes = 120 bits = 24 groups of 5 bits.
        for (var i = 0; i < Length; i++)
        {
            var bit = i * 5;
            var word = (bytes[bit / 8] << 8) | (bit / 8 + 1 < bytes.Length ? bytes[bit / 8 + 1] : 0);
            chars[i] = Alphabet[(word >> (11 - (bit % 8))) & 0x1F];
        }

        return new string(chars);
    }

    /// <summary>The canonical code, or null when <paramref name="input"/> cannot be one (wrong length or characters).</summary>
    public static string? Normalize(string? input)
    {
        if (string.IsNullOrWhiteSpace(input) || input.Length > 64)
        {
            return null;
        }

        var chars = new List<char>(Length);
        foreach (var c in input)
        {
            if (c is '-' or ' ')
            {
                continue;
            }

            var upper = char.ToUpperInvariant(c) switch
            {
                'O' => '0',
                'I' or 'L' => '1',
                var u => u,
            };
            if (!Alphabet.Contains(upper, StringComparison.Ordinal))
            {
                return null;
            }

            chars.Add(upper);
        }

        return chars.Count == Length ? new string([.. chars]) : null;
    }

    /// <summary>7K2M-QX9D-…: groups of four for reading aloud and typing.</summary>
    public static string Grouped(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return string.Join('-', code.Chunk(4).Select(g => new string(g)));
    }
}
