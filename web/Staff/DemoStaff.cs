using ESeal.Db.Staff;

namespace ESeal.Web.Staff;

/// <summary>
/// One back-office account per role for the demo (Demo:Seed; Production refuses to start with it),
/// so a newcomer can sign in as each role at once. The password is printed by web/demo.sh.
/// </summary>
public static class DemoStaff
{
    public const string Password = "ESeal-Demo-2026";

    public static IReadOnlyList<(string Username, string DisplayName, string Role)> Accounts { get; } =
    [
        ("operator", "演示受理员", StaffRoles.Operator),
        ("analyst", "演示流程分析员", StaffRoles.Analyst),
        ("approver", "演示流程审批员", StaffRoles.Approver),
        ("auditor", "演示审计员", StaffRoles.Auditor),
        ("admin", "演示系统管理员", StaffRoles.Admin),
    ];

    /// <summary>Adds the accounts that are missing; leaves existing ones (and their passwords) alone.</summary>
    public static async Task<int> SeedAsync(StaffDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var added = 0;
        foreach (var (username, displayName, role) in Accounts)
        {
            if (await directory.FindAsync(username) is null && (await directory.CreateAsync(username, displayName, [role], Password, "demo-seed")).Succeeded)
            {
                added++;
            }
        }

        return added;
    }
}
