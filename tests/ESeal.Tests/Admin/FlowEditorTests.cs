using System.Net;
using System.Text.RegularExpressions;
using ESeal.Db.Flows;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Tests.Web;
using ESeal.Workflows.Flowcharts;
using Microsoft.Extensions.DependencyInjection;
using static ESeal.Tests.Admin.FlowAdminSupport;

namespace ESeal.Tests.Admin;

/// <summary>
/// 流程分析员 edits a draft in the browser: the form is generated from ActivityCatalog, the
/// validator decides, a refused save stores nothing and keeps what was typed, every save is audited.
/// </summary>
public sealed class FlowEditorTests : IDisposable
{
    private readonly ESealWebFactory web = new();

    [Fact]
    public async Task The_flows_page_lists_the_three_flows_with_their_published_version_drafts_and_running_instances()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        await CreateDraftAsync(analyst);

        var html = await analyst.GetHtmlAsync("/admin/flows");

        Assert.Contains("绑定USBKEY", html, StringComparison.Ordinal);
        Assert.Contains("解绑USBKEY", html, StringComparison.Ordinal);
        Assert.Contains("手机端直接领取印章", html, StringComparison.Ordinal);
        Assert.Contains("第2版 · <strong class=\"flow-state\">草稿</strong>", html, StringComparison.Ordinal);
        Assert.Contains("作者 staff:analyst", html, StringComparison.Ordinal);
        Assert.Contains("第1版", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_editor_form_is_generated_from_the_catalog_with_its_labels_ranges_and_choices()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        await CreateDraftAsync(analyst);

        var html = await analyst.GetHtmlAsync(EditUrl());

        foreach (var spec in Workflows.Flowcharts.ActivityCatalog.All.Where(s => s.Type != Workflows.Flowcharts.ActivityCatalog.CommitUnbind && s.Type != Workflows.Flowcharts.ActivityCatalog.ClaimOnMobile))
        {
            foreach (var input in spec.Inputs)
            {
                Assert.Contains($">{System.Net.WebUtility.HtmlEncode(input.Label)}<", html.Replace("> ", ">", StringComparison.Ordinal).Replace(" <", "<", StringComparison.Ordinal), StringComparison.Ordinal);
            }
        }

        Assert.Contains("<label for=\"f-reading-seconds\">强制阅读秒数</label>", html, StringComparison.Ordinal);
        Assert.Contains("范围 3–300", html, StringComparison.Ordinal);
        Assert.Contains("范围 1–5", html, StringComparison.Ordinal);
        Assert.Contains("<option value=\"bind\" selected=\"selected\">绑定（bind）</option>", html, StringComparison.Ordinal);
        Assert.Contains("hx-post=\"/admin/flows/usbkey-bind/edit?handler=Field&amp;activity=reading&amp;input=seconds\"", html, StringComparison.Ordinal);
        Assert.Contains("/admin/flows/preview?definitionId=usbkey-bind&amp;version=2&amp;step=reading&amp;state=counting&amp;size=kiosk", html, StringComparison.Ordinal);
        Assert.Contains("size=phone", html, StringComparison.Ordinal);
        Assert.Contains("flowchart LR", html, StringComparison.Ordinal);
        Assert.Matches("<script src=\"/lib/mermaid/dist/mermaid.min.js\" integrity=\"sha384-[A-Za-z0-9+/=]+\"", html);
    }

    [Fact]
    public async Task The_mermaid_file_matches_its_integrity_hash()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        var file = await analyst.Http.GetByteArrayAsync(new Uri("/lib/mermaid/dist/mermaid.min.js", UriKind.Relative));

