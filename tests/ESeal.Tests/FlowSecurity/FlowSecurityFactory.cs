using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace ESeal.Tests.FlowSecurity;

/// <summary>
/// The real web, in-process, on its own SQLite file with the demo data, with a clock the test
/// moves by hand, proofs checked against <see cref="Origin"/> and this folder's own test root and
/// its CRL (Offline, a file), the face simulator on and no background jobs.
/// </summary>
public sealed class FlowSecurityFactory : WebApplicationFactory<Program>
{
    /// <summary>The origin HttpClient talks to (its BaseAddress) and the one the server expects proofs for.</summary>
    public const string Origin = "http://localhost";

    private readonly string directory;

    /// <summary>False for a restarted web on another factory's files: the first one cleans up.</summary>
    private readonly bool ownsDirectory;

    public FlowSecurityFactory()
        : this(Path.Combine(Path.GetTempPath(), "eseal-tests", "flow-security-" + Guid.NewGuid().ToString("N")), ownsDirectory: true)
    {
    }

    private FlowSecurityFactory(string directory, bool ownsDirectory)
    {
        this.directory = directory;
        this.ownsDirectory = ownsDirectory;
    }

    /// <summary>What the web logged (category, level, message, exception): bad input must leave no stack trace here.</summary>
    public LogCollector Logs { get; } = new();

    public FlowClock Clock { get; } = new(DateTimeOffset.UtcNow);

    public string DatabasePath => Path.Combine(directory, "web.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(directory);
        var rootPath = Path.Combine(directory, "test-root.pem");
        File.WriteAllText(rootPath, FlowSecurityPki.Instance.Root.ExportCertificatePem());
        var crlPath = Path.Combine(directory, "test-root.crl");
        File.WriteAllBytes(crlPath, FlowSecurityPki.Instance.Crl(Clock.GetUtcNow().AddHours(-1), Clock.GetUtcNow().AddDays(7)));

        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("Database:ConnectionString", $"Data Source={DatabasePath}");
        builder.UseSetting("Demo:Seed", "true");
        builder.UseSetting("Flows:Proof:PublicOrigin", Origin);
        builder.UseSetting("Flows:Proof:CaRootPaths:0", rootPath);
        builder.UseSetting("Flows:Proof:Revocation:CrlSources:0", crlPath);
        builder.UseSetting("Flows:Proof:Revocation:Mode", "Offline");
        builder.UseSetting("Flows:FaceSimulator:Enabled", "true");
        builder.UseSetting("Flows:Jobs:Enabled", "false");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    /// <summary>A browser: its own cookie jar (session + antiforgery), redirects not followed.</summary>
    public FlowBrowser NewBrowser() => new(this, CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    public DbSnapshot Snapshot(Guid instanceId) => DbSnapshot.Read(DatabasePath, instanceId);

    /// <summary>
    /// The web started again on the same database, as after a restart: everything kept in memory
    /// (the face simulator's tickets) is gone. Its clock starts where this one is.
    /// </summary>
    public FlowSecurityFactory Restarted()
    {
        var restarted = new FlowSecurityFactory(directory, ownsDirectory: false);
        restarted.Clock.Advance(Clock.GetUtcNow() - restarted.Clock.GetUtcNow());
        return restarted;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!ownsDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A lingering handle on a temp file is no reason to fail a test.
        }
    }
}

/// <summary>A clock the test moves by hand (the 5 s reading timer, nonce expiry).</summary>
public sealed class FlowClock(DateTimeOffset start) : TimeProvider
{
    private long ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}

/// <summary>Keeps every log entry of the web under test, to assert that bad input logs no exception.</summary>
/// <param name="minimum">The lowest level kept (Trace: everything, for "never in any log" assertions).</param>
public sealed class LogCollector(LogLevel minimum = LogLevel.Information) : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<LogEntry> entries = new();

    public IReadOnlyList<LogEntry> Entries => entries.ToArray();

    /// <summary>Entries with an exception or at Error and above: what an operator would read as a crash.</summary>
    public IReadOnlyList<LogEntry> Failures => entries.Where(e => e.Exception is not null || e.Level >= LogLevel.Error).ToArray();

    public LogLevel Minimum => minimum;

    public void Clear() => entries.Clear();

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Collector(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), exception));
            }
        }
    }
}

public sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception)
{
    public override string ToString() => $"{Level} {Category}: {Message}{(Exception is null ? "" : "\n" + Exception)}";
}
