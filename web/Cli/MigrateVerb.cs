using ESeal.Db.Infrastructure;

namespace ESeal.Web.Cli;

internal sealed class MigrateVerb : IOpsVerb
{
    public string Name => "migrate";

    public string Summary => "apply the database migrations of the configured provider";

    public async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error)
    {
        var options = services.GetRequiredService<DatabaseOptions>();
        var outcome = Migrator.Migrate(options);
        if (!outcome.Successful)
        {
            await error.WriteLineAsync($"Migration failed: {outcome.Error}");
            return 1;
        }

        await output.WriteLineAsync(outcome.AppliedScripts.Count == 0
            ? $"{options.Provider}: up to date."
            : $"{options.Provider}: applied {string.Join(", ", outcome.AppliedScripts)}.");
        return 0;
    }
}
