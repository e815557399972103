using System.Security.Claims;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin;

/// <summary>The back office's home: one tile per feature the signed-in roles allow.</summary>
public sealed class IndexModel : PageModel
{
    public IReadOnlyList<string> Roles => User.Claims.Where(c => c.Type == ClaimTypes.Role).Select(c => c.Value).ToList();

    public void OnGet()
    {
    }
}

public static class AdminHome
{
    public static string Describe(AdminArea area) => area.Folder switch
    {
        "/Admin/Enterprises" => "按统一社会信用代码或名称查询企业、印章、介质和绑定记录",
        "/Admin/PinLocks" => "CA重置USBKEY后解除PIN码锁定",
        "/Admin/Outbox" => "查看待投递的业务消息并重试",
        "/Admin/Kiosks" => "将大厅终端的浏览器登记为自助终端，查看和注销终端",
        "/Admin/Audit" => "查询审计日志、校验审计链、导出CSV",
        "/Admin/Flows" => "修改流程步骤、文字、秒数和次数，预览、审核、发布和回滚",
        "/Admin/Staff" => "创建、停用员工账号，分配角色，重置密码",
        "/Admin/Jobs" => "查看和管理后台定时任务",
        _ => area.Title,
    };
}
