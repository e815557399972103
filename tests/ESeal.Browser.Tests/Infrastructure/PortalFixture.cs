using ESeal.Db.Demo;
using ESeal.Db.Infrastructure;
using ESeal.Db.MediumChange;
using ESeal.Db.Repositories;
using ESeal.TestPki;
using Microsoft.Playwright;

namespace ESeal.Browser.Tests.Infrastructure;

/// <summary>
/// The whole portal for the browser suite: the test PKI with its SoftHSM2 tokens, the real key
/// helper process on a loopback port, the real web (its own SQLite file with the demo data, the
/// face simulator on) and one headless Debian Chromium.
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "eseal-browser", Guid.NewGuid().ToString("N"));
    private AppProcess? web;
    private AppProcess? helper;
    private IPlaywright? playwright;

    public Uri BaseUri { get; private set; } = null!;

    public Uri KeyHelperUri { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public TestPkiSummary Pki { get; private set; } = null!;

    /// <summary>The web's own database, for assertions about what a step changed (or did not).</summary>
    public Database Database { get; private set; } = null!;

    /// <summary>The web's SQLite connection string, for tests that change the file behind the application's back.</summary>
    public string ConnectionString { get; private set; } = null!;

    public static BrowserNewContextOptions Kiosk => new() { ViewportSize = new() { Width = 1920, Height = 1080 }, Locale = "zh-CN", HasTouch = true };

    public static BrowserNewContextOptions Phone => new() { ViewportSize = new() { Width = 390, Height = 844 }, Locale = "zh-CN", HasTouch = true, IsMobile = true, DeviceScaleFactor = 2 };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(dataDirectory);
        Pki = TestPkiSetup.Init(Path.Combine(dataDirectory, "pki"));
        var port = AppProcess.FreePort();
        var helperPort = AppProcess.FreePort();
        var origin = $"http://127.0.0.1:{port}";
        helper = await AppProcess.StartAsync(
            RepoPaths.AppDll("keyhelper", "ESeal.KeyHelper"),
            Path.Combine(RepoPaths.Root, "keyhelper"),
            helperPort,
            [],
            new Dictionary<string, string>
            {
                ["SOFTHSM2_CONF"] = Pki.SoftHsm2Conf,
                ["KeyHelper__Port"] = helperPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["KeyHelper__AllowedOrigins__0"] = origin,
                ["KeyHelper__Pkcs11Modules__0"] = SoftHsm.DefaultModulePath,
                ["KeyHelper__StateDirectory"] = Path.Combine(dataDirectory, "helper-state"),
            },
            "/v1/info",
            p => new Uri($"http://127.0.0.1:{p}"));
        var connectionString = $"Data Source={Path.Combine(dataDirectory, "portal.db")}";
        web = await AppProcess.StartAsync(
            RepoPaths.AppDll("web", "ESeal.Web"),
            Path.Combine(RepoPaths.Root, "web"),
            port,
            ["--urls", $"http://127.0.0.1:{port}"],
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["Database__ConnectionString"] = connectionString,
                ["Demo__Seed"] = "true",
                ["Web__KeyHelperOrigin"] = $"http://127.0.0.1:{helperPort}",
                ["Web__MinKeyHelperVersion"] = "1.0.0", // the helper built from this tree is 1.0.0: every test passes the handshake
                ["Flows__Proof__PublicOrigin"] = origin,
                ["Flows__Proof__CaRootPaths__0"] = Pki.RootCa,
                ["Flows__Proof__Revocation__CrlSources__0"] = Pki.RootCaCrl,
                ["Flows__Proof__Revocation__Mode"] = "Offline",
                ["Flows__FaceSimulator__Enabled"] = "true",
            },
            "/health",
            p => new Uri($"http://127.0.0.1:{p}"));
        BaseUri = new Uri(origin);
        KeyHelperUri = new Uri($"http://127.0.0.1:{helperPort}");
        ConnectionString = connectionString;
        Database = new Database(new DatabaseOptions { ConnectionString = connectionString });
        await EnrollHelperAsKioskAsync();

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    /// <summary>
    /// This suite's browsers play hall kiosks: staff enrolled the PC's key helper by its report key
    /// (as `helpers enroll` does with what `eseal-keyhelper report-key` prints), so the wrong PINs it
    /// signs count for the key in every browser.
    /// </summary>
    private async Task EnrollHelperAsKioskAsync()
    {
        using var http = new HttpClient { BaseAddress = KeyHelperUri };
        using var info = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("/v1/info", UriKind.Relative)));
        var reportKey = info.RootElement.GetProperty("reportKey").GetString()!;
        var reportKeyId = info.RootElement.GetProperty("reportKeyId").GetString()!;
        await Database.InTransactionAsync(s => new EnrolledHelperRepository(s).EnrollAsync(reportKeyId, reportKey, "测试大厅", "browser-suite", "test-setup", DateTimeOffset.UtcNow));
    }

    /// <summary>"Inserts" exactly these USBKEYs: every other SoftHSM2 token is pulled out.</summary>
    public void InsertOnly(params string[] labels)
    {
        foreach (var token in Pki.Tokens)
        {
            var present = Directory.Exists(token.Directory);
            if (labels.Contains(token.Label) && !present)
            {
                TestPkiSetup.InsertToken(Pki, token.Label);
            }
            else if (!labels.Contains(token.Label) && present)
            {
                TestPkiSetup.RemoveToken(Pki, token.Label);
            }
        }
    }

    /// <summary>Binds a test token to a seal directly in the database, as an earlier binding at another kiosk would have.</summary>
    public async Task BindInDatabaseAsync(DemoData.DemoEnterprise enterprise, string tokenLabel, Guid sealId)
    {
        ArgumentNullException.ThrowIfNull(enterprise);
        var token = Pki.Token(tokenLabel);
        var cert = token.Certificates[0];
        var holding = await Database.ReadAsync(s => new BindingRepository(s).ActiveForSealAsync(sealId));
        var outcome = await new MediumChangeCommands(Database, TimeProvider.System).BindUsbKeyAsync(new BindUsbKeyCommand(
            Guid.NewGuid(), null, enterprise.Id, sealId, token.Serial, new UsbKeyCertificate(cert.Sha256, KeyIdOf(cert), "01", "CN=ESeal Test Root CA", "CN=" + enterprise.Name),
            new SealHolder(enterprise.LegalRepName, "居民身份证", enterprise.LegalRepIdNumber, "13800138000"), "Kiosk", holding?.Id, "test-setup"));
        Assert.True(outcome.Succeeded || outcome.Error == CommitError.AlreadyBoundToThisMedium, outcome.Message);
    }

    /// <summary>Unbinds the demo key in the database if a test left it bound (as an unbind at another kiosk would): for tests that bind it.</summary>
    public async Task ReleaseDemoKeyAsync(DemoData.DemoEnterprise enterprise)
    {
        ArgumentNullException.ThrowIfNull(enterprise);
        var cert = Pki.Token(TestPkiSetup.DemoToken).Certificates[0];
        var keyId = KeyIdOf(cert);
        var medium = await Database.ReadAsync(s => new MediumRepository(s).FindUsbKeyAsync(keyId, cert.Sha256));
        if (medium is null || await Database.ReadAsync(s => new BindingRepository(s).ActiveForMediumAsync(medium.Id)) is null)
        {
            return;
        }

        var outcome = await new MediumChangeCommands(Database, TimeProvider.System).UnbindUsbKeyAsync(
            new UnbindUsbKeyCommand(Guid.NewGuid(), null, enterprise.Id, Pki.Token(TestPkiSetup.DemoToken).Serial, keyId, cert.Sha256, "Kiosk", "test-setup"));
        Assert.True(outcome.Succeeded, outcome.Message);
    }

    /// <summary>The medium identity the portal gives a test certificate's key.</summary>
    public static string KeyIdOf(CertificateInfo certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var x509 = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(certificate.File);
        // As ProofVerifier.KeyIdOf: SHA-256 of the SubjectPublicKeyInfo.
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(x509.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    public async Task<IPage> NewPageAsync(BrowserNewContextOptions options)
    {
        var context = await Browser.NewContextAsync(options);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// A page in a browser that staff enrolled as a hall kiosk (as /admin/kiosks/enroll does: a kiosk
    /// row holding the hash of the secret, the browser holding id and secret in the kiosk cookie).
    /// </summary>
    public async Task<IPage> NewKioskPageAsync(BrowserNewContextOptions options, string name)
    {
        var id = Guid.NewGuid();
        var secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(secret)));
        await Database.InTransactionAsync(s => new ESeal.Db.Kiosks.KioskRepository(s).AddAsync(new ESeal.Db.Kiosks.Kiosk
        {
            Id = id, Hall = "测试大厅", Name = name, TokenHash = hash, EnrolledAt = DateTimeOffset.UtcNow, EnrolledBy = "test-setup",
        }));
        var context = await Browser.NewContextAsync(options);
        await context.AddCookiesAsync([new Cookie { Name = "__Host-eseal.kiosk", Value = $"{id:N}.{secret}", Url = new UriBuilder(BaseUri) { Scheme = "https" }.Uri.ToString(), Secure = true, HttpOnly = true, SameSite = SameSiteAttribute.Lax }]);
        return await context.NewPageAsync();
    }

    public async Task ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        Directory.CreateDirectory(RepoPaths.ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        if (web is not null)
        {
            await web.DisposeAsync();
        }

        if (helper is not null)
        {
            await helper.DisposeAsync();
        }

        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "portal";
}
