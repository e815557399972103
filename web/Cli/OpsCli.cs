using ESeal.Web.Infrastructure;

namespace ESeal.Web.Cli;

/// <summary>
/// `dotnet run --project web -- VERB …`: operations that run and exit. A verb is one class
/// implementing <see cref="IOpsVerb"/>; add it to <see cref="Verbs"/>.
/// </summary>
public static class OpsCli
{
    public static IReadOnlyList<IOpsVerb> Verbs { get; } = [new MigrateVerb(), new SeedDemoVerb(), new FlowsVerb(), new PinLockVerb(), new HelpersVerb(), new StaffVerb()];

    /// <summary>An argument list that starts with a bare word (not an option such as --urls) is a verb.</summary>
    public static bool IsVerb(string[] args) => args.Length > 0 && !args[0].StartsWith('-');

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, TextReader? input = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        output ??= Console.Out;
        error ??= Console.Error;
        var verb = Verbs.FirstOrDefault(v => v.Name == args[0]);
        if (verb is null)
        {
            await error.WriteLineAsync($"Unknown verb '{args[0]}'.");
            await error.WriteLineAsync(Usage());
            return 64; // EX_USAGE
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args[1..].Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToArray(),
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddESealData(builder.Configuration);
        builder.Services.AddSingleton(new CliInput(input ?? Console.In));
        using var host = builder.Build();
        return await verb.RunAsync(args[1..], host.Services, output, error);
    }

    public static string Usage() =>
        "Usage: dotnet run --project web -- <verb> [arguments]\nVerbs:\n" +
        string.Join('\n', Verbs.Select(v => $"  {v.Name,-12} {v.Summary}"));
}

public interface IOpsVerb
{
    string Name { get; }

    string Summary { get; }

    Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error);
}
