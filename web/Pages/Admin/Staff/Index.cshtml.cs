using ESeal.Db.Staff;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Staff;

/// <summary>系统管理员: the staff accounts, and a new one (StaffDirectory audits it).</summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class IndexModel(StaffDirectory directory, TimeProvider clock) : PageModel
{
    public IReadOnlyList<StaffAccount> Accounts { get; private set; } = [];

    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    public string? Notice { get; private set; }

    public DateTimeOffset Now => clock.GetUtcNow();

    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? DisplayName { get; set; }

    [BindProperty]
    public List<string> Roles { get; set; } = [];

    [BindProperty]
    public string? Password { get; set; }

    public static string StateOf(StaffAccount account, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.IsDisabled ? "已停用"
            : account.IsLockedOut(now) ? $"已锁定至 {account.LockedUntil!.Value.ToOffset(TimeSpan.FromHours(8)):HH:mm}"
            : account.PasswordHash is null ? "正常（统一身份认证）"
            : "正常";
    }

    public async Task OnGetAsync(string? created)
    {
        Notice = created is null ? null : $"已创建账号 {created}。";
        Accounts = await directory.ListAsync(HttpContext.RequestAborted);
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var result = await directory.CreateAsync(Username ?? string.Empty, DisplayName ?? string.Empty, Roles, Password, User.StaffActor(), HttpContext.RequestAborted);
        if (result.Succeeded)
        {
            return RedirectToPage(new { created = Username!.Trim() });
        }

        Errors[result.Field ?? "Username"] = result.Message!;
        Password = null; // never echoed back into the page
        Accounts = await directory.ListAsync(HttpContext.RequestAborted);
        return Page();
    }
}
