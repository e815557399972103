using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ESeal.KeyHelper.Release;

namespace ESeal.Tests.Download;

/// <summary>
/// The configuration the download page generates for this portal, as a hall's administrator gets it:
/// downloaded, verified by the helper, and used by a helper started with nothing else.
/// </summary>
public sealed class HelperConfigTests
{
    private const string Origin = "https://eseal.test.gov.cn";
    private const string SoftHsm = "/usr/lib/softhsm/libsofthsm2.so";

    private static Dictionary<string, string> Settings(bool signed = true)
    {
        var settings = new Dictionary<string, string>
        {
            ["Download:Pkcs11Modules:linux:0"] = SoftHsm,
            ["Download:Pkcs11Modules:windows:0"] = @"C:\Windows\System32\vendor_p11.dll",
        };
        if (signed)
        {
            settings["Download:ConfigSigningCertificatePath"] = FakeRelease.Pki.Certificate;
            settings["Download:ConfigSigningKeyPath"] = FakeRelease.Pki.Key;
        }

        return settings;
    }

    [Fact]
    public async Task The_page_offers_a_signed_configuration_per_platform_with_this_portals_origin_port_and_modules()
    {
        using var release = new FakeRelease();
        using var factory = new DownloadWebFactory(release.Directory, FakeRelease.RootPath, Origin, "http://127.0.0.1:19555", Settings());
        using var client = factory.CreateClient();

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/download/keyhelper"));
        Assert.Contains("href=\"/download/keyhelper/config/win-x64/eseal-keyhelper.json\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/download/keyhelper/config/linux-x64/eseal-keyhelper.json.p7s\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("未签名", html, StringComparison.Ordinal);

        foreach (var (platform, module) in new[] { ("linux-x64", SoftHsm), ("win-x64", @"C:\Windows\System32\vendor_p11.dll") })
        {
            var bytes = await client.GetByteArrayAsync($"/download/keyhelper/config/{platform}/eseal-keyhelper.json");
            var section = JsonDocument.Parse(bytes).RootElement.GetProperty("KeyHelper");
            Assert.Equal(19555, section.GetProperty("Port").GetInt32());
            Assert.Equal([Origin], section.GetProperty("AllowedOrigins").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal([module], section.GetProperty("Pkcs11Modules").EnumerateArray().Select(e => e.GetString()));

            var signature = await client.GetByteArrayAsync($"/download/keyhelper/config/{platform}/eseal-keyhelper.json.p7s");
            var roots = CustomRootChain.LoadCertificates([FakeRelease.RootPath]);
            Assert.True(DetachedSignature.Verify(bytes, signature, roots, DateTimeOffset.UtcNow).IsVerified);
            bytes[^3] ^= 1; // an edited origin or module no longer verifies
            Assert.Equal(SignatureStatus.ContentTampered, DetachedSignature.Verify(bytes, signature, roots, DateTimeOffset.UtcNow).Status);
        }
    }

    [Fact]
    public async Task Without_a_signing_certificate_the_configuration_is_offered_marked_unsigned_and_has_no_signature()
    {
        using var release = new FakeRelease();
        using var factory = new DownloadWebFactory(release.Directory, FakeRelease.RootPath, Origin, null, Settings(signed: false));
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync("/download/keyhelper");

        Assert.Contains("此配置文件未签名，客户端安装时会拒绝使用", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/download/keyhelper/config/win-x64/eseal-keyhelper.json.p7s")).StatusCode);
    }

    [Fact]
    public async Task Without_the_portal_origin_no_configuration_is_generated()
    {
        using var release = new FakeRelease();
        using var factory = new DownloadWebFactory(release.Directory, FakeRelease.RootPath, null, null, Settings());
        using var client = factory.CreateClient();

        Assert.Contains("暂不能生成客户端配置文件", await client.GetStringAsync("/download/keyhelper"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/download/keyhelper/config/linux-x64/eseal-keyhelper.json")).StatusCode);
    }

    [Fact]
    public async Task A_helper_started_with_only_the_downloaded_file_serves_the_portals_origin_and_refuses_another()
    {
        var port = FreePort();
        using var release = new FakeRelease();
        using var factory = new DownloadWebFactory(release.Directory, FakeRelease.RootPath, Origin, $"http://127.0.0.1:{port}", Settings());
        using var client = factory.CreateClient();
        var install = Path.Combine(release.Root, "install");
        Directory.CreateDirectory(install);
        var config = Path.Combine(install, HelperConfigFile.FileName);
        await File.WriteAllBytesAsync(config, await client.GetByteArrayAsync("/download/keyhelper/config/linux-x64/eseal-keyhelper.json"));
        await File.WriteAllBytesAsync(config + ".p7s", await client.GetByteArrayAsync("/download/keyhelper/config/linux-x64/eseal-keyhelper.json.p7s"));

        // The install step: the helper verifies the file first.
        var (verified, verifyOut) = await HelperExe.RunAsync(["config", "verify", "--file", config, "--root", FakeRelease.RootPath]);
        Assert.True(verified == 0, verifyOut);
        var (otherRoot, otherOut) = await HelperExe.RunAsync(["config", "verify", "--file", config, "--root", FakeRelease.Pki.OtherRootCa]);
        Assert.Equal(1, otherRoot);
        Assert.Contains("UNTRUSTED_PUBLISHER", otherOut, StringComparison.Ordinal);

        // An empty SoftHSM2 store, so the configured module loads.
        var store = Path.Combine(release.Root, "tokens");
        Directory.CreateDirectory(store);
        var conf = Path.Combine(release.Root, "softhsm2.conf");
        await File.WriteAllTextAsync(conf, $"directories.tokendir = {store}/\nobjectstore.backend = file\nlog.level = ERROR\n");
        using var helper = HelperExe.Start(["--config", config], new Dictionary<string, string>
        {
            ["SOFTHSM2_CONF"] = conf,
            ["KeyHelper__StateDirectory"] = Path.Combine(release.Root, "state"),
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        await HelperExe.WaitUntilUpAsync(http, helper);

        using var portal = new HttpRequestMessage(HttpMethod.Get, "/v1/info");
        portal.Headers.Add("Origin", Origin);
        using var ok = await http.SendAsync(portal);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(Origin, ok.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var info = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()).RootElement;
        var module = info.GetProperty("modules").EnumerateArray().Single();
        Assert.Equal(SoftHsm, module.GetProperty("path").GetString());
        Assert.Equal("loaded", module.GetProperty("status").GetString());

        using var other = new HttpRequestMessage(HttpMethod.Get, "/v1/info");
        other.Headers.Add("Origin", "https://evil.example");
        using var refused = await http.SendAsync(other);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// The key helper's executable: the published binary when <c>ESEAL_KEYHELPER_BINARY</c> names one
/// (tests/run.sh publishes once), otherwise the build output via <c>dotnet exec</c>.
/// </summary>
internal static class HelperExe
{
    public static ProcessStartInfo Info(IEnumerable<string> args)
    {
        var published = Environment.GetEnvironmentVariable("ESEAL_KEYHELPER_BINARY");
        ProcessStartInfo info;
        if (!string.IsNullOrEmpty(published))
        {
            info = new ProcessStartInfo(published);
        }
        else
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ESeal.sln")))
            {
                dir = dir.Parent;
            }

            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var dll = Path.Combine(dir!.FullName, "keyhelper", "bin", configuration, "net10.0", "ESeal.KeyHelper.dll");
            info = new ProcessStartInfo("dotnet");
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add(dll);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        return info;
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args)
    {
        using var process = Process.Start(Info(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    public static KilledOnDispose Start(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var info = Info(args);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new KilledOnDispose(process);
    }

    public static async Task WaitUntilUpAsync(HttpClient http, KilledOnDispose helper)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/v1/info");
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !helper.Process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    internal sealed class KilledOnDispose(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }

            Process.Dispose();
        }
    }
}
