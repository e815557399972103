using ESeal.Db.Infrastructure;

namespace ESeal.Testing;

/// <summary>
/// A fresh, migrated SQLite file; deleted afterwards. Shared as source by the test projects that
/// need a real database (linked from tests/Shared, not a project of its own).
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    public SqliteDatabase()
    {
        Directory = Path.Combine(Path.GetTempPath(), "eseal-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Options = new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={Path.Combine(Directory, "eseal.db")};Pooling=False;Default Timeout=30" };
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
