using ESeal.Workflows.Proof;
using QRCoder;

namespace ESeal.Web.Infrastructure;

/// <summary>QR codes that take a phone to a page of this portal (face verification, mobile claim).</summary>
public sealed class PortalQrCodes(ProofOptions proof)
{
    public string FacePhoneUrl(string ticket) => Absolute($"/m/face/{Uri.EscapeDataString(ticket)}");

    public string ClaimPhoneUrl(Guid sealId) => Absolute($"/m/claim?sealId={sealId:D}");

    /// <summary>A PNG data URI (the CSP allows data: images; nothing is fetched from elsewhere).</summary>
    public static string DataUri(string url)
    {
        using var data = QRCodeGenerator.GenerateQrCode(url, QRCodeGenerator.ECCLevel.M);
        return "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(8));
    }

    // The public origin is the one the proofs are bound to: the portal as browsers reach it.
    private string Absolute(string path) => proof.PublicOrigin.TrimEnd('/') + path;
}
