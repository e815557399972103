using System.Text.Json;

namespace ESeal.KeyHelper.Release;

/// <summary>
/// The helper configuration a portal generates for its halls: <c>eseal-keyhelper.json</c>, a plain
/// .NET configuration file with the <c>KeyHelper</c> section (port, allowed origins, PKCS#11 modules)
/// plus an informational <c>ESealPortal</c> section (no timestamp: the same settings give the same bytes), signed like the release
/// (<c>eseal-keyhelper.json.p7s</c>). The helper loads it from its install location or <c>--config FILE</c>.
/// </summary>
public static class HelperConfigFile
{
    public const string FileName = "eseal-keyhelper.json";
    public const string SignatureName = FileName + ReleaseFormat.SignatureSuffix;

    public static byte[] Create(int port, IReadOnlyList<string> allowedOrigins, IReadOnlyList<string> pkcs11Modules, string platform)
    {
        ArgumentNullException.ThrowIfNull(allowedOrigins);
        ArgumentNullException.ThrowIfNull(pkcs11Modules);
        ArgumentNullException.ThrowIfNull(platform);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject("KeyHelper");
            json.WriteNumber("Port", port);
            json.WriteStartArray("AllowedOrigins");
            foreach (var origin in allowedOrigins)
            {
                json.WriteStringValue(origin);
            }

            json.WriteEndArray();
            json.WriteStartArray("Pkcs11Modules");
            foreach (var module in pkcs11Modules)
            {
                json.WriteStringValue(module);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartObject("ESealPortal");
            json.WriteString("Origin", allowedOrigins.Count > 0 ? allowedOrigins[0] : null);
            json.WriteString("Platform", platform);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