        Assert.Equal(ESeal.Web.Pages.Admin.Flows.FlowAssets.MermaidIntegrity, "sha384-" + Convert.ToBase64String(System.Security.Cryptography.SHA384.HashData(file)));
    }

    [Fact]
    public async Task An_analyst_saves_a_valid_change_and_the_save_is_audited_with_the_difference()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        await CreateDraftAsync(analyst);

        using var response = await SaveAsync(analyst, f => f.With("in.reading.seconds", "8").With("in.reading.body", "请先阅读本说明。"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("草稿已保存。", await analyst.GetHtmlAsync(response.Headers.Location!.ToString()), StringComparison.Ordinal);
        var draft = await DraftAsync(web);
        Assert.Equal(8, draft.Activity("reading")!.Integer("seconds"));
        Assert.Equal("请先阅读本说明。", draft.Activity("reading")!.Text("body"));
        var saved = (await FlowAuditAsync(web)).Last();
        Assert.Equal(AuditKinds.FlowDraftSaved, saved.Kind);
        Assert.Equal("staff:analyst", saved.Actor);
        Assert.Contains("reading.seconds（强制阅读秒数）：5 → 8", saved.Data, StringComparison.Ordinal);
        Assert.Contains("reading.body（说明正文）：文字已修改", saved.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_texts_no_step_owns_are_edited_in_the_same_form_and_a_bad_one_is_refused_next_to_its_field()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        await CreateDraftAsync(analyst);
        var form = await analyst.GetHtmlAsync(EditUrl());
        Assert.Contains("全流程文字", form, StringComparison.Ordinal);
        Assert.Contains("id=\"f-_texts-helperUnreachableText\"", form, StringComparison.Ordinal);

        // Tried: a control character in a shared text — refused, nothing saved, the typed value kept.
        using var refused = await SaveAsync(analyst, f => f.With("in._texts.helperUnreachableText", "请联系\u0007工作人员"));
        var refusedHtml = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("「PC客户端：无法连接」（helperUnreachableText）中不能含有换行或其他控制字符", refusedHtml, StringComparison.Ordinal);
        Assert.Equal(DefinitionTexts.Defaults["helperUnreachableText"], (await DraftAsync(web)).Texts["helperUnreachableText"]);

        using var saved = await SaveAsync(analyst, f => f.With("in._texts.helperUnreachableText", "无法连接本机客户端，请联系大厅工作人员。").With("in._texts.refusalTitle", "暂时不能继续"));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var draft = await DraftAsync(web);
        Assert.Equal("无法连接本机客户端，请联系大厅工作人员。", draft.Texts["helperUnreachableText"]);
        Assert.Equal("暂时不能继续", draft.Texts["refusalTitle"]);
        var audit = (await FlowAuditAsync(web)).Last();
        Assert.Contains("texts.helperUnreachableText（PC客户端：无法连接）：文字已修改", audit.Data, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("in.pin.limit", "6", "「PIN码连续错误上限」（limit）不能大于 5，现在是 6。")]
    [InlineData("in.pin.limit", "0", "「PIN码连续错误上限」（limit）不能小于 1，现在是 0。")]
    [InlineData("in.reading.seconds", "abc", "「强制阅读秒数」（seconds）应是一个整数")]
    [InlineData("in.reading.seconds", "", "「强制阅读秒数」（seconds）应是一个整数")]
    [InlineData("in.reading.seconds", "99999999999", "「强制阅读秒数」（seconds）应是一个整数")]
    [InlineData("in.reading.body", "响铃\u0007", "「说明正文」（body）中不能含有换行或其他控制字符")]
    [InlineData("in.detectKey.purpose", "steal", "「用途」（purpose）只能是 bind、unbind 之一")]
    [InlineData("in._texts.kioskIdleSeconds", "10", "「自助终端无操作多少秒后提醒」（kioskIdleSeconds）不能小于 30，现在是 10。")]
    [InlineData("in._texts.idleWarningSeconds", "三十", "「提醒后倒计时秒数（无应答则结束办理）」（idleWarningSeconds）应是一个整数")]
    public async Task An_invalid_value_is_refused_next_to_the_field_nothing_is_saved_and_what_was_typed_stays(string field, string value, string message)
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        await CreateDraftAsync(analyst);
        var before = (await DraftRowAsync(web))!.Json;
        var audits = (await FlowAuditAsync(web)).Count;

        using var response = await SaveAsync(analyst, f => f.With(field, value));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(message), html, StringComparison.Ordinal);
        Assert.Contains("class=\"error-text\" id=\"f-" + field["in.".Length..].Replace('.', '-') + "-error\"", html, StringComparison.Ordinal);
        Assert.Equal(before, (await DraftRowAsync(web))!.Json);
        Assert.Equal(audits, (await FlowAuditAsync(web)).Count);
        if (value.Length > 0 && !char.IsControl(value[^1]) && field != "in.detectKey.purpose")
        {
            Assert.Contains($"value=\"{value}\"", html, StringComparison.Ordinal); // what was typed is kept
        }
    }

    [Fact]
    public async Task The_field_check_as_the_analyst_types_re_renders_the_field_with_the_validators_message()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        await CreateDraftAsync(analyst);
        var html = await analyst.GetHtmlAsync(EditUrl());
        var fields = FormOf(html).With("in.pin.limit", "6");
        fields.Add(new("__RequestVerificationToken", AdminClient.TokenOf(html)));

        using var request = new HttpRequestMessage(HttpMethod.Post, EditUrl() + "?handler=Field&activity=pin&input=limit") { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("HX-Request", "true");
        using var response = await analyst.Http.SendAsync(request);
        var partial = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("<div class=\"field flow-field has-error\" id=\"f-pin-limit-field\">", partial.Trim(), StringComparison.Ordinal);
        Assert.Contains("「PIN码连续错误上限」（limit）不能大于 5，现在是 6。", partial, StringComparison.Ordinal);
        Assert.Contains("value=\"6\"", partial, StringComparison.Ordinal);
        Assert.DoesNotContain("<html", partial, StringComparison.Ordinal);

        // 3 is in range, but the PIN texts still say 连续5次: the consistency rule names both.
        fields = fields.With("in.pin.limit", "3");
        using var threeRequest = new HttpRequestMessage(HttpMethod.Post, EditUrl() + "?handler=Field&activity=pin&input=limit") { Content = new FormUrlEncodedContent(fields) };
        using var threeResponse = await analyst.Http.SendAsync(threeRequest);
        var three = System.Net.WebUtility.HtmlDecode(await threeResponse.Content.ReadAsStringAsync());
        Assert.Contains("has-error", three, StringComparison.Ordinal);
        Assert.Contains("连续5次", three, StringComparison.Ordinal);

        fields = fields.With("in.pin.limit", "5");
        using var fixedRequest = new HttpRequestMessage(HttpMethod.Post, EditUrl() + "?handler=Field&activity=pin&input=limit") { Content = new FormUrlEncodedContent(fields) };
        using var fixedResponse = await analyst.Http.SendAsync(fixedRequest);
        Assert.DoesNotContain("has-error", await fixedResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var unknown = new HttpRequestMessage(HttpMethod.Post, EditUrl() + "?handler=Field&activity=nope&input=%00") { Content = new FormUrlEncodedContent(fields) };
        using var unknownResponse = await analyst.Http.SendAsync(unknown);
        Assert.Equal(HttpStatusCode.NotFound, unknownResponse.StatusCode);
    }

    [Fact]
    public async Task Removing_the_face_step_before_the_commit_is_refused_with_the_validators_reason_and_nothing_changes()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        await CreateDraftAsync(analyst);
        var before = (await DraftRowAsync(web))!.Json;

        using var response = await SaveAsync(analyst, f => f.With("in.reading.title", "先看这里"), op: "remove:face");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("删除步骤「face」未执行，草稿未保存：", html, StringComparison.Ordinal);
        Assert.Contains("每条通往提交的路径都必须先通过法定代表人身份验证（ESeal.LegalRepFaceVerification）", html, StringComparison.Ordinal);
        Assert.Contains("id=\"step-face\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"先看这里\"", html, StringComparison.Ordinal);
        Assert.Equal(before, (await DraftRowAsync(web))!.Json);
    }

    [Fact]
    public async Task Steps_are_added_moved_and_removed_where_the_rules_allow()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        await CreateDraftAsync(analyst);

        using (var added = await SaveAsync(analyst, _ => { }, op: "add", extra: [new("addType", "ESeal.ReadingNotice"), new("addAfter", "reading")]))
        {
            Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        }

        var d = await DraftAsync(web);
        Assert.Equal("readingNotice", d.Next("reading", "Done")!.TargetActivity);
        Assert.Equal("detectKey", d.Next("readingNotice", "Done")!.TargetActivity);

        using (var moved = await SaveAsync(analyst, _ => { }, op: "up:readingNotice"))
        {
            Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        }

        d = await DraftAsync(web);
        Assert.Equal("readingNotice", d.Start.Id);
        Assert.Equal("reading", d.Next("readingNotice", "Done")!.TargetActivity);

        using (var removed = await SaveAsync(analyst, _ => { }, op: "remove:readingNotice"))
        {
            Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        }

        d = await DraftAsync(web);
        Assert.Null(d.Activity("readingNotice"));
        Assert.Equal("reading", d.Start.Id);

        // PIN proof before the seal is chosen: the proof signs the chosen seal, so the validator refuses.
        using var refused = await SaveAsync(analyst, _ => { }, op: "up:pin");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("上移步骤「pin」未执行", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var first = await SaveAsync(analyst, _ => { }, op: "up:reading");
        Assert.Contains("这是第一步，不能再上移。", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var strange = await SaveAsync(analyst, _ => { }, op: "format:c");
        Assert.Contains("无法识别的操作，草稿未保存。", await strange.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unknownType = await SaveAsync(analyst, _ => { }, op: "add", extra: [new("addType", "ESeal.CommitBind"), new("addAfter", "reading")]);
        Assert.Contains("请选择要添加的步骤类型。", await unknownType.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_discarded_draft_is_gone_audited_and_a_new_one_can_be_created()
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        await CreateDraftAsync(analyst);
        var draftId = (await DraftRowAsync(web))!.Id;

        using var discarded = await analyst.PostFormAsync(EditUrl(), EditUrl() + "?handler=Discard", [new("draftId", draftId.ToString())]);

        Assert.Equal(HttpStatusCode.Redirect, discarded.StatusCode);
        Assert.Null(await DraftRowAsync(web));
        Assert.Equal(AuditKinds.FlowDraftDiscarded, (await FlowAuditAsync(web)).Last().Kind);
        Assert.Contains("从发布版本创建草稿", await analyst.GetHtmlAsync(EditUrl()), StringComparison.Ordinal);
        await CreateDraftAsync(analyst);
        Assert.Equal(2, (await DraftRowAsync(web))!.Version);
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("")]
    public async Task A_save_for_a_draft_id_that_is_not_the_open_draft_changes_nothing(string draftId)
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");
        await CreateDraftAsync(analyst);
        var before = (await DraftRowAsync(web))!.Json;

        using var response = await SaveAsync(analyst, f => f.With("draftId", draftId).With("in.reading.seconds", "9"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("这份草稿已不存在", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, (await DraftRowAsync(web))!.Json);
    }

    [Theory]
    [InlineData("/admin/flows/no-such-flow")]
    [InlineData("/admin/flows/no-such-flow/edit")]
    [InlineData("/admin/flows/no-such-flow/diff")]
    [InlineData("/admin/flows/%E7%BB%91%E5%AE%9A/edit")]
    public async Task An_unknown_flow_is_404_not_500(string url)
    {
        using var analyst = await AdminClient.SignedInAsync(web, "analyst");

        using var response = await analyst.Http.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    public void Dispose() => web.Dispose();
}

/// <summary>What the flow pages' tests share: the editor's form as the browser would post it, the stored draft, the audit trail.</summary>
internal static partial class FlowAdminSupport
{
    public const string Bind = ShippedDefinitions.UsbKeyBind;

    public static string EditUrl(string definitionId = Bind) => $"/admin/flows/{definitionId}/edit";

    public static string ReviewUrl(string definitionId = Bind) => $"/admin/flows/{definitionId}/review";

    /// <summary>Every field of the editor's form with the value the page shows (inputs, textareas, selects; checkboxes as the browser sends them).</summary>
    public static List<KeyValuePair<string, string>> FormOf(string html)
    {
        var form = DraftForm().Match(html);
        Assert.True(form.Success, "the editor shows the draft form");
        var body = form.Value;
        var fields = new List<KeyValuePair<string, string>>();
        foreach (Match m in Input().Matches(body))
        {
            var tag = m.Value;
            var name = WebUtility.HtmlDecode(Attr(tag, "name")!);
            var type = Attr(tag, "type") ?? "text";
            if (type == "checkbox" && !tag.Contains("checked", StringComparison.Ordinal))
            {
                continue;
            }

            if (name.StartsWith(ESeal.Web.Pages.Admin.Flows.FlowForm.Prefix, StringComparison.Ordinal) || name == "draftId")
            {
                fields.Add(new(name, WebUtility.HtmlDecode(Attr(tag, "value") ?? string.Empty)));
            }
        }

        foreach (Match m in TextArea().Matches(body))
        {
            fields.Add(new(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["text"].Value)));
        }

        foreach (Match m in Select().Matches(body))
        {
            var selected = SelectedOption().Match(m.Groups["options"].Value);
            fields.Add(new(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(selected.Success ? selected.Groups["value"].Value : string.Empty)));
        }

        return fields;
    }

    public static List<KeyValuePair<string, string>> With(this List<KeyValuePair<string, string>> fields, string name, string value)
    {
        var index = fields.FindIndex(f => f.Key == name);
        Assert.True(index >= 0, $"the form has a field {name}");
        fields[index] = new(name, value);
        return fields;
    }

    public static async Task CreateDraftAsync(AdminClient analyst, string definitionId = Bind)
    {
        using var response = await analyst.PostFormAsync(EditUrl(definitionId), EditUrl(definitionId) + "?handler=Create", []);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    /// <summary>Posts the editor's form with <paramref name="change"/> applied and the given button (op).</summary>
    public static async Task<HttpResponseMessage> SaveAsync(AdminClient analyst, Action<List<KeyValuePair<string, string>>> change, string op = "save", string definitionId = Bind, IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        var html = await analyst.GetHtmlAsync(EditUrl(definitionId));
        var fields = FormOf(html);
        change(fields);
        fields.Add(new("op", op));
        fields.AddRange(extra ?? []);
        fields.Add(new("__RequestVerificationToken", AdminClient.TokenOf(html)));
        return await analyst.Http.PostAsync(new Uri(EditUrl(definitionId) + "?handler=Save", UriKind.Relative), new FormUrlEncodedContent(fields));
    }

    public static async Task<FlowDefinitionRow?> DraftRowAsync(ESealWebFactory web, string definitionId = Bind)
    {
        var latest = await web.Services.GetRequiredService<Database>().ReadAsync(s => new FlowDefinitionRepository(s).LatestAsync(definitionId));
        return latest is { IsPublished: false } ? latest : null;
    }

    public static async Task<FlowDefinition> DraftAsync(ESealWebFactory web, string definitionId = Bind) =>
        DefinitionValidator.Validate((await DraftRowAsync(web, definitionId))!.Json).Definition!;

    public static Task<IReadOnlyList<AuditEvent>> AuditAsync(ESealWebFactory web) =>
        web.Services.GetRequiredService<Database>().ReadAsync(s => new AuditLog(s).ListAsync());

    public static async Task<IReadOnlyList<AuditEvent>> FlowAuditAsync(ESealWebFactory web) =>
        (await AuditAsync(web)).Where(e => e.Kind.StartsWith("Flow", StringComparison.Ordinal) && e.Kind != AuditKinds.FlowDefinitionChanged).ToList();

    private static string? Attr(string tag, string name)
    {
        var m = Regex.Match(tag, $"\\s{name}=\"(?<v>[^\"]*)\"");
        return m.Success ? m.Groups["v"].Value : null;
    }

    [GeneratedRegex("<form[^>]*id=\"draft-form\".*?</form>", RegexOptions.Singleline)]
    private static partial Regex DraftForm();

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.Singleline)]
    private static partial Regex Input();

    [GeneratedRegex("<textarea\\b[^>]*\\sname=\"(?<name>in\\.[^\"]+)\"[^>]*>(?<text>.*?)</textarea>", RegexOptions.Singleline)]
    private static partial Regex TextArea();

    [GeneratedRegex("<select\\b[^>]*\\sname=\"(?<name>in\\.[^\"]+)\"[^>]*>(?<options>.*?)</select>", RegexOptions.Singleline)]
    private static partial Regex Select();

    [GeneratedRegex("<option value=\"(?<value>[^\"]*)\" selected=\"selected\"")]
    private static partial Regex SelectedOption();
}
