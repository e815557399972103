using System.Security.Cryptography;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Web.Infrastructure.Security;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Mobile;

/// <summary>
/// 手机端直接领取印章: the legal representative's phone starts the mobile-claim flow. The enterprise
/// comes from the seal in the QR code, or from the credit code typed here; the phone is the medium
/// (a random device id in a long-lived cookie). Face verification of the legal representative is
/// what authorises the claim, inside the flow.
/// </summary>
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class ClaimModel(IFlowRuntime runtime, Database database) : PageModel
{
    public const string DeviceCookie = "eseal.device";

    [BindProperty]
    public string? CreditCode { get; set; }

    public string? CreditCodeError { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid? sealId, CancellationToken ct)
    {
        if (sealId is null)
        {
            return Page();
        }

        var seal = await database.ReadAsync(s => new SealRepository(s).GetAsync(sealId.Value, ct), ct);
        if (seal is null)
        {
            CreditCodeError = "二维码中的印章不存在，请输入企业统一社会信用代码。";
            return Page();
        }

        return await StartAsync(seal.EnterpriseId, seal.Id, ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        CreditCodeError = ESeal.Db.Domain.CreditCode.Validate(CreditCode);
        if (CreditCodeError is not null)
        {
            return Page();
        }

        var code = CreditCode!.Trim().ToUpperInvariant();
        var enterprise = await database.ReadAsync(s => new EnterpriseRepository(s).FindByCreditCodeAsync(code, ct), ct);
        if (enterprise is null)
        {
            CreditCodeError = "未找到该统一社会信用代码对应的企业电子印章，请核对后重新输入。";
            return Page();
        }

        return await StartAsync(enterprise.Id, null, ct);
    }

    private async Task<IActionResult> StartAsync(Guid enterpriseId, Guid? sealId, CancellationToken ct)
    {
        var initial = new Dictionary<string, string>
        {
            ["enterpriseId"] = enterpriseId.ToString("D"),
            ["deviceId"] = DeviceId(),
            ["channel"] = "Mobile",
        };
        if (sealId is { } id)
        {
            initial["sealId"] = id.ToString("D");
        }

        var view = await runtime.StartAsync(ShippedDefinitions.MobileClaim, HttpContext.SessionId(), initial, ct);
        return Redirect(Url.Page("/Flow/Index", new { id = view.InstanceId })!);
    }

    private string DeviceId()
    {
        var id = Request.Cookies[DeviceCookie];
        if (id is { Length: 32 } && id.All(char.IsAsciiHexDigit))
        {
            return id;
        }

        id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Response.Cookies.Append(DeviceCookie, id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = Request.IsHttps,
            IsEssential = true,
            MaxAge = TimeSpan.FromDays(3650),
        });
        return id;
    }
}
