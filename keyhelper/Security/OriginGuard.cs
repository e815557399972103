using ESeal.KeyHelper.Configuration;
using ESeal.KeyHelper.Infrastructure;

namespace ESeal.KeyHelper.Security;

/// <summary>
/// First in the pipeline. Host allowlist (DNS rebinding: a page of evil.example re-pointed to
/// 127.0.0.1 still sends Host: evil.example), Origin allowlist, and CORS written by hand:
/// the stock CORS middleware neither refuses foreign origins with 403 nor knows Chrome's
/// Private Network Access preflight header.
/// </summary>
internal sealed class OriginGuard(RequestDelegate next, KeyHelperOptions options)
{
    private readonly HashSet<string> _hosts = new(StringComparer.OrdinalIgnoreCase)
    {
        $"127.0.0.1:{options.Port}",
        $"localhost:{options.Port}",
    };

    private readonly HashSet<string> _origins = new(options.AllowedOrigins, StringComparer.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!_hosts.Contains(request.Host.Value ?? ""))
        {
            await Errors.WriteAsync(context, Errors.Forbidden, StatusCodes.Status403Forbidden);
            return;
        }

        var hasOrigin = request.Headers.Origin.Count > 0;
        var origin = SingleOrigin(request);
        if (hasOrigin && (origin is null || !_origins.Contains(origin)))
        {
            await Errors.WriteAsync(context, Errors.Forbidden, StatusCodes.Status403Forbidden);
            return;
        }

        if (HttpMethods.IsOptions(request.Method))
        {
            // A preflight without an allowed Origin gets nothing a browser could use.
            if (origin is null)
            {
                await Errors.WriteAsync(context, Errors.Forbidden, StatusCodes.Status403Forbidden);
                return;
            }

            WriteCorsHeaders(response, origin);
            response.Headers.AccessControlAllowMethods = "GET, POST";
            response.Headers.AccessControlAllowHeaders = "Content-Type";
            response.Headers.AccessControlMaxAge = "600";
            if (string.Equals(request.Headers["Access-Control-Request-Private-Network"], "true", StringComparison.OrdinalIgnoreCase))
            {
                // Chrome's Private Network Access: a public/intranet page may reach loopback only if we say so.
                response.Headers["Access-Control-Allow-Private-Network"] = "true";
            }

            response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (origin is not null)
        {
            WriteCorsHeaders(response, origin);
        }

        await next(context);
    }

    /// <summary>The Origin header exactly as received, or null if absent or sent more than once.</summary>
    public static string? SingleOrigin(HttpRequest request) =>
        request.Headers.Origin.Count == 1 && !string.IsNullOrEmpty(request.Headers.Origin[0]) ? request.Headers.Origin[0] : null;

    private static void WriteCorsHeaders(HttpResponse response, string origin)
    {
        // Echo the one allowed origin, never "*"; Vary so no cache hands it to another origin.
        response.Headers.AccessControlAllowOrigin = origin;
        response.Headers.Vary = "Origin";
    }
}
