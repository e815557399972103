namespace ESeal.Web.Infrastructure;

/// <summary>
/// 长辈版 (SPEC §9): larger text, stronger contrast, bigger targets. The choice lives in a session
/// cookie the layout reads, so the first paint of every page is already in the chosen mode (no flash);
/// elder.js sets the same cookie without a reload, the POST to /elder-mode does it without script.
/// The cookie says nothing about the visitor and grants nothing, so it is readable by script.
/// </summary>
public static class ElderMode
{
    public const string CookieName = "eseal.elder";

    public const string HtmlClass = "elder";

    public static bool IsOn(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.Cookies[CookieName] == "1";
    }

    public static void Set(HttpContext context, bool on)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (on)
        {
            // No Expires: a session cookie, gone when the browser (or the kiosk's session) closes.
            context.Response.Cookies.Append(CookieName, "1", new CookieOptions
            {
                Path = "/",
                SameSite = SameSiteMode.Lax,
                Secure = context.Request.IsHttps,
                HttpOnly = false,
                IsEssential = true,
            });
        }
        else
        {
            context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
        }
    }
}
