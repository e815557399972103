using System.Reflection;
using System.Text.Json.Nodes;
using ESeal.Testing;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Tests;

/// <summary>Texts in the definition (issue 11): catalog vs records, consistency rules, old versions, shipped drafts, Elsa round trip.</summary>
public sealed class FlowTextsTests
{
    private static JsonObject Shipped(string id) => JsonNode.Parse(ShippedDefinitions.Json(id))!.AsObject();

    private static JsonObject Activity(JsonObject root, string id) =>
        root["root"]!["activities"]!.AsArray().OfType<JsonObject>().Single(a => a["id"]!.GetValue<string>() == id);

    [Fact]
    public void Every_catalog_input_is_a_parameter_of_its_activity_record_with_the_same_kind_and_nothing_else()
    {
        var handlers = typeof(ActivityHandlers).Assembly.GetTypes()
            .Where(t => typeof(IActivityHandler).IsAssignableFrom(t) && t is { IsAbstract: false, IsClass: true })
            .Select(t => (IActivityHandler)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(t))
            .ToDictionary(h => h.Type);
        Assert.Equal(ActivityCatalog.All.Select(s => s.Type).Order(), handlers.Keys.Order());
        foreach (var spec in ActivityCatalog.All)
        {
            var parameters = handlers[spec.Type].InputsType.GetConstructors().Single().GetParameters();
            var fromRecord = parameters.Select(p => (Name: char.ToLowerInvariant(p.Name![0]) + p.Name[1..], Kind: KindOf(p))).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
            var fromCatalog = spec.Inputs.Where(i => !ActivityCatalog.CommonInputs.Contains(i.Name))
                .Select(i => (i.Name, Kind: i.Kind == InputKind.Choice ? InputKind.Text : i.Kind)).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
            Assert.True(fromCatalog.SequenceEqual(fromRecord), $"{spec.Type}: catalog [{string.Join(", ", fromCatalog)}] vs record [{string.Join(", ", fromRecord)}]");
        }

        static InputKind KindOf(ParameterInfo p) => p.ParameterType == typeof(int) ? InputKind.Integer : p.ParameterType == typeof(bool) ? InputKind.Boolean : InputKind.Text;
    }

    [Fact]
    public void Every_text_default_of_the_spec_stays_verbatim_and_the_shipped_files_name_four_stages()
    {
        Assert.Equal("我知道了", ActivityCatalog.Find(ActivityCatalog.ReadingNotice)!.Input("buttonText")!.Default);
        Assert.Equal("PIN码连续5次输入错误，请联系CA重置密码。", ActivityCatalog.Find(ActivityCatalog.PinProof)!.Input("lockedText")!.Default);
        var bind = DefinitionValidator.Validate(ShippedDefinitions.Json("usbkey-bind")).Definition!;
        var unbind = DefinitionValidator.Validate(ShippedDefinitions.Json("usbkey-unbind")).Definition!;
        Assert.Equal(["插入USBKEY", "印章绑定确认", "法定代表人身份验证", "完成"], FlowStages.Of(bind).Stages);
        Assert.Equal(["插入USBKEY", "印章解绑确认", "法定代表人身份验证", "完成"], FlowStages.Of(unbind).Stages);
        Assert.All(Shipped("usbkey-bind")["root"]!["activities"]!.AsArray(), a => Assert.NotNull(a!["stage"]));
    }

    [Fact]
    public void A_version_stored_before_the_new_inputs_loads_with_the_old_wording_and_the_old_stages()
    {
        var old = Shipped("usbkey-unbind");
        foreach (var a in old["root"]!["activities"]!.AsArray().OfType<JsonObject>())
        {
            a.Remove("stage");
            a.Remove("legendText");
        }

        var d = DefinitionValidator.Validate(old.ToJsonString()).Definition!;
        Assert.Equal(["插入USBKEY", "印章解绑确认", "法定代表人身份验证", "完成"], FlowStages.Of(d).Stages);
        Assert.Equal("该USBKEY绑定的印章", d.Activity("confirmSeal")!.Text("legendText"));
        Assert.Equal("找不到该业务流程，请从首页重新开始。", d.Texts["notFoundText"]);
        Assert.Equal("{text}（{seconds}秒）", d.Activity("reading")!.Text("countdownFormat"));
    }

