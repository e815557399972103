using System.Text.RegularExpressions;

namespace ESeal.Db.Domain;

/// <summary>证件类型 offered for the seal holder (SPEC §3.2).</summary>
public enum IdDocumentType
{
    ResidentId,
    HongKongMacauPermit,
    TaiwanPermit,
    Passport,
    ForeignPermanentResidentId,
}

public static partial class IdDocument
{
    public static readonly IReadOnlyList<(IdDocumentType Type, string Label)> Types =
    [
        (IdDocumentType.ResidentId, "居民身份证"),
        (IdDocumentType.HongKongMacauPermit, "港澳居民来往内地通行证"),
        (IdDocumentType.TaiwanPermit, "台湾居民来往大陆通行证"),
        (IdDocumentType.Passport, "护照"),
        (IdDocumentType.ForeignPermanentResidentId, "外国人永久居留身份证"),
    ];

    public static string Label(IdDocumentType type) => Types.First(t => t.Type == type).Label;

    /// <summary>Null when the number fits the type; otherwise the message shown next to the field.</summary>
    public static string? Validate(IdDocumentType type, string? number)
    {
        if (string.IsNullOrWhiteSpace(number))
        {
            return "请输入证件号码";
        }

        if (FreeText.HasHiddenCharacters(number))
        {
            return "证件号码" + FreeText.HiddenCharactersText;
        }

        var n = number.Trim().ToUpperInvariant();
        return type switch
        {
            IdDocumentType.ResidentId => ResidentId.Validate(n),
            IdDocumentType.HongKongMacauPermit => HkMacau().IsMatch(n) ? null : "港澳居民来往内地通行证号码应为H或M开头加8位或10位数字",
            IdDocumentType.TaiwanPermit => Taiwan().IsMatch(n) ? null : "台湾居民来往大陆通行证号码应为8位或10位数字",
            IdDocumentType.Passport => Passport().IsMatch(n) ? null : "护照号码应为5至17位字母或数字",
            IdDocumentType.ForeignPermanentResidentId => ForeignPermanent(n),
            _ => "请选择证件类型",
        };
    }

    // The 2017 card has 18 characters starting with 9 and a GB 11643-style check; the older one
    // has three letters and twelve digits.
    private static string? ForeignPermanent(string n)
    {
        if (OldForeignPermanent().IsMatch(n))
        {
            return null;
        }

        if (n.Length == 18 && n[0] == '9' && ResidentId.Validate(n) is null)
        {
            return null;
        }

        return "外国人永久居留身份证号码格式不正确";
    }

    [GeneratedRegex("^[HM][0-9]{8}([0-9]{2})?$")]
    private static partial Regex HkMacau();

    [GeneratedRegex("^[0-9]{8}([0-9]{2})?$")]
    private static partial Regex Taiwan();

    [GeneratedRegex("^(?=.*[0-9])[A-Z0-9]{5,17}$")]
    private static partial Regex Passport();

    [GeneratedRegex("^[A-Z]{3}[0-9]{12}$")]
    private static partial Regex OldForeignPermanent();
}
