using ESeal.Db.Infrastructure;
using ESeal.Db.Kiosks;
using ESeal.Web.Kiosk;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Kiosks;

/// <summary>受理员 / 系统管理员: the hall kiosks, and revoking one (its cookie then counts for nothing).</summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class IndexModel(Database database, KioskIdentity kiosks) : PageModel
{
    public IReadOnlyList<Db.Kiosks.Kiosk> Kiosks { get; private set; } = [];

    public string? Notice { get; private set; }

    public async Task OnGetAsync() => Kiosks = await ListAsync();

    public async Task<IActionResult> OnPostRevokeAsync(string? id)
    {
        Notice = Guid.TryParse(id, out var kioskId) && await kiosks.RevokeAsync(kioskId, User.StaffActor(), HttpContext.RequestAborted)
            ? "终端已注销：该浏览器此后按普通网页办理记录。"
            : "该终端不存在或已注销，未做任何更改。";
        Kiosks = await ListAsync();
        return Page();
    }

    private Task<IReadOnlyList<Db.Kiosks.Kiosk>> ListAsync() =>
        database.ReadAsync(s => new KioskRepository(s).ListAsync(HttpContext.RequestAborted), HttpContext.RequestAborted);
}
