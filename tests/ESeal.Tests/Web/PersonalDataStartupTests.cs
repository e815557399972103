using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ESeal.Tests.Web;

/// <summary>Production encrypts holder data under configured keys only, never under a generated key file.</summary>
public sealed class PersonalDataStartupTests
{
    [Fact]
    public void Production_without_personal_data_keys_refuses_to_start_and_names_the_settings()
    {
        var message = StartupFailure(configureKeys: false);

        Assert.Contains("ESeal cannot start in Production", message, StringComparison.Ordinal);
        Assert.Contains("Database:PersonalData:Keys is empty", message, StringComparison.Ordinal);
        Assert.Contains("Database:PersonalData:HashKey is not set", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Production_with_personal_data_keys_has_no_complaint_about_them()
    {
        var message = StartupFailure(configureKeys: true);

        Assert.Contains("ESeal cannot start in Production", message, StringComparison.Ordinal); // other settings are still missing
        Assert.DoesNotContain("Database:PersonalData", message, StringComparison.Ordinal);
    }

    private static string StartupFailure(bool configureKeys)
    {
        var directory = Path.Combine(Path.GetTempPath(), "eseal-tests", "prod-pd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("Database:ConnectionString", $"Data Source={Path.Combine(directory, "prod.db")};Pooling=False");
            b.UseSetting("Flows:Jobs:Enabled", "false");
            if (configureKeys)
            {
                b.UseSetting("Database:PersonalData:Keys:2026a", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
                b.UseSetting("Database:PersonalData:HashKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            }
        });

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.False(File.Exists(Path.Combine(directory, "prod.db.personal-data-keys.json")), "Production generated a key file");
        return ex is InvalidOperationException ? ex.Message : ex.InnerException?.Message ?? ex.Message;
    }
}
