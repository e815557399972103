using ESeal.Db.Infrastructure;
using ESeal.Workflows.Flowcharts;

namespace ESeal.Web.Cli;

/// <summary>
/// `flows validate FILE` · `flows publish FILE` · `flows diagram ID|FILE` (Mermaid flowchart).
/// Exit codes: 0 fine, 1 the definition was refused (reasons on stderr), 64 usage.
/// </summary>
internal sealed class FlowsVerb : IOpsVerb
{
    public string Name => "flows";

    public string Summary => "flows validate FILE | flows publish FILE | flows diagram ID|FILE";

    public async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error)
    {
        var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        if (positional.Length != 2 || positional[0] is not ("validate" or "publish" or "diagram"))
        {
            await error.WriteLineAsync($"Usage: dotnet run --project web -- {Summary}");
            return 64;
        }

        var (command, target) = (positional[0], Resolve(positional[1]));
        if (command == "diagram")
        {
            return await DiagramAsync(target, services, output, error);
        }

        if (!File.Exists(target))
        {
            await error.WriteLineAsync($"找不到文件：{target}");
            return 64;
        }

        var json = await File.ReadAllTextAsync(target);
        if (command == "validate")
        {
            var report = DefinitionValidator.Validate(json);
            if (!report.IsValid)
            {
                return await RefuseAsync(target, report, error);
            }

            await output.WriteLineAsync($"{target}：检查通过（{report.Definition!.DefinitionId} 第{report.Definition.Version}版，{report.Definition.Activities.Count} 个活动）。");
            return 0;
        }

        var options = services.GetRequiredService<DatabaseOptions>();
        var migrated = Migrator.Migrate(options);
        if (!migrated.Successful)
        {
            await error.WriteLineAsync($"Migration failed: {migrated.Error}");
            return 1;
        }

        var store = new FlowDefinitionStore(services.GetRequiredService<Database>(), services.GetRequiredService<TimeProvider>());
        var outcome = await store.PublishAsync(json, $"cli:{Environment.UserName}");
        if (!outcome.Report.IsValid)
        {
            return await RefuseAsync(target, outcome.Report, error);
        }

        await output.WriteLineAsync(outcome.Message);
        return 0;
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

    private static async Task<int> DiagramAsync(string target, IServiceProvider services, TextWriter output, TextWriter error)
    {
        FlowDefinition? definition = null;
        if (File.Exists(target))
        {
            definition = DefinitionValidator.Validate(await File.ReadAllTextAsync(target)).Definition;
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
