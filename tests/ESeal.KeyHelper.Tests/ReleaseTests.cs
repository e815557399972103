using System.Diagnostics;
using System.Security.Cryptography;
using ESeal.TestPki;

namespace ESeal.KeyHelper.Tests;

/// <summary>The test publisher PKI (with its release-key token) once per run.</summary>
public sealed class PublisherFixture : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "eseal-publisher-" + Guid.NewGuid().ToString("N")[..8]);

    public CodeSigningSummary Pki { get; }

    /// <summary>
    /// In a process of its own: SoftHSM2 is one library per process, and the helper fixture's PKI setup
    /// (another store, another SOFTHSM2_CONF) may run in parallel in this one.
    /// </summary>
    public PublisherFixture()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "ESeal.TestPki.dll"), "init-codesign", "--dir", Directory })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Pki = process.ExitCode == 0
            ? System.Text.Json.JsonSerializer.Deserialize<CodeSigningSummary>(stdout, TestPkiSetup.JsonOptions)!
            : throw new InvalidOperationException("init-codesign failed: " + stderr);
    }

    public string Packaging => Path.Combine(HelperProcess.RepoRoot(), "keyhelper", "packaging");

    public string NewFolder()
    {
        var path = Path.Combine(Directory, Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(8));
        return (process.ExitCode, await stdout + await stderr);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// What a hall's administrator (or an attacker who swapped a file) sees when checking a release with the
/// helper's own verbs, the Authenticode signature of the Windows executable, and the .deb.
/// </summary>
public sealed class ReleaseTests(PublisherFixture publisher) : IClassFixture<PublisherFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private string Root => publisher.Pki.RootCa;

    private (string Dist, string[] SignArgs) NewRelease(bool other = false)
    {
        var dist = publisher.NewFolder();
        Directory.CreateDirectory(Path.Combine(dist, "linux-x64"));
        File.WriteAllBytes(Path.Combine(dist, "linux-x64", "ESeal.KeyHelper"), RandomNumberGenerator.GetBytes(4096));
        File.WriteAllText(Path.Combine(dist, "sbom.cdx.json"), "{}");
        var (cert, key) = other ? (publisher.Pki.OtherCertificate, publisher.Pki.OtherKey) : (publisher.Pki.Certificate, publisher.Pki.Key);
        return (dist, ["manifest", "sign", "--dir", dist, "--version", "2.0.0", "--cert", cert, "--key", key, "--created", "1700000000"]);
    }

    [Fact]
    public async Task A_manifest_signed_with_the_release_key_on_the_token_verifies_and_names_the_publisher()
    {
        var (dist, _) = NewRelease();
        var env = new Dictionary<string, string> { ["SOFTHSM2_CONF"] = publisher.Pki.SoftHsm2Conf, ["ESEAL_SIGNING_PIN"] = publisher.Pki.TokenPin };
        var sign = await RunHelperAsync(
            ["manifest", "sign", "--dir", dist, "--version", "2.0.0", "--cert", publisher.Pki.Certificate,
             "--pkcs11-module", SoftHsm.DefaultModulePath, "--pkcs11-token", publisher.Pki.TokenLabel, "--pkcs11-key", publisher.Pki.KeyLabel, "--created", "1700000000"],
            env);
        Assert.True(sign.ExitCode == 0, sign.Output);

        var verify = await RunHelperAsync(["manifest", "verify", "--dir", dist, "--root", Root]);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("签名有效，发布者：ESeal Test Publisher", verify.Output, StringComparison.Ordinal);
        Assert.Contains("\"created\": \"2023-11-14T22:13:20Z\"", File.ReadAllText(Path.Combine(dist, "release-manifest.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_file_is_refused_by_name()
    {
        var (dist, sign) = NewRelease();
        Assert.Equal(0, (await RunHelperAsync(sign)).ExitCode);
        var exe = Path.Combine(dist, "linux-x64", "ESeal.KeyHelper");
        var bytes = File.ReadAllBytes(exe);
        bytes[100] ^= 1;
        File.WriteAllBytes(exe, bytes);

        var verify = await RunHelperAsync(["manifest", "verify", "--dir", dist, "--root", Root]);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("FAIL FILE_TAMPERED: linux-x64/ESeal.KeyHelper 与发布清单不符（文件已被改动）。", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_manifest_is_refused()
    {
        var (dist, sign) = NewRelease();
        Assert.Equal(0, (await RunHelperAsync(sign)).ExitCode);
        var manifest = Path.Combine(dist, "release-manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("2.0.0", "9.0.0", StringComparison.Ordinal));

        var verify = await RunHelperAsync(["manifest", "verify", "--dir", dist, "--root", Root]);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("FAIL CONTENT_TAMPERED: 签名与文件内容不符，文件已被改动。", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_signed_by_another_CAs_code_signing_certificate_is_refused()
    {
        var (dist, sign) = NewRelease(other: true);
        Assert.Equal(0, (await RunHelperAsync(sign)).ExitCode);

        var verify = await RunHelperAsync(["manifest", "verify", "--dir", dist, "--root", Root]);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("FAIL UNTRUSTED_PUBLISHER: 签名证书（Other Publisher）不是由受信任的发布者根证书签发", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_usable_publisher_root_nothing_verifies()
    {
        var (dist, sign) = NewRelease();
        Assert.Equal(0, (await RunHelperAsync(sign)).ExitCode);
        var empty = Path.Combine(dist, "empty.pem");
        File.WriteAllText(empty, "");

        var verify = await RunHelperAsync(["manifest", "verify", "--dir", dist, "--root", empty]);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("FAIL NO_PUBLISHER_ROOT: 未配置发布者根证书，无法验证签名，不能信任这些文件。", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_Authenticode_signed_executable_verifies_a_tampered_byte_fails_and_another_CAs_certificate_fails()
    {
        // Any PE file signs the same way; the helper's own ESeal.KeyHelper.dll stands in for the win-x64 exe
        // (CI publishes linux-x64 only). Signed with the release key on the SoftHSM2 token, as publish.sh does.
        var folder = publisher.NewFolder();
        var exe = Path.Combine(folder, "ESeal.KeyHelper.exe");
        File.Copy(Path.Combine(HelperProcess.RepoRoot(), "keyhelper", "bin", "Release", "net10.0", "ESeal.KeyHelper.dll"), exe);
        var env = new Dictionary<string, string> { ["SOFTHSM2_CONF"] = publisher.Pki.SoftHsm2Conf, ["ESEAL_SIGNING_PIN"] = publisher.Pki.TokenPin, ["SOURCE_DATE_EPOCH"] = "1700000000" };
        var sign = await PublisherFixture.RunAsync(Path.Combine(publisher.Packaging, "sign-windows.sh"),
            [exe, "--cert", publisher.Pki.Certificate, "--pkcs11-module", SoftHsm.DefaultModulePath, "--pkcs11-token", publisher.Pki.TokenLabel, "--pkcs11-key", publisher.Pki.KeyLabel], env);
        Assert.True(sign.ExitCode == 0, sign.Output);

        var good = await PublisherFixture.RunAsync("osslsigncode", ["verify", "-CAfile", Root, "-in", exe]);
        Assert.True(good.ExitCode == 0, good.Output);
        Assert.Contains("CN=ESeal Test Publisher", good.Output, StringComparison.Ordinal);

        var tampered = Path.Combine(folder, "tampered.exe");
        var bytes = File.ReadAllBytes(exe);
        bytes[bytes.Length / 3] ^= 1; // inside the signed image, not the signature
        File.WriteAllBytes(tampered, bytes);
        Assert.NotEqual(0, (await PublisherFixture.RunAsync("osslsigncode", ["verify", "-CAfile", Root, "-in", tampered])).ExitCode);

        var foreign = Path.Combine(folder, "foreign.exe");
        File.Copy(Path.Combine(HelperProcess.RepoRoot(), "keyhelper", "bin", "Release", "net10.0", "ESeal.KeyHelper.dll"), foreign);
        Assert.Equal(0, (await PublisherFixture.RunAsync(Path.Combine(publisher.Packaging, "sign-windows.sh"),
            [foreign, "--cert", publisher.Pki.OtherCertificate, "--key", publisher.Pki.OtherKey])).ExitCode);
        Assert.NotEqual(0, (await PublisherFixture.RunAsync("osslsigncode", ["verify", "-CAfile", Root, "-in", foreign])).ExitCode);
    }

    [Fact]
    public async Task The_deb_holds_the_binary_and_a_hardened_unit_installs_into_a_scratch_root_and_the_unit_verifies()
    {
        var folder = publisher.NewFolder();
        var binary = Path.Combine(folder, "ESeal.KeyHelper");
        File.WriteAllText(binary, "#!/bin/sh\nexit 0\n");
        var built = await PublisherFixture.RunAsync(Path.Combine(publisher.Packaging, "build-deb.sh"), [binary, "1.4.0-rc.1", folder, Root],
            new Dictionary<string, string> { ["SOURCE_DATE_EPOCH"] = "1700000000" });
        Assert.True(built.ExitCode == 0, built.Output);
        var deb = built.Output.Trim();
        Assert.Equal(Path.Combine(folder, "eseal-keyhelper_1.4.0~rc.1_amd64.deb"), deb);

        var info = await PublisherFixture.RunAsync("dpkg-deb", ["--info", deb]);
        Assert.Contains("Package: eseal-keyhelper", info.Output, StringComparison.Ordinal);
        Assert.Contains("Version: 1.4.0~rc.1", info.Output, StringComparison.Ordinal);
        var contents = await PublisherFixture.RunAsync("dpkg-deb", ["--contents", deb]);
        foreach (var path in new[] { "./opt/eseal-keyhelper/ESeal.KeyHelper", "./opt/eseal-keyhelper/publisher-roots.pem", "./lib/systemd/system/eseal-keyhelper.service", "./etc/eseal-keyhelper/" })
        {
            Assert.Contains(path, contents.Output, StringComparison.Ordinal);
        }

        Assert.Contains("-rwxr-xr-x root/root", contents.Output, StringComparison.Ordinal);
        Assert.Contains("2023-11-14", contents.Output, StringComparison.Ordinal); // SOURCE_DATE_EPOCH, not the build time

        var scratch = Path.Combine(folder, "root");
        foreach (var dir in new[] { "var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log" })
        {
            Directory.CreateDirectory(Path.Combine(scratch, dir));
        }

        File.WriteAllText(Path.Combine(scratch, "var/lib/dpkg/status"), "");
        var install = await PublisherFixture.RunAsync("dpkg", ["--root", scratch, "--force-script-chrootless", "--force-depends", "--log", "/dev/null", "-i", deb]);
        Assert.True(install.ExitCode == 0, install.Output);
        Assert.True(File.Exists(Path.Combine(scratch, "opt/eseal-keyhelper/ESeal.KeyHelper")));
        var unit = File.ReadAllText(Path.Combine(scratch, "lib/systemd/system/eseal-keyhelper.service"));
        foreach (var line in new[] { "DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=eseal-keyhelper", "ExecStart=/opt/eseal-keyhelper/ESeal.KeyHelper", "Type=notify" })
        {
            Assert.Contains(line, unit, StringComparison.Ordinal);
        }

        if (File.Exists("/usr/bin/systemd-analyze"))
        {
            // Against the host's units (a scratch root has no sysinit.target), with ExecStart pointing into the scratch root.
            var copy = Path.Combine(folder, "eseal-keyhelper.service");
            File.WriteAllText(copy, unit.Replace("ExecStart=/opt/", $"ExecStart={scratch}/opt/", StringComparison.Ordinal));
            var verify = await PublisherFixture.RunAsync("systemd-analyze", ["verify", "--man=no", copy]);
            Assert.True(verify.ExitCode == 0, verify.Output);
        }
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunHelperRawAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment) =>
        HelperProcess.RunToEndAsync(args, Timeout, environment);

    private static async Task<(int ExitCode, string Output)> RunHelperAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (code, stdout, stderr) = await RunHelperRawAsync(args, environment);
        return (code, stdout + stderr);
    }
}
