using System.Text.Json.Nodes;

namespace ESeal.Workflows.Flowcharts;

/// <summary>The progress bar's stages in order and which stage each activity belongs to.</summary>
public sealed record FlowStageMap(IReadOnlyList<string> Stages, IReadOnlyDictionary<string, string> StageOf)
{
    public int IndexOf(string activityId) => StageOf.TryGetValue(activityId, out var s) ? Math.Max(0, Stages.ToList().IndexOf(s)) : 0;
}

/// <summary>
/// Stages are named by each activity's <c>stage</c> input; their order is the order in which the
/// main path (the Done ports from the start) first meets them, then stages met only off it.
/// </summary>
public static class FlowStages
{
    public static FlowStageMap Of(FlowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var stageOf = definition.Activities.ToDictionary(a => a.Id, a => a.Text(ActivityCatalog.StageInput), StringComparer.Ordinal);
        var stages = new List<string>();
        foreach (var id in MainPath(definition).Concat(definition.Activities.Select(a => a.Id)))
        {
            if (stageOf[id] is { Length: > 0 } s && !stages.Contains(s))
            {
                stages.Add(s);
            }
        }

        return new FlowStageMap(stages, stageOf);
    }

    private static IEnumerable<string> MainPath(FlowDefinition d)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var a = d.Start; a is not null && seen.Add(a.Id);)
        {
            yield return a.Id;
            var next = d.Next(a.Id, Ports.Done);
            a = next is null ? null : d.Activity(next.TargetActivity);
        }
    }

    private static readonly HashSet<string> LegacyOpeners =
    [
        ActivityCatalog.DetectKey, ActivityCatalog.ChooseCertificate, ActivityCatalog.HolderForm,
        ActivityCatalog.ChooseSeal, ActivityCatalog.LegalRepFaceVerification,
    ];

    private const string LegacyFinished = "完成";

    /// <summary>
    /// The stages the page used to derive from the titles (before stages were inputs): walking the
    /// Done path, a step that opens a stage names it by its title, a result is 完成, the others belong
    /// to the stage around them. Only for versions stored without <c>stage</c> inputs, on raw JSON
    /// that has not been validated yet (so nothing here may assume a sound graph).
    /// </summary>
    internal static Dictionary<string, string> Legacy(JsonArray activities, JsonArray? connections)
    {
        var nodes = activities.OfType<JsonObject>()
            .Select(a => (Id: Str(a["id"]), Type: Str(a["type"]), Title: Str(a["title"])))
            .Where(a => a.Id is not null).GroupBy(a => a.Id!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var edges = (connections ?? []).OfType<JsonObject>()
            .Select(c => (From: Str(c["source"]?["activity"]), Port: Str(c["source"]?["port"]), To: Str(c["target"]?["activity"])))
            .Where(c => c.From is not null && c.To is not null).ToList();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var start = nodes.Keys.FirstOrDefault(id => edges.All(e => e.To != id));
        var pending = new List<string>();
        string? stage = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var id = start; id is not null && nodes.ContainsKey(id) && seen.Add(id);)
        {
            var n = nodes[id];
            if (n.Type == ActivityCatalog.Result)
            {
                stage = LegacyFinished;
            }
            else if (LegacyOpeners.Contains(n.Type ?? string.Empty) && n.Title is { Length: > 0 } title)
            {
                stage = title;
            }

            if (stage is null)
            {
                pending.Add(id);
            }
            else
            {
                pending.ForEach(p => result[p] = stage);
                pending.Clear();
                result[id] = stage;
            }

            id = edges.FirstOrDefault(e => e.From == id && e.Port == Ports.Done).To;
        }

        foreach (var n in nodes.Values.Where(n => !result.ContainsKey(n.Id!)))
        {
            result[n.Id!] = n.Type == ActivityCatalog.Result ? LegacyFinished
                : LegacyOpeners.Contains(n.Type ?? string.Empty) && n.Title is { Length: > 0 } t ? t : result.Values.FirstOrDefault() ?? LegacyFinished;
        }

        return result;
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
