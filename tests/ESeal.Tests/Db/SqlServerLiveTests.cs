using ESeal.Db.Demo;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;

namespace ESeal.Tests.Db;

/// <summary>
/// Runs only when ESEAL_TEST_SQLSERVER holds a connection string (no SQL Server can run on this
/// project's machines); otherwise xunit reports them as skipped with that reason.
/// </summary>
public sealed class SqlServerLiveTests
{
    [SqlServerFact]
    public async Task Migrations_and_demo_seed_work_on_a_live_SQL_Server()
    {
        var options = new DatabaseOptions { Provider = DatabaseProvider.SqlServer, ConnectionString = SqlServerFactAttribute.ConnectionString! };
        // SQL Server has no file to put generated keys beside: a stable key file, so reruns on the same database still decrypt.
        options.PersonalData.KeyFile = Path.Combine(Path.GetTempPath(), "eseal-sqlserver-live.personal-data-keys.json");
        var outcome = Migrator.Migrate(options);
        Assert.True(outcome.Successful, outcome.Error);

        var db = new Database(options);
        await DemoData.SeedAsync(db, TimeProvider.System);
        var seals = await db.InTransactionAsync(s => new SealRepository(s).ListByEnterpriseAsync(DemoData.Hangzhou.Id));

        Assert.Equal(4, seals.Count);
        Assert.Null(await db.InTransactionAsync(s => new AuditLog(s).FirstBrokenLinkAsync()));
    }
}

public sealed class SqlServerFactAttribute : FactAttribute
{
    public static readonly string? ConnectionString = Environment.GetEnvironmentVariable("ESEAL_TEST_SQLSERVER");

    public SqlServerFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            Skip = "skipped: set ESEAL_TEST_SQLSERVER to a SQL Server connection string to run the live SQL Server tests";
        }
    }
}
