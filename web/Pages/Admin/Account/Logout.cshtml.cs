using ESeal.Db.Repositories;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Account;

/// <summary>Sign-out is a POST (a link or an image on another page cannot sign staff out); GET only says so.</summary>
[AllowAnonymous]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class LogoutModel(StaffDirectory directory) : PageModel
{
    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? Redirect("/admin") : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (User.Identity?.IsAuthenticated == true)
        {
            await directory.RecordAsync(AuditKinds.StaffSignedOut, User.StaffActor(), new { }, HttpContext.RequestAborted);
        }

        await HttpContext.SignOutAsync(StaffPrincipal.Scheme);
        return RedirectToPage();
    }
}
