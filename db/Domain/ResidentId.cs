using System.Globalization;

namespace ESeal.Db.Domain;

/// <summary>
/// 居民身份证号码 (GB 11643-1999): 6-digit area, 8-digit birth date, 3-digit sequence and an
/// ISO 7064 MOD 11-2 check character (0-9 or X).
/// </summary>
public static class ResidentId
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    public static string? Validate(string? number, DateOnly? today = null)
    {
        if (string.IsNullOrWhiteSpace(number))
        {
            return "请输入证件号码";
        }

        number = number.Trim().ToUpperInvariant();
        if (number.Length != 18)
        {
            return "居民身份证号码应为18位";
        }

        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(number[i]))
            {
                return "居民身份证号码前17位应为数字";
            }
        }

        if (!char.IsAsciiDigit(number[17]) && number[17] != 'X')
        {
            return "居民身份证号码最后一位应为数字或X";
        }

        if (number[0] is < '1' or > '9')
        {
            return "居民身份证号码地址码不正确";
        }

        if (!DateOnly.TryParseExact(number.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth))
        {
            return "居民身份证号码中的出生日期不存在";
        }

        var now = today ?? DateOnly.FromDateTime(DateTime.UtcNow);
        if (birth > now || birth.Year < 1900)
        {
            return "居民身份证号码中的出生日期不正确";
        }

        return number[17] == CheckCharacter(number.AsSpan(0, 17)) ? null : "居民身份证号码校验位不正确";
    }

    public static bool IsValid(string? number) => Validate(number) is null;

    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }
}
