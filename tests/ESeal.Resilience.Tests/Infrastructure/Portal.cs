using System.Globalization;
using ESeal.Browser.Tests.Infrastructure;
using ESeal.Db.Infrastructure;
using ESeal.TestPki;

namespace ESeal.Resilience.Tests.Infrastructure;

/// <summary>One USBKEY of this suite: a SoftHSM2 token holding its own certificate of one enterprise.</summary>
public sealed record Key(string Label, string Serial, TestEnterprise Enterprise, string CertificateSha256);

/// <summary>
/// What the resilience tests share: a test CA, SoftHSM2 tokens (one certificate each, made here so
/// that every browser session has its own key and certificate), and the real key helper process
/// on a loopback port. Web processes are started per test (<see cref="WebNode"/>) on their own
/// SQLite file; the helper allows each of their origins.
/// </summary>
public sealed class Portal : IAsyncLifetime
{
    /// <summary>Tokens per purpose: label prefix, enterprise, count.</summary>
    private static readonly (string Prefix, TestEnterprise Enterprise, int Count)[] KeySets =
    [
        ("RACE-A", TestEnterprise.Hangzhou, 4),
        ("RACE-B", TestEnterprise.Hangzhou, 4),
        ("RACE-C", TestEnterprise.Shenzhen, 1),
        ("CRASH-HZ", TestEnterprise.Hangzhou, 2),
        ("CRASH-BJ", TestEnterprise.Beijing, 2),
        ("CRASH-SZ", TestEnterprise.Shenzhen, 2),
    ];

