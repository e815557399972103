using ESeal.Web.Staff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Infrastructure;

/// <summary>
/// Staff sign-in for the back office (ARCHITECTURE §6): a cookie of its own, separate from the
/// citizen's browser session, and role policies attached to the page folders of
/// <see cref="AdminAreas"/> — never checks inside handlers.
/// </summary>
public static class StaffRegistration
{
    public static IServiceCollection AddESealStaff(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(StaffOptions.Section).Get<StaffOptions>() ?? new StaffOptions();
        services.AddSingleton(options);
        services.AddSingleton<StaffDirectory>();
        services.AddSingleton<ESeal.Web.Kiosk.KioskIdentity>();

        var authentication = services.AddAuthentication(StaffPrincipal.Scheme);
        authentication.AddCookie(StaffPrincipal.Scheme, o =>
        {
            // __Host-: only this host, path /, Secure. Browsers treat http://localhost and 127.0.0.1 as
            // secure, so the demo works; anywhere else the back office needs HTTPS, as it should.
            o.Cookie.Name = StaffPrincipal.CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.Path = "/";
            o.Cookie.IsEssential = true;
            o.ExpireTimeSpan = TimeSpan.FromMinutes(options.IdleMinutes);
            o.SlidingExpiration = true;
            o.LoginPath = "/admin/login";
            o.LogoutPath = "/admin/logout";
            o.ReturnUrlParameter = "returnUrl";
            o.Events.OnValidatePrincipal = ValidatePrincipalAsync;
            o.Events.OnRedirectToLogin = context =>
            {
                if (context.Request.Headers.ContainsKey("HX-Request"))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers["HX-Redirect"] = context.RedirectUri;
                }
                else
                {
                    context.Response.Redirect(context.RedirectUri);
                }

                return Task.CompletedTask;
            };

            // A wrong role gets 403 at the address it asked for; the error page explains it in Chinese.
            o.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });

        // Single sign-on beside local accounts when Staff:Oidc names a provider (StartupChecks refuses half a configuration).
        if (options.Oidc.Enabled)
        {
            authentication.AddStaffOidc(options.Oidc);
        }

        services.AddAuthorization(o =>
        {
            o.AddPolicy(AdminAreas.AnyStaffPolicy, p => p.AddAuthenticationSchemes(StaffPrincipal.Scheme).RequireAuthenticatedUser());
            foreach (var area in AdminAreas.All)
            {
                o.AddPolicy(area.Policy, p => p.AddAuthenticationSchemes(StaffPrincipal.Scheme).RequireAuthenticatedUser().RequireRole(area.Roles));
            }

            // Pages inside an area that only one of its roles may use (flows: edit vs approve).
            foreach (var (policy, roles) in ActionPolicies.All)
            {
                o.AddPolicy(policy, p => p.AddAuthenticationSchemes(StaffPrincipal.Scheme).RequireAuthenticatedUser().RequireRole(roles));
            }
        });

        services.Configure<RazorPagesOptions>(o =>
        {
            o.Conventions.AuthorizeFolder("/Admin", AdminAreas.AnyStaffPolicy);
            foreach (var area in AdminAreas.All)
            {
                o.Conventions.AuthorizeFolder(area.Folder, area.Policy);
            }

            o.Conventions.AllowAnonymousToPage(AdminAreas.AccountFolder + "/Login");
        });
        services.Configure<RouteOptions>(o => o.LowercaseUrls = true);
        return services;
    }

    /// <summary>
    /// Every request with a staff cookie: the account must still exist, be enabled and carry the
    /// same security stamp (a new password, new roles or disabling ends every earlier session).
    /// </summary>
    private static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var directory = context.HttpContext.RequestServices.GetRequiredService<StaffDirectory>();
        var stamp = context.Principal?.FindFirst(StaffPrincipal.StampClaim)?.Value;
        var account = context.Principal?.StaffId() is { } id ? await directory.GetAsync(id, context.HttpContext.RequestAborted) : null;
        if (account is null || account.IsDisabled || account.SecurityStamp != stamp)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(StaffPrincipal.Scheme);
        }
    }
}
