using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Text.RegularExpressions;
using ESeal.Db.Staff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ESeal.Web.Staff;

/// <summary>
/// Single sign-on for staff through an OpenID Connect provider (Staff:Oidc:*), beside local
/// accounts (SPEC §7). The provider only vouches for who the person is and which of our roles
/// they hold; the back office then works with a staff account row of its own ("sso:NAME", no
/// password), so SSO sessions go through the same cookie checks as local ones (stamp, disabled).
/// </summary>
public static partial class StaffOidc
{
    public const string Scheme = "StaffOidc";

    // Chinese stays readable in the pages written here; markup characters are still encoded.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>Under /admin so the citizen site has no sign-in endpoint.</summary>
    public const string CallbackPath = "/admin/signin-oidc";

    public const string NoRoleMessage = "您的统一身份账号未分配电子印章后台角色，请联系系统管理员。";

    public const string DisabledMessage = "该账号已停用，请联系系统管理员。";

    public const string NoUsernameMessage = "统一身份认证未提供用户名，无法登录电子印章后台，请联系系统管理员。";

    public const string FailedMessage = "统一身份认证登录未成功，请返回登录页重试。";

    public static AuthenticationBuilder AddStaffOidc(this AuthenticationBuilder builder, StaffOptions.OidcOptions oidc)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(oidc);
        return builder.AddOpenIdConnect(Scheme, o =>
        {
            o.Authority = oidc.Authority;
            o.ClientId = oidc.ClientId;
            o.ClientSecret = string.IsNullOrEmpty(oidc.ClientSecret) ? null : oidc.ClientSecret;
            o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;

            // The code comes back in the query of a plain GET redirect, not by form_post: form_post
            // needs the provider's auto-submitting page to POST cross-site, and a GET needs no more
            // than SameSite=Lax on the correlation and nonce cookies.
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.SignInScheme = StaffPrincipal.Scheme;
            o.CallbackPath = CallbackPath;
            o.SignedOutCallbackPath = "/admin/signout-callback-oidc";
            o.RemoteSignOutPath = "/admin/signout-oidc";
            o.Scope.Clear();
            o.Scope.Add("openid");
            o.Scope.Add("profile");
            foreach (var scope in oidc.Scopes.Where(s => !string.IsNullOrWhiteSpace(s)))
            {
                o.Scope.Add(scope.Trim());
            }

            // The cookie holds our own principal only (StaffPrincipal): no provider tokens, no claims
            // of theirs; roles and name are read from the ID token once, at sign-in.
            o.SaveTokens = false;
            o.GetClaimsFromUserInfoEndpoint = false;
            o.MapInboundClaims = false;
            o.TokenValidationParameters.NameClaimType = oidc.UsernameClaim;
            o.TokenValidationParameters.RoleClaimType = oidc.RoleClaim;

            // The handler's own short-lived cookies (correlation, nonce) must come back on the
            // provider's redirect to the callback: a top-level cross-site GET, which Lax allows.
            foreach (var cookie in new[] { o.CorrelationCookie, o.NonceCookie })
            {
                cookie.SameSite = SameSiteMode.Lax;
                cookie.SecurePolicy = CookieSecurePolicy.Always;
                cookie.HttpOnly = true;
            }

            o.Events = new OpenIdConnectEvents
            {
                OnTokenValidated = context => TokenValidatedAsync(context, oidc),
                OnTicketReceived = TicketReceivedAsync,
                OnRemoteFailure = RemoteFailureAsync,
            };
        });
    }

    /// <summary>
    /// The staff username for the provider's username claim: "sso:" and the value when it is plain
    /// (letters, digits, . _ - @, at most 60), else "sso:#" and a hash of it, so that two different
    /// people are never folded into one account by cleaning up their names. Null when there is none.
    /// </summary>
    public static string? UsernameFor(string? claimValue)
    {
        var value = claimValue?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return PlainName().IsMatch(value)
            ? StaffDirectory.SingleSignOnPrefix + value
            : StaffDirectory.SingleSignOnPrefix + "#" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..24];
    }

    /// <summary>Our roles among the values of <paramref name="roleClaim"/> (names in any case, or the Chinese labels); the rest is ignored.</summary>
    public static IReadOnlyList<string> RolesFrom(ClaimsPrincipal external, string roleClaim)
    {
        ArgumentNullException.ThrowIfNull(external);
        return external.FindAll(roleClaim)
            .Select(c => StaffRoles.Parse(c.Value.Trim()))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The "name" claim, else the username claim; without control characters, at most 50.</summary>
    public static string DisplayNameFrom(ClaimsPrincipal external, string usernameClaim)
    {
        ArgumentNullException.ThrowIfNull(external);
        var raw = external.FindFirst("name")?.Value is { Length: > 0 } name && !string.IsNullOrWhiteSpace(name) ? name : external.FindFirst(usernameClaim)?.Value ?? string.Empty;
        var clean = new string(raw.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return clean.Length == 0 ? "统一身份用户" : clean[..Math.Min(50, clean.Length)];
    }

    /// <summary>
    /// Signature, issuer, audience, nonce and PKCE are checked by now. Maps the person to our staff
    /// account and replaces the provider's principal with ours, or refuses with a message for them.
    /// </summary>
    private static async Task TokenValidatedAsync(TokenValidatedContext context, StaffOptions.OidcOptions oidc)
    {
        var external = context.Principal ?? new ClaimsPrincipal();
        var username = UsernameFor(external.FindFirst(oidc.UsernameClaim)?.Value);
        if (username is null)
        {
            context.Fail(new StaffSsoRefusedException(NoUsernameMessage));
            return;
        }

        var http = context.HttpContext;
        var result = await http.RequestServices.GetRequiredService<StaffDirectory>().SignInSingleSignOnAsync(
            username,
            DisplayNameFrom(external, oidc.UsernameClaim),
            RolesFrom(external, oidc.RoleClaim),
            http.Connection.RemoteIpAddress?.ToString(),
            http.RequestAborted);
        switch (result.Outcome)
        {
            case SignInOutcome.Succeeded:
                context.Principal = StaffPrincipal.Create(result.Account!);
                context.Properties!.IsPersistent = false;
                break;
            case SignInOutcome.NoRole:
                context.Fail(new StaffSsoRefusedException(NoRoleMessage));
                break;
            case SignInOutcome.Disabled:
                context.Fail(new StaffSsoRefusedException(DisabledMessage));
                break;
            default:
                context.Fail(new StaffSsoRefusedException(FailedMessage));
                break;
        }
    }

    /// <summary>
    /// Signs in to the staff cookie and answers with a small landing page instead of the handler's
    /// redirect. The staff cookie is SameSite=Strict, and this response ends a navigation that began
    /// at the provider: a browser stores the cookie (top-level navigation) but would not send it on a
    /// redirect of that same cross-site chain, so /admin would bounce to the login page. The landing
    /// page continues by a meta refresh, a new navigation started by our own page, hence same-site,
    /// and the Strict cookie goes with it (the CSP forbids inline script; a meta refresh is no script).
    /// </summary>
    private static async Task TicketReceivedAsync(TicketReceivedContext context)
    {
        var target = SafeTarget(context.ReturnUri);
        await context.HttpContext.SignInAsync(StaffPrincipal.Scheme, context.Principal!, new AuthenticationProperties { IsPersistent = false });
        context.HandleResponse();
        var link = Html.Encode(target);
        await WritePageAsync(
            context.Response,
            StatusCodes.Status200OK,
            "正在进入管理后台",
            $"""<meta http-equiv="refresh" content="0;url={link}" />""",
            $"""<p id="sso-landing">登录成功，正在进入电子印章管理后台……如未自动跳转，请<a id="sso-continue" href="{link}">点此继续</a>。</p>""");
    }

    /// <summary>Any failure of the round trip (refused person, provider error, stale or forged state) is a page in Chinese, never a server error.</summary>
    private static async Task RemoteFailureAsync(RemoteFailureContext context)
    {
        context.HandleResponse();
        var refused = context.Failure as StaffSsoRefusedException;
        var message = Html.Encode(refused?.Message ?? FailedMessage);
        await WritePageAsync(
            context.Response,
            refused is null ? StatusCodes.Status400BadRequest : StatusCodes.Status403Forbidden,
            "统一身份认证登录未成功",
            string.Empty,
            $"""<div class="error-summary" role="alert" id="sso-error"><h2>登录未成功</h2><p>{message}</p></div><p><a class="button secondary" id="sso-back" href="/admin/login">返回登录页</a></p>""");
    }

    /// <summary>The return address was ours when the challenge began (it travels in the protected state); only back-office paths still.</summary>
    private static string SafeTarget(string? uri) =>
        uri is { Length: > 0 } u && u.StartsWith("/admin", StringComparison.OrdinalIgnoreCase) && !u.Contains("//", StringComparison.Ordinal) && !u.Contains('\\', StringComparison.Ordinal)
            ? u
            : "/admin";

    private static async Task WritePageAsync(HttpResponse response, int status, string title, string head, string body)
    {
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        await response.WriteAsync(
            $"""
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            {head}
            <title>{title} - 电子印章管理后台</title>
            <link rel="stylesheet" href="/css/site.css" />
            <link rel="stylesheet" href="/css/admin.css" />
            </head>
            <body class="admin">
            <main id="main"><section class="admin-card narrow" aria-labelledby="sso-title"><h1 id="sso-title">{title}</h1>{body}</section></main>
            </body>
            </html>
            """,
            response.HttpContext.RequestAborted);
    }

    [GeneratedRegex(@"^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,59}$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainName();
}

/// <summary>Single sign-on refused a person; the message is for them (Chinese).</summary>
public sealed class StaffSsoRefusedException : Exception
{
    public StaffSsoRefusedException()
    {
    }

    public StaffSsoRefusedException(string message)
        : base(message)
    {
    }

    public StaffSsoRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
