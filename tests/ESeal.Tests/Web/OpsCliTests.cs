using ESeal.Web.Cli;

namespace ESeal.Tests.Web;

public sealed class OpsCliTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "eseal-tests", "cli-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Unknown_verb_prints_usage_and_fails()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await OpsCli.RunAsync(["frobnicate"], output, error);

        Assert.NotEqual(0, code);
        Assert.Contains("Unknown verb 'frobnicate'", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("migrate", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("seed-demo", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_then_seed_demo_work_and_are_idempotent()
    {
        Directory.CreateDirectory(directory);
        var cs = $"--Database:ConnectionString=Data Source={Path.Combine(directory, "cli.db")};Pooling=False";
        using var output = new StringWriter();
        using var error = new StringWriter();

        var migrate = await OpsCli.RunAsync(["migrate", cs], output, error);
        var migrateAgain = await OpsCli.RunAsync(["migrate", cs], output, error);
        var seed = await OpsCli.RunAsync(["seed-demo", cs], output, error);
        var seedAgain = await OpsCli.RunAsync(["seed-demo", cs], output, error);

        Assert.Equal([0, 0, 0, 0], new[] { migrate, migrateAgain, seed, seedAgain });
        var text = output.ToString();
        Assert.Contains("Sqlite: applied", text, StringComparison.Ordinal);
        Assert.Contains("Sqlite: up to date.", text, StringComparison.Ordinal);
        Assert.Contains("Demo data: 3 enterprise(s) added", text, StringComparison.Ordinal);
        Assert.Contains("Demo data: 0 enterprise(s) added, 3 already there.", text, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(directory, "cli.db")));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Nothing to clean, or a lingering handle: neither fails a test.
        }
    }
}
