using Microsoft.AspNetCore.Hosting;
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
