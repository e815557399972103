using System.Text.Json.Nodes;
using ESeal.Workflows.Flowcharts;

namespace ESeal.Workflows.Tests;

public sealed class DefinitionValidationTests
{
    [Theory]
    [InlineData("usbkey-bind")]
    [InlineData("usbkey-unbind")]
    [InlineData("mobile-claim")]
    public void Shipped_definitions_are_valid(string id)
    {
        var report = DefinitionValidator.Validate(ShippedDefinitions.Json(id));
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(id, report.Definition!.DefinitionId);
    }

    [Fact]
    public void Shipped_texts_are_the_manual_verbatim()
    {
        var bind = ShippedDefinitions.Json("usbkey-bind");
        foreach (var text in new[]
        {
            "我知道了", "确认并进入下一步", "未检测到证书，请重新插入USBKEY或检查驱动是否正确安装",
            "该印章已绑定其他介质，是否继续与当前USBKEY绑定，绑定后，将仅能通过USBKEY签章", "取消",
            "PIN码输入错误，请重试，连续5次输入错误将锁定USBKEY", "PIN码连续5次输入错误，请联系CA重置密码。",
            "本业务需企业法定代表人本人确认同意，并完成身份验证；", "验证过程中请不要离开本页面。", "验证失败，请稍后重试。",
            "返回首页", "返回重试", "印章类型（此次绑定）", "绑定时间", "该USBKEY已绑定其他印章，无法继续绑定。",
        })
        {
            Assert.Contains(text, bind, StringComparison.Ordinal);
        }

        var unbind = ShippedDefinitions.Json("usbkey-unbind");
        foreach (var text in new[]
        {
            "请使用win7以上操作系统，IE10或以上版本浏览器。", "请确保您的电脑已安装电子印章PC客户端，并已启动客户端程序。", "点此下载",
            "请确认是否运行加载项。查看页面顶部或者底部有无运行加载项的提示栏，若有提示请选择“允许”；若无显示提示栏请刷新页面。",
            "如无法显示所需企业USBKEY，请刷新重试。", "该USBKEY未绑定印章，无需解绑。", "企业法定代表人", "印章类型（此次解绑）", "解绑时间", "\"返回\"",
        })
        {
            Assert.Contains(text, unbind, StringComparison.Ordinal);
        }
    }

    private static JsonObject Bind() => FlowHarness.BindJson();

    private static JsonArray Activities(JsonObject d) => d["root"]!["activities"]!.AsArray();

    private static JsonArray Connections(JsonObject d) => d["root"]!["connections"]!.AsArray();

    private static JsonObject Activity(JsonObject d, string id) => Activities(d).OfType<JsonObject>().Single(a => a["id"]!.GetValue<string>() == id);

    private static JsonObject Connect(string from, string port, string to) => new()
    {
        ["source"] = new JsonObject { ["activity"] = from, ["port"] = port },
        ["target"] = new JsonObject { ["activity"] = to, ["port"] = "In" },
    };

    /// <summary>Removes an activity and reroutes what pointed at it to what it pointed at.</summary>
    private static JsonObject Without(JsonObject d, string id)
    {
        var next = Connections(d).OfType<JsonObject>().First(c => c["source"]!["activity"]!.GetValue<string>() == id)["target"]!["activity"]!.GetValue<string>();
        Activities(d).Remove(Activity(d, id));
        foreach (var c in Connections(d).OfType<JsonObject>().Where(c => c["source"]!["activity"]!.GetValue<string>() == id).ToList())
        {
            Connections(d).Remove(c);
        }

        foreach (var c in Connections(d).OfType<JsonObject>().Where(c => c["target"]!["activity"]!.GetValue<string>() == id))
        {
            c["target"]!["activity"] = next;
        }

        return d;
    }

    private static string Refusal(JsonObject d)
    {
        var report = DefinitionValidator.Validate(d.ToJsonString());
        Assert.False(report.IsValid);
        return string.Join("\n", report.Problems.Select(p => p.Message));
    }

