namespace ESeal.Db.Domain;

/// <summary>Masks personal data for screens and logs (data rules, ARCHITECTURE §5).</summary>
public static class Masking
{
    /// <summary>110105********002X: the area's first 6 and the last 4 stay.</summary>
    public static string IdNumber(string? number)
    {
        if (string.IsNullOrEmpty(number))
        {
            return string.Empty;
        }

        if (number.Length <= 8)
        {
            return new string('*', number.Length - 2) + number[^2..];
        }

        var keepStart = number.Length >= 15 ? 6 : 2;
        return number[..keepStart] + new string('*', number.Length - keepStart - 4) + number[^4..];
    }

    /// <summary>138****5678.</summary>
    public static string Phone(string? phone)
    {
        if (string.IsNullOrEmpty(phone))
        {
            return string.Empty;
        }

        return phone.Length < 7 ? new string('*', phone.Length) : phone[..3] + new string('*', phone.Length - 7) + phone[^4..];
    }

    /// <summary>张*明 / 李*: the first character stays, and the last one of names of three or more.</summary>
    public static string PersonName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return string.Empty;
        }

        return name.Length switch
        {
            1 => "*",
            2 => name[..1] + "*",
            _ => name[..1] + new string('*', name.Length - 2) + name[^1..],
        };
    }
}
