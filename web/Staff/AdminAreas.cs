using ESeal.Db.Staff;

namespace ESeal.Web.Staff;

/// <summary>One back-office feature: its page folder, its menu entry and the roles that may use it.</summary>
public sealed record AdminArea(string Folder, string Path, string Title, IReadOnlyList<string> Roles)
{
    /// <summary>The authorization policy that guards <see cref="Folder"/>.</summary>
    public string Policy => "area:" + Folder;
}

/// <summary>
/// The back office's features and who may use them (SPEC §7). Authorization is attached to the
/// page folders from this list (StaffRegistration), the menu is drawn from it, and a test walks
/// every page under /Admin, so a page outside these folders has no role policy and fails it.
/// </summary>
public static class AdminAreas
{
    /// <summary>Pages every signed-in staff member may open (home, own password, sign-out).</summary>
    public const string AnyStaffPolicy = "staff";

    public const string AccountFolder = "/Admin/Account";

    public static IReadOnlyList<AdminArea> All { get; } =
    [
        new("/Admin/Enterprises", "/admin/enterprises", "企业与印章查询", [StaffRoles.Operator]),
        new("/Admin/PinLocks", "/admin/pinlocks", "PIN锁定解除", [StaffRoles.Operator]),
        new("/Admin/Outbox", "/admin/outbox", "消息投递", [StaffRoles.Operator]),
        new("/Admin/Kiosks", "/admin/kiosks", "大厅终端", [StaffRoles.Operator, StaffRoles.Admin]),
        new("/Admin/Audit", "/admin/audit", "审计日志", [StaffRoles.Auditor]),
        new("/Admin/Flows", "/admin/flows", "流程管理", [StaffRoles.Analyst, StaffRoles.Approver]),
        new("/Admin/Staff", "/admin/staff", "员工账号", [StaffRoles.Admin]),
        new("/Admin/Jobs", "/admin/jobs", "后台任务", [StaffRoles.Admin]),
    ];

    public static IEnumerable<AdminArea> For(System.Security.Claims.ClaimsPrincipal user) =>
        All.Where(a => a.Roles.Any(user.IsInRole));
}
