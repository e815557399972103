using ESeal.Web.Staff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Account;

/// <summary>Staff change their own password; the new stamp ends their other sessions, this one is re-issued.</summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class PasswordModel(StaffDirectory directory) : PageModel
{
    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    public bool Changed { get; private set; }

    // Properties, not handler arguments: MVC logs handler arguments at Trace level.
    [BindProperty]
    public string? CurrentPassword { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public string? ConfirmPassword { get; set; }

    public void OnGet(bool changed = false) => Changed = changed;

    public async Task<IActionResult> OnPostAsync()
    {
        var (currentPassword, newPassword, confirmPassword) = (CurrentPassword, NewPassword, ConfirmPassword);
        if (newPassword != confirmPassword)
        {
            Errors["ConfirmPassword"] = "两次输入的新密码不一致。";
            return Page();
        }

        var id = User.StaffId()!.Value;
        var result = await directory.ChangeOwnPasswordAsync(id, currentPassword, newPassword, HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            Errors[result.Field ?? "NewPassword"] = result.Message!;
            return Page();
        }

        var account = await directory.GetAsync(id, HttpContext.RequestAborted);
        await HttpContext.SignInAsync(StaffPrincipal.Scheme, StaffPrincipal.Create(account!));
        return RedirectToPage(new { changed = true });
    }
}
