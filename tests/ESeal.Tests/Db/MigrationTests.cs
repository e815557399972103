using ESeal.Db.Infrastructure;
using Microsoft.Data.Sqlite;

namespace ESeal.Tests.Db;

public sealed class MigrationTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "eseal-tests", Guid.NewGuid().ToString("N"));

    public MigrationTests() => Directory.CreateDirectory(directory);

    [Fact]
    public void Migrations_create_every_table_on_an_empty_file_and_rerun_applies_nothing()
    {
        var options = new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(directory, "fresh.db")};Pooling=False" };

        var first = Migrator.Migrate(options);
        var second = Migrator.Migrate(options);

        Assert.True(first.Successful, first.Error);
        Assert.Equal(Migrator.Scripts(DatabaseProvider.Sqlite).Select(s => s.Name), first.AppliedScripts);
        Assert.True(second.Successful, second.Error);
        Assert.Empty(second.AppliedScripts);

        using var connection = new SqliteConnection(options.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        var tables = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Superset(
            new HashSet<string> { "enterprises", "seals", "media", "seal_bindings", "audit_events", "pin_counters", "enrolled_helpers", "flow_definitions", "flow_instances", "outbox", "committed_operations" },
            tables.ToHashSet());
    }

    [Fact]
    public void Both_dialects_carry_the_same_numbered_scripts()
    {
        var sqlite = Migrator.Scripts(DatabaseProvider.Sqlite).Select(s => s.Name).ToList();
        var sqlServer = Migrator.Scripts(DatabaseProvider.SqlServer).Select(s => s.Name).ToList();

        Assert.NotEmpty(sqlite);
        Assert.Equal(sqlite, sqlServer);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
