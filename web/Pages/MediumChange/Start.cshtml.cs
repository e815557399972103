using ESeal.Web.Infrastructure.Security;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.MediumChange;

/// <summary>
/// 介质变更 → 绑定USBKEY / 解绑USBKEY: starts a new flow instance for this browser and sends it to
/// the flow's page. A seal id (from the unbind result's "bind again") is only a preselection; the
/// flow still reads the enterprise from the certificate.
/// </summary>
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class StartModel(IFlowRuntime runtime, ESeal.Web.Kiosk.KioskIdentity kiosks) : PageModel
{
    private static readonly Dictionary<string, string> Flows = new(StringComparer.Ordinal)
    {
        ["bind"] = ShippedDefinitions.UsbKeyBind,
        ["unbind"] = ShippedDefinitions.UsbKeyUnbind,
    };

    /// <summary>Where "返回重试" starts the same flow again.</summary>
    public static string UrlFor(string definitionId) =>
        definitionId == ShippedDefinitions.MobileClaim ? "/m/claim"
        : Flows.FirstOrDefault(f => f.Value == definitionId).Key is { } action ? $"/medium-change/{action}" : "/";

    public async Task<IActionResult> OnGetAsync(string action, Guid? sealId, CancellationToken ct)
    {
        if (!Flows.TryGetValue(action, out var definitionId))
        {
            return NotFound();
        }

        // Kiosk (with which one) or Web: recorded on the binding, and kiosk behaviour on the pages.
        var initial = ESeal.Web.Kiosk.KioskIdentity.ChannelVariables(await kiosks.CurrentAsync(HttpContext));
        if (sealId is { } id)
        {
            initial["sealId"] = id.ToString("D");
        }

        var view = await runtime.StartAsync(definitionId, HttpContext.SessionId(), initial, ct);
        return Redirect(Url.Page("/Flow/Index", new { id = view.InstanceId })!);
    }
}
