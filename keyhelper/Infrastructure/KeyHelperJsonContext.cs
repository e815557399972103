using System.Text.Json.Serialization;
using ESeal.KeyHelper.Security;
using ESeal.KeyHelper.Signing;
using ESeal.KeyHelper.Tokens;

namespace ESeal.KeyHelper.Infrastructure;

/// <summary>Source-generated JSON: no reflection warm-up at start, and trimming-safe.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InfoDto))]
[JsonSerializable(typeof(TokenListDto))]
[JsonSerializable(typeof(SignRequest))]
[JsonSerializable(typeof(SignResponse))]
[JsonSerializable(typeof(ErrorDto))]
[JsonSerializable(typeof(PinAttemptState))]
[JsonSerializable(typeof(PinLockAuditEntry))]
internal sealed partial class KeyHelperJsonContext : JsonSerializerContext
{
    /// <summary>Same as Default, but without escaping '+' in base64 and non-ASCII labels (responses are application/json, never HTML).</summary>
    public static KeyHelperJsonContext Web { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>
/// GET /v1/info; <c>reportKey</c>/<c>reportKeyId</c> are the public PIN report key staff enrol with the portal,
/// <c>version</c> the build's version (pages compare it with Web:MinKeyHelperVersion), <c>modules</c> each configured
/// PKCS#11 module with <c>status</c> <c>loaded</c> or <c>failed</c> (+ <c>error</c>).
/// </summary>
public sealed record InfoDto(string Protocol, string Version, string ReportKey, string ReportKeyId, IReadOnlyList<ModuleStatusDto> Modules);

public sealed record ModuleStatusDto(string Path, string Status, string? Error = null);

/// <summary>
/// Every refusal: <c>{"error":"…","attemptsLeft":n,"report":{…}}</c>, attemptsLeft only for PIN answers,
/// report only for PIN_INCORRECT and PIN_LOCKED (see <see cref="Signing.PinReport"/>).
/// </summary>
public sealed record ErrorDto(string Error, int? AttemptsLeft = null, PinReportDto? Report = null);

/// <summary><c>keyId</c> = the helper's reportKeyId, <c>signature</c> = base64 raw r‖s over <see cref="Signing.PinReport"/>'s bytes.</summary>
public sealed record PinReportDto(string KeyId, string Signature);
