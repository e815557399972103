namespace ESeal.KeyHelper.Infrastructure;

/// <summary>The error codes of §4 and the HTTP status each one is sent with (see README, "Errors").</summary>
internal static class Errors
{
    public const string PinIncorrect = "PIN_INCORRECT";
    public const string PinLocked = "PIN_LOCKED";
    public const string TokenNotPresent = "TOKEN_NOT_PRESENT";
    public const string CertificateNotFound = "CERTIFICATE_NOT_FOUND";
    public const string BadRequest = "BAD_REQUEST";
    public const string Forbidden = "FORBIDDEN";

    public static IResult Result(string error, int status, int? attemptsLeft = null, PinReportDto? report = null) =>
        Results.Json(new ErrorDto(error, attemptsLeft, report), KeyHelperJsonContext.Web.ErrorDto, statusCode: status);

    /// <summary>For middleware, which writes before any endpoint runs.</summary>
    public static Task WriteAsync(HttpContext context, string error, int status)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorDto(error), KeyHelperJsonContext.Web.ErrorDto);
    }
}
