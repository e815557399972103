namespace ESeal.TestPki;

/// <summary>The demo enterprises; codes and names must equal db/Demo/DemoData.cs so bound seals line up.</summary>
public sealed record TestEnterprise(string Key, string CreditCode, string Name, string LegalRepresentative)
{
    public static readonly TestEnterprise Hangzhou = new("hangzhou", "91330106MA2B3C4D5D", "杭州云印信息技术有限公司", "王建国");
    public static readonly TestEnterprise Beijing = new("beijing", "91110108MA01K2L3PA", "北京中关村数据服务有限公司", "李慧敏");
    public static readonly TestEnterprise Shenzhen = new("shenzhen", "91440300MA5F6G7H8B", "深圳前海跨境贸易有限公司", "陈志强");

    public static IReadOnlyList<TestEnterprise> All { get; } = [Hangzhou, Beijing, Shenzhen];
}
