using System.Security.Cryptography;

namespace ESeal.Web.Infrastructure.Security;

/// <summary>
/// A random id per browser, kept in an HttpOnly SameSite=Strict cookie. A flow instance belongs to
/// the session that started it: another browser cannot continue it. On a shared kiosk the cookie
/// lives until the browser restarts; so every flow that ends there (finished, cancelled or idle, SPEC
/// §9) gives the browser a new id with <see cref="Renew"/>: the next visitor cannot reach the last
/// one's flow even by its URL.
/// </summary>
public static class BrowserSession
{
    public const string CookieName = "eseal.session";
    private const string ItemKey = "eseal.session.id";

    public static IApplicationBuilder UseBrowserSession(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var id = context.Request.Cookies[CookieName];
        if (id is null || id.Length != 43)
        {
            Renew(context);
        }
        else
        {
            context.Items[ItemKey] = id;
        }

        await next(context);
    });

    /// <summary>A fresh random id for this browser from this response on; the old one owns nothing any more.</summary>
    public static void Renew(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = Base64Url(RandomNumberGenerator.GetBytes(32));
        context.Response.Cookies.Append(CookieName, id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            IsEssential = true,
            Path = "/",
        });
        context.Items[ItemKey] = id;
    }

    public static string SessionId(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[ItemKey] as string ?? throw new InvalidOperationException("UseBrowserSession must run first.");
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
