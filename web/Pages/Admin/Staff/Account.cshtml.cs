using ESeal.Db.Staff;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Staff;

/// <summary>系统管理员: one account's roles, password reset, disabling. Each change ends the account's sessions (new security stamp).</summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class AccountModel(StaffDirectory directory, TimeProvider clock) : PageModel
{
    public StaffAccount Account { get; private set; } = null!;

    public IReadOnlyCollection<string> SelectedRoles { get; private set; } = [];

    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    public string? Notice { get; private set; }

    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task<IActionResult> OnGetAsync(string username, string? done) =>
        await LoadAsync(username) ? Show(done) : NotFound();

    public Task<IActionResult> OnPostRolesAsync(string username, List<string>? roles) =>
        ChangeAsync(username, "roles", a => directory.SetRolesAsync(a.Id, roles ?? [], User.StaffActor(), HttpContext.RequestAborted), roles);

    // A property, not a handler argument: MVC logs handler arguments at Trace level.
    [BindProperty]
    public string? NewPassword { get; set; }

    public Task<IActionResult> OnPostResetPasswordAsync(string username) =>
        ChangeAsync(username, "password", a => directory.ResetPasswordAsync(a.Id, NewPassword, User.StaffActor(), HttpContext.RequestAborted));

    public Task<IActionResult> OnPostDisableAsync(string username) =>
        ChangeAsync(username, "disabled", a => directory.SetDisabledAsync(a.Id, true, User.StaffActor(), HttpContext.RequestAborted));

    public Task<IActionResult> OnPostEnableAsync(string username) =>
        ChangeAsync(username, "enabled", a => directory.SetDisabledAsync(a.Id, false, User.StaffActor(), HttpContext.RequestAborted));

    private async Task<IActionResult> ChangeAsync(string username, string done, Func<StaffAccount, Task<StaffChangeResult>> change, IReadOnlyCollection<string>? postedRoles = null)
    {
        if (!await LoadAsync(username))
        {
            return NotFound();
        }

        var result = await change(Account);
        if (result.Succeeded)
        {
            return RedirectToPage(new { username = Account.Username, done });
        }

        Errors[result.Field ?? "Roles"] = result.Message!;
        SelectedRoles = postedRoles ?? Account.Roles;
        return Page();
    }

    private async Task<bool> LoadAsync(string username)
    {
        var account = username.Length <= 64 && !username.Any(char.IsControl) ? await directory.FindAsync(username, HttpContext.RequestAborted) : null;
        if (account is null)
        {
            return false;
        }

        Account = account;
        SelectedRoles = account.Roles;
        return true;
    }

    private PageResult Show(string? done)
    {
        Notice = done switch
        {
            "roles" => "角色已保存；该账号需重新登录。",
            "password" => "密码已重置；该账号需用新密码重新登录。",
            "disabled" => "账号已停用。",
            "enabled" => "账号已启用。",
            _ => null,
        };
        return Page();
    }
}
