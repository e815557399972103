using System.Net;
using System.Text;
using System.Text.Json;
using ESeal.Web.Pages.Download;

namespace ESeal.Tests.Download;

/// <summary>
/// Issue 12 item 8: the kiosk browser policy and launch command, downloaded from the key-helper page,
/// generated with the portal's own origin (Flows:Proof:PublicOrigin).
/// </summary>
public sealed class KioskPolicyTests
{
    private const string Origin = "https://eseal.hall.gov.cn:8443";

    [Fact]
    public async Task The_json_policy_parses_and_pre_grants_local_network_access_to_the_portal_with_no_devtools_and_printing_on()
    {
        using var release = new FakeRelease();
        using var factory = new DownloadWebFactory(release.Directory, null, Origin + "/");
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri(KeyHelperModel.KioskUrl(KioskBrowserPolicy.PolicyFileName), UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(KioskBrowserPolicy.PolicyFileName, response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;

        Assert.Equal([Origin], root.GetProperty("LocalNetworkAccessAllowedForUrls").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([Origin], root.GetProperty("LoopbackNetworkAllowedForUrls").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, root.GetProperty("DeveloperToolsAvailability").GetInt32());
        Assert.True(root.GetProperty("PrintingEnabled").GetBoolean());
        Assert.True(root.GetProperty("PrintPreviewUseSystemDefaultPrinter").GetBoolean());
        Assert.Equal(4, root.GetProperty("RestoreOnStartup").GetInt32());
        Assert.Equal([Origin + "/"], root.GetProperty("RestoreOnStartupURLs").EnumerateArray().Select(e => e.GetString()));
        Assert.False(root.GetProperty("PasswordManagerEnabled").GetBoolean());
        Assert.False(root.TryGetProperty("KioskPrinting", out _)); // no such policy: it is the --kiosk-printing switch

        // Every URL in the file is the portal's origin; nothing else is pre-granted.
        var urls = root.EnumerateObject().SelectMany(p => p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray().Select(e => e.GetString()!) : p.Value.ValueKind == JsonValueKind.String ? [p.Value.GetString()!] : []);
        Assert.All(urls, u => Assert.StartsWith(Origin, u, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_registry_file_sets_the_same_policies_for_chrome_and_edge_in_HKLM()
    {
        using var release = new FakeRelease();
        using var factory = new DownloadWebFactory(release.Directory, null, Origin);
        using var client = factory.CreateClient();

        var bytes = await client.GetByteArrayAsync(new Uri(KeyHelperModel.KioskUrl(KioskBrowserPolicy.RegistryFileName), UriKind.Relative));
        Assert.Equal(Encoding.Unicode.GetPreamble(), bytes[..2]); // regedit's own format: UTF-16 LE with BOM
        var reg = Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);

        Assert.StartsWith("Windows Registry Editor Version 5.00\r\n", reg, StringComparison.Ordinal);
        foreach (var vendor in new[] { @"Google\Chrome", @"Microsoft\Edge" })
        {
            var key = $@"[HKEY_LOCAL_MACHINE\SOFTWARE\Policies\{vendor}]";
            var section = Section(reg, key);
            Assert.Contains("\"DeveloperToolsAvailability\"=dword:00000002\r\n", section, StringComparison.Ordinal);
            Assert.Contains("\"PrintingEnabled\"=dword:00000001\r\n", section, StringComparison.Ordinal);
            Assert.Contains("\"PrintPreviewUseSystemDefaultPrinter\"=dword:00000001\r\n", section, StringComparison.Ordinal);
            Assert.Contains("\"RestoreOnStartup\"=dword:00000004\r\n", section, StringComparison.Ordinal);
            Assert.Contains($"\"HomepageLocation\"=\"{Origin}/\"\r\n", section, StringComparison.Ordinal);
            foreach (var list in new[] { "LocalNetworkAccessAllowedForUrls", "LoopbackNetworkAllowedForUrls" })
            {
                Assert.Equal($"\"1\"=\"{Origin}\"\r\n", Section(reg, $@"[HKEY_LOCAL_MACHINE\SOFTWARE\Policies\{vendor}\{list}]").Trim('\r', '\n') + "\r\n");
            }
        }
    }

    [Theory]
    [InlineData(KioskBrowserPolicy.ChromeLaunchFileName, "chrome.exe")]
    [InlineData(KioskBrowserPolicy.EdgeLaunchFileName, "msedge.exe")]
    [InlineData(KioskBrowserPolicy.LinuxLaunchFileName, "chromium")]
    public async Task The_launch_commands_start_kiosk_mode_with_kiosk_printing_on_the_portal(string file, string browser)
    {
        using var release = new FakeRelease();
        using var factory = new DownloadWebFactory(release.Directory, null, Origin);
        using var client = factory.CreateClient();

        var text = await client.GetStringAsync(new Uri(KeyHelperModel.KioskUrl(file), UriKind.Relative));

        Assert.Contains(browser, text, StringComparison.Ordinal);
        Assert.Contains($"--kiosk --kiosk-printing --no-first-run --noerrdialogs --disable-session-crashed-bubble {Origin}/", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_documents_the_kiosk_files_beside_the_lna_policies_and_offers_nothing_without_a_configured_origin()
    {
        using var release = new FakeRelease();
        using (var factory = new DownloadWebFactory(release.Directory, null, Origin))
        using (var client = factory.CreateClient())
        {
            var html = WebUtility.HtmlDecode(await client.GetStringAsync("/download/keyhelper"));
            Assert.Contains("id=\"browser-policy\"", html, StringComparison.Ordinal);
            Assert.Contains("id=\"kiosk-policy\"", html, StringComparison.Ordinal);
            Assert.Contains("data-kiosk-policy=\"offered\"", html, StringComparison.Ordinal);
            foreach (var name in KioskBrowserPolicy.FileNames)
            {
                Assert.Contains($"href=\"{KeyHelperModel.KioskUrl(name)}\"", html, StringComparison.Ordinal);
            }

            Assert.Contains("--kiosk-printing", html, StringComparison.Ordinal);
            Assert.Contains("DeveloperToolsAvailability", html, StringComparison.Ordinal);
            Assert.Contains("/etc/opt/chrome/policies/managed/", html, StringComparison.Ordinal);
            Assert.Contains("/etc/chromium/policies/managed/", html, StringComparison.Ordinal);
            using var unknown = await client.GetAsync(new Uri(KeyHelperModel.KioskUrl("other.json"), UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var factory = new DownloadWebFactory(release.Directory, null))
        using (var client = factory.CreateClient())
        {
            var html = await client.GetStringAsync("/download/keyhelper");
            Assert.Contains("data-kiosk-policy=\"none\"", html, StringComparison.Ordinal);
            using var file = await client.GetAsync(new Uri(KeyHelperModel.KioskUrl(KioskBrowserPolicy.PolicyFileName), UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, file.StatusCode); // an example origin would pre-grant a stranger's site
        }
    }

    /// <summary>The lines of a .reg key up to the next key.</summary>
    private static string Section(string reg, string key)
    {
        var at = reg.IndexOf(key + "\r\n", StringComparison.Ordinal);
        Assert.True(at >= 0, key + " missing");
        var start = at + key.Length + 2;
        var next = reg.IndexOf("\r\n[", start, StringComparison.Ordinal);
        return next < 0 ? reg[start..] : reg[start..(next + 2)];
    }
}
