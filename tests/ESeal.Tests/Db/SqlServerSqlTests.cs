using System.Reflection;
using System.Runtime.CompilerServices;
using ESeal.Db.Infrastructure;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace ESeal.Tests.Db;

/// <summary>
/// No SQL Server runs here, so the T-SQL is checked by Microsoft's own parser: every migration
/// script, and every statement each repository sends when it runs on the SQL Server dialect.
/// </summary>
public sealed class SqlServerSqlTests
{
    public static TheoryData<string> SqlServerScripts()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in Migrator.Scripts(DatabaseProvider.SqlServer))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SqlServerScripts))]
    public void Migration_script_parses_without_errors(string name)
    {
        var sql = Migrator.Scripts(DatabaseProvider.SqlServer).Single(s => s.Name == name).Sql;
        Assert.Empty(ParseErrors(sql));
    }

    public static TheoryData<string> RepositoryMethods()
    {
        var data = new TheoryData<string>();
        foreach (var method in RepositoryTypes().SelectMany(PublicMethods))
        {
            data.Add($"{method.DeclaringType!.Name}.{method.Name}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RepositoryMethods))]
    public async Task Every_statement_a_repository_sends_to_SQL_Server_parses(string repositoryMethod)
    {
        var (typeName, methodName) = (repositoryMethod.Split('.')[0], repositoryMethod.Split('.')[1]);
        var type = RepositoryTypes().Single(t => t.Name == typeName);
        var statements = new List<string>();

        // Run twice: once as if every UPDATE hit a row, once as if none did, so both branches speak.
        foreach (var rowsAffected in new[] { 1, 0 })
        {
            var session = new RecordingSqlServerSession(rowsAffected);
            var repository = Activator.CreateInstance(type, session)!;
            foreach (var method in PublicMethods(type).Where(m => m.Name == methodName))
            {
                try
                {
                    if (method.Invoke(repository, method.GetParameters().Select(p => SampleValue(p.ParameterType)).ToArray()) is Task task)
                    {
                        await task;
                    }
                }
                catch (Exception ex) when (ex is NullReferenceException or InvalidOperationException or ArgumentNullException or TargetInvocationException)
                {
                    // The recorder answers with empty results; what a method does with them is not the point here.
                }
            }

            statements.AddRange(session.Statements);
        }

        Assert.NotEmpty(statements);
        Assert.All(statements, sql => Assert.True(ParseErrors(sql).Count == 0, $"{sql}\n=> {string.Join("; ", ParseErrors(sql))}"));
        Assert.DoesNotContain(statements, sql => sql.Contains(" LIMIT ", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void A_broken_statement_is_caught() => Assert.NotEmpty(ParseErrors("SELECT id FROM seals LIMIT 1"));

    internal static IReadOnlyList<string> ParseErrors(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(sql);
        parser.Parse(reader, out var errors);
        return errors.Select(e => $"line {e.Line}: {e.Message}").ToList();
    }

    private static IEnumerable<Type> RepositoryTypes() =>
        typeof(Database).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true })
            .Where(t => t.GetConstructors().Any(c => c.GetParameters() is [{ ParameterType: var p }] && p == typeof(ISqlSession)));

    private static IEnumerable<MethodInfo> PublicMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => typeof(Task).IsAssignableFrom(m.ReturnType))
            .DistinctBy(m => m.Name);

    private static object? SampleValue(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying switch
        {
            _ when underlying == typeof(string) => "sample",
            _ when underlying.IsAssignableFrom(typeof(string[])) => new[] { "sample", "other" },
            _ when underlying == typeof(Guid) => Guid.NewGuid(),
            _ when underlying == typeof(int) => 3,
            _ when underlying == typeof(long) => 3L,
            _ when underlying == typeof(bool) => true,
            _ when underlying == typeof(DateTimeOffset) => DateTimeOffset.UtcNow,
            _ when underlying == typeof(CancellationToken) => CancellationToken.None,
            _ when underlying.IsEnum => Enum.GetValues(underlying).GetValue(0),
            _ when underlying.IsValueType => Activator.CreateInstance(underlying),
            _ => RuntimeHelpers.GetUninitializedObject(underlying),
        };
    }

    /// <summary>Records SQL Server text instead of sending it; answers with empty results.</summary>
    private sealed class RecordingSqlServerSession(int rowsAffected) : ISqlSession
    {
        public List<string> Statements { get; } = [];

        public SqlDialect Dialect => SqlDialect.SqlServer;

        // Repositories that keep encrypted columns need keys to get as far as their SQL.
        public ESeal.Db.Protection.PersonalDataProtector PersonalData { get; } = ESeal.Db.Protection.PersonalDataProtector.CreateEphemeral();

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
            return Task.FromResult(rowsAffected);
        }

        public Task<T?> ExecuteScalarAsync<T>(string sql, object? param = null, CancellationToken ct = default)
        {
            Statements.Add(sql);
            return Task.FromResult(default(T));
        }
    }
}
