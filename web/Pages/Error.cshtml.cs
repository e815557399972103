using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages;

/// <summary>The one error page: plain words, no stack trace, no server internals.</summary>
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed partial class ErrorModel : PageModel
{
    public string Title { get; private set; } = "服务暂时不可用";

    public string Message { get; private set; } = "请稍后重试；如果问题持续出现，请联系大厅工作人员。";

    /// <summary>The flow or mobile page the refused request came from: nothing there changed, so the user can go back to it.</summary>
    public string? BackUrl { get; private set; }

    /// <summary>A back-office address: the page is drawn in the back office's frame, with its way home.</summary>
    public bool IsAdmin { get; private set; }

    public void OnGet(int? code) => Describe(code);

    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        // The status being re-executed, not only ?code=: a POST whose form cannot be read (a %00 in a
        // value makes the form reader refuse it, and antiforgery answers 400) would otherwise bind no
        // code here either and tell the user the service is down.
        var status = Response.StatusCode >= 400 ? Response.StatusCode : code;
        var originalPath = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath;
        IsAdmin = originalPath?.StartsWith("/admin", StringComparison.OrdinalIgnoreCase) == true;
        if (status == 403 && IsAdmin)
        {
            Title = "没有权限";
            Message = "您的账号没有使用该功能的权限。如工作需要，请联系系统管理员分配相应角色。";
            return;
        }

        if (status == 404)
        {
            Title = "页面不存在";
            Message = "您访问的页面不存在或已失效，请从首页重新进入。";
        }
        else if (status == 400)
        {
            Title = "请求无法处理";
            Message = "提交的内容无法处理（页面可能已过期，或含有无法识别的字符），本次提交未生效，请返回办理页面重试。";
        }
        else if (status is >= 400 and < 500)
        {
            Title = "请求无法处理";
            Message = "页面可能已过期，请从首页重新进入。";
        }

        if (status is >= 400 and < 500 && originalPath is { } path && ReturnablePath().IsMatch(path))
        {
            BackUrl = path;
        }
    }

    [GeneratedRegex("^(/flow/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|/m/claim)$", RegexOptions.CultureInvariant)]
    private static partial Regex ReturnablePath();
}
