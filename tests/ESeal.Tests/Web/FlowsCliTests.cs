using System.Text.Json.Nodes;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Web.Cli;
using ESeal.Workflows.Flowcharts;

namespace ESeal.Tests.Web;

/// <summary>`flows` for ops and CI: publish only with --operator (audited with it), import as a draft, export as Elsa 3, status.</summary>
public sealed class FlowsCliTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "eseal-tests", "flows-cli-" + Guid.NewGuid().ToString("N"));

    public FlowsCliTests() => Directory.CreateDirectory(directory);

    private string Db => Path.Combine(directory, "flows.db");

    private string Cs => $"--Database:ConnectionString=Data Source={Db};Pooling=False";

    private string Write(string name, string json)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task Publish_without_an_operator_is_refused_with_usage_and_with_one_it_is_audited_with_that_name()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var changed = JsonNode.Parse(ShippedDefinitions.Json("usbkey-bind"))!.AsObject();
        changed["root"]!["activities"]![0]!["body"] = "CLI发布的说明。";
        var file = Write("bind.json", changed.ToJsonString());

        var none = await OpsCli.RunAsync(["flows", "publish", file, Cs], output, error);
        var empty = await OpsCli.RunAsync(["flows", "publish", file, "--operator", " ", Cs], output, error);
        var control = await OpsCli.RunAsync(["flows", "publish", file, "--operator", "a\u0007b", Cs], output, error);
        var ok = await OpsCli.RunAsync(["flows", "publish", file, "--operator", "张工", Cs], output, error);

        Assert.Equal([64, 64, 64, 0], new[] { none, empty, control, ok });
        Assert.Contains("flows publish 需要 --operator NAME", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage: dotnet run --project web -- flows validate FILE", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("已发布 usbkey-bind 第", output.ToString(), StringComparison.Ordinal);
        var audit = await Database().ReadAsync(s => new AuditLog(s).ListAsync());
        var published = Assert.Single(audit, a => a.Kind == AuditKinds.FlowDefinitionChanged && a.Data.Contains("\"published\"", StringComparison.Ordinal));
        Assert.Equal("cli:张工", published.Actor);
    }

    [Fact]
    public async Task Export_then_import_round_trips_as_a_draft_and_status_reports_it()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, await OpsCli.RunAsync(["flows", "publish", Write("unbind.json", ShippedDefinitions.Json("usbkey-unbind")), "--operator", "ops", Cs], output, error));
        var exported = Path.Combine(directory, "unbind-elsa.json");

        var export = await OpsCli.RunAsync(["flows", "export", "usbkey-unbind", "--version", "1", "--out", exported, Cs], output, error);
        var edited = JsonNode.Parse(File.ReadAllText(exported))!.AsObject();
        edited["root"]!["activities"]![0]!["title"]!["expression"]!["value"] = "解绑说明（Elsa编辑）";
        var import = await OpsCli.RunAsync(["flows", "import", Write("edited.json", edited.ToJsonString()), "--operator", "李分析", Cs], output, error);
        var importWithout = await OpsCli.RunAsync(["flows", "import", exported, Cs], output, error);
        var status = await OpsCli.RunAsync(["flows", "status", Cs], output, error);
        var badVersion = await OpsCli.RunAsync(["flows", "export", "usbkey-unbind", "--version", "x", Cs], output, error);
        var missing = await OpsCli.RunAsync(["flows", "export", "usbkey-unbind", "--version", "9", Cs], output, error);

        Assert.Equal([0, 0, 64, 0, 64, 1], new[] { export, import, importWithout, status, badVersion, missing });
        Assert.Contains(ElsaJson.Schema, File.ReadAllText(exported), StringComparison.Ordinal);
        Assert.Contains("已保存草稿 usbkey-unbind 第2版", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("usbkey-unbind：已发布第1版；草稿 第2版（cli:李分析）；随程序发布的文件与已发布版本相同。", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("usbkey-bind：尚未发布；无草稿；随程序发布的文件与已发布版本不同。", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("找不到流程定义 usbkey-unbind 第9版。", error.ToString(), StringComparison.Ordinal);
        var draft = await Database().ReadAsync(s => new ESeal.Db.Flows.FlowDefinitionRepository(s).GetAsync("usbkey-unbind", 2));
        Assert.Contains("解绑说明（Elsa编辑）", draft!.Json, StringComparison.Ordinal);
        Assert.False(draft.IsPublished);
    }

    [Fact]
    public async Task Validate_accepts_an_Elsa_export_and_refuses_a_limit_that_contradicts_the_text()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var bind = JsonNode.Parse(ShippedDefinitions.Json("usbkey-bind"))!.AsObject();
        var elsa = ElsaJson.Export(DefinitionValidator.Validate(bind.ToJsonString()).Definition!);
        bind["root"]!["activities"]!.AsArray().OfType<JsonObject>().Single(a => a["id"]!.GetValue<string>() == "pin")["limit"] = 3;

        var fine = await OpsCli.RunAsync(["flows", "validate", Write("elsa.json", elsa)], output, error);
        var refused = await OpsCli.RunAsync(["flows", "validate", Write("limit3.json", bind.ToJsonString())], output, error);
        var unknown = await OpsCli.RunAsync(["flows", "frobnicate", "x"], output, error);

        Assert.Equal([0, 1, 64], new[] { fine, refused, unknown });
        Assert.Contains("「PIN码连续错误上限」（limit）是 3", error.ToString(), StringComparison.Ordinal);
    }

    private Database Database() => new(new() { ConnectionString = $"Data Source={Db};Pooling=False" });

    public void Dispose()
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }
    }
}
