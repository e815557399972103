using System.Security.Cryptography;

namespace ESeal.KeyHelper.Tests;

/// <summary>Runs only with ESEAL_REPRO_TEST=1: two full publishes take minutes on 2 cores, CI publishes once.</summary>
public sealed class ReproFactAttribute : FactAttribute
{
    public ReproFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ESEAL_REPRO_TEST") != "1")
        {
            Skip = "set ESEAL_REPRO_TEST=1 (publishes linux-x64 twice)";
        }
    }
}

public sealed class ReproducibleBuildTests
{
    [ReproFact]
    public async Task Two_publishes_of_the_same_commit_give_identical_unsigned_files()
    {
        var root = HelperProcess.RepoRoot();
        var dirs = new[] { Path.Combine(Path.GetTempPath(), "eseal-repro-a-" + Environment.ProcessId), Path.Combine(Path.GetTempPath(), "eseal-repro-b-" + Environment.ProcessId) };
        var hashes = new List<Dictionary<string, string>>();
        foreach (var dir in dirs)
        {
            var (code, output) = await PublisherFixture.RunAsync(Path.Combine(root, "keyhelper", "packaging", "publish.sh"),
                ["--out", dir, "--unsigned", "--rids", "linux-x64", "--version", "9.9.9"]);
            Assert.True(code == 0, output);
            hashes.Add(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))));
        }

        Assert.Contains(Path.Combine("linux-x64", "ESeal.KeyHelper"), hashes[0].Keys);
        Assert.Equal(hashes[0].OrderBy(p => p.Key), hashes[1].OrderBy(p => p.Key));
    }
}

/// <summary>Runs when tests/run.sh published a release (ESEAL_KEYHELPER_RELEASE + ESEAL_KEYHELPER_RELEASE_ROOT).</summary>
public sealed class PublishedReleaseFactAttribute : FactAttribute
{
    public PublishedReleaseFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ESEAL_KEYHELPER_RELEASE")))
        {
            Skip = "no published release (tests/run.sh sets ESEAL_KEYHELPER_RELEASE)";
        }
    }
}

public sealed class PublishedReleaseTests
{
    [PublishedReleaseFact]
    public async Task The_published_release_verifies_with_its_shipped_root_and_carries_the_deb_and_the_SBOM()
    {
        var dist = Environment.GetEnvironmentVariable("ESEAL_KEYHELPER_RELEASE")!;
        var (code, stdout, stderr) = await HelperProcess.RunToEndAsync(
            ["manifest", "verify", "--dir", dist, "--root", Environment.GetEnvironmentVariable("ESEAL_KEYHELPER_RELEASE_ROOT")!], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stdout + stderr);
        var manifest = File.ReadAllText(Path.Combine(dist, "release-manifest.json"));
        Assert.Contains("\"name\": \"sbom.cdx.json\"", manifest, StringComparison.Ordinal);
        Assert.Contains("_amd64.deb\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"linux-x64/publisher-roots.pem\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"bomFormat\": \"CycloneDX\"", File.ReadAllText(Path.Combine(dist, "sbom.cdx.json")), StringComparison.Ordinal);
        Assert.Contains("Pkcs11Interop", File.ReadAllText(Path.Combine(dist, "sbom.cdx.json")), StringComparison.Ordinal);
    }
}
