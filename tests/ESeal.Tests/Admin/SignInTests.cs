using System.Net;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Tests.Web;
using ESeal.Web.Staff;
using Microsoft.Extensions.DependencyInjection;

namespace ESeal.Tests.Admin;

/// <summary>Staff sign-in as a person at the sign-in page and a guesser would meet it.</summary>
public sealed class SignInTests : IDisposable
{
    private const string WrongPassword = "Wrong-Guess-4711";
    private readonly ESealWebFactory web = new();

    [Fact]
    public async Task The_sign_in_page_has_the_manual_labels_and_a_right_password_opens_the_back_office()
    {
        using var client = AdminClient.Anonymous(web);
        var page = await client.GetHtmlAsync("/admin/login");
        Assert.Contains("<label for=\"username\">用户名</label>", page, StringComparison.Ordinal);
        Assert.Contains("<label for=\"password\">密码</label>", page, StringComparison.Ordinal);
        Assert.Contains(">登录</button>", page, StringComparison.Ordinal);

        using var response = await client.SignInAsync("operator", DemoStaff.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/admin", response.Headers.Location!.ToString());
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(StaffPrincipal.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("expires=", cookie, StringComparison.OrdinalIgnoreCase); // a browser-session cookie; the ticket inside expires when idle
        Assert.Contains("演示受理员", await client.GetHtmlAsync("/admin"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "", "请输入用户名。")]                       // nothing typed
    [InlineData("operator", "", "请输入密码。")]                 // no password
    [InlineData("operator", WrongPassword, "用户名或密码不正确")]  // wrong password
    [InlineData("nobody-here", WrongPassword, "用户名或密码不正确")] // unknown user: the same words, nothing revealed
    [InlineData("op\u0001erator", WrongPassword, "用户名或密码不正确")] // control character
    public async Task Bad_sign_ins_say_why_keep_the_username_and_sign_in_nobody(string username, string password, string message)
    {
        using var client = AdminClient.Anonymous(web);

        using var response = await client.SignInAsync(username, password);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, html, StringComparison.Ordinal);
        if (username.Length > 0 && !username.Any(char.IsControl))
        {
            Assert.Contains($"value=\"{username}\"", html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(password.Length > 0 ? password : "\u0000", html, StringComparison.Ordinal); // the password is never echoed
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(StaffPrincipal.CookieName, StringComparison.Ordinal)));
        using var admin = await client.Http.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_for_the_right_one_and_a_restart_keeps_the_lock()
    {
        using var client = AdminClient.Anonymous(web);
        for (var i = 0; i < 4; i++)
        {
            using var wrong = await client.SignInAsync("auditor", WrongPassword);
            Assert.Contains("用户名或密码不正确", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var fifth = await client.SignInAsync("auditor", WrongPassword);
        Assert.Contains("密码连续输错5次，账号已锁定", await fifth.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var right = await client.SignInAsync("auditor", DemoStaff.Password);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("账号已锁定", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Another account is not affected.
        using var other = await AdminClient.SignedInAsync(web, "operator");

        // A new web process on the same database still refuses the locked account.
        using var restarted = ESealWebFactory.Restarted(web);
        using var again = AdminClient.Anonymous(restarted);
        using var afterRestart = await again.SignInAsync("auditor", DemoStaff.Password);
        Assert.Contains("账号已锁定", await afterRestart.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var events = await AuditAsync(restarted);
        Assert.Equal(5, events.Count(e => e.Kind == AuditKinds.StaffSignInFailed && e.Actor == "staff:auditor"));
        Assert.Single(events, e => e.Kind == AuditKinds.StaffLockedOut && e.Actor == "staff:auditor");
        Assert.DoesNotContain(events, e => e.Kind == AuditKinds.StaffSignedIn && e.Actor == "staff:auditor");
    }

    [Fact]
    public async Task A_lock_ends_after_its_time_and_the_count_starts_again()
    {
        var clock = new FlowSecurity.FlowClock(DateTimeOffset.UtcNow);
        using var clocked = web.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
        using var client = AdminClient.Anonymous(clocked);
        for (var i = 0; i < 5; i++)
        {
            (await client.SignInAsync("approver", WrongPassword)).Dispose();
        }

        clock.Advance(TimeSpan.FromMinutes(14));
        using var stillLocked = await client.SignInAsync("approver", DemoStaff.Password);
        Assert.Contains("账号已锁定", await stillLocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromMinutes(2));
        using var wrongAfterLock = await client.SignInAsync("approver", WrongPassword);
        Assert.Contains("用户名或密码不正确", await wrongAfterLock.Content.ReadAsStringAsync(), StringComparison.Ordinal); // counted from 1 again, not locked
        using var right = await client.SignInAsync("approver", DemoStaff.Password);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
    }

    [Fact]
    public async Task A_session_ends_when_idle_for_longer_than_the_limit()
    {
        var clock = new FlowSecurity.FlowClock(DateTimeOffset.UtcNow);
        using var clocked = web.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
        using var client = await AdminClient.SignedInAsync(clocked, "operator");

        clock.Advance(TimeSpan.FromMinutes(19));
        using var active = await client.Http.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, active.StatusCode); // 19 minutes idle: still signed in (and the expiry slides)

        clock.Advance(TimeSpan.FromMinutes(21));
        using var idle = await client.Http.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, idle.StatusCode);
        Assert.Contains("/admin/login", idle.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passwords_never_reach_the_log_or_the_audit_trail()
    {
        using var client = AdminClient.Anonymous(web);
        (await client.SignInAsync("operator", WrongPassword)).Dispose();
        (await client.SignInAsync("operator", DemoStaff.Password)).Dispose();
        using var changed = await client.PostFormAsync("/admin/account/password", "/admin/account/password", [new("currentPassword", DemoStaff.Password), new("newPassword", "Brand-New-Secret-42"), new("confirmPassword", "Brand-New-Secret-42")]);
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

        var events = await AuditAsync(web);
        Assert.Contains(events, e => e.Kind == AuditKinds.StaffPasswordChanged && e.Actor == "staff:operator");
        foreach (var secret in new[] { WrongPassword, DemoStaff.Password, "Brand-New-Secret-42" })
        {
            Assert.DoesNotContain(events, e => e.Data.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(web.Log.Entries, e => e.ToString().Contains(secret, StringComparison.Ordinal));
        }

        Assert.Contains(web.Log.Entries, e => e.Level < Microsoft.Extensions.Logging.LogLevel.Information); // the sink does collect: the absence above means something
    }

    private static Task<IReadOnlyList<AuditEvent>> AuditAsync(ESealWebFactory factory) =>
        factory.Services.GetRequiredService<Database>().ReadAsync(s => new AuditLog(s).ListAsync());

    public void Dispose() => web.Dispose();
}
