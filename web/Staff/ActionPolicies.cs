using ESeal.Db.Staff;

namespace ESeal.Web.Staff;

/// <summary>
/// Policies for pages that only some roles of their area may use, put on the page model with
/// [Authorize(Policy = …)] (Razor Pages ignore authorization on handler methods, so an action
/// of one role lives on a page of its own).
/// </summary>
public static class ActionPolicies
{
    /// <summary>流程分析员: create, edit, submit and discard flow drafts.</summary>
    public const string FlowsEdit = "flows:edit";

    /// <summary>流程审批员: approve or reject, publish, schedule, roll back.</summary>
    public const string FlowsApprove = "flows:approve";

    public static IReadOnlyList<(string Policy, IReadOnlyList<string> Roles)> All { get; } =
    [
        (FlowsEdit, [StaffRoles.Analyst]),
        (FlowsApprove, [StaffRoles.Approver]),
    ];
}
