using System.Collections.Concurrent;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;

namespace ESeal.Web.Pages.Flow.Progress;

/// <summary>The visible steps of a flow (e.g. 插入USBKEY → 印章绑定确认 → 法定代表人身份验证 → 完成) and which is current.</summary>
public sealed record FlowProgress(IReadOnlyList<string> Stages, int Current);

/// <summary>
/// Reads the stages from the definition itself: walking the main path from the start, each
/// activity that opens a stage contributes its title; a result is "完成". An analyst who reorders
/// or renames steps changes the indicator without code. Published versions never change, so the
/// answer is cached per definition version.
/// </summary>
public sealed class FlowProgressReader(FlowDefinitionStore store)
{
    public const string Finished = "完成";

    private static readonly HashSet<string> StageOpeners =
    [
        ActivityCatalog.DetectKey, ActivityCatalog.ChooseCertificate, ActivityCatalog.HolderForm,
        ActivityCatalog.ChooseSeal, ActivityCatalog.LegalRepFaceVerification,
    ];

    private readonly ConcurrentDictionary<(string, int), IReadOnlyDictionary<string, string>> cache = new();

    public async Task<FlowProgress> ForAsync(FlowView view, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(view);
        var key = (view.DefinitionId, view.DefinitionVersion);
        if (!cache.TryGetValue(key, out var stageOf))
        {
            var definition = await store.GetPublishedAsync(view.DefinitionId, view.DefinitionVersion, ct);
            stageOf = definition is null ? new Dictionary<string, string>() : StagesOf(definition);
            cache.TryAdd(key, stageOf);
        }

        var stages = stageOf.Values.Distinct().ToList();
        var current = stageOf.TryGetValue(view.ActivityId, out var s) ? stages.IndexOf(s) : 0;
        return new FlowProgress(stages, Math.Max(0, current));
    }

    /// <summary>Activity id → stage title, in main-path order (the "Done" ports, then any other port).</summary>
    internal static IReadOnlyDictionary<string, string> StagesOf(FlowDefinition definition)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new List<string>();
        string? stage = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var activity = definition.Start;
        while (activity is not null && seen.Add(activity.Id))
        {
            if (activity.Type == ActivityCatalog.Result)
            {
                stage = Finished;
            }
            else if (StageOpeners.Contains(activity.Type) && activity.Text("title") is { Length: > 0 } title)
            {
                stage = title;
            }

            if (stage is null)
            {
                pending.Add(activity.Id); // e.g. the reading notice: it belongs to the first stage
            }
            else
            {
                foreach (var id in pending)
                {
                    result[id] = stage;
                }

                pending.Clear();
                result[activity.Id] = stage;
            }

            var next = definition.Next(activity.Id, Ports.Done);
            activity = next is null ? null : definition.Activity(next.TargetActivity);
        }

        // Activities off the main path (a failure result, a retry branch) keep their own stage.
        foreach (var a in definition.Activities.Where(a => !result.ContainsKey(a.Id)))
        {
            result[a.Id] = a.Type == ActivityCatalog.Result ? Finished
                : StageOpeners.Contains(a.Type) ? a.Text("title") : result.Values.FirstOrDefault() ?? Finished;
        }

        return result;
    }
}
