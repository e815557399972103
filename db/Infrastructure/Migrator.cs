using System.Reflection;
using DbUp;
using DbUp.Builder;
using Microsoft.Data.Sqlite;

namespace ESeal.Db.Infrastructure;

/// <summary>Applies the numbered scripts of the configured dialect with DbUp.</summary>
public static class Migrator
{
    public sealed record Outcome(bool Successful, IReadOnlyList<string> AppliedScripts, string? Error)
    {
        /// <summary>Binding rows whose plaintext holder data the step after the scripts encrypted.</summary>
        public int ConvertedBindings { get; init; }
    }

    public static Outcome Migrate(DatabaseOptions options, bool logToConsole = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        var assembly = typeof(Migrator).Assembly;
        var folder = options.Provider == DatabaseProvider.SqlServer ? ".Migrations.SqlServer." : ".Migrations.Sqlite.";
        UpgradeEngineBuilder builder;

        if (options.Provider == DatabaseProvider.SqlServer)
        {
            EnsureDatabase.For.SqlDatabase(options.ConnectionString);
            builder = DeployChanges.To.SqlDatabase(options.ConnectionString);
        }
        else
        {
            PrepareSqliteFile(options.ConnectionString);
            builder = DeployChanges.To.SqliteDatabase(options.ConnectionString);
        }

        builder = builder
            .WithScriptsEmbeddedInAssembly(assembly, name => name.Contains(folder, StringComparison.Ordinal))
            .WithTransactionPerScript();
        builder = logToConsole ? builder.LogToConsole() : builder.LogToNowhere();

        var result = builder.Build().PerformUpgrade();
        var applied = result.Scripts.Select(s => ShortName(s.Name)).ToList();
        if (!result.Successful)
        {
            return new Outcome(false, applied, result.Error?.Message);
        }

        // SQL cannot encrypt: the C# half of 0003 runs right after the scripts, every time (it finds
        // nothing to do once converted).
        try
        {
            var converted = PlaintextHolderConversion.RunAsync(new Database(options)).GetAwaiter().GetResult();
            return new Outcome(true, applied, null) { ConvertedBindings = converted };
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException or System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return new Outcome(false, applied, $"Encrypting plaintext holder data failed: {ex.Message}");
        }
    }

    /// <summary>The scripts this build carries for a dialect, in the order DbUp applies them.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Scripts(DatabaseProvider provider)
    {
        var assembly = typeof(Migrator).Assembly;
        var folder = provider == DatabaseProvider.SqlServer ? ".Migrations.SqlServer." : ".Migrations.Sqlite.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(folder, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (ShortName(n), Read(assembly, n)))
            .ToList();
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string ShortName(string resource)
    {
        var parts = resource.Split('.');
        return parts.Length >= 2 ? $"{parts[^2]}.{parts[^1]}" : resource;
    }

    private static void PrepareSqliteFile(string connectionString)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // WAL lets the kiosk pages read while a commit writes.
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}
