using System.Net;
using System.Text.Json;
using ESeal.Db.Demo;
using ESeal.Db.Infrastructure;
using ESeal.Db.MediumChange;
using ESeal.Db.Repositories;
using Microsoft.Extensions.DependencyInjection;

namespace ESeal.Tests.Admin;

/// <summary>The operator's enterprise search and enterprise page (/admin/enterprises…), on the demo data.</summary>
public sealed class OperatorEnterpriseTests(AdminWebFixture web) : IClassFixture<AdminWebFixture>
{
    private const string NoMatch = "未找到符合条件的企业。";

    private Database Db => web.Factory.Services.GetRequiredService<Database>();

    private static async Task<string> SearchAsync(AdminClient client, string q) =>
        WebUtility.HtmlDecode(await client.GetHtmlAsync("/admin/enterprises?q=" + Uri.EscapeDataString(q)));

    [Fact]
    public async Task An_empty_query_shows_the_hint_and_the_labelled_field_not_an_error()
    {
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");

        var html = WebUtility.HtmlDecode(await client.GetHtmlAsync("/admin/enterprises?q=%20"));

        Assert.Contains("<label for=\"q\">企业名称或统一社会信用代码</label>", html, StringComparison.Ordinal);
        Assert.Contains(">查询</button>", html, StringComparison.Ordinal);
        Assert.Contains("enterprise-search-empty", html, StringComparison.Ordinal);
        Assert.DoesNotContain("error-text", html, StringComparison.Ordinal);
        Assert.DoesNotContain(NoMatch, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_credit_code_in_lower_case_finds_exactly_that_enterprise_with_its_seal_counts()
    {
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");

        var html = await SearchAsync(client, DemoData.Hangzhou.CreditCode.ToLowerInvariant());

        Assert.Contains($"<a href=\"/admin/enterprises/{DemoData.Hangzhou.Id:D}\">杭州云印信息技术有限公司</a>", html, StringComparison.Ordinal);
        Assert.Contains($"<td class=\"mono\">{DemoData.Hangzhou.CreditCode}</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>王建国</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>王建国</td><td>2</td><td>1</td><td>1</td>", System.Text.RegularExpressions.Regex.Replace(html, @"\s+", string.Empty), StringComparison.Ordinal);
        Assert.DoesNotContain(DemoData.Beijing.Name, html, StringComparison.Ordinal);
        Assert.DoesNotContain(DemoData.Hangzhou.LegalRepIdNumber, html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("杭州云印")]
    [InlineData("云印")]
    [InlineData("  云印 ")]
    public async Task Part_of_the_name_finds_the_enterprise(string q)
    {
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");

        var html = await SearchAsync(client, q);

        Assert.Contains(">杭州云印信息技术有限公司</a>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(DemoData.Shenzhen.Name, html, StringComparison.Ordinal);
        Assert.Contains($"value=\"{q}\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_nobody_has_says_no_enterprise_was_found()
    {
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");

        var html = await SearchAsync(client, "不存在的公司");

        Assert.Contains(NoMatch, html, StringComparison.Ordinal);
        Assert.DoesNotContain("enterprise-results", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("[")]
    [InlineData("\\")]
    public async Task Like_wildcards_match_only_themselves(string wildcard)
    {
        var name = $"通配符{wildcard}测试有限公司";
        await Db.InTransactionAsync(async s =>
        {
            if (await new EnterpriseRepository(s).FindByCreditCodeAsync(CodeFor(wildcard)) is null)
            {
                await new EnterpriseRepository(s).InsertAsync(new Enterprise { Id = Guid.NewGuid(), CreditCode = CodeFor(wildcard), Name = name, LegalRepName = "赵测试", LegalRepIdNumber = "110101199001011234", CreatedAt = DateTimeOffset.UtcNow });
            }

            return 0;
        });
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");

        var html = await SearchAsync(client, wildcard);

        Assert.Contains($">{name}</a>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(DemoData.Hangzhou.Name, html, StringComparison.Ordinal);
        Assert.DoesNotContain(DemoData.Beijing.Name, html, StringComparison.Ordinal);
        Assert.DoesNotContain("通配符", html.Replace(name, string.Empty, StringComparison.Ordinal), StringComparison.Ordinal); // no other wildcard test's enterprise
    }

    [Fact]
    public async Task A_percent_or_underscore_that_no_name_contains_finds_nothing_rather_than_everything()
    {
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");

        foreach (var q in new[] { "云%有限", "杭州_印", "[杭]州" })
        {
            var html = await SearchAsync(client, q);
            Assert.True(html.Contains(NoMatch, StringComparison.Ordinal), q);
            Assert.DoesNotContain(DemoData.Hangzhou.Name, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_query_that_is_too_long_is_refused_next_to_the_field_and_kept()
    {
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");
        var q = new string('云', 51);

        var html = await SearchAsync(client, q);

        Assert.Contains("<span class=\"error-text\" id=\"q-error\">查询内容不能超过50个字。</span>", html, StringComparison.Ordinal);
        Assert.Contains($"value=\"{q}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain(NoMatch, html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("云\u0001印")]
    [InlineData("云印\u202E")]
    [InlineData("\0")]
    public async Task A_query_with_control_characters_is_refused_next_to_the_field(string q)
    {
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");

        var html = await SearchAsync(client, q);

        Assert.Contains("id=\"q-error\">企业名称或统一社会信用代码不能包含控制字符或不可见的格式字符。</span>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("enterprise-results", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_enterprise_page_shows_the_usbkey_medium_and_the_masked_history_and_no_full_id_number()
    {
        var (sealCode, first, second) = await BindTwiceAsync(DemoData.Shenzhen, 0, "OPS-A", "OPS-B");
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");

        var html = WebUtility.HtmlDecode(await client.GetHtmlAsync($"/admin/enterprises/{DemoData.Shenzhen.Id:D}"));

        Assert.Contains("<h1 id=\"enterprise-title\">深圳前海跨境贸易有限公司</h1>", html, StringComparison.Ordinal);
        var section = Section(html, $"seal-{sealCode}");
        Assert.Contains("已绑定USBKEY", section, StringComparison.Ordinal);
        Assert.Contains("<dd class=\"mono medium-serial\">OPS-B</dd>", section, StringComparison.Ordinal);
        Assert.Contains("<dd class=\"mono medium-subject\">CN=运维测试 OPS-B</dd>", section, StringComparison.Ordinal);
        Assert.Contains($"<dd class=\"mono medium-key-id\">{KeyIdOf("OPS-B")}</dd>", section, StringComparison.Ordinal);
        Assert.Contains($"id=\"binding-{first:D}\"", section, StringComparison.Ordinal);
        Assert.Contains($"id=\"binding-{second:D}\"", section, StringComparison.Ordinal);
        Assert.Contains("改绑其他介质时解除", section, StringComparison.Ordinal);
        Assert.Contains("USBKEY OPS-A", section, StringComparison.Ordinal);
        Assert.Contains("自助终端（Kiosk）", section, StringComparison.Ordinal);
        Assert.Contains("330106********1232", section, StringComparison.Ordinal);
        Assert.Contains("139****5678", section, StringComparison.Ordinal);
        Assert.Contains("查看完整证件号码", section, StringComparison.Ordinal);
        Assert.Contains("北京时间（UTC+8）", html, StringComparison.Ordinal);
        Assert.DoesNotContain("330106197805121232", html, StringComparison.Ordinal);
        Assert.DoesNotContain("13912345678", html, StringComparison.Ordinal);
        Assert.DoesNotContain(DemoData.Shenzhen.LegalRepIdNumber, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revealing_one_binding_shows_its_full_id_number_and_phone_and_audits_the_operator()
    {
        var (_, first, second) = await BindTwiceAsync(DemoData.Shenzhen, 1, "OPS-C", "OPS-D");
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");
        var page = $"/admin/enterprises/{DemoData.Shenzhen.Id:D}";

        using var response = await client.PostFormAsync(page, page + "?handler=reveal", [new("bindingId", second.ToString("D"))]);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = Row(html, second);
        Assert.Contains("<td class=\"mono revealed\" id=\"revealed-id-number\">330106197805121232</td>", row, StringComparison.Ordinal);
        Assert.Contains("<td class=\"mono revealed\" id=\"revealed-phone\">13912345678</td>", row, StringComparison.Ordinal);
        Assert.Contains("330106********1232", Row(html, first), StringComparison.Ordinal); // the other binding stays masked
        Assert.Equal(1, Count(html, "330106197805121232"));
        var audit = await Db.ReadAsync(s => new AuditLog(s).ListAsync());
        var revealed = Assert.Single(audit, a => a.Kind == AuditKinds.HolderRevealed && a.Data.Contains(second.ToString("D"), StringComparison.Ordinal));
        Assert.Equal("staff:operator", revealed.Actor);
        Assert.Equal(DemoData.Shenzhen.Id, revealed.EnterpriseId);
        Assert.Equal(second.ToString("D"), JsonDocument.Parse(revealed.Data).RootElement.GetProperty("bindingId").GetString());
        Assert.DoesNotContain("330106", revealed.Data, StringComparison.Ordinal);
        Assert.DoesNotContain("5678", revealed.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revealing_a_binding_of_another_enterprise_or_a_malformed_id_shows_nothing_and_audits_nothing()
    {
        var (_, _, other) = await BindTwiceAsync(DemoData.Shenzhen, 2, "OPS-E", "OPS-F");
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");
        var page = $"/admin/enterprises/{DemoData.Hangzhou.Id:D}";
        var before = (await Db.ReadAsync(s => new AuditLog(s).ListAsync())).Count(a => a.Kind == AuditKinds.HolderRevealed);

        foreach (var bindingId in new[] { other.ToString("D"), "not-a-guid", string.Empty })
        {
            using var response = await client.PostFormAsync(page, page + "?handler=reveal", [new("bindingId", bindingId)]);
            var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("未找到该绑定记录，请刷新页面后重试。", html, StringComparison.Ordinal);
            Assert.DoesNotContain("330106197805121232", html, StringComparison.Ordinal);
        }

        var after = (await Db.ReadAsync(s => new AuditLog(s).ListAsync())).Count(a => a.Kind == AuditKinds.HolderRevealed);
        Assert.Equal(before, after);
    }

    [Theory]
    [InlineData("/admin/enterprises/not-a-guid")]
    [InlineData("/admin/enterprises/00000000-0000-0000-0000-000000000000")]
    [InlineData("/admin/enterprises/6d1f0a52-8f43-4c1e-9a51-1a7d3e0c9999")]
    [InlineData("/admin/enterprises/%E4%BA%91")]
    public async Task An_unknown_or_malformed_enterprise_id_is_a_404_page(string url)
    {
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");

        using var response = await client.Http.GetAsync(new Uri(url, UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("页面不存在", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reveal_for_an_unknown_enterprise_is_a_404()
    {
        using var client = await AdminClient.SignedInAsync(web.Factory, "operator");
        var token = await client.AntiforgeryAsync($"/admin/enterprises/{DemoData.Hangzhou.Id:D}");

        using var response = await client.Http.PostAsync(
            new Uri("/admin/enterprises/not-a-guid?handler=reveal", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["bindingId"] = Guid.NewGuid().ToString(), ["__RequestVerificationToken"] = token }));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>Binds the enterprise's n-th unbound seal to one key, then rebinds it to another (releasing the first).</summary>
    private async Task<(string SealCode, Guid First, Guid Second)> BindTwiceAsync(DemoData.DemoEnterprise enterprise, int unboundIndex, string serialA, string serialB)
    {
        var seal = enterprise.Seals.Where(s => s.State == DemoData.DemoState.Unbound).ElementAt(unboundIndex);
        var commands = new MediumChangeCommands(Db, TimeProvider.System);
        var holder = new SealHolder("周持章", "居民身份证", "330106197805121232", "13912345678");
        var first = await commands.BindUsbKeyAsync(new BindUsbKeyCommand(Guid.NewGuid(), Guid.NewGuid(), enterprise.Id, seal.Id, serialA, Certificate(serialA), holder, "Kiosk", null, "kiosk-test"));
        Assert.True(first.Succeeded, first.Message);
        var second = await commands.BindUsbKeyAsync(new BindUsbKeyCommand(Guid.NewGuid(), Guid.NewGuid(), enterprise.Id, seal.Id, serialB, Certificate(serialB), holder, "Kiosk", first.BindingId, "kiosk-test"));
        Assert.True(second.Succeeded, second.Message);
        return (seal.SealCode, first.BindingId!.Value, second.BindingId!.Value);
    }

    private static UsbKeyCertificate Certificate(string serial) =>
        new(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("cert:" + serial))), KeyIdOf(serial), "0A", "CN=ESeal Test CA", $"CN=运维测试 {serial}");

    private static string KeyIdOf(string serial) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("key:" + serial)));

    private static string CodeFor(string wildcard) => "9144030000000000" + ((int)wildcard[0]).ToString("X2", System.Globalization.CultureInfo.InvariantCulture);

    private static string Section(string html, string id)
    {
        var start = html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {id}");
        var end = html.IndexOf("</section>", start, StringComparison.Ordinal);
        return html[start..end];
    }

    private static string Row(string html, Guid bindingId)
    {
        var start = html.IndexOf($"<tr id=\"binding-{bindingId:D}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no row for binding {bindingId}");
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    private static int Count(string html, string text)
    {
        var count = 0;
        for (var at = html.IndexOf(text, StringComparison.Ordinal); at >= 0; at = html.IndexOf(text, at + text.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
