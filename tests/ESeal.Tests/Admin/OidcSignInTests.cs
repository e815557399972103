using System.Net;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Db.Staff;
using ESeal.Tests.Web;
using ESeal.Web.Staff;
using Microsoft.Extensions.DependencyInjection;

namespace ESeal.Tests.Admin;

/// <summary>
/// Single sign-on end to end: a real OpenID provider on loopback (OidcTestProvider), the real web
/// in-process on its SQLite file, the authorization code flow with PKCE driven redirect by redirect.
/// </summary>
public sealed class OidcSignInTests(OidcWebFixture fixture) : IClassFixture<OidcWebFixture>
{
    [Fact]
    public async Task A_person_with_the_role_claim_受理员_is_signed_in_as_operator_through_the_landing_page()
    {
        // Tried: preferred_username zhang.wei, name 张伟, roles ["受理员"] at the provider.
        using var web = AdminClient.Anonymous(fixture.Factory);

        using var callback = await fixture.SignInThroughProviderAsync(web, new ProviderUser("zhang.wei", "张伟", "受理员"));

        var landing = await callback.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        Assert.Equal("/admin", OidcWebFixture.MetaRefreshTarget(landing));
        Assert.Contains("id=\"sso-continue\"", landing, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", landing, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(callback.Headers.GetValues("Set-Cookie"), c => c.StartsWith(StaffPrincipal.CookieName + "=", StringComparison.Ordinal) && c.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));

        var home = await web.GetHtmlAsync("/admin");
        Assert.Contains("您好，张伟", home, StringComparison.Ordinal);
        Assert.Contains("您的角色：受理员。", home, StringComparison.Ordinal);
        using var jobs = await web.Http.GetAsync(new Uri("/admin/jobs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, jobs.StatusCode);

        var account = await Directory().FindAsync("sso:zhang.wei");
        Assert.NotNull(account);
        Assert.Null(account.PasswordHash);
        Assert.Equal("张伟", account.DisplayName);
        Assert.Equal([StaffRoles.Operator], account.Roles);
        var audit = await AuditAsync();
        Assert.Contains(audit, a => a.Kind == AuditKinds.StaffAccountCreated && a.Actor == StaffDirectory.SingleSignOnActor && a.Data.Contains("sso:zhang.wei", StringComparison.Ordinal));
        Assert.Contains(audit, a => a.Kind == AuditKinds.StaffSignedIn && a.Actor == "staff:sso:zhang.wei" && a.Data.Contains("\"via\":\"oidc\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_SSO_account_cannot_sign_in_locally_and_local_sign_in_still_works_beside_SSO()
    {
        // Tried: after an SSO sign-in, the form with username "sso:lin.xia" and any password; then the demo operator.
        using (var sso = AdminClient.Anonymous(fixture.Factory))
        {
            using var callback = await fixture.SignInThroughProviderAsync(sso, new ProviderUser("lin.xia", "林夏", "Operator"));
            Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        }

        using var local = AdminClient.Anonymous(fixture.Factory);
        using var refused = await local.SignInAsync("sso:lin.xia", "ESeal-Demo-2026");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("用户名或密码不正确", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var signedIn = await local.SignInAsync("operator", DemoStaff.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Contains("您的角色：受理员", await local.GetHtmlAsync("/admin"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_person_with_no_known_role_is_refused_in_Chinese_and_signed_in_nowhere()
    {
        // Tried: roles ["访客", "Superuser", ""] — values the provider has but the back office does not know.
        using var web = AdminClient.Anonymous(fixture.Factory);

        using var callback = await fixture.SignInThroughProviderAsync(web, new ProviderUser("guest.one", "访客一", "访客", "Superuser", ""));

        var page = await callback.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Forbidden, callback.StatusCode);
        Assert.Contains(StaffOidc.NoRoleMessage, page, StringComparison.Ordinal);
        Assert.Contains("id=\"sso-back\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain(callback.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith(StaffPrincipal.CookieName + "=", StringComparison.Ordinal));
        using var home = await web.Http.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/admin/login", home.Headers.Location!.AbsolutePath);
        Assert.Null(await Directory().FindAsync("sso:guest.one"));
        Assert.Contains(await AuditAsync(), a => a.Kind == AuditKinds.StaffSignInFailed && a.Actor == "staff:sso:guest.one" && a.Data.Contains("no-role", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_SSO_account_an_admin_disabled_is_refused_and_its_open_session_ends()
    {
        // Tried: li.na signs in (Auditor), an administrator disables sso:li.na, li.na's open session and a new SSO sign-in.
        using var first = AdminClient.Anonymous(fixture.Factory);
        using (var ok = await fixture.SignInThroughProviderAsync(first, new ProviderUser("li.na", "李娜", "auditor")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Contains("您的角色：审计员。", await first.GetHtmlAsync("/admin"), StringComparison.Ordinal);
        var account = await Directory().FindAsync("sso:li.na");
        Assert.True((await Directory().SetDisabledAsync(account!.Id, true, "staff:admin")).Succeeded);

        using var open = await first.Http.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, open.StatusCode);
        using var again = AdminClient.Anonymous(fixture.Factory);
        using var refused = await fixture.SignInThroughProviderAsync(again, new ProviderUser("li.na", "李娜", "auditor"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains(StaffOidc.DisabledMessage, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var home = await again.Http.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal([StaffRoles.Auditor], (await Directory().FindAsync("sso:li.na"))!.Roles);
    }

    [Fact]
    public async Task Roles_changed_at_the_provider_apply_on_the_next_sign_in_are_audited_and_end_the_old_session()
    {
        // Tried: wang.fang with ["operator"], then the provider says ["审计员", "APPROVER", "unknown"].
        using var before = AdminClient.Anonymous(fixture.Factory);
        using (var ok = await fixture.SignInThroughProviderAsync(before, new ProviderUser("wang.fang", "王芳", "operator")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Contains("您的角色：受理员。", await before.GetHtmlAsync("/admin"), StringComparison.Ordinal);

        using var after = AdminClient.Anonymous(fixture.Factory);
        using (var ok = await fixture.SignInThroughProviderAsync(after, new ProviderUser("wang.fang", "王芳", "审计员", "APPROVER", "unknown")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Contains("您的角色：流程审批员、审计员。", await after.GetHtmlAsync("/admin"), StringComparison.Ordinal);
        using var old = await before.Http.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, old.StatusCode);
        var changed = Assert.Single(await AuditAsync(), a => a.Kind == AuditKinds.StaffRolesChanged && a.Data.Contains("sso:wang.fang", StringComparison.Ordinal));
        Assert.Equal(StaffDirectory.SingleSignOnActor, changed.Actor);
        Assert.Contains("\"before\":[\"Operator\"]", changed.Data, StringComparison.Ordinal);
        Assert.Contains("\"after\":[\"Approver\",\"Auditor\"]", changed.Data, StringComparison.Ordinal);

        // The same roles again change nothing and audit no change.
        using var third = AdminClient.Anonymous(fixture.Factory);
        using (var ok = await fixture.SignInThroughProviderAsync(third, new ProviderUser("wang.fang", "王芳", "Auditor", "Approver")))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Single(await AuditAsync(), a => a.Kind == AuditKinds.StaffRolesChanged && a.Data.Contains("sso:wang.fang", StringComparison.Ordinal));
        Assert.Contains("您的角色：流程审批员、审计员。", await after.GetHtmlAsync("/admin"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_return_address_survives_the_round_trip_but_only_inside_the_back_office()
    {
        // Tried: returnUrl=/admin/account/password, then returnUrl=https://evil.example/ and //evil.example.
        using var web = AdminClient.Anonymous(fixture.Factory);
        using (var callback = await fixture.SignInThroughProviderAsync(web, new ProviderUser("zhou.min", "周敏", "Operator"), "/admin/login?returnUrl=%2Fadmin%2Faccount%2Fpassword"))
        {
            Assert.Equal("/admin/account/password", OidcWebFixture.MetaRefreshTarget(await callback.Content.ReadAsStringAsync()));
        }

        foreach (var evil in new[] { "https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example" })
        {
            using var other = AdminClient.Anonymous(fixture.Factory);
            using var callback = await fixture.SignInThroughProviderAsync(other, new ProviderUser("zhou.min", "周敏", "Operator"), "/admin/login?returnUrl=" + evil);
            Assert.Equal("/admin", OidcWebFixture.MetaRefreshTarget(await callback.Content.ReadAsStringAsync()));
        }
    }

    [Fact]
    public async Task A_forged_or_replayed_callback_gets_a_Chinese_page_and_no_session_never_a_server_error()
    {
        // Tried: a made-up code and state; no state; an error from the provider; the same valid callback twice.
        using var web = AdminClient.Anonymous(fixture.Factory);
        foreach (var query in new[] { "?code=made-up&state=garbage", "?code=made-up", "?error=access_denied&state=x", "?state=%00%FF" })
        {
            using var forged = await web.Http.GetAsync(new Uri("/admin/signin-oidc" + query, UriKind.Relative));
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.Contains(StaffOidc.FailedMessage, await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // A callback captured from someone else's browser is useless without that browser's correlation cookie.
        fixture.Provider.NextUser = new ProviderUser("victim.x", "受害者", "Admin");
        using var victim = AdminClient.Anonymous(fixture.Factory);
        var link = await CallbackUrlAsync(victim);
        using var stolen = await web.Http.GetAsync(link);
        Assert.Equal(HttpStatusCode.BadRequest, stolen.StatusCode);
        using var home = await web.Http.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Null(await Directory().FindAsync("sso:victim.x"));
    }

    private async Task<Uri> CallbackUrlAsync(AdminClient web)
    {
        using var challenge = await web.Http.GetAsync(new Uri("/admin/login?handler=Sso", UriKind.Relative));
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        using var answer = await browser.GetAsync(challenge.Headers.Location!);
        return answer.Headers.Location!;
    }

    private StaffDirectory Directory() => fixture.Factory.Services.GetRequiredService<StaffDirectory>();

    private Task<IReadOnlyList<AuditEvent>> AuditAsync() =>
        fixture.Factory.Services.GetRequiredService<Database>().ReadAsync(s => new AuditLog(s).ListAsync());
}

/// <summary>Without Staff:Oidc the login page has no SSO button and the handler does not exist.</summary>
public sealed class OidcOffTests(AdminWebFixture fixture) : IClassFixture<AdminWebFixture>
{
    [Fact]
    public async Task Without_configuration_there_is_no_button_and_the_sso_handler_is_not_found()
    {
        // Tried: the login page and /admin/login?handler=Sso on a web without Staff:Oidc.
        using var web = AdminClient.Anonymous(fixture.Factory);

        Assert.DoesNotContain("sso-login", await web.GetHtmlAsync("/admin/login"), StringComparison.Ordinal);
        using var sso = await web.Http.GetAsync(new Uri("/admin/login?handler=Sso", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, sso.StatusCode);
        using var callback = await web.Http.GetAsync(new Uri("/admin/signin-oidc?code=x&state=y", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, callback.StatusCode);
    }
}

public sealed class OidcUnreachableTests(AdminWebFixture fixture) : IClassFixture<AdminWebFixture>
{
    [Fact]
    public async Task An_unreachable_provider_gets_a_message_on_the_sign_in_page_not_a_server_error()
    {
        // Tried: Staff:Oidc:Authority pointing at a loopback port where nothing listens.
        using var configured = fixture.Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Staff:Oidc:Authority", "http://127.0.0.1:9/");
            b.UseSetting("Staff:Oidc:ClientId", "eseal-admin");
            b.UseSetting("Staff:Oidc:RequireHttpsMetadata", "false");
        });
        using var web = AdminClient.Anonymous(configured);

        using var sso = await web.Http.GetAsync(new Uri("/admin/login?handler=Sso", UriKind.Relative));
        var html = await sso.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, sso.StatusCode);
        Assert.Contains("统一身份认证服务暂时无法访问", html, StringComparison.Ordinal);
        Assert.Contains("<label for=\"username\">用户名</label>", html, StringComparison.Ordinal);
    }
}
