using ESeal.Db.Receipts;

namespace ESeal.Tests.Receipts;

public sealed class ReceiptCodeTests
{
    [Fact]
    public void New_codes_are_24_crockford_characters_and_do_not_repeat()
    {
        var codes = Enumerable.Range(0, 20_000).Select(_ => ReceiptCode.New()).ToList();

        Assert.All(codes, c => Assert.Matches("^[0-9A-HJKMNP-TV-Z]{24}$", c));
        Assert.Equal(codes.Count, codes.Distinct().Count());
        // Every position takes every symbol: no bits are constant (a broken encoder pads with zeros).
        for (var i = 0; i < ReceiptCode.Length; i++)
        {
            Assert.True(codes.Select(c => c[i]).Distinct().Count() == 32, $"position {i}");
        }
    }

    [Theory]
    [InlineData("7K2M-QX9D-4HBT-0RWE-5YCN-8GSA", "7K2MQX9D4HBT0RWE5YCN8GSA")]
    [InlineData("7k2m qx9d 4hbt 0rwe 5ycn 8gsa", "7K2MQX9D4HBT0RWE5YCN8GSA")]
    [InlineData("7K2MQX9D4HBTORWE5YCN8GSA", "7K2MQX9D4HBT0RWE5YCN8GSA")] // O read as 0
    [InlineData("7K2MQX9D4HBT0RWE5YCN8GSl", "7K2MQX9D4HBT0RWE5YCN8GS1")] // l read as 1
    public void Typed_codes_are_read_forgivingly(string typed, string canonical) => Assert.Equal(canonical, ReceiptCode.Normalize(typed));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("7K2MQX9D4HBT0RWE5YCN8GS")]
    [InlineData("7K2MQX9D4HBT0RWE5YCN8GSAA")]
    [InlineData("7K2MQX9D4HBT0RWE5YCN8GSU")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("业务流水号业务流水号业务流水号业务流水号业务流")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public void Anything_else_is_no_code(string? typed) => Assert.Null(ReceiptCode.Normalize(typed));

    [Fact]
    public void Codes_are_shown_in_groups_of_four() => Assert.Equal("7K2M-QX9D-4HBT-0RWE-5YCN-8GSA", ReceiptCode.Grouped("7K2MQX9D4HBT0RWE5YCN8GSA"));
}
