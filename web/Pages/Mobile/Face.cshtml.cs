using ESeal.Workflows.Face;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Mobile;

/// <summary>
/// The legal representative's phone page for a face-verification ticket. With the built-in
/// simulator it offers pass / fail, clearly marked as a simulation; a real provider brings its
/// own phone app, so without the simulator this page does not exist.
/// </summary>
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class FaceModel(IFaceVerificationProvider provider, ESeal.Db.Infrastructure.Database database) : PageModel
{
    public FaceTicket? Ticket { get; private set; }

    /// <summary>What the legal representative is asked to approve: the business and the seal.</summary>
    public string? Business { get; private set; }

    public string? SealText { get; private set; }

    public string? Outcome { get; private set; }

    /// <summary>Opened from the flow on this same phone (mobile claim): offer the way back to it.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Back { get; set; }

    public async Task<IActionResult> OnGetAsync(string? ticket, CancellationToken ct)
    {
        if (!provider.IsSimulated)
        {
            return NotFound();
        }

        if (!LooksLikeTicket(ticket))
        {
            return Invalid();
        }

        Ticket = await provider.GetAsync(ticket, ct);
        await DescribeAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? ticket, string? decision, CancellationToken ct)
    {
        if (!provider.IsSimulated)
        {
            return NotFound();
        }

        if (!LooksLikeTicket(ticket))
        {
            return Invalid();
        }

        Ticket = await provider.GetAsync(ticket, ct);
        if (Ticket is null || decision is not ("pass" or "fail"))
        {
            Outcome = "该验证请求无效，请在电脑页面重新生成二维码。";
            return Page();
        }

        var accepted = await provider.CompleteAsync(ticket, decision == "pass", ct);
        Outcome = !accepted ? "该二维码已使用或已过期，请在电脑页面重新扫码。"
            : decision == "pass" ? "身份验证已通过，请回到电脑页面继续办理。" : "已提交“验证不通过”，请回到电脑页面。";
        Ticket = await provider.GetAsync(ticket, ct);
        await DescribeAsync(ct);
        return Page();
    }

    /// <summary>
    /// A ticket is 43 base64url characters; anything else (blank, 10 KB, control characters — the route
    /// binder turns a blank segment into null) is answered here, never handed to the provider.
    /// </summary>
    private static bool LooksLikeTicket([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? ticket) =>
        ticket is { Length: > 0 and <= 128 } && ticket.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The same "invalid or expired" page the phone shows for an unknown ticket, as a 404.</summary>
    private PageResult Invalid()
    {
        Ticket = null;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    private async Task DescribeAsync(CancellationToken ct)
    {
        if (Ticket is null)
        {
            return;
        }

        var flow = await database.ReadAsync(s => new ESeal.Db.Flows.FlowInstanceRepository(s).GetAsync(Ticket.InstanceId, ct), ct);
        if (flow is null)
        {
            return;
        }

        Business = flow.DefinitionId switch
        {
            "usbkey-bind" => "将电子印章绑定到USBKEY",
            "usbkey-unbind" => "解除电子印章与USBKEY的绑定",
            "mobile-claim" => "在手机端领取电子印章",
            _ => null,
        };
        using var variables = System.Text.Json.JsonDocument.Parse(flow.Variables);
        string? Text(string key) => variables.RootElement.TryGetProperty(key, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
        SealText = Text("sealType") is { } type ? $"{type}（{Text("sealName")}）" : null;
    }
}
