using ESeal.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Mobile;

/// <summary>On the kiosk after an unbind: the QR code that takes the legal representative's phone to the claim.</summary>
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class ClaimQrModel(PortalQrCodes qrCodes) : PageModel
{
    public string PhoneUrl { get; private set; } = string.Empty;

    public string QrDataUri { get; private set; } = string.Empty;

    public IActionResult OnGet(Guid? sealId)
    {
        if (sealId is null)
        {
            return Redirect("/m/claim");
        }

        PhoneUrl = qrCodes.ClaimPhoneUrl(sealId.Value);
        QrDataUri = PortalQrCodes.DataUri(PhoneUrl);
        return Page();
    }
}
