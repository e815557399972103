namespace ESeal.Db.Infrastructure;

/// <summary>
/// What a repository needs to send SQL: the dialect and Dapper's calls, on one connection and
/// (for writes) one transaction. Tests substitute a recorder to see the exact SQL Server text.
/// </summary>
public interface ISqlSession
{
    SqlDialect Dialect { get; }

    Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null, CancellationToken ct = default);

    Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param = null, CancellationToken ct = default);

    Task<int> ExecuteAsync(string sql, object? param = null, CancellationToken ct = default);

    Task<T?> ExecuteScalarAsync<T>(string sql, object? param = null, CancellationToken ct = default);

    /// <summary>
    /// The database's personal-data protector, for repositories that keep encrypted columns; null
    /// where none is available (then writing personal data fails rather than store it in clear).
    /// </summary>
    Protection.PersonalDataProtector? PersonalData => null;
}
