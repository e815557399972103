using System.Data.Common;
using Dapper;
using ESeal.Db.Protection;

namespace ESeal.Db.Infrastructure;

/// <summary>Opens sessions on the configured database.</summary>
public sealed class Database
{
    private readonly string connectionString;
    private readonly Lazy<PersonalDataProtector> personalData;

    public Database(DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DapperSetup.EnsureConfigured();
        Options = options;
        Dialect = SqlDialect.For(options.Provider);
        connectionString = options.ConnectionString;
        personalData = new Lazy<PersonalDataProtector>(() => PersonalDataProtector.For(options.PersonalData, options.Provider, options.ConnectionString));
    }

    /// <summary>
    /// Encrypts and hashes the personal data the binding records keep (created on first use: a
    /// Development/demo key file is only generated when something needs it).
    /// </summary>
    public PersonalDataProtector PersonalData => personalData.Value;

    public DatabaseOptions Options { get; }

    public SqlDialect Dialect { get; }

    /// <summary>A session with its own transaction; dispose without <see cref="DbSession.CommitAsync"/> rolls back.</summary>
    /// <param name="readOnly">
    /// On SQLite a write transaction is BEGIN IMMEDIATE and takes the database's write lock at
    /// once; a read-only session begins DEFERRED, so readers never queue behind writers (WAL).
    /// </param>
    public async Task<DbSession> BeginAsync(CancellationToken ct = default, bool readOnly = false)
    {
        var connection = Dialect.CreateConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
            var transaction = connection is Microsoft.Data.Sqlite.SqliteConnection sqlite
                ? sqlite.BeginTransaction(deferred: readOnly)
                : await connection.BeginTransactionAsync(ct);
            return new DbSession(Dialect, connection, transaction, personalData);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> in one transaction and commits it when it returns.</summary>
    public async Task<T> InTransactionAsync<T>(Func<DbSession, Task<T>> work, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var session = await BeginAsync(ct);
        var result = await work(session);
        await session.CommitAsync(ct);
        return result;
    }

    /// <summary>Runs a read in a read-only (on SQLite: deferred) transaction.</summary>
    public async Task<T> ReadAsync<T>(Func<DbSession, Task<T>> read, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        await using var session = await BeginAsync(ct, readOnly: true);
        return await read(session);
    }

    /// <summary>
    /// On SQLite, copies the write-ahead log into the database file and truncates the log, so that
    /// earlier versions of rows (e.g. a flow's variables before its personal data was erased) do not
    /// stay in the -wal file until the next automatic checkpoint. Best effort and quick: it does not
    /// wait for readers (busy_timeout 0); false when it could not finish now (the next call or the
    /// minutely job does). No-op (true) on SQL Server.
    /// </summary>
    public async Task<bool> TruncateWriteAheadLogAsync(CancellationToken ct = default)
    {
        if (Dialect.Provider != DatabaseProvider.Sqlite)
        {
            return true;
        }

        await using var connection = Dialect.CreateConnection(connectionString);
        await connection.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA busy_timeout = 0;", cancellationToken: ct));
        try
        {
            // One row: busy (0/1), log frames, checkpointed frames.
            var busy = await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA wal_checkpoint(TRUNCATE);", cancellationToken: ct));
            return busy == 0;
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex) when (ex.SqliteErrorCode is 5 or 6)
        {
            return false; // SQLITE_BUSY / SQLITE_LOCKED: someone is writing; try again later
        }
    }

    /// <summary>True when the database answers a trivial query.</summary>
    public async Task<bool> PingAsync(CancellationToken ct = default)
    {
        await using var connection = Dialect.CreateConnection(connectionString);
        await connection.OpenAsync(ct);
        var one = await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
        return one == 1;
    }
}

/// <summary>One connection and one transaction; Dapper calls go through here.</summary>
public sealed class DbSession : ISqlSession, IAsyncDisposable
{
    private readonly DbConnection connection;
    private readonly DbTransaction transaction;
    private readonly Lazy<PersonalDataProtector> personalData;

    internal DbSession(SqlDialect dialect, DbConnection connection, DbTransaction transaction, Lazy<PersonalDataProtector> personalData)
    {
        Dialect = dialect;
        this.connection = connection;
        this.transaction = transaction;
        this.personalData = personalData;
    }

    public SqlDialect Dialect { get; }

    /// <summary>The database's protector (resolved when a repository first needs it).</summary>
    public PersonalDataProtector PersonalData => personalData.Value;

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null, CancellationToken ct = default) =>
        (await connection.QueryAsync<T>(Command(sql, param, ct))).AsList();

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param = null, CancellationToken ct = default) =>
        connection.QuerySingleOrDefaultAsync<T>(Command(sql, param, ct));

    public Task<int> ExecuteAsync(string sql, object? param = null, CancellationToken ct = default) =>
        connection.ExecuteAsync(Command(sql, param, ct));

    public Task<T?> ExecuteScalarAsync<T>(string sql, object? param = null, CancellationToken ct = default) =>
        connection.ExecuteScalarAsync<T>(Command(sql, param, ct));

    public Task CommitAsync(CancellationToken ct = default) => transaction.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }

    private CommandDefinition Command(string sql, object? param, CancellationToken ct) =>
        new(sql, param, transaction, cancellationToken: ct);
}
