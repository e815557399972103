using ESeal.Db.Receipts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Receipts;

/// <summary>
/// /r/{code}: the public page a receipt's QR code opens (SPEC §9). No session, no sign-in: it
/// states whether the portal issued that receipt, with the same facts the receipt shows (masked).
/// An unknown, forged or malformed code is answered 404 with a page that says so. /r alone offers a
/// field to type the code from paper.
/// </summary>
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class VerifyModel(ReceiptLookup receipts) : PageModel
{
    public Receipt? Receipt { get; private set; }

    /// <summary>True when a code was asked for (path or field) and no receipt has it.</summary>
    public bool Unknown { get; private set; }

    public string? Typed { get; private set; }

    public string? TypedError { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromRoute] string? code, [FromQuery(Name = "number")] string? typed)
    {
        Response.Headers["X-Robots-Tag"] = "noindex";
        if (string.IsNullOrEmpty(code))
        {
            if (typed is null)
            {
                return Page();
            }

            if (ReceiptCode.Normalize(typed) is { } normalized)
            {
                return Redirect($"/r/{normalized}");
            }

            Typed = typed.Length > 64 ? typed[..64] : typed;
            TypedError = ReceiptTexts.CodeInvalidText;
            return Page();
        }

        Receipt = await receipts.FindAsync(code, HttpContext.RequestAborted);
        if (Receipt is null)
        {
            Unknown = true;
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        return Page();
    }
}
