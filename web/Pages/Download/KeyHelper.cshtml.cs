using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Download;

/// <summary>
/// "点此下载": the key-helper builds listed from the signed release manifest, how to verify and
/// install them, and the kiosk browser policies for Local Network Access. The files themselves are
/// sent by <see cref="OnGetFile"/> (<c>/download/keyhelper/file/{name}</c>), for manifest names only.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class KeyHelperModel(KeyHelperReleaseCatalog catalog, IConfiguration configuration, ESeal.Web.Infrastructure.WebOptions web, TimeProvider? clock = null) : PageModel
{
    private HelperConfigGenerator? generator;
    /// <summary>Shown when <c>Flows:Proof:PublicOrigin</c> is not configured.</summary>
    public const string ExampleOrigin = "https://eseal.example.gov.cn";

    public ReleaseSnapshot Release { get; private set; } = null!;

    /// <summary>
    /// Where this portal's pages call the helper (<c>Web:KeyHelperOrigin</c>). Every address and port
    /// on the page comes from here: a helper installed on the wordings of a fixed default would listen
    /// where the pages never call, and the user would see "客户端未启动" with the helper running.
    /// </summary>
    public Uri HelperOrigin { get; } = ParseHelperOrigin(web.KeyHelperOrigin);

    /// <summary>host:port the helper must listen on, as the pages reach it.</summary>
    public string HelperAddress => $"{HelperOrigin.Host}:{HelperPort}";

    public int HelperPort => HelperOrigin.Port;

    public string HelperInfoUrl => HelperOrigin.GetLeftPart(UriPartial.Authority) + "/v1/info";

    /// <summary>The portal origin for the examples: <c>Flows:Proof:PublicOrigin</c>, or an example.</summary>
    public string PortalOrigin { get; private set; } = ExampleOrigin;

    public bool PortalOriginConfigured { get; private set; }

    /// <summary>The generated helper configuration per platform (empty when the portal origin is not configured).</summary>
    public IReadOnlyList<HelperConfig> Configs { get; private set; } = [];

    private HelperConfigGenerator Generator => generator ??= new HelperConfigGenerator(configuration, HelperPort, catalog, clock ?? TimeProvider.System);

    public IActionResult OnGet(string? name)
    {
        // An unknown handler segment (/download/keyhelper/other) would otherwise fall back to this page.
        if (!string.IsNullOrEmpty(name) || RouteData.Values["handler"] is not null)
        {
            return NotFound();
        }

        Release = catalog.Read();
        var origin = configuration["Flows:Proof:PublicOrigin"]?.Trim().TrimEnd('/');
        PortalOriginConfigured = !string.IsNullOrEmpty(origin);
        PortalOrigin = PortalOriginConfigured ? origin! : ExampleOrigin;
        Configs = [.. HelperConfigGenerator.Platforms.Select(Generator.Generate).OfType<HelperConfig>()];
        KioskPolicy = PortalOriginConfigured ? new KioskBrowserPolicy(PortalOrigin) : null;
        return Page();
    }

    /// <summary>
    /// <c>/download/keyhelper/config/{platform}/eseal-keyhelper.json</c> and its <c>.p7s</c>: generated for this
    /// portal on every request. The signature is sent only when it verifies to the publisher roots.
    /// </summary>
    public IActionResult OnGetConfig(string? name)
    {
        var parts = name?.Split('/') ?? [];
        if (parts.Length != 2 || Generator.Generate(parts[0]) is not { } config)
        {
            return NotFound();
        }

        Response.Headers.CacheControl = "no-cache";
        if (parts[1] == ESeal.KeyHelper.Release.HelperConfigFile.FileName)
        {
            return File(config.Content, "application/json", config.FileName);
        }

        return parts[1] == ESeal.KeyHelper.Release.HelperConfigFile.SignatureName && config.Signature is not null
            ? File(config.Signature, "application/pkcs7-signature", ESeal.KeyHelper.Release.HelperConfigFile.SignatureName)
            : NotFound();
    }

    /// <summary>The kiosk browser policy for this portal; null when <c>Flows:Proof:PublicOrigin</c> is not configured (an example origin would only pre-grant a stranger).</summary>
    public KioskBrowserPolicy? KioskPolicy { get; private set; }

    /// <summary><c>/download/keyhelper/kiosk/{name}</c>: the kiosk policy files, generated for this portal's origin.</summary>
    public IActionResult OnGetKiosk(string? name)
    {
        if (ConfiguredOrigin() is not { } origin || new KioskBrowserPolicy(origin).File(name) is not { } file)
        {
            return NotFound();
        }

        Response.Headers.CacheControl = "no-cache";
        return File(file.Content, file.ContentType, name);
    }

    public static string KioskUrl(string fileName) => "/download/keyhelper/kiosk/" + fileName;

    private string? ConfiguredOrigin() => configuration["Flows:Proof:PublicOrigin"]?.Trim().TrimEnd('/') is { Length: > 0 } o ? o : null;

    public IReadOnlyList<string> ModulesFor(string platform) => Generator.ModulesFor(platform);

    public static string ConfigUrl(string platform, string fileName) => $"/download/keyhelper/config/{platform}/{fileName}";

    /// <summary>Only the manifest, its signature and the names it lists; anything else is a plain 404.</summary>
    public IActionResult OnGetFile(string? name)
    {
        var download = catalog.Find(name);
        if (download is null)
        {
            return NotFound();
        }

        Response.Headers.CacheControl = "no-cache";
        return new PhysicalFileResult(download.FullPath, download.ContentType)
        {
            FileDownloadName = download.FileName,
            EnableRangeProcessing = true,
        };
    }

    /// <summary>
    /// The configured origin; an unusable value falls back to the helper's own default, the same one
    /// the pages would then fail to reach, rather than a server error on the download page.
    /// </summary>
    private static Uri ParseHelperOrigin(string? configured) =>
        Uri.TryCreate(configured?.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : new Uri(new ESeal.Web.Infrastructure.WebOptions().KeyHelperOrigin);

    public static string FileUrl(string name) =>
        "/download/keyhelper/file/" + string.Join('/', name.Split('/').Select(Uri.EscapeDataString));

    public static string HumanSize(long bytes)
    {
        var culture = CultureInfo.InvariantCulture;
        if (bytes < 1024)
        {
            return string.Create(culture, $"{bytes} 字节");
        }

        string[] units = ["KB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = -1;
        do
        {
            value /= 1024;
            unit++;
        }
        while (value >= 1024 && unit < units.Length - 1);

        return string.Create(culture, $"{value:0.#} {units[unit]}");
    }

    public static string ExactSize(long bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture) + " 字节";

    public static string PlatformLabel(string platform) => platform switch
    {
        "win-x64" => "Windows（x64）",
        "linux-x64" => "Linux（x64）",
        _ => platform,
    };

    public string RegistryText
    {
        get
        {
            var text = new StringBuilder("Windows Registry Editor Version 5.00\r\n");
            foreach (var vendor in new[] { @"Google\Chrome", @"Microsoft\Edge" })
            {
                foreach (var policy in new[] { "LocalNetworkAccessAllowedForUrls", "LoopbackNetworkAllowedForUrls" })
                {
                    text.Append(CultureInfo.InvariantCulture, $"\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\{vendor}\\{policy}]\r\n\"1\"=\"{PortalOrigin}\"\r\n");
                }
            }

            return text.ToString();
        }
    }

    public string PolicyJson =>
        $$"""
        {
          "LocalNetworkAccessAllowedForUrls": ["{{PortalOrigin}}"],
          "LoopbackNetworkAllowedForUrls": ["{{PortalOrigin}}"]
        }
        """;
}
