using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Seals;

/// <summary>
/// A seal's impression picture, by URL rather than inline in every seal list, so an htmx swap of
/// the seal choice stays small and the browser caches the pictures. Pages show it through img,
/// where an SVG cannot run script; opened directly, the sandbox CSP keeps it inert as well.
/// </summary>
public sealed class ImpressionModel(Database database) : PageModel
{
    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var seal = await database.ReadAsync(s => new SealRepository(s).GetAsync(id, ct), ct);
        if (seal?.ImpressionSvg is not { } svg)
        {
            return NotFound();
        }

        Response.Headers.CacheControl = "private, max-age=3600";
        Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
        return Content(svg, "image/svg+xml; charset=utf-8");
    }
}
