using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ESeal.Tests.Web;

public sealed class StartupChecksTests
{
    [Fact]
    public void Production_without_origin_ca_roots_or_face_provider_refuses_to_start_and_says_what_is_missing()
    {
        var directory = Path.Combine(Path.GetTempPath(), "eseal-tests", "prod-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("Database:ConnectionString", $"Data Source={Path.Combine(directory, "prod.db")};Pooling=False");
            b.UseSetting("Flows:Jobs:Enabled", "false");
        });

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var message = ex is InvalidOperationException ? ex.Message : ex.InnerException?.Message ?? ex.Message;

        Assert.Contains("ESeal cannot start in Production", message, StringComparison.Ordinal);
        Assert.Contains("Flows:Proof:PublicOrigin is not set", message, StringComparison.Ordinal);
        Assert.Contains("Flows:Proof:CaRootPaths is empty", message, StringComparison.Ordinal);
        Assert.Contains("Flows:Proof:Revocation:CrlSources is empty", message, StringComparison.Ordinal);
        Assert.Contains("No face-verification provider is registered", message, StringComparison.Ordinal);
    }
}

/// <summary>Issue 9 (1): a simulator in production would let anyone pass for the legal representative.</summary>
public sealed class SimulatedProviderStartupTests
{
    [Fact]
    public void Production_with_everything_configured_but_the_face_simulator_on_refuses_to_start_naming_the_simulator()
    {
        // Tried: Production, a proof origin, an existing CA root file and Flows:FaceSimulator:Enabled=true.
        using var factory = Production(simulator: true);

        var message = StartFailure(factory);

        Assert.Contains("ESeal cannot start in Production", message, StringComparison.Ordinal);
        Assert.Contains("A simulated provider is active: Face-verification simulator (Flows:FaceSimulator:Enabled)", message, StringComparison.Ordinal);
        Assert.DoesNotContain("PublicOrigin", message, StringComparison.Ordinal);
        Assert.DoesNotContain("CaRootPaths", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Production_lists_every_simulated_provider_not_only_the_face_one()
    {
        // Tried: the face simulator plus another provider of an outside system that declares itself simulated.
        using var factory = Production(simulator: true, extra: new FakeProvider("SMS simulator (Sms:Simulator)", simulated: true), also: new FakeProvider("Real CA lookup", simulated: false));

        var message = StartFailure(factory);

        Assert.Contains("A simulated provider is active: Face-verification simulator", message, StringComparison.Ordinal);
        Assert.Contains("A simulated provider is active: SMS simulator (Sms:Simulator)", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Real CA lookup", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Production_refuses_to_seed_the_demo_enterprises()
    {
        // Tried: Production with Demo:Seed=true (made-up enterprises, seals and keys in the real register).
        using var factory = Production(simulator: false, demoSeed: true);

        var message = StartFailure(factory);

        Assert.Contains("Demo:Seed is true", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_environment_starts_with_the_simulator_and_serves_its_phone_page()
    {
        // Tried: what web/demo.sh does (environment Demo, simulator on): the rule is for Production only.
        using var factory = Production(simulator: true, environment: "Demo");
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/m/face/unknown-ticket", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("二维码无效或已过期", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static WebApplicationFactory<Program> Production(bool simulator, FakeProvider? extra = null, FakeProvider? also = null, string environment = "Production", bool demoSeed = false)
    {
        var directory = Path.Combine(Path.GetTempPath(), "eseal-tests", "prod-sim-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var root = Path.Combine(directory, "root.pem");
        File.WriteAllText(root, ESeal.Tests.FlowSecurity.FlowSecurityPki.Instance.Root.ExportCertificatePem());
        return new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            b.UseSetting("Database:ConnectionString", $"Data Source={Path.Combine(directory, "prod.db")};Pooling=False");
            b.UseSetting("Flows:Jobs:Enabled", "false");
            b.UseSetting("Flows:Proof:PublicOrigin", "https://eseal.example.gov.cn");
            b.UseSetting("Flows:Proof:CaRootPaths:0", root);
            b.UseSetting("Flows:FaceSimulator:Enabled", simulator ? "true" : "false");
            if (demoSeed)
            {
                b.UseSetting("Demo:Seed", "true");
            }

            b.ConfigureTestServices(services =>
            {
                foreach (var provider in new[] { extra, also }.OfType<FakeProvider>())
                {
                    services.AddSingleton<ESeal.Workflows.Providers.IExternalProvider>(provider);
                }
            });
        });
    }

    private static string StartFailure(WebApplicationFactory<Program> factory)
    {
        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        return ex is InvalidOperationException ? ex.Message : ex.InnerException?.Message ?? ex.Message;
    }

    private sealed class FakeProvider(string name, bool simulated) : ESeal.Workflows.Providers.IExternalProvider
    {
        public string ProviderName => name;

        public bool IsSimulated => simulated;
    }
}
