using ESeal.Web.Infrastructure;
using ESeal.Workflows.Proof;
using Microsoft.Extensions.Configuration;

namespace ESeal.Tests.Web;

/// <summary>Issue 9: the revocation settings as an operator writes them, and what production refuses.</summary>
public sealed class RevocationConfigurationTests
{
    [Fact]
    public void Flows_Proof_Revocation_binds_sources_age_mode_and_cache_directory()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Flows:Proof:Revocation:CrlSources:0"] = "https://ca.example.gov.cn/crl/root.crl",
            ["Flows:Proof:Revocation:CrlSources:1"] = "/etc/eseal/crl/sub.crl",
            ["Flows:Proof:Revocation:MaxCrlAge"] = "0.12:00:00",
            ["Flows:Proof:Revocation:Mode"] = "Offline",
            ["Flows:Proof:Revocation:CacheDirectory"] = "/var/cache/eseal-crl",
        }).Build();

        var options = configuration.GetSection(ProofOptions.Section).Get<ProofOptions>()!;

        Assert.Equal(TimeSpan.FromHours(12), options.Revocation.MaxCrlAge);
        Assert.Equal(CrlMode.Offline, options.Revocation.Mode);
        Assert.Equal(["https://ca.example.gov.cn/crl/root.crl"], options.Revocation.UrlSources);
        Assert.Equal(["/etc/eseal/crl/sub.crl"], options.Revocation.FileSources);
        Assert.StartsWith("/var/cache/eseal-crl/", options.Revocation.CachePath("https://ca.example.gov.cn/crl/root.crl"), StringComparison.Ordinal);
        Assert.Equal(["/etc/eseal/crl/sub.crl"], options.Revocation.FilesToRead()); // Offline: never the cache
    }

    [Fact]
    public void Defaults_are_online_with_a_one_day_grace_and_no_source()
    {
        var options = new ProofOptions().Revocation;

        Assert.Equal(CrlMode.Online, options.Mode);
        Assert.Equal(TimeSpan.FromDays(1), options.MaxCrlAge);
        Assert.Empty(options.CrlSources);
    }

    [Fact]
    public void Production_needs_a_CRL_source_that_the_mode_can_read_and_files_that_exist()
    {
        Assert.Contains(StartupChecks.RevocationProblems(new RevocationOptions()), p => p.StartsWith("Flows:Proof:Revocation:CrlSources is empty", StringComparison.Ordinal));
        Assert.Contains(
            StartupChecks.RevocationProblems(new RevocationOptions { Mode = CrlMode.Offline, CrlSources = ["https://ca.example.gov.cn/root.crl"] }),
            p => p.Contains("Offline reads files only", StringComparison.Ordinal));
        var missing = Path.Combine(Path.GetTempPath(), "eseal-tests", Guid.NewGuid().ToString("N") + ".crl");
        Assert.Contains(StartupChecks.RevocationProblems(new RevocationOptions { CrlSources = [missing] }), p => p.Contains(missing, StringComparison.Ordinal));
        Assert.Empty(StartupChecks.RevocationProblems(new RevocationOptions { CrlSources = ["https://ca.example.gov.cn/root.crl"] }));
    }
}
