using System.Net;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Db.Staff;
using ESeal.Tests.Web;
using ESeal.Web.Cli;
using ESeal.Web.Staff;
using Microsoft.Extensions.DependencyInjection;

namespace ESeal.Tests.Admin;

/// <summary>系统管理员 manages accounts in the browser; each change is audited and ends the account's sessions.</summary>
public sealed class StaffAccountsTests : IDisposable
{
    private const string GoodPassword = "Kiosk-Hall-7788";
    private readonly ESealWebFactory web = new();

    [Fact]
    public async Task An_admin_creates_an_account_that_can_then_sign_in_with_its_role()
    {
        using var admin = await AdminClient.SignedInAsync(web, "admin");

        using var created = await CreateAsync(admin, "zhang.wei", "张伟", [StaffRoles.Operator, StaffRoles.Auditor], GoodPassword);

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var list = await admin.GetHtmlAsync(created.Headers.Location!.ToString());
        Assert.Contains("已创建账号 zhang.wei。", list, StringComparison.Ordinal);
        Assert.Contains("受理员、审计员", list, StringComparison.Ordinal);
        using var zhang = await AdminClient.SignedInAsync(web, "zhang.wei", GoodPassword);
        var home = await zhang.GetHtmlAsync("/admin");
        Assert.Contains("审计日志", home, StringComparison.Ordinal);
        Assert.DoesNotContain("员工账号", home, StringComparison.Ordinal);
        var audit = Assert.Single(await AuditAsync(), e => e.Kind == AuditKinds.StaffAccountCreated && e.Data.Contains("zhang.wei", StringComparison.Ordinal));
        Assert.Equal("staff:admin", audit.Actor);
        Assert.DoesNotContain(GoodPassword, audit.Data, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "王", "Operator", GoodPassword, "请输入用户名。")]                          // no username
    [InlineData("1abc", "王", "Operator", GoodPassword, "以字母开头")]                         // starts with a digit
    [InlineData("a b", "王", "Operator", GoodPassword, "以字母开头")]                          // a space
    [InlineData("operator", "王", "Operator", GoodPassword, "该用户名已存在。")]                // taken (any case: see the next row)
    [InlineData("OPERATOR", "王", "Operator", GoodPassword, "该用户名已存在。")]
    [InlineData("li.na", "", "Operator", GoodPassword, "请输入姓名")]                          // no name
    [InlineData("li.na", "王\u0007", "Operator", GoodPassword, "请输入姓名")]                  // control character in the name
    [InlineData("li.na", "李娜", "", GoodPassword, "请至少选择一个角色。")]                     // no role
    [InlineData("li.na", "李娜", "Superuser", GoodPassword, "请至少选择一个角色。")]            // a role that does not exist
    [InlineData("li.na", "李娜", "Operator", "short1A!", "密码至少10位。")]                    // too short
    [InlineData("li.na", "李娜", "Operator", "alllowercaseletters", "至少三类")]              // one class
    [InlineData("li.na", "李娜", "Operator", "Li.na-Hall-2026", "密码不能包含用户名。")]        // contains the username
    public async Task Bad_input_is_refused_next_to_the_field_keeps_what_was_typed_and_creates_nothing(string username, string displayName, string role, string password, string message)
    {
        using var admin = await AdminClient.SignedInAsync(web, "admin");
        var before = (await AccountsAsync()).Count;

        using var response = await CreateAsync(admin, username, displayName, role.Length == 0 ? [] : [role], password);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.Contains("账号未创建", html, StringComparison.Ordinal);
        if (displayName.Length > 0 && !displayName.Any(char.IsControl))
        {
            Assert.Contains($"value=\"{displayName}\"", html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain($"value=\"{password}\"", html, StringComparison.Ordinal); // a password is never echoed
        Assert.Equal(before, (await AccountsAsync()).Count);
    }

    [Fact]
    public async Task New_roles_a_new_password_or_disabling_end_the_sessions_of_that_account()
    {
        using var admin = await AdminClient.SignedInAsync(web, "admin");
        using var operatorSession = await AdminClient.SignedInAsync(web, "operator");
        Assert.Contains("企业与印章查询", await operatorSession.GetHtmlAsync("/admin"), StringComparison.Ordinal);

        using var roles = await admin.PostFormAsync("/admin/staff/operator", "/admin/staff/operator?handler=Roles", [new("roles", StaffRoles.Operator), new("roles", StaffRoles.Analyst)]);
        Assert.Equal(HttpStatusCode.Redirect, roles.StatusCode);
        using var afterRoles = await operatorSession.Http.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, afterRoles.StatusCode); // signed out: must sign in again to get the new roles
        using var again = await AdminClient.SignedInAsync(web, "operator");
        Assert.Contains("受理员、流程分析员", await again.GetHtmlAsync("/admin"), StringComparison.Ordinal);

        using var reset = await admin.PostFormAsync("/admin/staff/operator", "/admin/staff/operator?handler=ResetPassword", [new("newPassword", GoodPassword)]);
        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        using var afterReset = await again.Http.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, afterReset.StatusCode);
        using var oldPassword = AdminClient.Anonymous(web);
        Assert.Equal(HttpStatusCode.OK, (await oldPassword.SignInAsync("operator", DemoStaff.Password)).StatusCode); // refused: page again
        using var withNew = await AdminClient.SignedInAsync(web, "operator", GoodPassword);

        using var disable = await admin.PostFormAsync("/admin/staff/operator", "/admin/staff/operator?handler=Disable", []);
        Assert.Equal(HttpStatusCode.Redirect, disable.StatusCode);
        using var afterDisable = await withNew.Http.GetAsync(new Uri("/admin", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, afterDisable.StatusCode);
        using var disabled = AdminClient.Anonymous(web);
        Assert.Contains("该账号已停用", await (await disabled.SignInAsync("operator", GoodPassword)).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var kinds = (await AuditAsync()).Where(e => e.Actor == "staff:admin").Select(e => e.Kind).ToList();
        Assert.Contains(AuditKinds.StaffRolesChanged, kinds);
        Assert.Contains(AuditKinds.StaffPasswordReset, kinds);
        Assert.Contains(AuditKinds.StaffDisabled, kinds);
    }

    [Fact]
    public async Task The_last_enabled_admin_can_neither_be_disabled_nor_lose_the_admin_role()
    {
        using var admin = await AdminClient.SignedInAsync(web, "admin");

        using var disable = await admin.PostFormAsync("/admin/staff/admin", "/admin/staff/admin?handler=Disable", []);
        using var roles = await admin.PostFormAsync("/admin/staff/admin", "/admin/staff/admin?handler=Roles", [new("roles", StaffRoles.Auditor)]);

        Assert.Contains("唯一启用的系统管理员账号，不能停用", await disable.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("不能移除其系统管理员角色", await roles.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var account = (await AccountsAsync()).Single(a => a.Username == "admin");
        Assert.False(account.IsDisabled);
        Assert.Equal([StaffRoles.Admin], account.Roles);
    }

    [Fact]
    public async Task An_unknown_account_is_a_404_page_not_an_error()
    {
        using var admin = await AdminClient.SignedInAsync(web, "admin");
        foreach (var url in new[] { "/admin/staff/nobody", "/admin/staff/%01x", "/admin/staff/" + new string('a', 300) })
        {
            using var response = await admin.Http.GetAsync(new Uri(url, UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("页面不存在", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_cli_adds_an_account_with_the_password_from_standard_input_and_refuses_bad_ones()
    {
        var cs = $"--Database:ConnectionString=Data Source={Path.Combine(web.Directory, "cli.db")};Pooling=False";
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, await OpsCli.RunAsync(["migrate", cs], output, error));

        var add = await OpsCli.RunAsync(["staff", "add", "wang.fang", "--role", "Operator", "--role", "审计员", "--display", "王芳", cs], output, error, new StringReader(GoodPassword + "\n"));
        var duplicate = await OpsCli.RunAsync(["staff", "add", "WANG.FANG", "--role", "Operator", cs], output, error, new StringReader(GoodPassword + "\n"));
        var unknownRole = await OpsCli.RunAsync(["staff", "add", "li.lei", "--role", "Root", cs], output, error, new StringReader(GoodPassword + "\n"));
        var weak = await OpsCli.RunAsync(["staff", "add", "li.lei", "--role", "Operator", cs], output, error, new StringReader("123456\n"));
        var noPassword = await OpsCli.RunAsync(["staff", "add", "li.lei", "--role", "Operator", cs], output, error, new StringReader(string.Empty));
        var noRole = await OpsCli.RunAsync(["staff", "add", "li.lei", cs], output, error, new StringReader(GoodPassword + "\n"));
        var list = await OpsCli.RunAsync(["staff", "list", cs], output, error);
        var disable = await OpsCli.RunAsync(["staff", "disable", "wang.fang", cs], output, error);
        var resetUnknown = await OpsCli.RunAsync(["staff", "reset-password", "nobody", cs], output, error, new StringReader(GoodPassword + "\n"));
        var nonsense = await OpsCli.RunAsync(["staff", "frobnicate", cs], output, error);

        Assert.Equal((0, 65, 64, 65, 65, 64, 0, 0, 1, 64), (add, duplicate, unknownRole, weak, noPassword, noRole, list, disable, resetUnknown, nonsense));
        Assert.Contains("wang.fang\t王芳\tOperator,Auditor\tactive", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("该用户名已存在。", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Unknown role 'Root'.", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("密码至少10位。", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage: staff add USERNAME --role ROLE", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(GoodPassword, output.ToString() + error.ToString(), StringComparison.Ordinal);

        var db = new Database(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(web.Directory, "cli.db")};Pooling=False" });
        var accounts = await db.ReadAsync(s => new StaffRepository(s).ListAsync());
        var wang = Assert.Single(accounts);
        Assert.True(wang.IsDisabled);
        Assert.DoesNotContain(GoodPassword, wang.PasswordHash, StringComparison.Ordinal);
        var events = await db.ReadAsync(s => new AuditLog(s).ListAsync());
        Assert.Contains(events, e => e.Kind == AuditKinds.StaffAccountCreated && e.Actor.StartsWith("cli:", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == AuditKinds.StaffDisabled && e.Actor.StartsWith("cli:", StringComparison.Ordinal));
    }

    private static Task<HttpResponseMessage> CreateAsync(AdminClient admin, string username, string displayName, IEnumerable<string> roles, string password) =>
        admin.PostFormAsync("/admin/staff", "/admin/staff", new List<KeyValuePair<string, string>> { new("Username", username), new("DisplayName", displayName), new("Password", password) }
            .Concat(roles.Select(r => new KeyValuePair<string, string>("Roles", r))));

    private Task<IReadOnlyList<StaffAccount>> AccountsAsync() =>
        web.Services.GetRequiredService<Database>().ReadAsync(s => new StaffRepository(s).ListAsync());

    private Task<IReadOnlyList<AuditEvent>> AuditAsync() =>
        web.Services.GetRequiredService<Database>().ReadAsync(s => new AuditLog(s).ListAsync());

    public void Dispose() => web.Dispose();
}
