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

public sealed record InfoDto(string Protocol, string Version);

/// <summary>Every refusal: <c>{"error":"…","attemptsLeft":n}</c>, attemptsLeft only for PIN answers.</summary>
public sealed record ErrorDto(string Error, int? AttemptsLeft = null);
