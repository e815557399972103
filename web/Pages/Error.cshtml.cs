using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages;

/// <summary>The one error page: plain words, no stack trace, no server internals.</summary>
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "服务暂时不可用";

    public string Message { get; private set; } = "请稍后重试；如果问题持续出现，请联系大厅工作人员。";

    public void OnGet(int? code) => Describe(code);

    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        if (code == 404)
        {
            Title = "页面不存在";
            Message = "您访问的页面不存在或已失效，请从首页重新进入。";
        }
        else if (code is >= 400 and < 500)
        {
            Title = "请求无法处理";
            Message = "页面可能已过期，请从首页重新进入。";
        }
    }
}
