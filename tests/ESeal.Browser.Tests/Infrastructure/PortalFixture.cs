using Microsoft.Playwright;

namespace ESeal.Browser.Tests.Infrastructure;

/// <summary>
/// One real web (its own SQLite file with the demo data) and one headless Debian Chromium for the
/// whole browser suite.
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "eseal-browser", Guid.NewGuid().ToString("N"));
    private AppProcess? web;
    private IPlaywright? playwright;

    public Uri BaseUri { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public static BrowserNewContextOptions Kiosk => new() { ViewportSize = new() { Width = 1920, Height = 1080 }, Locale = "zh-CN", HasTouch = true };

    public static BrowserNewContextOptions Phone => new() { ViewportSize = new() { Width = 390, Height = 844 }, Locale = "zh-CN", HasTouch = true, IsMobile = true, DeviceScaleFactor = 2 };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(dataDirectory);
        var port = AppProcess.FreePort();
        web = await AppProcess.StartAsync(
            RepoPaths.AppDll("web", "ESeal.Web"),
            Path.Combine(RepoPaths.Root, "web"),
            port,
            ["--urls", $"http://127.0.0.1:{port}"],
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["Database__ConnectionString"] = $"Data Source={Path.Combine(dataDirectory, "portal.db")}",
                ["Demo__Seed"] = "true",
            },
            "/health",
            p => new Uri($"http://127.0.0.1:{p}"));
        BaseUri = new Uri($"http://127.0.0.1:{port}");

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task<IPage> NewPageAsync(BrowserNewContextOptions options)
    {
        var context = await Browser.NewContextAsync(options);
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
