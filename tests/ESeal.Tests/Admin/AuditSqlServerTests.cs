using ESeal.Db.Admin;
using ESeal.Db.Infrastructure;
using ESeal.Tests.Db;

namespace ESeal.Tests.Admin;

/// <summary>
/// The generic T-SQL check runs the audit queries with an empty filter; this one sends every
/// filter part at once, so the LIKE … ESCAPE, the sub-selects and the named actor list are parsed too.
/// </summary>
public sealed class AuditSqlServerTests
{
    [Fact]
    public async Task Every_audit_query_with_every_filter_part_parses_as_T_SQL_without_LIMIT()
    {
        var session = new Recorder();
        var queries = new AuditQueries(session);
        var now = DateTimeOffset.UtcNow;
        foreach (var filter in new[]
        {
            new AuditFilter { From = now.AddDays(-1), Until = now, Kind = "Bind", EnterpriseText = "云印%_[", SealCode = "HZ-01", Actors = ["staff:a", "operator:a", "cli:a"] },
            new AuditFilter { EnterpriseId = Guid.NewGuid(), SealId = Guid.NewGuid(), Actors = ["flow:x"] },
        })
        {
            await queries.PageAsync(filter, 10, null, 50);
            await queries.PageAsync(filter, null, 10, 50);
            await queries.AnyBeyondAsync(filter, 10, newer: true);
            await queries.TallyAsync(filter);
            await queries.ExportBatchAsync(filter, 0, 100, 1000);
        }

        Assert.Equal(10, session.Statements.Count);
        Assert.All(session.Statements, sql => Assert.True(SqlServerSqlTests.ParseErrors(sql).Count == 0, $"{sql}\n=> {string.Join("; ", SqlServerSqlTests.ParseErrors(sql))}"));
        Assert.DoesNotContain(session.Statements, sql => sql.Contains("LIMIT", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(session.Statements, sql => sql.Contains("a.actor IN (@actor0, @actor1, @actor2)", StringComparison.Ordinal));
        Assert.Contains(session.Statements, sql => sql.Contains("ESCAPE '\\'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("云印", "%云印%")]
    [InlineData("100%", "%100\\%%")]
    [InlineData("a_b", "%a\\_b%")]
    [InlineData("[x]", "%\\[x]%")]
    [InlineData("c:\\d", "%c:\\\\d%")]
    public void Enterprise_text_becomes_a_contains_pattern_whose_wildcards_are_literal(string text, string pattern) =>
        Assert.Equal(pattern, AuditQueries.Contains(text));

    private sealed class Recorder : ISqlSession
    {
        public List<string> Statements { get; } = [];

        public SqlDialect Dialect => SqlDialect.SqlServer;

        public Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null, CancellationToken ct = default)
        {
            Statements.Add(sql);
            return Task.FromResult<IReadOnlyList<T>>([]);
        }

        public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param = null, CancellationToken ct = default)
        {
            Statements.Add(sql);
            return Task.FromResult(default(T));
        }

        public Task<int> ExecuteAsync(string sql, object? param = null, CancellationToken ct = default)
        {
            Statements.Add(sql);
            return Task.FromResult(0);
        }

        public Task<T?> ExecuteScalarAsync<T>(string sql, object? param = null, CancellationToken ct = default)
        {
            Statements.Add(sql);
            return Task.FromResult(default(T));
        }
    }
}
