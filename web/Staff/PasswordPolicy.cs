namespace ESeal.Web.Staff;

/// <summary>
/// What a staff password must be. Length matters most (NIST SP 800-63B); mixing classes and
/// refusing the obvious stops the passwords people pick first. Messages are shown to staff as is.
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 10;
    public const int MaximumLength = 128;

    // The passwords every guesser tries first (and their Chinese-keyboard favourites).
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "password1", "password123", "passw0rd", "qwerty", "qwertyuiop", "1234567890", "12345678910",
        "abc123456", "a123456789", "iloveyou", "admin123", "administrator", "woaini1314", "1qaz2wsx3edc",
        "qwe123456", "aa123456789", "zxcvbnm123", "asdfghjkl", "11111111111", "00000000000", "p@ssw0rd123",
    };

    /// <summary>Null when acceptable, otherwise why not (Chinese, for the field's message).</summary>
    public static string? Problem(string? password, string? username)
    {
        if (string.IsNullOrEmpty(password))
        {
            return "请输入密码。";
        }

        if (password.Length < MinimumLength)
        {
            return $"密码至少{MinimumLength}位。";
        }

        if (password.Length > MaximumLength)
        {
            return $"密码不能超过{MaximumLength}位。";
        }

        if (password.Any(char.IsControl))
        {
            return "密码不能包含控制字符。";
        }

        var classes = new[] { password.Any(char.IsLower), password.Any(char.IsUpper), password.Any(char.IsDigit), password.Any(c => !char.IsLetterOrDigit(c)) }.Count(x => x);
        if (classes < 3)
        {
            return "密码需包含大写字母、小写字母、数字、符号中的至少三类。";
        }

        if (password.Distinct().Count() < 5)
        {
            return "密码过于简单（重复字符过多）。";
        }

        if (!string.IsNullOrWhiteSpace(username) && password.Contains(username.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return "密码不能包含用户名。";
        }

        return Common.Contains(password) ? "该密码过于常见，请换一个。" : null;
    }
}
