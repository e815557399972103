using ESeal.Db.Demo;
using ESeal.Db.Infrastructure;

namespace ESeal.Web.Cli;

internal sealed class SeedDemoVerb : IOpsVerb
{
    public string Name => "seed-demo";

    public string Summary => "migrate, then add the demo enterprises and seals that are missing";

    public async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error)
    {
        var outcome = Migrator.Migrate(services.GetRequiredService<DatabaseOptions>());
        if (!outcome.Successful)
        {
            await error.WriteLineAsync($"Migration failed: {outcome.Error}");
            return 1;
        }

        var added = await DemoData.SeedAsync(services.GetRequiredService<Database>(), services.GetRequiredService<TimeProvider>());
        await output.WriteLineAsync($"Demo data: {added} enterprise(s) added, {DemoData.Enterprises.Count - added} already there.");
        return 0;
    }
}
