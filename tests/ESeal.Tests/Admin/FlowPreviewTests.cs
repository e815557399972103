using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ESeal.Db.Infrastructure;
using ESeal.Web.Pages.Admin.Flows.Preview;
using ESeal.Workflows.Flowcharts;
using Microsoft.Extensions.DependencyInjection;

namespace ESeal.Tests.Admin;

/// <summary>
/// The analysts' step preview (/admin/flows/preview) against the real in-process web: every step
/// of every shipped flow in every state, with the citizen's own partials; nothing is written; bad
/// requests get a message next to what was wrong; and no citizen text is left in code.
/// </summary>
public sealed partial class FlowPreviewTests(AdminWebFixture web) : IClassFixture<AdminWebFixture>
{
    private const string Page = "/admin/flows/preview";

    public static TheoryData<string> Shipped() => new(ShippedDefinitions.UsbKeyBind, ShippedDefinitions.UsbKeyUnbind, ShippedDefinitions.MobileClaim);

    private static string Url(string definitionId, int? version, string step, string state, string size = "kiosk") =>
        $"{Page}?definitionId={definitionId}&version={version}&step={step}&state={state}&size={size}";

    [Theory]
    [MemberData(nameof(Shipped))]
    public async Task Every_step_renders_in_each_of_its_states_as_a_preview_and_nothing_is_written(string definitionId)
    {
        using var analyst = await AdminClient.SignedInAsync(web.Factory, "analyst");
        var definition = DefinitionValidator.Validate(ShippedDefinitions.Json(definitionId)).Definition!;
        var before = await CountsAsync();

        foreach (var activity in definition.Activities)
        {
            foreach (var state in StepPreviewStates.For(activity.Type))
            {
                using var response = await analyst.Http.GetAsync(new Uri(Url(definitionId, null, activity.Id, state.Code, state.Code == "onPhone" ? "phone" : "kiosk"), UriKind.Relative));
                var html = await response.Content.ReadAsStringAsync();
                var what = $"{definitionId}/{activity.Id}/{state.Code}";
                Assert.True(response.StatusCode == HttpStatusCode.OK, what + html[..Math.Min(3000, html.Length)]);
                Assert.Contains("id=\"preview-banner\"", html, StringComparison.Ordinal);
                Assert.Contains("这不是真实办理", html, StringComparison.Ordinal);
                Assert.Contains("<div id=\"flow\" class=\"flow\">", html, StringComparison.Ordinal);
                Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase); // no key helper call, no htmx post
                Assert.Contains("form-action 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
                Assert.Equal("SAMEORIGIN", response.Headers.GetValues("X-Frame-Options").Single());
            }
        }

        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task The_states_show_what_the_citizen_would_see_with_the_definitions_wording()
    {
        using var analyst = await AdminClient.SignedInAsync(web.Factory, "analyst");

        var wrongPin = await analyst.GetHtmlAsync(Url("usbkey-bind", 1, "pin", "wrongPin"));
        var locked = await analyst.GetHtmlAsync(Url("usbkey-bind", 1, "pin", "locked"));
        var noKeyUnbind = await analyst.GetHtmlAsync(Url("usbkey-unbind", 1, "detectKey", "noKey"));
        var unreachable = await analyst.GetHtmlAsync(Url("usbkey-bind", 1, "detectKey", "unreachable"));
        var dialog = await analyst.GetHtmlAsync(Url("usbkey-bind", 1, "chooseSeal", "boundElsewhere"));
        var counting = await analyst.GetHtmlAsync(Url("usbkey-bind", 1, "reading", "counting"));
        var phone = await analyst.GetHtmlAsync(Url("mobile-claim", 1, "face", "failed", "phone"));

        Assert.Contains("PIN码输入错误，请重试，连续5次输入错误将锁定USBKEY", wrongPin, StringComparison.Ordinal);
        Assert.Contains("（还可尝试3次）", wrongPin, StringComparison.Ordinal);
        Assert.Contains("PIN码连续5次输入错误，请联系CA重置密码。", locked, StringComparison.Ordinal);
        Assert.Matches("<input id=\"pin-input\"[^>]*disabled", locked);
        Assert.Contains("请使用win7以上操作系统，IE10或以上版本浏览器。", noKeyUnbind, StringComparison.Ordinal);
        Assert.Matches("data-helper-state=\"unreachable\"(?![^>]*hidden)", unreachable);
        Assert.Contains("该印章已绑定其他介质，是否继续与当前USBKEY绑定，绑定后，将仅能通过USBKEY签章", dialog, StringComparison.Ordinal);
        Assert.Contains("我知道了（5秒）", counting, StringComparison.Ordinal);
        Assert.Contains("<span class=\"progress-label\">插入USBKEY</span>", counting, StringComparison.Ordinal);
        Assert.Contains("preview-phone", phone, StringComparison.Ordinal);
        Assert.Contains("验证失败，请稍后重试。", phone, StringComparison.Ordinal);
        Assert.Contains("秒后自动返回身份验证页面。", phone, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("definitionId=BAD%21id", "definitionId-error", "流程定义编号不正确")]
    [InlineData("definitionId=no-such-flow", "definitionId-error", "找不到已发布的流程定义「no-such-flow」")]
    [InlineData("definitionId=usbkey-bind&version=abc", "version-error", "版本应是一个正整数")]
    [InlineData("definitionId=usbkey-bind&version=-1", "version-error", "版本应是一个正整数")]
    [InlineData("definitionId=usbkey-bind&version=99", "version-error", "找不到流程定义「usbkey-bind」第99版")]
    [InlineData("definitionId=usbkey-bind&step=%3Cscript%3E", "step-error", "流程中没有编号为「&lt;script&gt;」的步骤")]
    [InlineData("definitionId=usbkey-bind&step=pin&state=flying", "state-error", "步骤「pin」没有「flying」这个状态")]
    [InlineData("definitionId=usbkey-bind&step=pin&state=%00%01", "state-error", "没有")]
    public async Task A_bad_request_gets_a_message_next_to_the_field_and_keeps_what_was_entered(string query, string errorId, string message)
    {
        using var analyst = await AdminClient.SignedInAsync(web.Factory, "analyst");

        var html = await analyst.GetHtmlAsync($"{Page}?{query}");

        Assert.Matches($"<p id=\"{errorId}\" class=\"error-text\">[^<]*{Regex.Escape(message)}", html);
        Assert.Contains("id=\"preview-form\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"preview-banner\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_editor_previews_an_unsaved_draft_by_posting_it_and_a_broken_or_missing_one_is_explained()
    {
        using var analyst = await AdminClient.SignedInAsync(web.Factory, "analyst");
        var draft = JsonNode.Parse(ShippedDefinitions.Json("usbkey-bind"))!.AsObject();
        draft["root"]!["activities"]![0]!["body"] = "尚未保存的说明正文。";
        draft["root"]!["activities"]![0]!["seconds"] = 8;
        var before = await CountsAsync();

        using var posted = await analyst.PostFormAsync(Page, Page, [new("definitionJson", draft.ToJsonString()), new("step", "reading"), new("state", "counting")]);
        using var broken = await analyst.PostFormAsync(Page, Page, [new("definitionJson", "{ not json"), new("step", "reading")]);
        using var nothing = await analyst.PostFormAsync(Page, Page, [new("stepToken", "preview")]);

        var html = await posted.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Contains("尚未保存的说明正文。", html, StringComparison.Ordinal);
        Assert.Contains("我知道了（8秒）", html, StringComparison.Ordinal);
        Assert.Contains("（未保存的编辑内容）", html, StringComparison.Ordinal);
        Assert.Contains("流程定义的结构有误，无法预览：文件不是有效的JSON", await broken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("预览中的按钮不会办理任何业务", await nothing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        using var analyst = await AdminClient.SignedInAsync(web.Factory, "analyst");

        using var response = await analyst.Http.PostAsync(new Uri(Page, UriKind.Relative), new FormUrlEncodedContent([new("definitionJson", ShippedDefinitions.Json("usbkey-bind"))]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>
    /// Every text input of every shipped flow (and the texts block) replaced by a marker ⟦…⟧: what the
    /// citizen's partials render in every preview state may then hold no Chinese copy but the markers
    /// and the sample data — a text left in a template, in C# or in flow.js fails here.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shipped))]
    public async Task No_citizen_text_is_left_in_code(string definitionId)
    {
        var marked = JsonNode.Parse(ShippedDefinitions.Json(definitionId))!.AsObject();
        var markerId = "marker-" + definitionId;
        marked["definitionId"] = markerId;
        foreach (var a in marked["root"]!["activities"]!.AsArray().OfType<JsonObject>())
        {
            var spec = ActivityCatalog.Find(a["type"]!.GetValue<string>())!;
            foreach (var input in spec.Inputs.Where(i => i.Kind == InputKind.Text))
            {
                a[input.Name] = $"⟦{a["id"]}.{input.Name}⟧";
            }
        }

        marked["texts"] = new JsonObject(DefinitionTexts.All.Where(t => t.Kind == InputKind.Text).Select(t => KeyValuePair.Create(t.Name, (JsonNode?)JsonValue.Create($"⟦texts.{t.Name}⟧"))));
        var saved = await web.Factory.Services.GetRequiredService<FlowDefinitionStore>().SaveDraftAsync(marked.ToJsonString(), "test");
        Assert.NotNull(saved.Version);
        var definition = saved.Report.Definition!;
        using var analyst = await AdminClient.SignedInAsync(web.Factory, "analyst");
        var leftovers = new List<string>();

        foreach (var activity in definition.Activities)
        {
            foreach (var state in StepPreviewStates.For(activity.Type))
            {
                var html = await analyst.GetHtmlAsync(Url(markerId, saved.Version, activity.Id, state.Code));
                var flow = WebUtility.HtmlDecode(FlowFrame().Match(html).Groups[1].Value);
                Assert.Contains("⟦", flow, StringComparison.Ordinal);
                var rest = Marker().Replace(flow, string.Empty);
                foreach (var data in PreviewSamples.DataTexts.Concat(PreviewSamples.SharedValidatorTexts).OrderByDescending(t => t.Length))
                {
                    rest = rest.Replace(data, string.Empty, StringComparison.Ordinal);
                }

                leftovers.AddRange(ChineseCopy().Matches(rest).Select(m => $"{activity.Id}/{state.Code}: “{m.Value}” in …{Around(rest, m.Index)}…"));
            }
        }

        Assert.True(leftovers.Count == 0, "Texts not from the definition:\n" + string.Join("\n", leftovers.Distinct()));
    }

    [Theory]
    [InlineData("/js/flow.js")]
    [InlineData("/js/keyhelper.js")]
    [InlineData("/js/session.js")]
    public async Task The_flow_scripts_hold_no_citizen_text(string script)
    {
        using var client = AdminClient.Anonymous(web.Factory);
        using var response = await client.Http.GetAsync(new Uri(script, UriKind.Relative));
        var code = ScriptComment().Replace(await response.Content.ReadAsStringAsync(), string.Empty);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(ChineseCopy().Matches(code).Select(m => m.Value));
    }

    private async Task<(long Instances, long Audit, long Definitions)> CountsAsync()
    {
        var db = web.Factory.Services.GetRequiredService<Database>();
        return await db.ReadAsync(async s => (
            await s.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM flow_instances"),
            await s.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_events"),
            await s.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM flow_definitions")));
    }

    private static string Around(string text, int at) => text.Substring(Math.Max(0, at - 40), Math.Min(80, text.Length - Math.Max(0, at - 40)));

    [GeneratedRegex("<div id=\"flow\" class=\"flow\">(.*)</main>", RegexOptions.Singleline)]
    private static partial Regex FlowFrame();

    [GeneratedRegex("⟦[^⟧]*⟧")]
    private static partial Regex Marker();

    // Han characters and the full-width punctuation Chinese copy is written with.
    [GeneratedRegex(@"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]+")]
    private static partial Regex ChineseCopy();

    [GeneratedRegex(@"(^|\s)//\s.*$", RegexOptions.Multiline)]
    private static partial Regex ScriptComment();
}
