using ESeal.Web.Staff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Account;

/// <summary>Staff sign-in (SPEC §7): 用户名, 密码, 登录; a few wrong passwords lock the account for a while.</summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class LoginModel(StaffDirectory directory, StaffOptions options, ILogger<LoginModel> logger) : PageModel
{
    private readonly Dictionary<string, string> fieldErrors = new(StringComparer.Ordinal);

    // Bound as properties, not handler arguments: MVC logs handler arguments at Trace level, and a
    // password must not reach any log at any level.
    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? ReturnUrl { get; private set; }

    public string? Error { get; private set; }

    public string? SingleSignOn => options.Oidc.Enabled ? options.Oidc.DisplayName : null;

    public string? FieldError(string field) => fieldErrors.GetValueOrDefault(field);

    public IActionResult OnGet(string? returnUrl)
    {
        ReturnUrl = SafeReturnUrl(returnUrl);
        return User.Identity?.IsAuthenticated == true ? LocalRedirect(ReturnUrl) : Page();
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl)
    {
        var (username, password) = (Username, Password);
        Password = null;
        Username = username?.Trim();
        ReturnUrl = SafeReturnUrl(returnUrl);
        if (string.IsNullOrWhiteSpace(username))
        {
            fieldErrors["Username"] = "请输入用户名。";
        }

        if (string.IsNullOrEmpty(password))
        {
            fieldErrors["Password"] = "请输入密码。";
        }

        if (fieldErrors.Count > 0)
        {
            Error = "请填写用户名和密码。";
            return Page();
        }

        var result = await directory.SignInAsync(username!, password!, HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        switch (result.Outcome)
        {
            case SignInOutcome.Succeeded:
                await HttpContext.SignInAsync(StaffPrincipal.Scheme, StaffPrincipal.Create(result.Account!), new AuthenticationProperties { IsPersistent = false });
                return LocalRedirect(ReturnUrl);
            case SignInOutcome.LockedOut:
                var until = result.LockedUntil!.Value.ToOffset(TimeSpan.FromHours(8));
                Error = $"密码连续输错{options.MaxFailedSignIns}次，账号已锁定，请于{until:HH:mm}（北京时间）后再试，或联系系统管理员。";
                break;
            case SignInOutcome.Disabled:
                Error = "该账号已停用，请联系系统管理员。";
                break;
            default:
                Error = "用户名或密码不正确。";
                fieldErrors["Password"] = "用户名或密码不正确，请重新输入密码。";
                break;
        }

        return Page();
    }

    /// <summary>GET: starting the round trip changes nothing here, and the provider's state and PKCE bind its answer to this browser.</summary>
    public async Task<IActionResult> OnGetSsoAsync(string? returnUrl)
    {
        if (!options.Oidc.Enabled)
        {
            return NotFound();
        }

        ReturnUrl = SafeReturnUrl(returnUrl);
        try
        {
            // Run the challenge here rather than returning a ChallengeResult: the handler reads the
            // provider's metadata first, and an unreachable provider must be a message, not a 500.
            await HttpContext.ChallengeAsync(StaffOidc.Scheme, new AuthenticationProperties { RedirectUri = ReturnUrl });
            return new EmptyResult();
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or TaskCanceledException)
        {
            logger.LogWarning(e, "Single sign-on provider unreachable");
            Error = "统一身份认证服务暂时无法访问，请稍后重试，或使用本地账号登录。";
            return Page();
        }
    }

    /// <summary>Only paths inside the back office: a sign-in link cannot send staff elsewhere.</summary>
    private string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) && returnUrl.StartsWith("/admin", StringComparison.OrdinalIgnoreCase) && !returnUrl.StartsWith("/admin/login", StringComparison.OrdinalIgnoreCase)
            ? returnUrl
            : "/admin";
}
