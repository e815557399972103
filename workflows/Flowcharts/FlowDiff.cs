using System.Globalization;
using System.Text.Json.Nodes;
using DiffPlex;
using DiffPlex.Chunkers;

namespace ESeal.Workflows.Flowcharts;

public enum SegmentKind
{
    Same,
    Deleted,
    Inserted,
}

/// <summary>A run of characters that both texts share, or that only the old (deleted) or the new (inserted) one has.</summary>
public sealed record TextSegment(SegmentKind Kind, string Text);

/// <summary>One input whose value differs; <see cref="Segments"/> for texts, character by character.</summary>
public sealed record FieldChange(string Name, string Label, string? Old, string? New, IReadOnlyList<TextSegment>? Segments);

public enum StepChangeKind
{
    Added,
    Removed,
    Changed,
    Moved,
}

/// <summary>What happened to one step: added, removed, moved in the order, its inputs changed (or moved and changed).</summary>
public sealed record StepChange(string ActivityId, string Type, string Label, StepChangeKind Kind, int? OldPosition, int? NewPosition, IReadOnlyList<FieldChange> Fields)
{
    public bool Moved => OldPosition is not null && NewPosition is not null;
}

/// <summary>A connection that only one side has ("reading —Done→ detectKey").</summary>
public sealed record ConnectionChange(bool Added, FlowConnection Connection)
{
    public string Text => $"{Connection.SourceActivity} —{Connection.SourcePort}→ {Connection.TargetActivity}";
}

/// <summary>
/// The difference between two versions of a definition (SPEC §8): by step (matched by activity
/// id) and input, texts down to the character (DiffPlex), steps added, removed or moved in the
/// order, connections added or removed.
/// </summary>
public sealed record FlowDifference(IReadOnlyList<StepChange> Steps, IReadOnlyList<ConnectionChange> Connections, bool NameChanged)
{
    public bool IsEmpty => Steps.Count == 0 && Connections.Count == 0 && !NameChanged;

    /// <summary>Short lines for the audit trail: what changed, with old → new for numbers and choices.</summary>
    public IReadOnlyList<string> Summary(int max = 40)
    {
        var lines = new List<string>();
        if (NameChanged)
        {
            lines.Add("流程名称已修改");
        }

        foreach (var s in Steps)
        {
            switch (s.Kind)
            {
                case StepChangeKind.Added:
                    lines.Add($"新增步骤 {s.ActivityId}（{s.Label}）");
                    break;
                case StepChangeKind.Removed:
                    lines.Add($"删除步骤 {s.ActivityId}（{s.Label}）");
                    break;
                default:
                    if (s.Moved)
                    {
                        lines.Add($"步骤 {s.ActivityId} 从第{s.OldPosition}步移到第{s.NewPosition}步");
                    }

                    foreach (var f in s.Fields)
                    {
                        lines.Add(f.Segments is null
                            ? $"{s.ActivityId}.{f.Name}（{f.Label}）：{f.Old ?? "无"} → {f.New ?? "无"}"
                            : $"{s.ActivityId}.{f.Name}（{f.Label}）：文字已修改（删除{f.Segments.Where(g => g.Kind == SegmentKind.Deleted).Sum(g => g.Text.Length)}字，新增{f.Segments.Where(g => g.Kind == SegmentKind.Inserted).Sum(g => g.Text.Length)}字）");
                    }

                    break;
            }
        }

        lines.AddRange(Connections.Select(c => (c.Added ? "新增连线 " : "删除连线 ") + c.Text));
        return lines.Count <= max ? lines : [.. lines.Take(max), $"……另有{lines.Count - max}处修改"];
    }
}

public static class FlowDiff
{
    public static FlowDifference Compare(FlowDefinition older, FlowDefinition newer)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        var oldOrder = Order(older);
        var newOrder = Order(newer);
        var moved = Moved(oldOrder, newOrder);
        var steps = new List<StepChange>();
        foreach (var a in newer.Activities)
        {
            var spec = ActivityCatalog.Find(a.Type);
            var label = spec?.Label ?? a.Type;
            var before = older.Activity(a.Id);
            if (before is null || before.Type != a.Type)
            {
                if (before is not null)
                {
                    steps.Add(new StepChange(a.Id, before.Type, ActivityCatalog.Find(before.Type)?.Label ?? before.Type, StepChangeKind.Removed, oldOrder.GetValueOrDefault(a.Id), null, []));
                }

                steps.Add(new StepChange(a.Id, a.Type, label, StepChangeKind.Added, null, newOrder.GetValueOrDefault(a.Id), []));
                continue;
            }

            var fields = Fields(spec, before.Inputs, a.Inputs);
            int? oldPos = oldOrder.TryGetValue(a.Id, out var o) ? o : null;
            int? newPos = newOrder.TryGetValue(a.Id, out var n) ? n : null;
            var wasMoved = moved.Contains(a.Id);
            if (fields.Count > 0 || wasMoved)
            {
                steps.Add(new StepChange(a.Id, a.Type, label, fields.Count > 0 ? StepChangeKind.Changed : StepChangeKind.Moved, wasMoved ? oldPos : null, wasMoved ? newPos : null, fields));
            }
        }

        foreach (var a in older.Activities.Where(a => newer.Activity(a.Id) is null))
        {
            steps.Add(new StepChange(a.Id, a.Type, ActivityCatalog.Find(a.Type)?.Label ?? a.Type, StepChangeKind.Removed, oldOrder.GetValueOrDefault(a.Id), null, []));
        }

