using ESeal.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages;

/// <summary>The 长辈版 switch without script: sets or clears the session cookie and goes back where it was pressed.</summary>
public sealed class ElderModeModel : PageModel
{
    public IActionResult OnGet() => NotFound();

    public IActionResult OnPost(string? on, string? returnUrl)
    {
        ElderMode.Set(HttpContext, on == "1");
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl! : "/");
    }
}
