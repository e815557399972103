using ESeal.Workflows.Proof;
using QRCoder;

namespace ESeal.Web.Infrastructure;

/// <summary>QR codes that take a phone to a page of this portal (face verification, mobile claim, receipt check).</summary>
public sealed class PortalQrCodes(ProofOptions proof)
{
    public string FacePhoneUrl(string ticket) => Absolute($"/m/face/{Uri.EscapeDataString(ticket)}");

    public string ClaimPhoneUrl(Guid sealId) => Absolute($"/m/claim?sealId={sealId:D}");

    /// <summary>The public page that confirms a printed receipt is genuine (SPEC §9).</summary>
    public string ReceiptVerifyUrl(string code) => Absolute($"/r/{Uri.EscapeDataString(code)}");

    /// <summary>
    /// An SVG data URI: sharp at any print resolution, and as an image (not inline markup) the
    /// SVG's own attributes are not page styles the CSP would refuse.
    /// </summary>
    public static string SvgDataUri(string url)
    {
        using var data = QRCodeGenerator.GenerateQrCode(url, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(8, "#000000", "#ffffff", true, SvgQRCode.SizingMode.ViewBoxAttribute);
        return "data:image/svg+xml;base64," + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(svg));
    }

    /// <summary>A PNG data URI (the CSP allows data: images; nothing is fetched from elsewhere).</summary>
    public static string DataUri(string url)
    {
        using var data = QRCodeGenerator.GenerateQrCode(url, QRCodeGenerator.ECCLevel.M);
        return "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(8));
    }

    // The public origin is the one the proofs are bound to: the portal as browsers reach it.
    private string Absolute(string path) => proof.PublicOrigin.TrimEnd('/') + path;
}