        // The texts no step owns (DefinitionTexts) appear as one pseudo step, so a changed refusal or
        // key-helper text is saved, audited and shown in the diff like any step's text.
        var texts = DefinitionTexts.All
            .Where(t => older.Texts.GetValueOrDefault(t.Name) != newer.Texts.GetValueOrDefault(t.Name))
            .Select(t =>
            {
                var (o, n) = (older.Texts.GetValueOrDefault(t.Name) ?? string.Empty, newer.Texts.GetValueOrDefault(t.Name) ?? string.Empty);
                return new FieldChange(t.Name, t.Label, o, n, Characters(o, n));
            })
            .ToList();
        if (texts.Count > 0)
        {
            steps.Add(new StepChange(DefinitionTexts.Property, DefinitionTexts.Property, "全流程文字", StepChangeKind.Changed, null, null, texts));
        }

        var oldConnections = older.Connections.Select(Key).ToHashSet();
        var newConnections = newer.Connections.Select(Key).ToHashSet();
        var connections = older.Connections.Where(c => !newConnections.Contains(Key(c))).Select(c => new ConnectionChange(false, c))
            .Concat(newer.Connections.Where(c => !oldConnections.Contains(Key(c))).Select(c => new ConnectionChange(true, c)))
            .ToList();
        return new FlowDifference(steps, connections, older.Name != newer.Name);
    }

    /// <summary>Character-level segments of two texts (DiffPlex), in reading order.</summary>
    public static IReadOnlyList<TextSegment> Characters(string older, string newer)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        var result = Differ.Instance.CreateDiffs(older, newer, ignoreWhiteSpace: false, ignoreCase: false, CharacterChunker.Instance);
        var segments = new List<TextSegment>();
        var a = 0;
        foreach (var block in result.DiffBlocks)
        {
            Add(SegmentKind.Same, older[a..block.DeleteStartA]);
            Add(SegmentKind.Deleted, older.Substring(block.DeleteStartA, block.DeleteCountA));
            Add(SegmentKind.Inserted, newer.Substring(block.InsertStartB, block.InsertCountB));
            a = block.DeleteStartA + block.DeleteCountA;
        }

        Add(SegmentKind.Same, older[a..]);
        return segments;

        void Add(SegmentKind kind, string text)
        {
            if (text.Length > 0)
            {
                segments.Add(new TextSegment(kind, text));
            }
        }
    }

    /// <summary>
    /// The steps in the order a user meets them: from the start along each step's first port
    /// (Done), then any step not on that path in the definition's order. Positions count from 1.
    /// </summary>
    public static Dictionary<string, int> Order(FlowDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return Ordered(d).Select((a, i) => (a.Id, i + 1)).ToDictionary(x => x.Id, x => x.Item2, StringComparer.Ordinal);
    }

    public static IReadOnlyList<FlowActivity> Ordered(FlowDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var list = new List<FlowActivity>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var starts = d.Activities.Where(a => d.Connections.All(c => c.TargetActivity != a.Id)).ToList();
        var at = starts.Count > 0 ? starts[0] : d.Activities.FirstOrDefault();
        while (at is not null && seen.Add(at.Id))
        {
            list.Add(at);
            var next = d.Next(at.Id, Ports.Done)?.TargetActivity;
            at = next is null ? null : d.Activity(next);
        }

        // Side branches (failure results, ...) follow, each after the step that leads to it.
        foreach (var a in d.Activities.Where(a => !seen.Contains(a.Id)))
        {
            list.Add(a);
        }

        return list;
    }

    /// <summary>
    /// Steps that changed their place relative to the others: the common steps outside a longest
    /// common subsequence of the two orders (inserting a step does not make every later step "moved").
    /// </summary>
    private static HashSet<string> Moved(Dictionary<string, int> oldOrder, Dictionary<string, int> newOrder)
    {
        var a = oldOrder.Keys.Where(newOrder.ContainsKey).OrderBy(k => oldOrder[k]).ToList();
        var b = a.OrderBy(k => newOrder[k]).ToList();
        var lcs = new int[a.Count + 1, b.Count + 1];
        for (var i = a.Count - 1; i >= 0; i--)
        {
            for (var j = b.Count - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var kept = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0, j = 0; i < a.Count && j < b.Count;)
        {
            if (a[i] == b[j])
            {
                kept.Add(a[i]);
                i++;
                j++;
            }
            else if (lcs[i + 1, j] >= lcs[i, j + 1])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return a.Where(k => !kept.Contains(k)).ToHashSet(StringComparer.Ordinal);
    }

    private static (string, string, string) Key(FlowConnection c) => (c.SourceActivity, c.SourcePort, c.TargetActivity);

    private static List<FieldChange> Fields(ActivitySpec? spec, JsonObject older, JsonObject newer)
    {
        var names = (spec?.Inputs.Select(i => i.Name) ?? []).Concat(older.Select(p => p.Key)).Concat(newer.Select(p => p.Key)).Distinct(StringComparer.Ordinal);
        var changes = new List<FieldChange>();
        foreach (var name in names)
        {
            var o = older[name];
            var n = newer[name];
            if (JsonNode.DeepEquals(o, n))
            {
                continue;
            }

            var input = spec?.Input(name);
            var label = input?.Label ?? name;
            if (input?.Kind == InputKind.Text || o is JsonValue ov && ov.TryGetValue<string>(out _) && (n is null || n is JsonValue nv && nv.TryGetValue<string>(out _)))
            {
                var os = Scalar(o) ?? string.Empty;
                var ns = Scalar(n) ?? string.Empty;
                changes.Add(new FieldChange(name, label, os, ns, Characters(os, ns)));
            }
            else
            {
                changes.Add(new FieldChange(name, label, Scalar(o), Scalar(n), null));
            }
        }

        return changes;
    }

    private static string? Scalar(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "是" : "否",
        JsonValue v when v.TryGetValue<int>(out var i) => i.ToString(CultureInfo.InvariantCulture),
        _ => node.ToJsonString(),
    };
}
