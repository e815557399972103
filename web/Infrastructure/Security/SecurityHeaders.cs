namespace ESeal.Web.Infrastructure.Security;

/// <summary>
/// Headers on every response. The CSP allows scripts only from this site (no inline script, no
/// eval) and lets pages talk to nothing but this server and the PC's key helper on loopback.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next, WebOptions options)
{
    private readonly string policy = string.Join(
        "; ",
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        $"connect-src 'self' {options.KeyHelperOrigin}",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'");

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
            {
                headers.ContentSecurityPolicy = policy; // a response may bring a stricter one of its own
            }
            headers.XContentTypeOptions = "nosniff";
            if (string.IsNullOrEmpty(headers.XFrameOptions))
            {
                headers.XFrameOptions = "DENY"; // the flow preview allows SAMEORIGIN so the editor can embed it
            }

            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
