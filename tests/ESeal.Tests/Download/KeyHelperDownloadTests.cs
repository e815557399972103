using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ESeal.Web.Pages.Download;

namespace ESeal.Tests.Download;

public sealed partial class KeyHelperDownloadTests
{
    private const string Origin = "https://eseal.test.gov.cn";

    [Fact]
    public async Task Without_a_release_folder_the_page_says_so_and_how_to_build_one_without_any_download_link()
    {
        using var release = new FakeRelease(); // folder exists but holds nothing
        using var factory = new DownloadWebFactory(Path.Combine(release.Root, "missing"), null);
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/download/keyhelper");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("暂无可下载的电子印章PC客户端", html, StringComparison.Ordinal);
        Assert.Contains("keyhelper/packaging/publish.sh --out artifacts/keyhelper --version 1.2.0", html, StringComparison.Ordinal);
        Assert.Contains("--pkcs11-module /usr/lib/vendor/pkcs11.so --pkcs11-token ESEAL-RELEASE --pkcs11-key codesign", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/download/keyhelper/file/", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/download/keyhelper/file/release-manifest.json")).StatusCode);
    }

    [Fact]
    public async Task An_empty_release_folder_is_treated_as_no_release()
    {
        using var release = new FakeRelease();
        using var factory = new DownloadWebFactory(release.Directory, FakeRelease.RootPath);
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync("/download/keyhelper");

        Assert.Contains("暂无可下载的电子印章PC客户端", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/download/keyhelper/file/", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_release_lists_every_file_with_size_and_hash_shows_the_signature_verified_and_serves_the_bytes()
    {
        using var release = new FakeRelease();
        release.WriteBuilds();
        release.Sign();
        using var factory = new DownloadWebFactory(release.Directory, FakeRelease.RootPath, Origin);
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync("/download/keyhelper");

        Assert.Contains("data-signature=\"verified\"", html, StringComparison.Ordinal);
        Assert.Contains("已验证", html, StringComparison.Ordinal);
        Assert.Contains("发布者 ESeal Test Publisher", html, StringComparison.Ordinal);
        foreach (var name in new[] { "linux-x64/ESeal.KeyHelper", "linux-x64/appsettings.json", "win-x64/ESeal.KeyHelper.exe", "win-x64/appsettings.json" })
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(release.Directory, name));
            var row = Row(html, name);
            Assert.Contains(FakeRelease.Sha256(bytes), row, StringComparison.Ordinal);
            Assert.Contains(KeyHelperModel.HumanSize(bytes.LongLength), row, StringComparison.Ordinal);
            Assert.Contains(bytes.LongLength.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " 字节", row, StringComparison.Ordinal);
            Assert.Contains("data-state=\"matches\"", row, StringComparison.Ordinal);
            Assert.Contains($"href=\"/download/keyhelper/file/{name}\"", row, StringComparison.Ordinal);
        }

        Assert.Contains("Windows（x64）", Row(html, "win-x64/ESeal.KeyHelper.exe"), StringComparison.Ordinal);
        Assert.Contains("Linux（x64）", Row(html, "linux-x64/ESeal.KeyHelper"), StringComparison.Ordinal);
        Assert.Contains("2.2 MB", Row(html, "win-x64/ESeal.KeyHelper.exe"), StringComparison.Ordinal);
        Assert.Contains("321 字节", Row(html, "win-x64/appsettings.json"), StringComparison.Ordinal);

        var exe = await client.GetAsync("/download/keyhelper/file/win-x64/ESeal.KeyHelper.exe");
        Assert.Equal(HttpStatusCode.OK, exe.StatusCode);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(release.Directory, "win-x64/ESeal.KeyHelper.exe")), await exe.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment", exe.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("ESeal.KeyHelper.exe", exe.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("application/vnd.microsoft.portable-executable", exe.Content.Headers.ContentType?.MediaType);

        var linux = await client.GetAsync("/download/keyhelper/file/linux-x64/ESeal.KeyHelper");
        Assert.Equal("application/octet-stream", linux.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1_572_864 + 123, (await linux.Content.ReadAsByteArrayAsync()).Length);

        var manifest = await client.GetAsync("/download/keyhelper/file/release-manifest.json");
        Assert.Equal("application/json", manifest.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", manifest.Content.Headers.ContentDisposition?.DispositionType);
        var manifestBytes = await manifest.Content.ReadAsByteArrayAsync();
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(release.Directory, "release-manifest.json")), manifestBytes);

        // What a user checks with the helper's manifest verify: the downloaded CMS signature over the downloaded bytes.
        var signature = await client.GetByteArrayAsync("/download/keyhelper/file/release-manifest.json.p7s");
        var roots = ESeal.KeyHelper.Release.CustomRootChain.LoadCertificates([FakeRelease.RootPath]);
        Assert.True(ESeal.KeyHelper.Release.DetachedSignature.Verify(manifestBytes, signature, roots, DateTimeOffset.UtcNow).IsVerified);
    }

    [Theory]
    [InlineData("http://127.0.0.1:19443", "127.0.0.1:19443", 19443)]
    [InlineData("http://localhost:20001/", "localhost:20001", 20001)]
    public async Task Every_helper_address_and_port_on_the_page_comes_from_Web_KeyHelperOrigin(string helperOrigin, string address, int port)
    {
        // Tried: Web:KeyHelperOrigin on a non-default port (and host): a helper installed from the page
        // must listen where the portal's pages call it, not on the built-in default 18848.
        using var release = new FakeRelease();
        using var factory = new DownloadWebFactory(release.Directory, null, Origin, helperOrigin);
        using var client = factory.CreateClient();

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/download/keyhelper"));

        Assert.DoesNotContain("18848", html, StringComparison.Ordinal);
        Assert.Contains($"只在本机地址 {address} 提供服务", html, StringComparison.Ordinal);
        Assert.Contains($"端口 <strong>{port}</strong>、允许来源 <strong>{Origin}</strong>", html, StringComparison.Ordinal);
        var config = System.Text.Json.JsonDocument.Parse(await client.GetByteArrayAsync("/download/keyhelper/config/win-x64/eseal-keyhelper.json"));
        Assert.Equal(port, config.RootElement.GetProperty("KeyHelper").GetProperty("Port").GetInt32());
        Assert.Contains($"http://{address}/v1/info", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_explains_verification_services_port_origins_and_the_kiosk_policies_with_the_configured_origin()
    {
        using var release = new FakeRelease();
        using var factory = new DownloadWebFactory(release.Directory, null, Origin);
        using var client = factory.CreateClient();

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/download/keyhelper"));

        Assert.Contains("Get-FileHash -Algorithm SHA256", html, StringComparison.Ordinal);
        Assert.Contains("sha256sum ESeal.KeyHelper", html, StringComparison.Ordinal);
        Assert.Contains("ESeal.KeyHelper manifest verify --dir DIST --root publisher-root.pem", html, StringComparison.Ordinal);
        Assert.Contains("Get-AuthenticodeSignature .\\ESeal.KeyHelper.exe", html, StringComparison.Ordinal);
        Assert.Contains("ESeal.KeyHelper.exe\" install --config", html, StringComparison.Ordinal);
        Assert.Contains("sudo dpkg -i eseal-keyhelper_*_amd64.deb", html, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:18848", html, StringComparison.Ordinal);
        Assert.Contains($"允许来源 <strong>{Origin}</strong>", html, StringComparison.Ordinal);
        foreach (var vendor in new[] { @"Google\Chrome", @"Microsoft\Edge" })
        {
            foreach (var policy in new[] { "LocalNetworkAccessAllowedForUrls", "LoopbackNetworkAllowedForUrls" })
            {
                Assert.Contains($"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\{vendor}\\{policy}]\r\n\"1\"=\"{Origin}\"", html, StringComparison.Ordinal);
            }
        }

        Assert.Contains($"\"LocalNetworkAccessAllowedForUrls\": [\"{Origin}\"]", html, StringComparison.Ordinal);
        Assert.Contains($"\"LoopbackNetworkAllowedForUrls\": [\"{Origin}\"]", html, StringComparison.Ordinal);
        Assert.Contains("id=\"browser-policy\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyHelperModel.ExampleOrigin, html, StringComparison.Ordinal);
        Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)[^>]*>", html);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/css/download.css?v=", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_configured_origin_the_policies_use_an_example_and_say_so()
    {
        using var release = new FakeRelease();
        using var factory = new DownloadWebFactory(release.Directory, null);
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync("/download/keyhelper");

        Assert.Contains($"\"1\"=\"{KeyHelperModel.ExampleOrigin}\"", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains("示例，请替换为本网站的实际地址", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_file_is_shown_as_not_matching_and_is_not_served_while_the_others_still_are()
    {
        using var release = new FakeRelease();
        release.WriteBuilds();
        release.Sign();
        var original = await File.ReadAllBytesAsync(Path.Combine(release.Directory, "win-x64/ESeal.KeyHelper.exe"));
        release.Write("win-x64/ESeal.KeyHelper.exe", original.Length, 99); // same size, other bytes
        release.Write("linux-x64/appsettings.json", 100, 5); // other size
        using var factory = new DownloadWebFactory(release.Directory, FakeRelease.RootPath);
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync("/download/keyhelper");

        Assert.Contains("data-signature=\"verified\"", html, StringComparison.Ordinal);
        foreach (var name in new[] { "win-x64/ESeal.KeyHelper.exe", "linux-x64/appsettings.json" })
        {
            var row = Row(html, name);
            Assert.Contains("data-state=\"differs\"", row, StringComparison.Ordinal);
            Assert.Contains("与清单不符", row, StringComparison.Ordinal);
            Assert.DoesNotContain("href=", row, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/download/keyhelper/file/" + name)).StatusCode);
        }

        Assert.Contains("data-state=\"matches\"", Row(html, "linux-x64/ESeal.KeyHelper"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/download/keyhelper/file/linux-x64/ESeal.KeyHelper")).StatusCode);
    }

    [Fact]
    public async Task A_deleted_file_is_shown_as_missing_without_a_link()
    {
        using var release = new FakeRelease();
        release.WriteBuilds();
        release.Sign();
        File.Delete(Path.Combine(release.Directory, "win-x64/ESeal.KeyHelper.exe"));
        using var factory = new DownloadWebFactory(release.Directory, FakeRelease.RootPath);
        using var client = factory.CreateClient();

        var row = Row(await client.GetStringAsync("/download/keyhelper"), "win-x64/ESeal.KeyHelper.exe");

        Assert.Contains("文件缺失", row, StringComparison.Ordinal);
        Assert.DoesNotContain("href=", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_signed_by_a_certificate_of_another_CA_is_refused_and_nothing_is_offered()
    {
        using var release = new FakeRelease();
        release.WriteBuilds();
        release.Sign(otherPublisher: true);
        using var factory = new DownloadWebFactory(release.Directory, FakeRelease.RootPath);
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync("/download/keyhelper");

        Assert.Contains("data-signature=\"untrusted_publisher\"", html, StringComparison.Ordinal);
        Assert.Contains("签名证书（Other Publisher）不是由受信任的发布者根证书签发", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/download/keyhelper/file/win-x64", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/download/keyhelper/file/linux-x64", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/download/keyhelper/file/win-x64/ESeal.KeyHelper.exe")).StatusCode);
    }

    [Fact]
    public async Task An_edited_manifest_no_longer_verifies()
    {
        using var release = new FakeRelease();
        release.WriteBuilds();
        release.Sign();
        var path = Path.Combine(release.Directory, "release-manifest.json");
        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace("\"1.0.0\"", "\"1.0.1\"", StringComparison.Ordinal));
        using var factory = new DownloadWebFactory(release.Directory, FakeRelease.RootPath);
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync("/download/keyhelper");

        Assert.Contains("data-signature=\"content_tampered\"", html, StringComparison.Ordinal);
        Assert.Contains("签名与文件内容不符，文件已被改动。", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/download/keyhelper/file/win-x64", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_configured_publisher_root_nothing_is_offered_and_the_page_says_why_in_Chinese()
    {
        using var release = new FakeRelease();
        release.WriteBuilds();
        release.Sign();
        using var factory = new DownloadWebFactory(release.Directory, null);
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync("/download/keyhelper");

        Assert.Contains("data-signature=\"no_publisher_root\"", html, StringComparison.Ordinal);
        Assert.Contains("服务器未配置发布者根证书（Download:PublisherRootPaths），无法确认这些文件确实来自发布者，因此不提供下载。", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/download/keyhelper/file/win-x64", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/download/keyhelper/file/linux-x64", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/download/keyhelper/file/win-x64/ESeal.KeyHelper.exe")).StatusCode);
    }

    [Fact]
    public async Task An_unreadable_publisher_root_file_refuses_like_a_missing_one()
    {
        using var release = new FakeRelease();
        release.WriteBuilds();
        release.Sign();
        var broken = Path.Combine(release.Root, "broken-root.pem");
        await File.WriteAllTextAsync(broken, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        using var factory = new DownloadWebFactory(release.Directory, broken);
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync("/download/keyhelper");

        Assert.Contains("发布者根证书文件无法读取：broken-root.pem", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/download/keyhelper/file/win-x64/ESeal.KeyHelper.exe")).StatusCode);
    }

    [Fact]
    public async Task A_missing_signature_file_refuses_the_release()
    {
        using var release = new FakeRelease();
        release.WriteBuilds();
        release.Sign();
        File.Delete(Path.Combine(release.Directory, "release-manifest.json.p7s"));
        using var factory = new DownloadWebFactory(release.Directory, FakeRelease.RootPath);
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync("/download/keyhelper");

        Assert.Contains("缺少签名文件，不能信任这些文件。", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/download/keyhelper/file/linux-x64/ESeal.KeyHelper")).StatusCode);
    }

    [Fact]
    public async Task A_missing_or_broken_manifest_never_causes_a_server_error()
    {
        using var release = new FakeRelease();
        release.WriteBuilds();
        await File.WriteAllTextAsync(Path.Combine(release.Directory, "release-manifest.json"), "{ not json");
        using var factory = new DownloadWebFactory(release.Directory, FakeRelease.RootPath);
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/download/keyhelper");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("发布清单无法读取", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/download/keyhelper/file/", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/download/keyhelper/file/secret.txt")]
    [InlineData("/download/keyhelper/file/win-x64/secret.txt")]
    [InlineData("/download/keyhelper/file/outside.txt")]
    [InlineData("/download/keyhelper/file/..%2Foutside.txt")]
    [InlineData("/download/keyhelper/file/%2e%2e/outside.txt")]
    [InlineData("/download/keyhelper/file/%2E%2E%2F%2E%2E%2Fkeyhelper%2Frelease-manifest.json")]
    [InlineData("/download/keyhelper/file/win-x64/%2e%2e/%2e%2e/outside.txt")]
    [InlineData("/download/keyhelper/file/..%5Coutside.txt")]
    [InlineData("/download/keyhelper/file/%2Fetc%2Fpasswd")]
    [InlineData("/download/keyhelper/file/win-x64%2FESeal.KeyHelper.exe")]
    [InlineData("/download/keyhelper/file/WIN-X64/ESEAL.KEYHELPER.EXE")]
    [InlineData("/download/keyhelper/file/")]
    [InlineData("/download/keyhelper/file")]
    [InlineData("/download/keyhelper/other")]
    [InlineData("/download/keyhelper/file/win-x64")]
    public async Task A_name_not_in_the_manifest_or_with_a_path_trick_is_a_plain_not_found(string url)
    {
        using var release = new FakeRelease();
        release.WriteBuilds();
        release.Sign();
        release.Write("secret.txt", 10, 7); // in the folder, not in the manifest
        release.Write("win-x64/secret.txt", 10, 8);
        await File.WriteAllTextAsync(Path.Combine(release.Root, "outside.txt"), "outside");
        using var factory = new DownloadWebFactory(release.Directory, FakeRelease.RootPath);
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("页面不存在", body, StringComparison.Ordinal);
        Assert.DoesNotContain("outside", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("win-x64/ESeal.KeyHelper.exe", true)]
    [InlineData("release-manifest.json", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("../x", false)]
    [InlineData("a/../b", false)]
    [InlineData("./a", false)]
    [InlineData("a//b", false)]
    [InlineData("/etc/passwd", false)]
    [InlineData("C:/Windows/win.ini", false)]
    [InlineData("a\\b", false)]
    [InlineData("a\0b", false)]
    public void Safe_names_are_relative_paths_without_dot_segments(string? name, bool safe) =>
        Assert.Equal(safe, KeyHelperReleaseCatalog.IsSafeName(name));

    [Theory]
    [InlineData(0, "0 字节")]
    [InlineData(1023, "1023 字节")]
    [InlineData(1024, "1 KB")]
    [InlineData(1536, "1.5 KB")]
    [InlineData(104_857_600, "100 MB")]
    [InlineData(3_221_225_472, "3 GB")]
    public void Sizes_are_human_readable(long bytes, string text) => Assert.Equal(text, KeyHelperModel.HumanSize(bytes));

    /// <summary>The table row of one manifest entry.</summary>
    private static string Row(string html, string name)
    {
        var match = Regex.Match(html, $"<tr data-file=\"{Regex.Escape(name)}\".*?</tr>", RegexOptions.Singleline);
        Assert.True(match.Success, $"row for {name}");
        return match.Value;
    }
}
