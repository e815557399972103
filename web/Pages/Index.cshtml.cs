using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages;

public sealed class IndexModel : PageModel
{
    public void OnGet()
    {
    }
}
