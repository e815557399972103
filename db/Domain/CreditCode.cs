namespace ESeal.Db.Domain;

/// <summary>
/// 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-symbol alphabet without I, O, Z, S, V;
/// the last one is a check character over the first 17 with weights 3^i mod 31.
/// </summary>
public static class CreditCode
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Null when valid, otherwise the reason in Chinese for the user.</summary>
    public static string? Validate(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return "请输入统一社会信用代码";
        }

        code = code.Trim().ToUpperInvariant();
        if (code.Length != 18)
        {
            return "统一社会信用代码应为18位";
        }

        foreach (var c in code)
        {
            if (!Alphabet.Contains(c, StringComparison.Ordinal))
            {
                // An invisible character quoted back would read as “” and leave the user guessing.
                return FreeText.HasHiddenCharacters(c.ToString()) || !FreeText.HasVisibleCharacter(c.ToString())
                    ? "统一社会信用代码" + FreeText.HiddenCharactersText
                    : $"统一社会信用代码含有不允许的字符“{c}”（不使用I、O、Z、S、V）";
            }
        }

        for (var i = 2; i < 8; i++)
        {
            if (!char.IsAsciiDigit(code[i]))
            {
                return "统一社会信用代码第3至8位应为登记管理机关行政区划码（数字）";
            }
        }

        return code[17] == CheckCharacter(code.AsSpan(0, 17)) ? null : "统一社会信用代码校验位不正确";
    }

    public static bool IsValid(string? code) => Validate(code) is null;

    /// <summary>The check character for the first 17 characters.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17)
        {
            throw new ArgumentException("Exactly 17 characters are needed.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = Alphabet.IndexOf(first17[i], StringComparison.Ordinal);
            if (value < 0)
            {
                throw new ArgumentException($"'{first17[i]}' is not in the credit-code alphabet.", nameof(first17));
            }

            sum += value * Weights[i];
        }

        var check = 31 - (sum % 31);
        return Alphabet[check == 31 ? 0 : check];
    }
}
