using ESeal.Db.Domain;

namespace ESeal.Tests.Domain;

public sealed class CreditCodeTests
{
    [Theory]
    [InlineData("91350100M000100Y43")] // the example printed in GB 32100-2015
    [InlineData("91330106MA2B3C4D5D")] // demo enterprise, check character computed independently
    [InlineData("91110108MA01K2L3PA")]
    public void Valid_codes_pass(string code) => Assert.Null(CreditCode.Validate(code));

    [Theory]
    [InlineData("91350100M000100Y44", "校验位不正确")]
    [InlineData("91350100M000100Y4", "应为18位")]
    [InlineData("91350100I000100Y43", "不允许的字符“I”")]
    [InlineData("91350100O000100Y43", "不允许的字符“O”")]
    [InlineData("91350100Z000100Y43", "不允许的字符“Z”")]
    [InlineData("91350100S000100Y43", "不允许的字符“S”")]
    [InlineData("91350100V000100Y43", "不允许的字符“V”")]
    [InlineData("9135A100M000100Y43", "行政区划码")]
    [InlineData("", "请输入")]
    public void Bad_codes_say_why(string code, string reason)
    {
        var message = CreditCode.Validate(code);
        Assert.NotNull(message);
        Assert.Contains(reason, message, StringComparison.Ordinal);
    }
}

public sealed class ResidentIdTests
{
    private static readonly DateOnly Today = new(2026, 11, 23);

    [Theory]
    [InlineData("11010519491231002X")] // the example of GB 11643-1999
    [InlineData("11010519491231002x")] // lower-case x is accepted
    [InlineData("330106197805121232")]
    [InlineData("110101200002290018")] // 29 February of a leap year
    public void Valid_numbers_pass(string number) => Assert.Null(ResidentId.Validate(number, Today));

    [Theory]
    [InlineData("110105194912310021", "校验位不正确")]
    [InlineData("110105194902310026", "出生日期不存在")] // 31 February
    [InlineData("110101190002290011", "出生日期不存在")] // 1900 was no leap year
    [InlineData("11010520300101001X", "出生日期不正确")] // born in the future
    [InlineData("11010519491231002", "应为18位")]
    [InlineData("1101051949123100AX", "前17位应为数字")]
    [InlineData("010105194912310026", "地址码")]
    public void Bad_numbers_say_why(string number, string reason)
    {
        var message = ResidentId.Validate(number, Today);
        Assert.NotNull(message);
        Assert.Contains(reason, message, StringComparison.Ordinal);
    }
}

public sealed class IdDocumentTests
{
    [Theory]
    [InlineData(IdDocumentType.HongKongMacauPermit, "H12345678")]
    [InlineData(IdDocumentType.HongKongMacauPermit, "M1234567801")]
    [InlineData(IdDocumentType.TaiwanPermit, "12345678")]
    [InlineData(IdDocumentType.Passport, "E12345678")]
    [InlineData(IdDocumentType.ForeignPermanentResidentId, "USA123456789012")]
    public void Other_documents_accept_their_formats(IdDocumentType type, string number) =>
        Assert.Null(IdDocument.Validate(type, number));

    [Theory]
    [InlineData(IdDocumentType.HongKongMacauPermit, "X12345678")]
    [InlineData(IdDocumentType.TaiwanPermit, "1234567")]
    [InlineData(IdDocumentType.Passport, "ABCDEFGH")]
    [InlineData(IdDocumentType.ForeignPermanentResidentId, "US123456789012")]
    [InlineData(IdDocumentType.ResidentId, "110105194912310021")]
    public void Other_documents_refuse_wrong_formats(IdDocumentType type, string number) =>
        Assert.NotNull(IdDocument.Validate(type, number));

    [Fact]
    public void Every_type_has_a_label() =>
        Assert.All(Enum.GetValues<IdDocumentType>(), t => Assert.False(string.IsNullOrEmpty(IdDocument.Label(t))));
}

public sealed class MobilePhoneTests
{
    [Theory]
    [InlineData("13800138000", "13800138000")]
    [InlineData("+8619912345678", "19912345678")]
    [InlineData("138 0013 8000", "13800138000")]
    public void Mainland_mobiles_are_normalised(string input, string expected)
    {
        Assert.Null(MobilePhone.Validate(input));
        Assert.Equal(expected, MobilePhone.Normalize(input));
    }

