using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ESeal.Tests.Web;

/// <summary>The real web, in-process, on its own SQLite file with the demo data.</summary>
public sealed class ESealWebFactory : WebApplicationFactory<Program>
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "eseal-tests", "web-" + Guid.NewGuid().ToString("N"));

    /// <summary>The web's SQLite file, for tests that act as someone with access to the file itself.</summary>
    public string ConnectionString => $"Data Source={Path.Combine(directory, "web.db")}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(directory);
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("Database:ConnectionString", ConnectionString);
        builder.UseSetting("Demo:Seed", "true");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
