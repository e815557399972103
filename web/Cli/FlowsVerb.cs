using ESeal.Db.Infrastructure;
using ESeal.Workflows.Flowcharts;

namespace ESeal.Web.Cli;

/// <summary>
/// `flows validate FILE` · `flows publish FILE --operator NAME` · `flows diagram ID|FILE` (Mermaid) ·
/// `flows export ID [--version N] [--out FILE]` (Elsa 3 JSON) · `flows import FILE --operator NAME`
/// (as a draft) · `flows status`. Exit codes: 0 fine, 1 refused (reasons on stderr), 64 usage.
/// </summary>
internal sealed class FlowsVerb : IOpsVerb
{
    private const int MaxOperatorLength = 64;

    public string Name => "flows";

    public string Summary => "flows validate FILE | flows publish FILE --operator NAME | flows diagram ID|FILE | flows export ID [--version N] [--out FILE] | flows import FILE --operator NAME | flows status";

    public async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error)
    {
        if (!TryParse(args, out var positional, out var options) || positional.Count == 0)
        {
            return await UsageAsync(error);
        }

        var command = positional[0];
        var expected = command switch
        {
            "validate" or "publish" or "diagram" or "export" or "import" => 2,
            "status" => 1,
            _ => -1,
        };
        string[] allowed = command switch
        {
            "publish" or "import" => ["operator"],
            "export" => ["version", "out"],
            _ => [],
        };
        if (positional.Count != expected || options.Keys.Any(k => !allowed.Contains(k)))
        {
            return await UsageAsync(error);
        }

        if (command is "publish" or "import" && !ValidOperator(options.GetValueOrDefault("operator")))
        {
            await error.WriteLineAsync($"flows {command} 需要 --operator NAME（执行人姓名或工号，最多{MaxOperatorLength}个字符，不含控制字符），审计记录以此为准。");
            return await UsageAsync(error);
        }

        switch (command)
        {
            case "status":
                return await StatusAsync(services, output, error);
            case "diagram":
                return await DiagramAsync(Resolve(positional[1]), services, output, error);
            case "export":
                return await ExportAsync(positional[1], options, services, output, error);
        }

        var target = Resolve(positional[1]);
        if (!File.Exists(target))
        {
            await error.WriteLineAsync($"找不到文件：{target}");
            return 64;
        }

        var json = await File.ReadAllTextAsync(target);
        if (command == "validate")
        {
            var report = DefinitionValidator.Validate(ElsaJson.Import(json));
            if (!report.IsValid)
            {
                return await RefuseAsync(target, report, error);
            }

            await output.WriteLineAsync($"{target}：检查通过（{report.Definition!.DefinitionId} 第{report.Definition.Version}版，{report.Definition.Activities.Count} 个活动）。");
            return 0;
        }

        var store = await StoreAsync(services, error);
        if (store is null)
        {
            return 1;
        }

        var actor = $"cli:{options["operator"]!.Trim()}";
        var outcome = command == "publish"
            ? await store.PublishAsync(ElsaJson.Import(json), actor)
            : await store.ImportDraftAsync(json, actor);
        if (command == "publish" ? !outcome.Report.IsValid : outcome.Version is null)
        {
            return await RefuseAsync(target, outcome.Report, error);
        }

        await output.WriteLineAsync(outcome.Message);
        if (command == "import" && !outcome.Report.IsValid)
        {
            // Stored as a draft; what publishing would refuse is said now rather than at review.
            await error.WriteLineAsync($"注意：该草稿发布前还需修改 {outcome.Report.Problems.Count} 处：");
            foreach (var p in outcome.Report.Problems)
            {
                await error.WriteLineAsync($"  - {p.Message}");
            }
        }

        return 0;
    }

    private async Task<int> UsageAsync(TextWriter error)
    {
        await error.WriteLineAsync($"Usage: dotnet run --project web -- {Summary}");
        return 64;
    }

    /// <summary>Positional words and --name VALUE options; false for an option without a value or given twice.</summary>
    private static bool TryParse(string[] args, out List<string> positional, out Dictionary<string, string?> options)
    {
        positional = [];
        options = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(args[i]);
                continue;
            }

            if (args[i].Contains('=', StringComparison.Ordinal))
            {
                continue; // --Section:Key=value is configuration for the host (OpsCli), not an option
            }

            var name = args[i][2..];
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal) || !options.TryAdd(name, args[i + 1]))
            {
                return false;
            }

            i++;
        }

        return true;
    }

    private static bool ValidOperator(string? name) =>
        name is not null && name.Trim() is { Length: > 0 and <= MaxOperatorLength } trimmed && !trimmed.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);

    private static async Task<FlowDefinitionStore?> StoreAsync(IServiceProvider services, TextWriter error)
    {
        var migrated = Migrator.Migrate(services.GetRequiredService<DatabaseOptions>());
        if (!migrated.Successful)
        {
            await error.WriteLineAsync($"Migration failed: {migrated.Error}");
            return null;
        }

        return new FlowDefinitionStore(services.GetRequiredService<Database>(), services.GetRequiredService<TimeProvider>());
    }

    // `dotnet run --project web` runs in web/, so a path typed at the repository root is tried
    // against the parent folders too.
    private static string Resolve(string path)
    {
        if (File.Exists(path) || Path.IsPathRooted(path))
        {
            return path;
        }

        var dir = new DirectoryInfo(Environment.CurrentDirectory).Parent;
        for (var i = 0; dir is not null && i < 3; i++, dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, path);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return path;
    }

    private static async Task<int> RefuseAsync(string target, ValidationReport report, TextWriter error)
    {
        await error.WriteLineAsync($"{target}：未通过检查，共 {report.Problems.Count} 处问题：");
        foreach (var p in report.Problems)
        {
            await error.WriteLineAsync($"  - {p.Message}");
        }

        return 1;
    }

    private static async Task<int> ExportAsync(string definitionId, Dictionary<string, string?> options, IServiceProvider services, TextWriter output, TextWriter error)
    {
        int? version = null;
        if (options.TryGetValue("version", out var v))
        {
            if (!int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                await error.WriteLineAsync($"--version 应是一个正整数，现在是「{v}」。");
                return 64;
            }

            version = n;
        }

        var store = await StoreAsync(services, error);
        if (store is null)
        {
            return 1;
        }

        var definition = version is { } n2 ? await store.GetVersionAsync(definitionId, n2) : await store.GetLatestPublishedAsync(definitionId);
        if (definition is null)
        {
            await error.WriteLineAsync(version is null ? $"找不到已发布的流程定义：{definitionId}" : $"找不到流程定义 {definitionId} 第{version}版。");
            return 1;
        }

        var json = ElsaJson.Export(definition);
        if (options.TryGetValue("out", out var path) && path is not null)
        {
            await File.WriteAllTextAsync(path, json);
            await output.WriteLineAsync($"已导出 {definition.DefinitionId} 第{definition.Version}版到 {path}（Elsa 3 格式）。");
        }
        else
        {
            await output.WriteLineAsync(json);
        }

        return 0;
    }

    private static async Task<int> StatusAsync(IServiceProvider services, TextWriter output, TextWriter error)
    {
        var store = await StoreAsync(services, error);
        if (store is null)
        {
            return 1;
        }

        foreach (var s in await store.StatusAsync())
        {
            var published = s.PublishedVersion is { } p ? $"已发布第{p}版" : "尚未发布";
            var drafts = s.Drafts.Count == 0 ? "无草稿" : "草稿 " + string.Join("、", s.Drafts.Select(d => $"第{d.Version}版（{d.Author}）"));
            var shipped = s.ShippedDiffers switch
            {
                true => "随程序发布的文件与已发布版本不同",
                false => "随程序发布的文件与已发布版本相同",
                null => "没有随程序发布的文件",
            };
            await output.WriteLineAsync($"{s.DefinitionId}：{published}；{drafts}；{shipped}。");
        }

        return 0;
    }

    private static async Task<int> DiagramAsync(string target, IServiceProvider services, TextWriter output, TextWriter error)
    {
        FlowDefinition? definition = null;
        if (File.Exists(target))
        {
            definition = DefinitionValidator.Validate(ElsaJson.Import(await File.ReadAllTextAsync(target))).Definition;
        }
        else
        {
            var options = services.GetRequiredService<DatabaseOptions>();
            if (Migrator.Migrate(options).Successful)
            {
                var store = new FlowDefinitionStore(services.GetRequiredService<Database>(), services.GetRequiredService<TimeProvider>());
                definition = await store.GetLatestPublishedAsync(target);
            }

            // Not published yet: the shipped file of that id still has a picture.
            definition ??= ShippedDefinitions.All().Where(d => d.Name == target + ".json")
                .Select(d => DefinitionValidator.Validate(d.Json).Definition).FirstOrDefault();
        }

        if (definition is null)
        {
            await error.WriteLineAsync($"找不到流程定义：{target}");
            return 1;
        }

        await output.WriteAsync(MermaidDiagram.Render(definition));
        return 0;
    }
}
