using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using ESeal.Web.Benchmarks.Pages.Bench;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace ESeal.Web.Benchmarks;

/// <summary>
/// The real web (its Program, its appsettings.json, its middleware) on Kestrel at 127.0.0.1:port,
/// on its own SQLite file. Test-only changes, all through configuration and DI: the clock is
/// <see cref="BenchClock"/>, the face simulator is on, Hangfire's server is off, the proof origin
/// CA root and CRL are the benchmark's, the bare comparison page is added as an application part,
/// and a first middleware records the server-side time of each request.
/// </summary>
internal sealed class BenchFactory : WebApplicationFactory<Program>
{
    public const string StepHeader = "X-Bench-Step";

    private readonly string dbPath;
    private readonly string caRootPath;
    private readonly string crlPath;
    private readonly string logLevel;

    public BenchFactory(string directory, string caRootPath, string crlPath, int port, string logLevel)
    {
        dbPath = Path.Combine(directory, "bench.db");
        this.caRootPath = caRootPath;
        this.crlPath = crlPath;
        this.logLevel = logLevel;
        Port = port;
        UseKestrel(o => o.Listen(IPAddress.Loopback, port));
    }

    public int Port { get; }

    public string Origin => $"http://127.0.0.1:{Port}";

    public BenchClock Clock { get; } = new();

    /// <summary>Server-side microseconds per step label (the X-Bench-Step request header).</summary>
    public ConcurrentDictionary<string, ConcurrentBag<double>> ServerTimes { get; } = new(StringComparer.Ordinal);

    public bool RecordServerTimes { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("Database:ConnectionString", $"Data Source={dbPath}");
        builder.UseSetting("Demo:Seed", "false");
        builder.UseSetting("Flows:FaceSimulator:Enabled", "true");
        builder.UseSetting("Flows:Jobs:Enabled", "false");
        builder.UseSetting("Flows:Proof:PublicOrigin", Origin);
        builder.UseSetting("Flows:Proof:CaRootPaths:0", caRootPath);
        builder.UseSetting("Flows:Proof:Revocation:CrlSources:0", crlPath);
        builder.UseSetting("Flows:Proof:Revocation:Mode", "Offline");
        builder.UseSetting("Database:PersonalData:Keys:bench", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        builder.UseSetting("Database:PersonalData:HashKey", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        if (logLevel != "default")
        {
            builder.UseSetting("Logging:LogLevel:Default", logLevel);
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", logLevel);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddRazorPages().AddApplicationPart(typeof(BareModel).Assembly);
            services.AddSingleton<IStartupFilter>(new TimingFilter(this));
        });
    }

    private sealed class TimingFilter(BenchFactory owner) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (!owner.RecordServerTimes || context.Request.Headers[StepHeader].ToString() is not { Length: > 0 } step)
                {
                    await nextMiddleware(context);
                    return;
                }

                var t = Stopwatch.GetTimestamp();
                await nextMiddleware(context);
                owner.ServerTimes.GetOrAdd(step, _ => []).Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
            });
            next(app);
        };
    }
}
