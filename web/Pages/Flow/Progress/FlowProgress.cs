using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;

namespace ESeal.Web.Pages.Flow.Progress;

/// <summary>The visible stages of a flow (e.g. 插入USBKEY → 印章绑定确认 → 法定代表人身份验证 → 完成), which is current, and the bar's accessible name.</summary>
public sealed record FlowProgress(IReadOnlyList<string> Stages, int Current, string Label)
{
    /// <summary>
    /// The stages are named in the definition (each activity's <c>stage</c> input, see
    /// <see cref="FlowStages"/>): an analyst renames or regroups them without code.
    /// </summary>
    public static FlowProgress For(FlowView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var map = view.Stages ?? new FlowStageMap([], new Dictionary<string, string>());
        return new FlowProgress(map.Stages, map.IndexOf(view.ActivityId), DefinitionTexts.Get(view.Texts, "progressLabel"));
    }
}
