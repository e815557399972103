namespace ESeal.KeyHelper.Configuration;

/// <summary>The <c>KeyHelper</c> configuration section (appsettings.json, KeyHelper__* environment, command line).</summary>
public sealed class KeyHelperOptions
{
    public const string SectionName = "KeyHelper";

    /// <summary>Loopback port; the web pages call http://127.0.0.1:18848 unless told otherwise.</summary>
    public int Port { get; set; } = 18848;

    /// <summary>Exact origins (scheme://host[:port]) whose pages may call the helper.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>PKCS#11 module paths, one per USBKEY vendor installed on this PC.</summary>
    public List<string> Pkcs11Modules { get; set; } = [];

    /// <summary>Consecutive wrong PINs after which the helper itself refuses the token.</summary>
    public int MaxPinAttempts { get; set; } = 5;

    /// <summary>Where the PIN counters and the PIN report key live; defaults to a per-user folder (see README).</summary>
    public string? StateDirectory { get; set; }

    /// <summary>How often the watcher looks for inserted/removed keys.</summary>
    public int PollIntervalMilliseconds { get; set; } = 1000;

    /// <summary>Longest wait of <c>GET /v1/tokens?changedSince=</c> before it answers unchanged.</summary>
    public int LongPollSeconds { get; set; } = 25;

    /// <summary>Larger bodies are refused with 413 before any parsing.</summary>
    public int MaxRequestBodyBytes { get; set; } = 16 * 1024;

    /// <summary>The section from appsettings.json, KeyHelper__* and the command line, normalised.</summary>
    public static KeyHelperOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(SectionName).Get<KeyHelperOptions>() ?? new KeyHelperOptions();
        options.Normalise();
        return options;
    }

    /// <summary>
    /// Lists may arrive as one comma/semicolon separated value (handy on a command line or in a
    /// service definition); split them and drop blanks and trailing slashes.
    /// </summary>
    public void Normalise()
    {
        AllowedOrigins = Split(AllowedOrigins).Select(o => o.TrimEnd('/')).ToList();
        Pkcs11Modules = Split(Pkcs11Modules).ToList();
        if (string.IsNullOrWhiteSpace(StateDirectory))
        {
            StateDirectory = DefaultStateDirectory();
        }

        if (MaxPinAttempts < 1)
        {
            MaxPinAttempts = 5;
        }
    }

    private static IEnumerable<string> Split(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string DefaultStateDirectory()
    {
        // systemd's StateDirectory= passes the path in STATE_DIRECTORY; otherwise a per-user folder.
        var systemd = Environment.GetEnvironmentVariable("STATE_DIRECTORY");
        if (!string.IsNullOrEmpty(systemd))
        {
            return systemd.Split(':')[0];
        }

        var baseDir = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
        return Path.Combine(string.IsNullOrEmpty(baseDir) ? AppContext.BaseDirectory : baseDir, "ESeal", "KeyHelper");
    }
}
