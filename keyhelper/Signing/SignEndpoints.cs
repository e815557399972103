using System.Text.Json;
using ESeal.KeyHelper.Infrastructure;
using ESeal.KeyHelper.Security;
using Microsoft.Net.Http.Headers;

namespace ESeal.KeyHelper.Signing;

internal static class SignEndpoints
{
    private const int MaxPinLength = 64;
    private const int MaxFieldLength = 4096;

    public static void MapSignEndpoints(this IEndpointRouteBuilder app) => app.MapPost("/v1/sign", SignAsync);

    /// <summary>Bind → check → sign → map the outcome to §4's status and error code.</summary>
    private static async Task<IResult> SignAsync(HttpContext http, TokenSigner signer, ReportKey reportKey)
    {
        // The Origin middleware has already refused foreign origins; a sign needs one at all,
        // because the origin is part of what is signed.
        var origin = OriginGuard.SingleOrigin(http.Request);
        if (origin is null)
        {
            return Errors.Result(Errors.Forbidden, StatusCodes.Status403Forbidden);
        }

        // Only application/json: a text/plain or form POST is a "simple" cross-site request that
        // skips the CORS preflight, so refusing it closes that door.
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Errors.Result(Errors.BadRequest, StatusCodes.Status415UnsupportedMediaType);
        }

        SignRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(http.Request.Body, KeyHelperJsonContext.Web.SignRequest, http.RequestAborted);
        }
        catch (JsonException)
        {
            return Errors.Result(Errors.BadRequest, StatusCodes.Status400BadRequest);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Errors.Result(Errors.BadRequest, StatusCodes.Status413PayloadTooLarge);
        }

        if (request is null
            || !Valid(request.TokenSerial, 64)
            || !Valid(request.Pin, MaxPinLength)
            || !Valid(request.Nonce, MaxFieldLength)
            || !Valid(request.Context, MaxFieldLength)
            || !TryHex(request.CertificateId, out var certificateId))
        {
            return Errors.Result(Errors.BadRequest, StatusCodes.Status400BadRequest);
        }

        // Only the portal's contexts, and only about this token (the certificate is checked by the signer,
        // which reads it from the token): see ProofContext.
        if (ProofContext.Parse(request.Context!) is not { } context
            || !string.Equals(context.Token, request.TokenSerial, StringComparison.Ordinal))
        {
            return Errors.Result(Errors.BadRequest, StatusCodes.Status400BadRequest);
        }

        var data = ProofBytes.Build(origin, request.Nonce!, request.Context!);
        var outcome = signer.Sign(request.TokenSerial!, certificateId, context.Cert, request.Pin!, data);
        return outcome switch
        {
            SignOutcome.Signed s => Results.Json(s.Response, KeyHelperJsonContext.Web.SignResponse),
            SignOutcome.Refused r => Errors.Result(r.Error, StatusOf(r.Error), r.AttemptsLeft, Report(reportKey, origin, request, r)),
            _ => throw new InvalidOperationException("Unknown sign outcome."),
        };
    }

    /// <summary>The helper's signed word that the token refused the PIN (only the helper saw that happen).</summary>
    private static PinReportDto? Report(ReportKey reportKey, string origin, SignRequest request, SignOutcome.Refused refused)
    {
        if (refused.Error is not (Errors.PinIncorrect or Errors.PinLocked))
        {
            return null;
        }

        var data = PinReport.Build(origin, request.Nonce!, request.Context!, request.TokenSerial!, refused.Error, refused.AttemptsLeft);
        return new PinReportDto(reportKey.KeyId, Convert.ToBase64String(reportKey.Sign(data)));
    }

    /// <summary>The mapping documented in README "Errors".</summary>
    internal static int StatusOf(string error) => error switch
    {
        Errors.PinIncorrect => StatusCodes.Status401Unauthorized,
        Errors.PinLocked => StatusCodes.Status423Locked,
        Errors.TokenNotPresent => StatusCodes.Status404NotFound,
        Errors.CertificateNotFound => StatusCodes.Status404NotFound,
        Errors.Forbidden => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status400BadRequest,
    };

    private static bool Valid(string? value, int maxLength) => !string.IsNullOrEmpty(value) && value.Length <= maxLength;

    private static bool TryHex(string? value, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(value) || value.Length % 2 != 0 || value.Length > 256)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromHexString(value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
