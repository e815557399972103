using System.Text.RegularExpressions;

namespace ESeal.Db.Domain;

/// <summary>Mainland China mobile numbers: 11 digits starting 13–19, optionally written with +86.</summary>
public static partial class MobilePhone
{
    public static string? Validate(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return "请输入联系电话";
        }

        if (FreeText.HasHiddenCharacters(phone))
        {
            return "联系电话" + FreeText.HiddenCharactersText;
        }

        return Normalize(phone) is null ? "请输入正确的11位手机号码" : null;
    }

    /// <summary>The bare 11 digits, or null when the input is not a mainland mobile number.</summary>
    public static string? Normalize(string? phone)
    {
        if (phone is null)
        {
            return null;
        }

        var compact = phone.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        var match = Pattern().Match(compact);
        return match.Success ? match.Groups["n"].Value : null;
    }

    [GeneratedRegex("^(?:\\+?86)?(?<n>1[3-9][0-9]{9})$")]
    private static partial Regex Pattern();
}
