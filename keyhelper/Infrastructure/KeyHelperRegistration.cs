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
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var (rest, configFile) = TakeConfigOption(args);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = rest, ContentRootPath = AppContext.BaseDirectory });
        AddConfigurationFiles(builder.Configuration, configFile);
        return builder;
    }

    /// <summary>The build's version (<c>-p:Version=</c> from publish.sh: git tag or --version), without the +commit suffix.</summary>
    public static string Version { get; } =
        (typeof(KeyHelperRegistration).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];

    /// <summary>Where an installed helper finds the portal's eseal-keyhelper.json (the .deb and <c>install</c> put it there).</summary>
    public static string SystemConfigurationFile => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "ESeal", "KeyHelper", ESeal.KeyHelper.Release.HelperConfigFile.FileName)
        : Path.Combine("/etc", "eseal-keyhelper", ESeal.KeyHelper.Release.HelperConfigFile.FileName);

    /// <summary>
    /// The portal-generated file (<see cref="ESeal.KeyHelper.Release.HelperConfigFile"/>) from, in rising
    /// order: next to the exe, the system location, <c>--config FILE</c> (must exist). All of them rank
    /// above appsettings.json and below KeyHelper__* and the command line, so an operator can still override.
    /// </summary>
    private static void AddConfigurationFiles(ConfigurationManager configuration, string? configFile)
    {
        IList<IConfigurationSource> sources = ((IConfigurationBuilder)configuration).Sources;
        var at = sources.Select((s, i) => (s, i)).LastOrDefault(x => x.s is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource).i + 1;
        var files = new List<(string Path, bool Optional)>
        {
            (Path.Combine(AppContext.BaseDirectory, ESeal.KeyHelper.Release.HelperConfigFile.FileName), true),
            (SystemConfigurationFile, true),
        };
        if (configFile is not null)
        {
            files.Add((Path.GetFullPath(configFile), false));
        }

        foreach (var (path, optional) in files)
        {
            var source = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = path, Optional = optional, ReloadOnChange = false };
            source.ResolveFileProvider();
            sources.Insert(at++, source);
        }
    }

    private static (string[] Remaining, string? ConfigFile) TakeConfigOption(string[] args)
    {
        var rest = new List<string>();
        string? file = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config" && i + 1 < args.Length)
            {
                file = args[++i];
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                file = args[i]["--config=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return ([.. rest], file);
    }

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