    [Theory]
    [InlineData("1380013800")] // 10 digits
    [InlineData("138001380001")] // 12 digits
    [InlineData("12800138000")] // no mobile prefix 12
    [InlineData("0571-88888888")] // a landline
    [InlineData("abc")]
    public void Others_are_refused(string input) =>
        Assert.Equal("请输入正确的11位手机号码", MobilePhone.Validate(input));

    [Fact]
    public void Empty_asks_for_a_number() => Assert.Equal("请输入联系电话", MobilePhone.Validate(" "));
}

public sealed class MaskingTests
{
    [Fact]
    public void Id_numbers_keep_area_and_last_four() =>
        Assert.Equal("110105********002X", Masking.IdNumber("11010519491231002X"));

    [Fact]
    public void Phones_keep_prefix_and_last_four() => Assert.Equal("138****8000", Masking.Phone("13800138000"));

    [Theory]
    [InlineData("王建国", "王*国")]
    [InlineData("李慧", "李*")]
    [InlineData("欧阳娜娜", "欧**娜")]
    public void Names_hide_the_middle(string name, string masked) => Assert.Equal(masked, Masking.PersonName(name));
}

/// <summary>Issue 9 (7): free text a citizen types must show something and carry no control or format characters.</summary>
public sealed class FreeTextTests
{
    [Theory]
    [InlineData("\u200D", "持章人姓名不能包含控制字符或不可见的格式字符")] // zero-width joiner only (Cf)
    [InlineData("\uFEFF", "持章人姓名不能包含控制字符或不可见的格式字符")] // BOM only
    [InlineData("\u0001\u0002\u0003", "持章人姓名不能包含控制字符或不可见的格式字符")]
    [InlineData("\u202E张三", "持章人姓名不能包含控制字符或不可见的格式字符")] // RTL override in front of a real name
    [InlineData("张\u200B三", "持章人姓名不能包含控制字符或不可见的格式字符")] // zero-width space inside
    [InlineData("\u0301\u0301", "请输入持章人姓名")] // combining marks with no base show nothing
    [InlineData("\u3000\u00A0 ", "请输入持章人姓名")] // ideographic and no-break spaces
    public void Names_without_visible_text_or_with_hidden_characters_get_the_fields_message(string name, string expected)
    {
        Assert.Equal(expected, FreeText.Validate(name, "持章人姓名", "请输入持章人姓名", 50));
    }

    [Fact]
    public void A_lone_surrogate_counts_as_a_hidden_character()
    {
        // Built here, not in [InlineData]: the test runner would replace the lone surrogate with U+FFFD.
        var name = "王" + (char)0xD800;
        Assert.Equal("持章人姓名不能包含控制字符或不可见的格式字符", FreeText.Validate(name, "持章人姓名", "请输入持章人姓名", 50));
    }

    [Theory]
    [InlineData("王建国")]
    [InlineData("Anne-Marie O'Neil")]
    [InlineData("阿依古丽·买买提")]
    [InlineData("𠀀𠀁")] // CJK extension B, two UTF-16 units each
    [InlineData("José")] // e + combining acute after a base letter
    public void Real_names_pass(string name) => Assert.Null(FreeText.Validate(name, "持章人姓名", "请输入持章人姓名", 50));

    [Fact]
    public void Length_counts_characters_as_people_see_them()
    {
        Assert.Null(FreeText.Validate(new string('名', 50), "持章人姓名", "请输入持章人姓名", 50));
        Assert.Equal("持章人姓名不能超过50个字", FreeText.Validate(new string('名', 51), "持章人姓名", "请输入持章人姓名", 50));
    }

    [Theory]
    [InlineData("13800138000\u200D")]
    [InlineData("\u000013800138000")]
    public void Phones_with_hidden_characters_say_so(string phone) =>
        Assert.Equal("联系电话不能包含控制字符或不可见的格式字符", MobilePhone.Validate(phone));

    [Fact]
    public void Id_numbers_and_credit_codes_with_hidden_characters_say_so_instead_of_quoting_an_invisible_character()
    {
        Assert.Equal("证件号码不能包含控制字符或不可见的格式字符", IdDocument.Validate(IdDocumentType.ResidentId, "3301061978\u200B05121232"));
        Assert.Equal("统一社会信用代码不能包含控制字符或不可见的格式字符", CreditCode.Validate("91350100M000100Y4\u200D"));
    }
}