    [Fact]
    public void A_pin_proof_before_the_certificate_and_seal_are_chosen_is_refused()
    {
        // reading → pin → detectKey → … : the proof would sign a context with no key, certificate or seal.
        var d = Bind();
        var toDetect = Connections(d).OfType<JsonObject>().Single(c => c["source"]!["activity"]!.GetValue<string>() == "reading");
        toDetect["target"]!["activity"] = "pin";
        var fromPin = Connections(d).OfType<JsonObject>().Single(c => c["source"]!["activity"]!.GetValue<string>() == "pin" && c["source"]!["port"]!.GetValue<string>() == "Done");
        var afterPin = fromPin["target"]!["activity"]!.GetValue<string>();
        fromPin["target"]!["activity"] = "detectKey";
        Connections(d).OfType<JsonObject>().Single(c => c["source"]!["activity"]!.GetValue<string>() == "chooseSeal" && c["source"]!["port"]!.GetValue<string>() == "Done")["target"]!["activity"] = afterPin;

        var refusal = Refusal(d);

        Assert.Contains("活动「pin」（PIN码验证）：存在一条没有先经过选择证书（ESeal.ChooseCertificate）就到达PIN码验证的路径", refusal, StringComparison.Ordinal);
        Assert.Contains("没有先经过选择印章（ESeal.ChooseSeal）", refusal, StringComparison.Ordinal);
        Assert.Contains("位于PIN码验证「pin」与提交之间", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Steps_whose_purpose_differs_from_the_commit_are_refused()
    {
        var d = Bind();
        Activity(d, "chooseSeal")["purpose"] = "claim";

        Assert.Contains("用途是「claim」，但本流程提交的是「bind」", Refusal(d), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_starts_are_refused()
    {
        var d = Bind();
        Activities(d).Add(new JsonObject { ["id"] = "extra", ["type"] = "ESeal.Result" });
        Assert.Contains("流程有 2 个起点（「reading」、「extra」都没有连线指向它们）", Refusal(d), StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_to_a_missing_activity_is_refused()
    {
        var d = Bind();
        Connections(d).OfType<JsonObject>().First(c => c["source"]!["activity"]!.GetValue<string>() == "holder")["target"]!["activity"] = "nowhere";
        Assert.Contains("活动「holder」（持章人信息）：出口「Done」连到了「nowhere」，但流程中没有这个活动。", Refusal(d), StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_the_activity_does_not_have_is_refused()
    {
        var d = Bind();
        Connections(d).Add(Connect("holder", "Skip", "success"));
        Assert.Contains("活动「holder」（持章人信息）：没有名为「Skip」的出口，它的出口只有：Done、Back。", Refusal(d), StringComparison.Ordinal);
    }

    [Fact]
    public void A_step_without_its_back_port_is_valid_and_offers_no_back()
    {
        // 上一步 is optional: an analyst may take it away from a step.
        var d = Bind();
        Connections(d).Remove(Connections(d).OfType<JsonObject>().Single(c => c["source"]!["activity"]!.GetValue<string>() == "holder" && c["source"]!["port"]!.GetValue<string>() == "Back"));
        var report = DefinitionValidator.Validate(d.ToJsonString());
        Assert.Empty(report.Problems);
        Assert.False(ESeal.Workflows.Runtime.FlowNavigation.CanGoBack(report.Definition!, "holder"));
        Assert.True(ESeal.Workflows.Runtime.FlowNavigation.CanGoBack(report.Definition!, "chooseSeal"));
    }

    [Theory]
    [InlineData("pin", "commit")] // "back" past the proofs straight into the commit
    [InlineData("chooseSeal", "pin")] // forward, not back, and a proof at that
    [InlineData("holder", "success")] // a result page
    [InlineData("holder", "holder")] // itself
    public void A_back_port_that_does_not_lead_to_an_earlier_page_is_refused(string from, string to)
    {
        var d = Bind();
        Connections(d).OfType<JsonObject>().Single(c => c["source"]!["activity"]!.GetValue<string>() == from && c["source"]!["port"]!.GetValue<string>() == "Back")["target"]!["activity"] = to;
        Assert.Contains($"出口「Back」（上一步）连到了", Refusal(d), StringComparison.Ordinal);
    }

    [Fact]
    public void A_back_port_to_a_page_after_this_one_is_refused()
    {
        // holder → chooseSeal is forward: the flow never leads from chooseSeal back to holder's page first.
        var d = Bind();
        Connections(d).Remove(Connections(d).OfType<JsonObject>().Single(c => c["source"]!["activity"]!.GetValue<string>() == "chooseSeal" && c["source"]!["port"]!.GetValue<string>() == "Back"));
        Connections(d).OfType<JsonObject>().Single(c => c["source"]!["activity"]!.GetValue<string>() == "holder" && c["source"]!["port"]!.GetValue<string>() == "Back")["target"]!["activity"] = "chooseSeal";
        Assert.Contains("活动「holder」（持章人信息）：出口「Back」（上一步）连到了活动「chooseSeal」", Refusal(d), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unconnected_outcome_port_is_refused()
    {
        var d = Bind();
        Connections(d).Remove(Connections(d).OfType<JsonObject>().First(c => c["source"]!["activity"]!.GetValue<string>() == "commit" && c["source"]!["port"]!.GetValue<string>() == "Failed"));
        Assert.Contains("活动「commit」（绑定（提交））：出口「Failed」没有连到任何下一步。", Refusal(d), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_activity_is_refused()
    {
        var d = Bind();
        Activities(d).Add(new JsonObject { ["id"] = "islandA", ["type"] = "ESeal.HolderForm" });
        Activities(d).Add(new JsonObject { ["id"] = "islandB", ["type"] = "ESeal.HolderForm" });
        Connections(d).Add(Connect("islandA", "Done", "islandB"));
        Connections(d).Add(Connect("islandB", "Done", "islandA"));
        Assert.Contains("活动「islandA」（持章人信息）：从起点「reading」无法到达这个活动，用户永远不会经过它。", Refusal(d), StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_that_never_reaches_a_result_is_refused()
    {
        var d = Bind();
        Activities(d).Add(new JsonObject { ["id"] = "trapA", ["type"] = "ESeal.HolderForm" });
        Activities(d).Add(new JsonObject { ["id"] = "trapB", ["type"] = "ESeal.HolderForm" });
        Connections(d).OfType<JsonObject>().First(c => c["source"]!["port"]!.GetValue<string>() == "Back")["target"]!["activity"] = "trapA";
        Connections(d).Add(Connect("trapA", "Done", "trapB"));
        Connections(d).Add(Connect("trapB", "Done", "trapA"));
        var refusal = Refusal(d);
        Assert.Contains("活动「trapA」（持章人信息）：从这里出发的路径到不了任何结果页（ESeal.Result），用户会被困在流程中。", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain("「holder」", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cycle_without_a_user_step_is_refused()
    {
        var d = Bind();
        Activities(d).Remove(Activity(d, "failure"));
        Connections(d).OfType<JsonObject>().First(c => c["source"]!["activity"]!.GetValue<string>() == "commit" && c["source"]!["port"]!.GetValue<string>() == "Failed")["target"]!["activity"] = "commit";
        Assert.Contains("活动「commit」（绑定（提交））：「commit」 → 「commit」 构成一个没有任何用户操作的循环，流程会原地空转。", Refusal(d), StringComparison.Ordinal);
    }

    [Fact]
    public void A_commit_without_a_pin_proof_is_refused()
    {
        var refusal = Refusal(Without(Bind(), "pin"));
        Assert.Contains("活动「commit」（绑定（提交））：存在一条不经过PIN码验证（ESeal.PinProof）就能到达这里的路径（「reading」 → 「detectKey」 → 「chooseCertificate」 → 「holder」 → 「chooseSeal」 → 「face」 → 「commit」）。", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_commit_without_face_verification_is_refused()
    {
        var refusal = Refusal(Without(Bind(), "face"));
        Assert.Contains("活动「commit」（绑定（提交））：存在一条不经过法定代表人身份验证（ESeal.LegalRepFaceVerification）就能到达这里的路径", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bypass_around_the_pin_proof_is_refused()
    {
        var d = Bind();
        Connections(d).OfType<JsonObject>().First(c => c["source"]!["activity"]!.GetValue<string>() == "chooseCertificate" && c["source"]!["port"]!.GetValue<string>() == "Back")["target"]!["activity"] = "face";
        Assert.Contains("不经过PIN码验证（ESeal.PinProof）就能到达这里的路径（「reading」 → 「detectKey」 → 「chooseCertificate」 → 「face」 → 「commit」）", Refusal(d), StringComparison.Ordinal);
    }

    [Fact]
    public void A_claim_without_face_verification_is_refused()
    {
        var d = System.Text.Json.Nodes.JsonNode.Parse(ShippedDefinitions.Json("mobile-claim"))!.AsObject();
        Assert.Contains("活动「claim」（手机端领取（提交））：存在一条不经过法定代表人身份验证", Refusal(Without(d, "face")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pin", "limit", 6, "「PIN码连续错误上限」（limit）不能大于 5，现在是 6。")]
    [InlineData("pin", "limit", 0, "「PIN码连续错误上限」（limit）不能小于 1，现在是 0。")]
    [InlineData("reading", "seconds", 2, "「强制阅读秒数」（seconds）不能小于 3，现在是 2。")]
    [InlineData("face", "failureRedirectSeconds", 31, "「失败后自动返回秒数」（failureRedirectSeconds）不能大于 30，现在是 31。")]
    [InlineData("face", "failureRedirectSeconds", -1, "「失败后自动返回秒数」（failureRedirectSeconds）不能小于 0，现在是 -1。")]
    [InlineData("success", "autoReturnSeconds", 31, "「自动返回秒数（0为不自动返回）」（autoReturnSeconds）不能大于 30，现在是 31。")]
    public void Limits_outside_their_safe_range_are_refused(string activity, string input, int value, string expected)
    {
        var d = Bind();
        Activity(d, activity)[input] = value;
        Assert.Contains($"活动「{activity}」", Refusal(d), StringComparison.Ordinal);
        Assert.Contains(expected, Refusal(d), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_types_and_misspelt_inputs_are_refused()
    {
        var d = Bind();
        Activity(d, "holder")["type"] = "ESeal.Nothing";
        Activity(d, "reading")["titel"] = "x";
        Activity(d, "pin")["limit"] = "five";
        var refusal = Refusal(d);
        Assert.Contains("活动「holder」：类型「ESeal.Nothing」不存在。", refusal, StringComparison.Ordinal);
        Assert.Contains("活动「reading」（强制阅读说明）：没有名为「titel」的输入，请检查拼写。", refusal, StringComparison.Ordinal);
        Assert.Contains("活动「pin」（PIN码验证）：「PIN码连续错误上限」（limit）应是一个整数，现在是 \"five\"。", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Not_json_is_refused_plainly()
    {
        var report = DefinitionValidator.Validate("{ not json");
        Assert.False(report.IsValid);
        Assert.StartsWith("文件不是有效的JSON", report.Problems.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Elsa_literal_expressions_are_accepted_and_defaults_filled_in()
    {
        var d = Bind();
        var reading = Activity(d, "reading");
        reading["seconds"] = new JsonObject { ["typeName"] = "Int32", ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = 7 } };
        reading.Remove("buttonText");
        var report = DefinitionValidator.Validate(d.ToJsonString());
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        var a = report.Definition!.Activity("reading")!;
        Assert.Equal(7, a.Integer("seconds"));
        Assert.Equal("我知道了", a.Text("buttonText"));
    }

    [Fact]
    public void Diagram_lists_every_activity_and_connection()
    {
        var d = DefinitionValidator.Validate(ShippedDefinitions.Json("usbkey-bind")).Definition!;
        var mermaid = MermaidDiagram.Render(d);
        Assert.StartsWith("flowchart TD", mermaid, StringComparison.Ordinal);
        Assert.Contains("commit -->|Failed| failure", mermaid, StringComparison.Ordinal);
        Assert.Equal(d.Connections.Count, mermaid.Split('\n').Count(l => l.Contains("-->", StringComparison.Ordinal)));
    }
}
