using System.Security.Claims;
using ESeal.Db.Domain;
using ESeal.Web.Kiosk;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Kiosks;

/// <summary>
/// Staff mark the browser they are using as a hall kiosk (SPEC §9), naming the hall and the kiosk.
/// The staff session ends on that browser in the same response: a kiosk is for the public, and
/// nobody after the staff member may inherit their sign-in.
/// </summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class EnrollModel(KioskIdentity kiosks) : PageModel
{
    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    [BindProperty]
    public string? Hall { get; set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? ReceiptPaper { get; set; }

    public Db.Kiosks.Kiosk? Current { get; private set; }

    public Db.Kiosks.Kiosk? Enrolled { get; private set; }

    public async Task OnGetAsync() => Current = await kiosks.CurrentAsync(HttpContext);

    public async Task<IActionResult> OnPostAsync()
    {
        var hall = Hall?.Trim();
        var name = Name?.Trim();
        if (FreeText.Validate(hall, "大厅名称", "请填写大厅名称。", 100) is { } hallProblem)
        {
            Errors["Hall"] = hallProblem;
        }

        if (FreeText.Validate(name, "终端编号", "请填写终端编号。", 50) is { } nameProblem)
        {
            Errors["Name"] = nameProblem;
        }

        if (ReceiptPaper is not ("A4" or "80mm"))
        {
            ReceiptPaper = "A4";
        }

        if (Errors.Count == 0)
        {
            Enrolled = await kiosks.EnrollAsync(HttpContext, hall!, name!, ReceiptPaper, User.StaffActor());
            if (Enrolled is null)
            {
                Errors["Name"] = "该大厅已有同名的在用终端，请换一个编号，或先在终端列表中注销原终端。";
            }
        }

        if (Errors.Count > 0)
        {
            Current = await kiosks.CurrentAsync(HttpContext);
            return Page();
        }

        await HttpContext.SignOutAsync(StaffPrincipal.Scheme);
        HttpContext.User = new ClaimsPrincipal(new ClaimsIdentity());
        return Page();
    }
}
