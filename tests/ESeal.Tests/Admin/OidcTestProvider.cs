using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using ESeal.Tests.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ESeal.Tests.Admin;

/// <summary>
/// A real OpenID Connect provider (OpenIddict server, degraded mode: no database) on Kestrel,
/// loopback, a free port. It signs in whoever <see cref="NextUser"/> names, without a page of its
/// own, and checks the client, its secret, its redirect URI and PKCE as a real provider would.
/// </summary>
public sealed class OidcTestProvider : IAsyncDisposable
{
    public const string ClientId = "eseal-admin";
    public const string ClientSecret = "test-only-secret-4f1d";
    public const string RedirectUri = "https://localhost/admin/signin-oidc";

    private readonly WebApplication app;

    private OidcTestProvider(WebApplication app, Uri authority)
    {
        this.app = app;
        Authority = authority;
    }

    public Uri Authority { get; }

    /// <summary>The person who signs in at the provider next.</summary>
    public ProviderUser? NextUser { get; set; }

    public static async Task<OidcTestProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        OidcTestProvider? self = null;
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            o.RegisterScopes(Scopes.OpenId, Scopes.Profile);
            o.EnableDegradedMode();
            o.UseAspNetCore().DisableTransportSecurityRequirement();

            o.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(b => b.UseInlineHandler(ctx =>
            {
                if (ctx.ClientId != ClientId || ctx.RedirectUri != RedirectUri)
                {
                    ctx.Reject(Errors.InvalidClient, "Unknown client or redirect URI.");
                }

                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(b => b.UseInlineHandler(ctx =>
            {
                if (ctx.Request.ClientId != ClientId || ctx.Request.ClientSecret != ClientSecret)
                {
                    ctx.Reject(Errors.InvalidClient, "Wrong client credentials.");
                }

                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.HandleAuthorizationRequestContext>(b => b.UseInlineHandler(ctx =>
            {
                var user = self!.NextUser ?? throw new InvalidOperationException("No NextUser set for the test provider.");
                var identity = new ClaimsIdentity("TestIdp", Claims.Name, Claims.Role);
                identity.AddClaim(new Claim(Claims.Subject, "sub-" + user.Username));
                identity.AddClaim(new Claim(Claims.PreferredUsername, user.Username));
                if (user.Name is not null)
                {
                    identity.AddClaim(new Claim(Claims.Name, user.Name));
                }

                foreach (var role in user.Roles)
                {
                    identity.AddClaim(new Claim("roles", role));
                }

                var principal = new ClaimsPrincipal(identity);
                principal.SetScopes(ctx.Request.GetScopes());
                principal.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
                ctx.SignIn(principal);
                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.HandleTokenRequestContext>(b => b.UseInlineHandler(ctx =>
            {
                ctx.SignIn(ctx.AuthorizationCodePrincipal!);
                return default;
            }));
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.Run(ctx =>
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new OidcTestProvider(app, new Uri(address.TrimEnd('/') + "/"));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

public sealed record ProviderUser(string Username, string? Name, params string[] Roles);

/// <summary>The provider and one web configured for it (Staff:Oidc:*), for a test class.</summary>
public sealed partial class OidcWebFixture : IAsyncLifetime
{
    private readonly ESealWebFactory baseFactory = new();

    public OidcTestProvider Provider { get; private set; } = null!;

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Provider = await OidcTestProvider.StartAsync();
        Factory = baseFactory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Staff:Oidc:Authority", Provider.Authority.ToString());
            b.UseSetting("Staff:Oidc:ClientId", OidcTestProvider.ClientId);
            b.UseSetting("Staff:Oidc:ClientSecret", OidcTestProvider.ClientSecret);
            b.UseSetting("Staff:Oidc:RequireHttpsMetadata", "false");
            b.UseSetting("Staff:Oidc:DisplayName", "政务外网统一身份认证");
        });
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await baseFactory.DisposeAsync();
        await Provider.DisposeAsync();
    }

    /// <summary>
    /// What a browser does from the login page to the end of the callback, following each redirect
    /// by hand across the two hosts: the web in-process (HTTPS, cookies kept), the provider over
    /// real HTTP on loopback. Returns the web's answer to the callback.
    /// </summary>
    public async Task<HttpResponseMessage> SignInThroughProviderAsync(AdminClient web, ProviderUser user, string loginUrl = "/admin/login")
    {
        ArgumentNullException.ThrowIfNull(web);
        Provider.NextUser = user;
        var login = await web.GetHtmlAsync(loginUrl);
        var link = SsoLink().Match(login);
        Assert.True(link.Success, "The login page shows no 统一身份认证 link.");

        using var challenge = await web.Http.GetAsync(new Uri(WebUtility.HtmlDecode(link.Groups[1].Value), UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.StartsWith(Provider.Authority.ToString(), authorize.ToString(), StringComparison.Ordinal);
        Assert.Contains("code_challenge=", authorize.Query, StringComparison.Ordinal);

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        using var answer = await browser.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var callback = answer.Headers.Location!;
        Assert.StartsWith(OidcTestProvider.RedirectUri + "?", callback.ToString(), StringComparison.Ordinal);
        return await web.Http.GetAsync(callback);
    }

    public static string MetaRefreshTarget(string html) =>
        MetaRefresh().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("No meta refresh on the page.");

    [GeneratedRegex("<a (?=[^>]*id=\"sso-login\")[^>]*href=\"([^\"]+)\"")]
    private static partial Regex SsoLink();

    [GeneratedRegex("<meta http-equiv=\"refresh\" content=\"0;url=([^\"]+)\"")]
    private static partial Regex MetaRefresh();
}