    private readonly List<Key> keys = [];
    private readonly SemaphoreSlim raceWebLock = new(1, 1);
    private AppProcess? helper;
    private WebNode? raceWeb;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "eseal-resilience", Guid.NewGuid().ToString("N"));

    public string RootCaPath { get; private set; } = null!;

    public string RootCrlPath { get; private set; } = null!;

    public Uri KeyHelperUri { get; private set; } = null!;

    /// <summary>Ports picked before the helper starts, so its origin allowlist can name them.</summary>
    public int RacePort { get; } = AppProcess.FreePort();

    public int CrashPort { get; } = AppProcess.FreePort();

    public IReadOnlyList<Key> Keys => keys;

    public IEnumerable<Key> KeysStartingWith(string prefix) => keys.Where(k => k.Label.StartsWith(prefix, StringComparison.Ordinal));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        var pki = Path.Combine(DataDirectory, "pki");
        using (var ca = CertificateAuthority.OpenOrCreate(Path.Combine(pki, "pki")))
        {
            var conf = SoftHsm.WriteConfig(pki);
            SoftHsm.UseConfig(conf);
            RootCaPath = ca.RootCertificatePath;

            // The portal refuses every certificate whose revocation it cannot check: give it the root's (empty) CRL.
            ca.WriteRootCrl([], DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.Add(TestPkiSetup.CrlLifetime));
            RootCrlPath = ca.RootCrlPath;
            var issued = new List<(string Label, IssuedCertificate Cert)>();
            try
            {
                foreach (var (prefix, enterprise, count) in KeySets)
                {
                    for (var i = 1; i <= count; i++)
                    {
                        // EC P-256: quick to make, and the helper signs ES256 with it.
                        var label = $"{prefix}{i}";
                        issued.Add((label, ca.GetOrIssue(new CertificateSpec(label.ToLowerInvariant(), enterprise, KeyAlgorithm.EcP256, CertificateKind.Valid))));
                    }
                }

                var serials = SoftHsm.EnsureTokens(SoftHsm.DefaultModulePath, issued.Select(i => (i.Label, (IReadOnlyList<IssuedCertificate>)[i.Cert])), TestPkiSetup.UserPin);
                foreach (var (label, cert) in issued)
                {
                    var enterprise = KeySets.First(s => label.StartsWith(s.Prefix, StringComparison.Ordinal)).Enterprise;
                    keys.Add(new Key(label, serials[label], enterprise, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(cert.Certificate.RawData))));
                }
            }
            finally
            {
                foreach (var (_, cert) in issued)
                {
                    cert.Dispose();
                }
            }

            var helperPort = AppProcess.FreePort();
            helper = await AppProcess.StartAsync(
                RepoPaths.AppDll("keyhelper", "ESeal.KeyHelper"),
                Path.Combine(RepoPaths.Root, "keyhelper"),
                helperPort,
                [],
                new Dictionary<string, string>
                {
                    ["SOFTHSM2_CONF"] = conf,
                    ["KeyHelper__Port"] = helperPort.ToString(CultureInfo.InvariantCulture),
                    ["KeyHelper__AllowedOrigins__0"] = Origin(RacePort),
                    ["KeyHelper__AllowedOrigins__1"] = Origin(CrashPort),
                    ["KeyHelper__Pkcs11Modules__0"] = SoftHsm.DefaultModulePath,
                    ["KeyHelper__StateDirectory"] = Path.Combine(DataDirectory, "helper-state"),
                },
                "/v1/info",
                p => new Uri($"http://127.0.0.1:{p}"));
            KeyHelperUri = new Uri($"http://127.0.0.1:{helperPort}");
        }
    }

    public static string Origin(int port) => $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A web node of its own (own SQLite file under the data directory), not started yet.</summary>
    public WebNode NewWeb(string name, int port) => new(this, Path.Combine(DataDirectory, name + ".db"), port);

    private readonly Dictionary<string, Task> once = [];

    /// <summary>Runs <paramref name="work"/> once per fixture (e.g. one crash run that two tests judge from different sides).</summary>
    public Task<T> OnceAsync<T>(string key, Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (once)
        {
            if (!once.TryGetValue(key, out var task))
            {
                task = work();
                once[key] = task;
            }

            return (Task<T>)task;
        }
    }

    /// <summary>The web the race tests share (each race uses its own seals and keys), started on first use.</summary>
    public async Task<WebNode> RaceWebAsync()
    {
        await raceWebLock.WaitAsync();
        try
        {
            if (raceWeb is null)
            {
                var web = NewWeb("race", RacePort);
                await web.StartAsync();
                raceWeb = web;
            }

            return raceWeb;
        }
        finally
        {
            raceWebLock.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (raceWeb is not null)
        {
            await raceWeb.DisposeAsync();
        }

        raceWebLock.Dispose();
        if (helper is not null)
        {
            await helper.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>
/// The real web as a process on a fixed loopback port and a fixed SQLite file: started, killed
/// with SIGKILL (<see cref="KillAsync"/>: no shutdown hooks run) and started again on the same file.
/// </summary>
public sealed class WebNode(Portal portal, string databasePath, int port) : IAsyncDisposable
{
    private AppProcess? process;

    public string DatabasePath { get; } = databasePath;

    public int Port { get; } = port;

    public string Origin => Portal.Origin(Port);

    public Uri BaseUri => new(Origin);

    public Database Database { get; } = new(new DatabaseOptions { ConnectionString = $"Data Source={databasePath};Pooling=False" });

    /// <summary>What the last process printed (for failure messages).</summary>
    public string LastOutput { get; private set; } = string.Empty;

    public bool Running => process is not null;

    public async Task StartAsync()
    {
        if (process is not null)
        {
            throw new InvalidOperationException("already running");
        }

        process = await AppProcess.StartAsync(
            RepoPaths.AppDll("web", "ESeal.Web"),
            Path.Combine(RepoPaths.Root, "web"),
            Port,
            ["--urls", Origin],
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["Database__ConnectionString"] = $"Data Source={DatabasePath}",
                ["Demo__Seed"] = "true",
                ["Web__KeyHelperOrigin"] = portal.KeyHelperUri.ToString().TrimEnd('/'),
                ["Flows__Proof__PublicOrigin"] = Origin,
                ["Flows__Proof__CaRootPaths__0"] = portal.RootCaPath,
                ["Flows__Proof__Revocation__CrlSources__0"] = portal.RootCrlPath,
                ["Flows__Proof__Revocation__Mode"] = "Offline",
                ["Flows__FaceSimulator__Enabled"] = "true",
                ["Logging__LogLevel__Default"] = "Warning",
            },
            "/health",
            p => new Uri($"http://127.0.0.1:{p}"));
    }

    /// <summary>kill -9: the process gets no chance to finish a request, flush or dispose anything.</summary>
    public async Task KillAsync()
    {
        if (process is null)
        {
            return;
        }

        LastOutput = process.Output;
        await process.DisposeAsync(); // Process.Kill(entireProcessTree) sends SIGKILL on Unix
        process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<Portal>
{
    public const string Name = "resilience portal";
}
