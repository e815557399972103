using ESeal.Db.Demo;
using ESeal.Db.Infrastructure;
using ESeal.Web.Infrastructure.Security;
using ESeal.Web.Pages.Flow.Progress;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.ResponseCompression;

namespace ESeal.Web.Infrastructure;

public static class WebRegistration
{
    public static IServiceCollection AddESealWeb(this IServiceCollection services)
    {
        services.AddRazorPages();
        // Chinese text is written as is, not as &#x…; entities: smaller pages, readable source.
        services.AddWebEncoders(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        services.AddResponseCompression(o =>
        {
            // Only assets that carry no secret: HTML pages hold antiforgery tokens next to echoed
            // input, and compressing them over HTTPS would open them to BREACH-style guessing.
            o.EnableForHttps = true;
            o.MimeTypes = ["text/javascript", "application/javascript", "text/css", "image/svg+xml"];
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Optimal);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Optimal);
        services.AddAntiforgery(o =>
        {
            o.HeaderName = "RequestVerificationToken";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection(WebOptions.Section).Get<WebOptions>() ?? new WebOptions());
        services.AddSingleton<ESeal.Web.Pages.Download.KeyHelperReleaseCatalog>();
        services.AddSingleton<PortalQrCodes>();
        services.AddSingleton<ESeal.Web.Pages.Receipts.ReceiptLookup>();
        return services;
    }

    public static WebApplication UseESealWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        StartupChecks.EnsureProductionReady(app);
        PrepareDatabase(app);

        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error");
        }

        app.UseMiddleware<SecurityHeaders>();
        app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
        app.UseResponseCompression();
        app.UseStaticFiles();
        app.UseBrowserSession();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = DatabaseHealthCheck.WriteJsonAsync });
        return app;
    }

    /// <summary>Migrations run at start-up (and by the "migrate" verb); the demo also seeds its data.</summary>
    private static void PrepareDatabase(WebApplication app)
    {
        var config = app.Configuration;
        var options = app.Services.GetRequiredService<DatabaseOptions>();
        if (config.GetValue("Database:MigrateOnStartup", true))
        {
            var outcome = Migrator.Migrate(options);
            if (!outcome.Successful)
            {
                throw new InvalidOperationException($"Database migration failed: {outcome.Error}");
            }
        }

        if (config.GetValue("Demo:Seed", false))
        {
            DemoData.SeedAsync(app.Services.GetRequiredService<Database>(), app.Services.GetRequiredService<TimeProvider>())
                .GetAwaiter().GetResult();
            ESeal.Web.Staff.DemoStaff.SeedAsync(app.Services.GetRequiredService<ESeal.Web.Staff.StaffDirectory>()).GetAwaiter().GetResult();
        }
    }
}
