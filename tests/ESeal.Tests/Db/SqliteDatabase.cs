using ESeal.Db.Infrastructure;

namespace ESeal.Tests.Db;

/// <summary>A fresh, migrated SQLite file per test class; deleted afterwards.</summary>
public sealed class SqliteDatabase : IDisposable
{
    public SqliteDatabase()
    {
        Directory = Path.Combine(Path.GetTempPath(), "eseal-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Options = new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={Path.Combine(Directory, "eseal.db")};Pooling=False" };
        var outcome = Migrator.Migrate(Options);
        Assert.True(outcome.Successful, outcome.Error);
        Database = new Database(Options);
    }

    public string Directory { get; }

    public DatabaseOptions Options { get; }

    public Database Database { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A lingering handle on a temp file is no reason to fail a test.
        }
    }
}