    [Fact]
    public void A_number_in_a_pin_text_must_be_the_limit_and_the_refusal_names_both_fields()
    {
        var root = Shipped("usbkey-bind");
        Activity(root, "pin")["limit"] = 3;

        var report = DefinitionValidator.Validate(root.ToJsonString());

        Assert.False(report.IsValid);
        Assert.Contains(report.Problems, p => p.ActivityId == "pin" && p.Message.Contains("wrongPinText", StringComparison.Ordinal) && p.Message.Contains("“连续5次”", StringComparison.Ordinal) && p.Message.Contains("「PIN码连续错误上限」（limit）是 3", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Message.Contains("lockedText", StringComparison.Ordinal));

        Activity(root, "pin")["wrongPinText"] = "PIN码输入错误，请重试，连续3次输入错误将锁定USBKEY";
        Activity(root, "pin")["lockedText"] = "PIN码连续三次输入错误，请联系CA重置密码。";
        Assert.True(DefinitionValidator.Validate(root.ToJsonString()).IsValid);
    }

    [Theory]
    [InlineData("reading", "body", "请阅读8秒后再继续。", "seconds", true)]
    [InlineData("reading", "body", "请阅读5秒后再继续。", "seconds", false)]
    [InlineData("reading", "title", "说明（5s）", "seconds", false)]
    [InlineData("reading", "title", "说明（6s）", "seconds", true)]
    [InlineData("face", "failureText", "验证失败，10秒后返回。", "failureRedirectSeconds", true)]
    [InlineData("face", "stayText", "请在5分钟内完成。", "timeoutSeconds", false)]
    [InlineData("success", "autoReturnText", "3秒后自动返回首页", "autoReturnSeconds", true)]
    public void A_duration_in_a_text_must_be_one_of_the_steps_seconds(string activity, string field, string text, string secondsField, bool refused)
    {
        var root = Shipped("usbkey-bind");
        Activity(root, activity)[field] = text;

        var report = DefinitionValidator.Validate(root.ToJsonString());

        Assert.Equal(refused, !report.IsValid);
        if (refused)
        {
            Assert.Contains(report.Problems, p => p.ActivityId == activity && p.Message.Contains($"（{field}）写的是", StringComparison.Ordinal) && p.Message.Contains($"（{secondsField}）是", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_text_may_use_only_its_own_placeholders_and_the_texts_block_only_known_names()
    {
        var root = Shipped("usbkey-bind");
        Activity(root, "chooseCertificate")["legendText"] = "请选择{enterprise}的证书";
        root["texts"] = new JsonObject { ["notFoundText"] = "没有{x}", ["unknownText"] = "?" };

        var problems = DefinitionValidator.Validate(root.ToJsonString()).Problems;

        Assert.Contains(problems, p => p.Message.Contains("全流程文字（texts）：没有名为「unknownText」的文字", StringComparison.Ordinal));
        root["texts"]!.AsObject().Remove("unknownText");
        problems = DefinitionValidator.Validate(root.ToJsonString()).Problems;
        Assert.Contains(problems, p => p.ActivityId == "chooseCertificate" && p.Message.Contains("“{enterprise}”不是可用的占位符，可用的有：{token}", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.ActivityId is null && p.Message.Contains("“{x}”不是可用的占位符，这段文字不能使用占位符", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("usbkey-bind")]
    [InlineData("usbkey-unbind")]
    [InlineData("mobile-claim")]
    public void Export_as_Elsa_then_import_gives_the_same_definition(string id)
    {
        var original = DefinitionValidator.Validate(ShippedDefinitions.Json(id)).Definition!;

        var exported = ElsaJson.Export(original);
        var imported = DefinitionValidator.Validate(ElsaJson.Import(exported));

        Assert.True(imported.IsValid, string.Join("\n", imported.Problems));
        var d = imported.Definition!;
        Assert.Equal((original.DefinitionId, original.Name, original.Version), (d.DefinitionId, d.Name, d.Version));
        Assert.Equal(original.Connections, d.Connections);
        Assert.Equal(original.Texts, d.Texts);
        Assert.Equal(original.Activities.Select(a => (a.Id, a.Type)), d.Activities.Select(a => (a.Id, a.Type)));
        Assert.All(original.Activities, a => Assert.True(JsonNode.DeepEquals(a.Inputs, d.Activity(a.Id)!.Inputs), a.Id));
        Assert.Equal(exported, ElsaJson.Export(d)); // positions and node ids survive a second round

        var elsa = JsonNode.Parse(exported)!.AsObject();
        Assert.Equal(ElsaJson.Schema, elsa["$schema"]!.GetValue<string>());
        Assert.NotNull(elsa["toolVersion"]);
        var first = elsa["root"]!["activities"]![0]!;
        Assert.StartsWith("Workflow1:", first["nodeId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(first["metadata"]!["designer"]!["position"]!["x"]);
        var wrapped = first.AsObject().Single(p => p.Key == ActivityCatalog.StageInput).Value!;
        Assert.Equal("String", wrapped["typeName"]!.GetValue<string>());
        Assert.Equal("Literal", wrapped["expression"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void An_Elsa_Studio_export_of_our_activities_imports_with_its_designer_positions_and_non_literal_expressions_are_refused()
    {
        // As Elsa Studio 3 writes it: extra bookkeeping, node ids, wrapped inputs, a moved node, vertices.
        var studio = JsonNode.Parse(ElsaJson.Export(DefinitionValidator.Validate(ShippedDefinitions.Json("mobile-claim")).Definition!))!.AsObject();
        studio["createdAt"] = "2026-03-01T08:00:00+00:00";
        studio["root"]!["activities"]![0]!["metadata"] = JsonNode.Parse("""{"designer":{"position":{"x":-412.5,"y":88},"size":{"width":181.2,"height":50}}}""");
        studio["root"]!["activities"]![0]!["canStartWorkflow"] = true;
        studio["root"]!["connections"]![0]!["vertices"] = JsonNode.Parse("""[{"x":1,"y":2}]""");

        var ours = ElsaJson.Import(studio.ToJsonString());
        var report = DefinitionValidator.Validate(ours);

        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Contains("-412.5", report.Definition!.Json, StringComparison.Ordinal);
        Assert.Contains("\"nodeId\"", report.Definition.Json, StringComparison.Ordinal);

        studio["root"]!["activities"]![1]!["title"] = JsonNode.Parse("""{"typeName":"String","expression":{"type":"JavaScript","value":"getTitle()"}}""");
        var refused = DefinitionValidator.Validate(ElsaJson.Import(studio.ToJsonString()));
        Assert.Contains(refused.Problems, p => p.ActivityId == "face" && p.Message.Contains("「标题」（title）应是一段文字", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Shipped_files_seed_an_empty_database_and_afterwards_a_changed_file_arrives_as_a_draft_never_published()
    {
        using var db = new SqliteDatabase();
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        var store = new FlowDefinitionStore(db.Database, clock);

        // This database was seeded by an older release whose bind notice said something else.
        var older = Shipped("usbkey-bind");
        Activity(older, "reading")["body"] = "旧版本的说明。";
        await store.PublishAsync(older.ToJsonString(), "system");

        var messages = await store.ImportShippedAsync();
        var again = await store.ImportShippedAsync();

        var versions = await store.ListVersionsAsync("usbkey-bind");
        Assert.Equal([(1, true, "system"), (2, false, FlowDefinitionStore.ShippedAuthor)], versions.Select(v => (v.Version, v.IsPublished, v.CreatedBy)));
        Assert.Equal("旧版本的说明。", (await store.GetLatestPublishedAsync("usbkey-bind"))!.Activity("reading")!.Text("body"));
        Assert.Contains(messages, m => m.Contains("usbkey-bind", StringComparison.Ordinal) && m.Contains("已保存为草稿第2版", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("已导入 usbkey-unbind 第1版", StringComparison.Ordinal));
        Assert.Empty(again);

        var status = (await store.StatusAsync()).ToDictionary(s => s.DefinitionId);
        Assert.Equal((1, true), (status["usbkey-bind"].PublishedVersion, status["usbkey-bind"].ShippedDiffers));
        Assert.Equal(FlowDefinitionStore.ShippedAuthor, Assert.Single(status["usbkey-bind"].Drafts).Author);
        Assert.Equal((1, false), (status["usbkey-unbind"].PublishedVersion, status["usbkey-unbind"].ShippedDiffers));
        Assert.Empty(status["usbkey-unbind"].Drafts);
    }

    [Fact]
    public async Task A_changed_shipped_file_never_overwrites_an_analysts_draft()
    {
        using var db = new SqliteDatabase();
        var store = new FlowDefinitionStore(db.Database, new FakeClock(DateTimeOffset.UtcNow));
        var older = Shipped("usbkey-bind");
        Activity(older, "reading")["body"] = "旧版本的说明。";
        await store.PublishAsync(older.ToJsonString(), "system");
        var draft = Shipped("usbkey-bind");
        Activity(draft, "reading")["body"] = "分析员正在修改的说明。";
        await store.SaveDraftAsync(draft.ToJsonString(), "staff:analyst");

        var messages = await store.ImportShippedAsync();

        var latest = (await store.ListVersionsAsync("usbkey-bind"))[^1];
        Assert.Equal(("staff:analyst", false), (latest.CreatedBy, latest.IsPublished));
        Assert.Contains("分析员正在修改的说明。", latest.Json, StringComparison.Ordinal);
        Assert.Contains(messages, m => m.Contains("未改动草稿", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refusal_uses_the_texts_of_the_instances_definition()
    {
        using var h = await FlowHarness.CreateAsync();
        var custom = Shipped("usbkey-bind");
        custom["texts"] = new JsonObject { ["otherOwnerText"] = "这个流程不是您的。", ["staleStepText"] = "请刷新。" };
        await h.Store.PublishAsync(custom.ToJsonString(), "test");
        var view = await h.Runtime.StartAsync("usbkey-bind", FlowHarness.Owner);

        var other = await h.Runtime.GetAsync(view.InstanceId, "session-B");
        var stale = await h.Runtime.ResumeAsync(view.InstanceId, FlowHarness.Owner, "not-the-token", FlowHarness.Empty);
        var unknown = await h.Runtime.GetAsync(Guid.NewGuid(), FlowHarness.Owner);

        Assert.Equal((RefusalReason.OtherOwner, "这个流程不是您的。"), (other.Reason, other.Message));
        Assert.Equal((RefusalReason.StaleStep, "请刷新。"), (stale.Reason, stale.Message));
        Assert.Equal("找不到该业务流程，请从首页重新开始。", unknown.Message);
        Assert.Equal("这个流程不是您的。", view.Texts["otherOwnerText"]);
    }
}
