using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace ESeal.Db.Infrastructure;

/// <summary>
/// Everything that differs between SQLite and SQL Server lives here, so that repository SQL is
/// written once. Repositories write portable SQL and ask the dialect only for these pieces.
/// </summary>
public abstract class SqlDialect
{
    public static readonly SqlDialect Sqlite = new SqliteDialect();
    public static readonly SqlDialect SqlServer = new SqlServerDialect();

    public static SqlDialect For(DatabaseProvider provider) =>
        provider == DatabaseProvider.SqlServer ? SqlServer : Sqlite;

    public abstract DatabaseProvider Provider { get; }

    public abstract DbConnection CreateConnection(string connectionString);

    /// <summary>Turns "SELECT cols FROM … ORDER BY …" into a query for its first <paramref name="rows"/> rows.</summary>
    public abstract string Top(int rows, string select);

    /// <summary>Table hint that takes an update lock on rows read inside a write transaction.</summary>
    public abstract string UpdateLock { get; }

    /// <summary>True when <paramref name="ex"/> is a unique-constraint or unique-index violation.</summary>
    public abstract bool IsUniqueViolation(DbException ex);

    private sealed class SqliteDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

        public override DbConnection CreateConnection(string connectionString)
        {
            // Foreign keys are off by default in SQLite; the schema relies on them.
            var builder = new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = true };
            var connection = new SqliteConnection(builder.ToString());
            // SQLite's own busy handler waits in short steps for a writer to finish; without it the
            // driver's retry sleeps 150 ms per collision (measured in tests/ESeal.Web.Benchmarks).
            // secure_delete overwrites deleted and replaced content with zeros, so a forgotten ID
            // number does not linger in a page's free space or on the freelist (ARCHITECTURE §5).
            connection.StateChange += (_, e) =>
            {
                if (e.CurrentState == System.Data.ConnectionState.Open)
                {
                    using var pragma = connection.CreateCommand();
                    pragma.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA secure_delete = ON;";
                    pragma.ExecuteNonQuery();
                }
            };
            return connection;
        }

        public override string Top(int rows, string select) => $"{select} LIMIT {rows}";

        // SQLite write transactions are BEGIN IMMEDIATE: the whole database is the lock.
        public override string UpdateLock => string.Empty;

        public override bool IsUniqueViolation(DbException ex) =>
            ex is SqliteException { SqliteErrorCode: 19 } s &&
            (s.SqliteExtendedErrorCode == 2067 /* UNIQUE */ || s.SqliteExtendedErrorCode == 1555 /* PRIMARY KEY */);
    }

    private sealed class SqlServerDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.SqlServer;

        public override DbConnection CreateConnection(string connectionString) => new SqlConnection(connectionString);

        public override string Top(int rows, string select)
        {
            const string keyword = "SELECT ";
            if (!select.TrimStart().StartsWith(keyword, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException("Top() expects a SELECT statement.", nameof(select));
            }

            var at = select.IndexOf(keyword, StringComparison.OrdinalIgnoreCase) + keyword.Length;
            return select.Insert(at, $"TOP ({rows}) ");
        }

        public override string UpdateLock => "WITH (UPDLOCK, HOLDLOCK)";

        public override bool IsUniqueViolation(DbException ex) =>
            ex is SqlException s && (s.Number == 2601 || s.Number == 2627);
    }
}
