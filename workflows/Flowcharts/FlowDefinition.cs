using System.Text.Json;
using System.Text.Json.Nodes;

namespace ESeal.Workflows.Flowcharts;

/// <summary>A connection from an activity's outcome port to the next activity (Elsa 3 shape).</summary>
public sealed record FlowConnection(string SourceActivity, string SourcePort, string TargetActivity, string? TargetPort);

/// <summary>One activity of the Flowchart; <see cref="Inputs"/> holds its typed inputs with defaults applied.</summary>
public sealed record FlowActivity(string Id, string Type, JsonObject Inputs)
{
    public string Text(string name) => Inputs[name]?.GetValue<string>() ?? string.Empty;

    public int Integer(string name) => Inputs[name]?.GetValue<int>() ?? 0;

    public bool Flag(string name) => Inputs[name]?.GetValue<bool>() ?? false;
}

/// <summary>
/// A flow definition in Elsa 3's JSON shape: definitionId, id, version, isPublished, name and a
/// root of type Elsa.Flowchart with activities and connections by port.
/// </summary>
public sealed class FlowDefinition
{
    public required string DefinitionId { get; init; }

    public required string Id { get; init; }

    public int Version { get; init; }

    public bool IsPublished { get; init; }

    public required string Name { get; init; }

    public required IReadOnlyList<FlowActivity> Activities { get; init; }

    public required IReadOnlyList<FlowConnection> Connections { get; init; }

    /// <summary>The definition-level texts (<see cref="DefinitionTexts"/>), defaults filled in.</summary>
    public required IReadOnlyDictionary<string, string> Texts { get; init; }

    /// <summary>The normalised JSON (Elsa literal expressions unwrapped, defaults filled in).</summary>
    public required string Json { get; init; }

    public FlowActivity? Activity(string id) => Activities.FirstOrDefault(a => a.Id == id);

    /// <summary>The activity with no incoming connection (validation guarantees exactly one).</summary>
    public FlowActivity Start => Activities.First(a => Connections.All(c => c.TargetActivity != a.Id));

    public FlowConnection? Next(string activityId, string port) =>
        Connections.FirstOrDefault(c => c.SourceActivity == activityId && c.SourcePort == port);
}

/// <summary>Reads definition JSON; shape errors are reported by <see cref="DefinitionValidator"/>, not thrown.</summary>
public static class FlowDefinitionJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Activity properties that are Elsa metadata, not inputs.</summary>
    /// "nodeId" and "metadata" (designer position and size) are kept, so an Elsa Studio layout survives.
    internal static readonly HashSet<string> MetadataProperties = ["id", "nodeId", "type", "version", "name", "displayName", "description", "metadata", "customProperties", "canStartWorkflow", "runAsynchronously"];

    /// <summary>
    /// Parses and normalises: Elsa's input wrapper {"typeName", "expression": {"type": "Literal", "value"}}
    /// becomes the bare value, and missing inputs get the catalog's defaults.
    /// </summary>
    public static JsonObject? Normalise(string json, out string? error)
    {
        error = null;
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            error = $"文件不是有效的JSON（第{ex.LineNumber + 1}行附近）：{ex.Message}";
            return null;
        }

        if (node is not JsonObject root)
        {
            error = "文件内容应是一个JSON对象（以 { 开头）。";
            return null;
        }

        Dictionary<string, string>? legacyStages = null;
        if (root["root"]?["activities"] is JsonArray activities)
        {
            foreach (var a in activities.OfType<JsonObject>())
            {
                foreach (var (key, value) in a.ToList())
                {
                    // Only literals are values; a JavaScript or Liquid expression stays wrapped and the schema refuses it.
                    if (!MetadataProperties.Contains(key) && value is JsonObject wrapper && wrapper["expression"] is JsonObject expression && expression.ContainsKey("value")
                        && (expression["type"] is null || (expression["type"] is JsonValue t0 && t0.TryGetValue<string>(out var kind) && kind == "Literal")))
                    {
                        a[key] = expression["value"]?.DeepClone();
                    }
                }

                if (a["type"] is JsonValue t && t.TryGetValue<string>(out var type) && ActivityCatalog.Find(type) is { } spec)
                {
                    var purpose = (a["purpose"] ?? a["action"]) is JsonValue p && p.TryGetValue<string>(out var pv) ? pv : null;
                    foreach (var input in spec.Inputs.Where(i => !a.ContainsKey(i.Name)))
                    {
                        if (input.Name == ActivityCatalog.StageInput)
                        {
                            // A version stored before stages were inputs keeps the stages it was shown with.
                            legacyStages ??= FlowStages.Legacy(activities, root["root"]?["connections"] as JsonArray);
                            a[input.Name] = a["id"] is JsonValue idv && idv.TryGetValue<string>(out var id) && legacyStages.TryGetValue(id, out var stage) ? stage : input.DefaultNode();
                        }
                        else
                        {
                            a[input.Name] = input.DefaultNode(purpose);
                        }
                    }
                }
            }
        }

        DefinitionTexts.FillDefaults(root);

        return root;
    }

    /// <summary>Builds the model from JSON that passed the schema check.</summary>
    public static FlowDefinition ToModel(JsonObject root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var flow = root["root"]!.AsObject();
        var activities = flow["activities"]!.AsArray().OfType<JsonObject>().Select(a =>
        {
            var inputs = new JsonObject();
            foreach (var (key, value) in a)
            {
                if (!MetadataProperties.Contains(key))
                {
                    inputs[key] = value?.DeepClone();
                }
            }

            return new FlowActivity(a["id"]!.GetValue<string>(), a["type"]!.GetValue<string>(), inputs);
        }).ToList();
        var connections = (flow["connections"]?.AsArray() ?? []).OfType<JsonObject>().Select(c => new FlowConnection(
            c["source"]!["activity"]!.GetValue<string>(),
            c["source"]!["port"]!.GetValue<string>(),
            c["target"]!["activity"]!.GetValue<string>(),
            c["target"]?["port"]?.GetValue<string>())).ToList();
        return new FlowDefinition
        {
            DefinitionId = root["definitionId"]!.GetValue<string>(),
            Id = root["id"]?.GetValue<string>() ?? string.Empty,
            Version = root["version"]?.GetValue<int>() ?? 1,
            IsPublished = root["isPublished"]?.GetValue<bool>() ?? false,
            Name = root["name"]!.GetValue<string>(),
            Activities = activities,
            Connections = connections,
            Texts = (root[DefinitionTexts.Property] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => kv.Value is JsonValue v && v.TryGetValue<string>(out var text) ? text : kv.Value?.ToJsonString() ?? string.Empty, StringComparer.Ordinal),
            Json = root.ToJsonString(Indented),
        };
    }

    /// <summary>The JSON with version and isPublished set as stored.</summary>
    public static string WithVersion(string json, int version, bool isPublished)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        root["version"] = version;
        root["isPublished"] = isPublished;
        var definitionId = root["definitionId"]?.GetValue<string>() ?? "flow";
        root["id"] = $"{definitionId}:v{version}";
        return root.ToJsonString(Indented);
    }
}
