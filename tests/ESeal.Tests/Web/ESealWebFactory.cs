using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ESeal.Tests.Web;

/// <summary>The real web, in-process, on its own SQLite file with the demo data.</summary>
public sealed class ESealWebFactory : WebApplicationFactory<Program>
{
    private readonly string directory;
    private readonly bool keepDirectory;

    /// <summary>A web on a database of its own (xunit class fixtures need this one public constructor).</summary>
    public ESealWebFactory()
        : this(null)
    {
    }

    /// <param name="directory">An existing web's folder, to start a second web on the same database (a restart); it is then left for its owner to delete.</param>
    private ESealWebFactory(string? directory)
    {
        keepDirectory = directory is not null;
        this.directory = directory ?? Path.Combine(Path.GetTempPath(), "eseal-tests", "web-" + Guid.NewGuid().ToString("N"));
    }

    public string Directory => directory;

    /// <summary>A second web process on this one's database, as after a restart.</summary>
    public static ESealWebFactory Restarted(ESealWebFactory earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return new ESealWebFactory(earlier.Directory);
    }

    /// <summary>Everything the web logged, at every level (tests assert what must never be in a log).</summary>
    public FlowSecurity.LogCollector Log { get; } = new(LogLevel.Trace);

    /// <summary>The web's SQLite file, for tests that act as someone with access to the file itself.</summary>
    public string ConnectionString => $"Data Source={Path.Combine(directory, "web.db")}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        System.IO.Directory.CreateDirectory(directory);
        builder.UseEnvironment("Testing");
        builder.ConfigureLogging(logging => logging.AddProvider(Log).AddFilter<FlowSecurity.LogCollector>(null, LogLevel.Trace));
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("Database:ConnectionString", ConnectionString);
        builder.UseSetting("Demo:Seed", "true");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (keepDirectory)
        {
            return;
        }

        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
