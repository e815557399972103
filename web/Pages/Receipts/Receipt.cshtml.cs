using ESeal.Db.Receipts;
using ESeal.Web.Infrastructure;
using ESeal.Web.Kiosk;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Receipts;

/// <summary>
/// /r/{code}/print: the receipt itself, a print stylesheet on A4 or on 80 mm thermal paper. The
/// paper is the kiosk's setting (kiosks.receipt_paper, chosen at enrollment); other browsers print
/// A4; ?paper=A4|80mm overrides (a desk with a thermal printer, staff reprinting). The success
/// page prints it in a hidden frame, hence frame-ancestors 'self' here. It shows only what the
/// public check page shows, so it needs no session either.
/// </summary>
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class ReceiptModel(ReceiptLookup receipts, KioskIdentity kiosks, PortalQrCodes qr) : PageModel
{
    public const string A4 = "A4";
    public const string Thermal = "80mm";

    public Receipt? Receipt { get; private set; }

    /// <summary>"A4" or "80mm".</summary>
    public string Paper { get; private set; } = A4;

    public string VerifyUrl { get; private set; } = string.Empty;

    public string QrDataUri { get; private set; } = string.Empty;

    public async Task<IActionResult> OnGetAsync([FromRoute] string code, [FromQuery(Name = "paper")] string? paper)
    {
        Response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";
        Response.Headers.XFrameOptions = "SAMEORIGIN";
        Response.Headers["X-Robots-Tag"] = "noindex";

        Receipt = await receipts.FindAsync(code, HttpContext.RequestAborted);
        if (Receipt is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        Paper = paper switch
        {
            _ when string.Equals(paper, A4, StringComparison.OrdinalIgnoreCase) => A4,
            _ when string.Equals(paper, Thermal, StringComparison.OrdinalIgnoreCase) => Thermal,
            _ => (await kiosks.CurrentAsync(HttpContext))?.ReceiptPaper == Thermal ? Thermal : A4,
        };
        VerifyUrl = qr.ReceiptVerifyUrl(Receipt.Code);
        QrDataUri = PortalQrCodes.SvgDataUri(VerifyUrl);
        return Page();
    }
}
