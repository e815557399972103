using System.Net;
using System.Text.RegularExpressions;
using ESeal.Db.Demo;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Tests.Web;
using ESeal.Web.Pages.Admin.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace ESeal.Tests.Admin;

/// <summary>The auditor's trail (/admin/audit) and one event (/admin/audit/{seq}), as an auditor sees them.</summary>
public sealed class AuditTrailTests(AdminWebFixture web) : IClassFixture<AdminWebFixture>
{
    [Fact]
    public void Every_audit_kind_has_a_Chinese_label_for_the_filter_and_the_list()
    {
        foreach (var kind in AuditKinds.All)
        {
            var label = AuditText.KindLabel(kind);
            Assert.True(label != kind && label.Any(c => c >= '\u4e00' && c <= '\u9fff'), $"{kind} has no Chinese label in AuditText.KindLabels");
        }
    }

    [Fact]
    public async Task An_operator_signing_in_appears_as_StaffSignedIn_by_staff_operator_and_kind_and_staff_filters_narrow_the_list()
    {
        using (await AdminClient.SignedInAsync(web.Factory, "operator"))
        {
        }

        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        var all = AuditPage.Rows(await auditor.GetHtmlAsync("/admin/audit"));
        Assert.Contains(all, r => r.Kind == "工作人员登录" && r.Actor == "staff:operator");
        Assert.Contains(all, r => r.Actor == "staff:auditor");
        Assert.Equal(all.Select(r => r.Seq).OrderByDescending(s => s), all.Select(r => r.Seq));

        var html = await auditor.GetHtmlAsync("/admin/audit?kind=StaffSignedIn&staff=operator");
        var filtered = AuditPage.Rows(html);
        Assert.NotEmpty(filtered);
        Assert.All(filtered, r => Assert.Equal(("工作人员登录", "staff:operator"), (r.Kind, r.Actor)));
        Assert.True(filtered.Count < all.Count);

        // The filter form shows what was chosen, and the export link carries it.
        Assert.Matches("<option value=\"StaffSignedIn\" selected=\"selected\">工作人员登录</option>", html);
        Assert.Contains("value=\"operator\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/admin/audit/export?kind=StaffSignedIn&amp;staff=operator\"", html, StringComparison.Ordinal);

        // Each row links to its event.
        Assert.Contains($"href=\"/admin/audit/{filtered[0].Seq}\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_staff_filter_matches_the_back_office_the_CLI_and_the_operator_option_but_not_a_longer_name()
    {
        var marker = "zhang" + Random.Shared.Next(1000, 9999);
        foreach (var actor in new[] { "staff:" + marker, "operator:" + marker, "cli:" + marker, "staff:" + marker + "x", "flow:" + marker })
        {
            await AuditPage.AppendAsync(web.Factory, new AuditEvent { Kind = AuditKinds.OutboxRetried, Actor = actor, Data = "{}" });
        }

        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        var rows = AuditPage.Rows(await auditor.GetHtmlAsync("/admin/audit?staff=" + marker));
        Assert.Equal(new[] { "cli:" + marker, "operator:" + marker, "staff:" + marker }, rows.Select(r => r.Actor).Order(StringComparer.Ordinal));

        // A full actor is taken as it is.
        var flow = AuditPage.Rows(await auditor.GetHtmlAsync("/admin/audit?staff=" + Uri.EscapeDataString("flow:" + marker)));
        Assert.Equal(["flow:" + marker], flow.Select(r => r.Actor));
    }

    [Fact]
    public async Task Time_filters_in_Beijing_time_narrow_the_list_by_day_minute_and_range()
    {
        var actor = "test:time-" + Guid.NewGuid().ToString("N")[..8];
        var first = await AuditPage.AppendAsync(web.Factory, new AuditEvent { Kind = AuditKinds.OutboxRetried, Actor = actor, Data = "{}", OccurredAt = new DateTimeOffset(2024, 5, 1, 2, 0, 30, TimeSpan.Zero) });
        var second = await AuditPage.AppendAsync(web.Factory, new AuditEvent { Kind = AuditKinds.OutboxRetried, Actor = actor, Data = "{}", OccurredAt = new DateTimeOffset(2024, 5, 2, 2, 0, 0, TimeSpan.Zero) });
        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");

        async Task<long[]> Seqs(string query) =>
            AuditPage.Rows(await auditor.GetHtmlAsync($"/admin/audit?staff={Uri.EscapeDataString(actor)}&{query}")).Select(r => r.Seq).ToArray();

        // 02:00:30 UTC is 10:00:30 in Beijing: a date alone for the end takes in the whole day.
        Assert.Equal([first.Seq], await Seqs("from=2024-05-01&to=2024-05-01"));
        Assert.Equal([first.Seq], await Seqs("to=" + Uri.EscapeDataString("2024-05-01 10:00")));
        Assert.Equal([second.Seq], await Seqs("from=" + Uri.EscapeDataString("2024-05-01 10:01")));
        Assert.Equal([second.Seq, first.Seq], await Seqs("from=2024-05-01T10:00&to=2024/5/2"));
        Assert.Empty(await Seqs("from=2024-05-03"));

        // The page shows the time in Beijing time and says so.
        var html = await auditor.GetHtmlAsync($"/admin/audit?staff={Uri.EscapeDataString(actor)}");
        Assert.Contains("2024-05-01 10:00:30", html, StringComparison.Ordinal);
        Assert.Contains("北京时间", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enterprise_by_part_of_the_name_or_credit_code_and_seal_by_code_or_id_narrow_the_list()
    {
        var actor = "test:ent-" + Guid.NewGuid().ToString("N")[..8];
        var hzSeal = DemoData.Hangzhou.Seals[0];
        var bjSeal = DemoData.Beijing.Seals[1];
        await AuditPage.AppendAsync(web.Factory, new AuditEvent { Kind = AuditKinds.Bind, Actor = actor, Data = "{}", EnterpriseId = DemoData.Hangzhou.Id, SealId = hzSeal.Id });
        await AuditPage.AppendAsync(web.Factory, new AuditEvent { Kind = AuditKinds.Unbind, Actor = actor, Data = "{}", EnterpriseId = DemoData.Beijing.Id, SealId = bjSeal.Id });
        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");

        async Task<List<AuditPage.Row>> Rows(string query) =>
            AuditPage.Rows(await auditor.GetHtmlAsync($"/admin/audit?staff={Uri.EscapeDataString(actor)}&{query}"));

        var byName = await Rows("enterprise=" + Uri.EscapeDataString("云印"));
        Assert.Equal([("绑定USBKEY", DemoData.Hangzhou.Name)], byName.Select(r => (r.Kind, r.Enterprise)));
        Assert.Contains(hzSeal.SealCode, byName[0].Seal, StringComparison.Ordinal);

        var byCode = await Rows("enterprise=" + DemoData.Beijing.CreditCode.ToLowerInvariant());
        Assert.Equal([DemoData.Beijing.Name], byCode.Select(r => r.Enterprise));

        Assert.Equal(["解绑USBKEY"], (await Rows("seal=" + bjSeal.SealCode)).Select(r => r.Kind));
        Assert.Equal(["绑定USBKEY"], (await Rows("seal=" + hzSeal.Id.ToString("D"))).Select(r => r.Kind));

        // A LIKE wildcard is a literal character, not "anything".
        Assert.Empty(await Rows("enterprise=%25"));
        var none = await auditor.GetHtmlAsync("/admin/audit?enterprise=" + Uri.EscapeDataString("不存在的企业"));
        Assert.Contains("没有名称或统一社会信用代码与此匹配的企业。", none, StringComparison.Ordinal);
        Assert.Empty(AuditPage.Rows(none));
    }

    [Theory]
    [InlineData("from=2026-02-30&staff=operator", "from", "请按“2026-03-01”或“2026-03-01 08:30”的格式填写（北京时间）。")]
    [InlineData("from=yesterday&staff=operator", "from", "请按“2026-03-01”或“2026-03-01 08:30”的格式填写（北京时间）。")]
    [InlineData("from=2026-03-02&to=2026-03-01&staff=operator", "to", "结束时间不能早于开始时间。")]
    [InlineData("from=1900-01-01&staff=operator", "from", "时间超出可查询的范围（2000年至2100年）。")]
    [InlineData("kind=NoSuchKind&staff=operator", "kind", "未知的事件类型，请从列表中选择。")]
    [InlineData("kind=Bind&kind=Unbind&staff=operator", "kind", "该条件只能填写一个值。")]
    [InlineData("enterprise=%01abc&staff=operator", "enterprise", "含有不可见的控制字符，请删除后重试。")]
    [InlineData("seal=abc%00def&staff=operator", "seal", "含有不可见的控制字符，请删除后重试。")]
    public async Task A_bad_filter_gets_a_message_next_to_its_field_keeps_the_other_values_and_lists_nothing(string query, string field, string message)
    {
        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        var html = await auditor.GetHtmlAsync("/admin/audit?" + query);
        Assert.Contains($"<span class=\"error-text\" id=\"audit-{field}-error\">{message}</span>", html, StringComparison.Ordinal);
        Assert.Matches($"<div class=\"field has-error\">\\s*<label for=\"audit-{field}\">", html);
        Assert.Contains("id=\"audit-staff\" name=\"staff\" value=\"operator\"", html, StringComparison.Ordinal);
        Assert.Empty(AuditPage.Rows(html));
        Assert.DoesNotContain("id=\"audit-export\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_long_filter_values_get_a_message_and_are_kept()
    {
        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        var longName = new string('a', 101);
        var html = await auditor.GetHtmlAsync($"/admin/audit?staff={longName}&kind=Bind");
        Assert.Contains("<span class=\"error-text\" id=\"audit-staff-error\">不能超过100个字符。</span>", html, StringComparison.Ordinal);
        Assert.Contains($"value=\"{longName}\"", html, StringComparison.Ordinal);
        Assert.Contains("<option value=\"Bind\" selected=\"selected\">", html, StringComparison.Ordinal);

        var longDate = await auditor.GetHtmlAsync("/admin/audit?from=" + new string('1', 40));
        Assert.Contains("id=\"audit-from-error\">不能超过32个字符。", longDate, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_of_fifty_go_older_and_newer_keeping_the_filters_and_a_bad_page_parameter_shows_the_first_page()
    {
        var actor = "test:paging-" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 60; i++)
        {
            await AuditPage.AppendAsync(web.Factory, new AuditEvent { Kind = AuditKinds.OutboxRetried, Actor = actor, Data = $"{{\"i\":{i}}}" });
        }

        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        var firstHtml = await auditor.GetHtmlAsync($"/admin/audit?staff={Uri.EscapeDataString(actor)}&kind=OutboxRetried");
        var first = AuditPage.Rows(firstHtml);
        Assert.Equal(50, first.Count);
        Assert.Contains("共 60 条事件符合条件", firstHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"audit-newer\"", firstHtml, StringComparison.Ordinal);

        var older = AuditPage.Link(firstHtml, "audit-older");
        Assert.Contains("kind=OutboxRetried", older, StringComparison.Ordinal);
        Assert.Contains("staff=" + Uri.EscapeDataString(actor), older, StringComparison.Ordinal);
        var secondHtml = await auditor.GetHtmlAsync(older);
        var second = AuditPage.Rows(secondHtml);
        Assert.Equal(10, second.Count);
        Assert.True(second[0].Seq < first[^1].Seq);
        Assert.DoesNotContain("id=\"audit-older\"", secondHtml, StringComparison.Ordinal);

        var back = AuditPage.Rows(await auditor.GetHtmlAsync(AuditPage.Link(secondHtml, "audit-newer")));
        Assert.Equal(first.Select(r => r.Seq), back.Select(r => r.Seq));

        foreach (var bad in new[] { "before=abc", "before=-5", "after=99999999999999999999", "before=1&before=2" })
        {
            var html = await auditor.GetHtmlAsync($"/admin/audit?staff={Uri.EscapeDataString(actor)}&{bad}");
            Assert.Contains("分页参数无效，已显示最新的事件。", html, StringComparison.Ordinal);
            Assert.Equal(first.Select(r => r.Seq), AuditPage.Rows(html).Select(r => r.Seq));
        }
    }

    [Fact]
    public async Task One_event_shows_every_column_readable_Chinese_data_both_hashes_and_its_neighbours()
    {
        var before = await AuditPage.AppendAsync(web.Factory, new AuditEvent { Kind = AuditKinds.OutboxRetried, Actor = "test:detail", Data = "{}" });
        var e = await AuditPage.AppendAsync(web.Factory, new AuditEvent
        {
            Kind = AuditKinds.Bind,
            Actor = "test:detail",
            EnterpriseId = DemoData.Shenzhen.Id,
            SealId = DemoData.Shenzhen.Seals[0].Id,
            Data = "{\"sealName\":\"\\u5355\\u4f4d\\u516c\\u7ae0\",\"holder\":{\"phone\":\"138****0000\"}}",
        });
        var after = await AuditPage.AppendAsync(web.Factory, new AuditEvent { Kind = AuditKinds.OutboxRetried, Actor = "test:detail", Data = "{}" });

        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        var html = WebUtility.HtmlDecode(await auditor.GetHtmlAsync($"/admin/audit/{e.Seq}"));
        Assert.Contains($"审计事件 #{e.Seq}：绑定USBKEY", html, StringComparison.Ordinal);
        Assert.Contains(e.Id.ToString("D"), html, StringComparison.Ordinal);
        Assert.Contains(DemoData.Shenzhen.Name, html, StringComparison.Ordinal);
        Assert.Contains(DemoData.Shenzhen.Seals[0].SealCode, html, StringComparison.Ordinal);
        Assert.Contains("\"sealName\": \"单位公章\"", html, StringComparison.Ordinal);
        Assert.Contains("\n    \"phone\": \"138****0000\"", html, StringComparison.Ordinal);
        Assert.Contains($"id=\"event-prev-hash\">{e.PrevHash}<", html, StringComparison.Ordinal);
        Assert.Contains($"id=\"event-hash\">{e.Hash}<", html, StringComparison.Ordinal);
        Assert.Equal(before.Hash, e.PrevHash);
        Assert.Equal($"/admin/audit/{before.Seq}", AuditPage.Link(html, "audit-prev"));
        Assert.Equal($"/admin/audit/{after.Seq}", AuditPage.Link(html, "audit-next"));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    [InlineData("99999999999999999999999")]
    [InlineData("%20%201")]
    public async Task An_unknown_or_malformed_seq_is_a_404_page(string seq)
    {
        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        using var response = await auditor.Http.GetAsync(new Uri("/admin/audit/" + seq, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("页面不存在", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>Reading the auditor's pages and writing events straight into the web's database.</summary>
internal static partial class AuditPage
{
    public sealed record Row(long Seq, string Time, string Kind, string Actor, string Enterprise, string Seal, string Summary);

    public static List<Row> Rows(string html) =>
        RowPattern().Matches(html).Select(m =>
        {
            var cells = CellPattern().Matches(m.Groups[2].Value).Select(c => WebUtility.HtmlDecode(TagPattern().Replace(c.Groups[1].Value, string.Empty)).Trim()).ToList();
            return new Row(long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), cells[1], cells[2], cells[3], cells[4], cells[5], cells[6]);
        }).ToList();

    /// <summary>The href of the element with <paramref name="id"/>.</summary>
    public static string Link(string html, string id)
    {
        var m = Regex.Match(html, $"id=\"{id}\" href=\"([^\"]+)\"");
        Assert.True(m.Success, $"no link #{id}");
        return WebUtility.HtmlDecode(m.Groups[1].Value);
    }

    public static Task<AuditEvent> AppendAsync(ESealWebFactory factory, AuditEvent e)
    {
        var database = factory.Services.GetRequiredService<Database>();
        var stored = e with { Id = Guid.NewGuid(), OccurredAt = e.OccurredAt == default ? DateTimeOffset.UtcNow : e.OccurredAt };
        return database.InTransactionAsync(async s =>
        {
            var appended = await new AuditLog(s).AppendAsync(stored);
            return appended with { Seq = await new ESeal.Db.Admin.AuditQueries(s).SeqOfAsync(appended.Id) ?? 0 };
        });
    }

    [GeneratedRegex("<tr data-seq=\"(\\d+)\">(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex("<td[^>]*>(.*?)</td>", RegexOptions.Singleline)]
    private static partial Regex CellPattern();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex TagPattern();
}
