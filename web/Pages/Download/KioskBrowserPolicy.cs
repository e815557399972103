using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ESeal.Web.Pages.Download;

/// <summary>
/// The managed browser policy and launch command for a hall kiosk (SPEC §9), generated for this
/// portal's origin (<c>Flows:Proof:PublicOrigin</c>): Local Network Access pre-granted to the portal
/// only (so the page reaches the key helper on loopback without a prompt a visitor could refuse), no
/// developer tools, printing on and to the system's default printer (the hall printer), no saved
/// passwords or form data for the next stranger. Receipts print without a dialog because the browser
/// is started with <c>--kiosk-printing</c>: that is a command-line switch, there is no policy for it.
/// </summary>
public sealed class KioskBrowserPolicy(string origin)
{
    public const string PolicyFileName = "eseal-kiosk.json";
    public const string RegistryFileName = "eseal-kiosk.reg";
    public const string ChromeLaunchFileName = "eseal-kiosk-chrome.cmd";
    public const string EdgeLaunchFileName = "eseal-kiosk-edge.cmd";
    public const string LinuxLaunchFileName = "eseal-kiosk.sh";

    public static IReadOnlyList<string> FileNames { get; } = [PolicyFileName, RegistryFileName, ChromeLaunchFileName, EdgeLaunchFileName, LinuxLaunchFileName];

    /// <summary>Where Linux browsers read managed policies (file <see cref="PolicyFileName"/> inside).</summary>
    public static IReadOnlyList<(string Browser, string Directory)> LinuxPolicyDirectories { get; } =
    [
        ("Google Chrome", "/etc/opt/chrome/policies/managed/"),
        ("Chromium", "/etc/chromium/policies/managed/"),
        ("Microsoft Edge", "/etc/opt/edge/policies/managed/"),
    ];

    /// <summary>The policies in order: name and value (bool, int, string, or a list of strings).</summary>
    public IReadOnlyList<(string Name, object Value)> Policies { get; } =
    [
        ("LocalNetworkAccessAllowedForUrls", new[] { origin }),
        ("LoopbackNetworkAllowedForUrls", new[] { origin }),
        ("DeveloperToolsAvailability", 2), // 2 = developer tools not allowed anywhere
        ("PrintingEnabled", true),
        ("PrintPreviewUseSystemDefaultPrinter", true), // the hall printer, not whatever was used last
        ("RestoreOnStartup", 4), // 4 = open the URLs below
        ("RestoreOnStartupURLs", new[] { origin + "/" }),
        ("HomepageLocation", origin + "/"),
        ("PasswordManagerEnabled", false),
        ("AutofillAddressEnabled", false),
        ("AutofillCreditCardEnabled", false),
        ("BrowserSignin", 0),
        ("SyncDisabled", true),
        ("TranslateEnabled", false),
    ];

    public string Origin { get; } = origin;

    /// <summary>Command-line switches of the kiosk browser; --kiosk-printing prints receipts straight to the default printer.</summary>
    public static IReadOnlyList<string> LaunchSwitches { get; } = ["--kiosk", "--kiosk-printing", "--no-first-run", "--noerrdialogs", "--disable-session-crashed-bubble"];

    public string LaunchArguments => string.Join(' ', LaunchSwitches) + " " + Origin + "/";

    public string Json()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            foreach (var (name, value) in Policies)
            {
                json.WritePropertyName(name);
                switch (value)
                {
                    case bool b: json.WriteBooleanValue(b); break;
                    case int i: json.WriteNumberValue(i); break;
                    case string s: json.WriteStringValue(s); break;
                    case string[] list:
                        json.WriteStartArray();
                        foreach (var item in list)
                        {
                            json.WriteStringValue(item);
                        }

                        json.WriteEndArray();
                        break;
                    default: throw new InvalidOperationException(name);
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>HKLM policies for Chrome and Edge: numbers and booleans as DWORDs, lists as numbered values of a subkey.</summary>
    public string Registry()
    {
        var text = new StringBuilder("Windows Registry Editor Version 5.00\r\n");
        foreach (var vendor in new[] { @"Google\Chrome", @"Microsoft\Edge" })
        {
            var key = $@"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\{vendor}";
            text.Append(CultureInfo.InvariantCulture, $"\r\n[{key}]\r\n");
            foreach (var (name, value) in Policies)
            {
                switch (value)
                {
                    case bool b: text.Append(CultureInfo.InvariantCulture, $"\"{name}\"=dword:{(b ? 1 : 0):x8}\r\n"); break;
                    case int i: text.Append(CultureInfo.InvariantCulture, $"\"{name}\"=dword:{i:x8}\r\n"); break;
                    case string s: text.Append(CultureInfo.InvariantCulture, $"\"{name}\"=\"{RegString(s)}\"\r\n"); break;
                }
            }

            foreach (var (name, value) in Policies)
            {
                if (value is string[] list)
                {
                    text.Append(CultureInfo.InvariantCulture, $"\r\n[{key}\\{name}]\r\n");
                    for (var n = 0; n < list.Length; n++)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"\"{n + 1}\"=\"{RegString(list[n])}\"\r\n");
                    }
                }
            }
        }

        return text.ToString();
    }

    public string ChromeLaunchCmd() => WindowsLaunch(@"%ProgramFiles%\Google\Chrome\Application\chrome.exe", string.Empty);

    // Edge's own kiosk switch picks the full-screen kiosk (not the public-browsing one, which resets differently).
    public string EdgeLaunchCmd() => WindowsLaunch(@"%ProgramFiles(x86)%\Microsoft\Edge\Application\msedge.exe", " --edge-kiosk-type=fullscreen");

    public string LinuxLaunch() =>
        "#!/bin/sh\n" +
        "# Starts the hall kiosk browser on " + Origin + " (eseal kiosk policy: " + PolicyFileName + " in the managed policy directory).\n" +
        "# --kiosk-printing prints receipts to the default printer without a dialog: make the hall printer the default (lpadmin -d).\n" +
        "for b in chromium google-chrome microsoft-edge; do\n" +
        "  if command -v \"$b\" >/dev/null 2>&1; then exec \"$b\" " + LaunchArguments + "; fi\n" +
        "done\n" +
        "echo 'no Chromium, Chrome or Edge found' >&2\nexit 1\n";

    private string WindowsLaunch(string exe, string extra) =>
        "@echo off\r\n" +
        "rem Starts the hall kiosk browser on " + Origin + " (policies: " + RegistryFileName + ").\r\n" +
        "rem --kiosk-printing prints receipts to the Windows default printer without a dialog: make the hall printer the default.\r\n" +
        $"start \"\" \"{exe}\" {LaunchArguments}{extra}\r\n";

    private static string RegString(string s) => s.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    /// <summary>The file's content and type, or null for a name not offered.</summary>
    public (byte[] Content, string ContentType)? File(string? name) => name switch
    {
        PolicyFileName => (Encoding.UTF8.GetBytes(Json()), "application/json"),
        RegistryFileName => (Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Registry())).ToArray(), "text/plain; charset=utf-16"),
        ChromeLaunchFileName => (Encoding.ASCII.GetBytes(ChromeLaunchCmd()), "text/plain; charset=us-ascii"),
        EdgeLaunchFileName => (Encoding.ASCII.GetBytes(EdgeLaunchCmd()), "text/plain; charset=us-ascii"),
        LinuxLaunchFileName => (Encoding.UTF8.GetBytes(LinuxLaunch()), "text/x-shellscript; charset=utf-8"),
        _ => null,
    };
}
