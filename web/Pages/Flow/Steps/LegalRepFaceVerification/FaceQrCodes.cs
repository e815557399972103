using ESeal.Workflows.Proof;
using QRCoder;

namespace ESeal.Web.Pages.Flow.Steps.LegalRepFaceVerification;

/// <summary>The QR code the legal representative scans: the phone page of a face-verification ticket on this portal.</summary>
public sealed class FaceQrCodes(ProofOptions proof)
{
    public string PhoneUrl(string ticket) => $"{proof.PublicOrigin.TrimEnd('/')}/m/face/{Uri.EscapeDataString(ticket)}";

    public string DataUri(string ticket)
    {
        using var data = QRCodeGenerator.GenerateQrCode(PhoneUrl(ticket), QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(8);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }
}
