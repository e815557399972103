using System.Net;
using ESeal.KeyHelper.Configuration;
using ESeal.KeyHelper.Events;
using ESeal.KeyHelper.Security;
using ESeal.KeyHelper.Signing;
using ESeal.KeyHelper.Tokens;

namespace ESeal.KeyHelper.Infrastructure;

internal static class KeyHelperRegistration
{
    /// <summary>
    /// The service's builder, and the verbs' source of configuration: the same appsettings.json,
    /// KeyHelper__* environment and command line, so a verb finds the service's StateDirectory.
    /// Content root = the exe's folder: a Windows service starts in System32, and appsettings.json
    /// sits next to the exe.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args) =>
        WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

    /// <summary>Options, Kestrel on loopback only, the token services and the watcher.</summary>
    public static KeyHelperOptions AddKeyHelper(this WebApplicationBuilder builder)
    {
        var options = KeyHelperOptions.From(builder.Configuration);

        // Before anything listens: a broken key file must stop the start (ReportKeyException), see ReportKey.
        builder.Services.AddSingleton(ReportKey.LoadOrCreate(options.StateDirectory!));

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // 127.0.0.1 only, whatever ASPNETCORE_URLS says: the helper must never be reachable from the LAN.
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
        });

        // No-ops unless started by the Windows service manager or systemd.
        builder.Host.UseWindowsService(s => s.ServiceName = "ESealKeyHelper");
        builder.Host.UseSystemd();

        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, KeyHelperJsonContext.Default));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<PinAttemptStore>();
        builder.Services.AddSingleton<ModuleRegistry>();
        builder.Services.AddSingleton<TokenCatalog>();
        builder.Services.AddSingleton<TokenChangeFeed>();
        builder.Services.AddSingleton<TokenSigner>();
        builder.Services.AddHostedService<TokenWatcher>();
        return options;
    }

    public static void UseKeyHelper(this WebApplication app)
    {
        app.UseMiddleware<OriginGuard>();
        app.MapTokenEndpoints();
        app.MapSignEndpoints();
    }
}
