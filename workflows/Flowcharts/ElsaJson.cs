using System.Text.Json;
using System.Text.Json.Nodes;

namespace ESeal.Workflows.Flowcharts;

/// <summary>
/// Elsa 3 workflow-definition JSON, the shape Elsa Studio exports and imports: inputs wrapped as
/// literal expressions, node ids, designer positions, $schema and toolVersion. Our stored shape is
/// the same document with bare input values; import keeps what matters to us (ids, types, inputs,
/// connections, texts, designer metadata) and drops the rest of Elsa's bookkeeping.
/// </summary>
public static class ElsaJson
{
    public const string Schema = "https://elsaworkflows.io/schemas/workflow-definition/v3.0.0/schema.json";
    public const string ToolVersion = "3.6.0.0";

    /// <summary>Where the texts block travels in Elsa: a workflow's custom properties survive Elsa Studio.</summary>
    public const string TextsProperty = "esealTexts";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Export(FlowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var stored = JsonNode.Parse(definition.Json)!.AsObject();
        var rootId = stored["root"]?["id"]?.GetValue<string>() ?? "flowchart";
        var rootNodeId = $"Workflow1:{rootId}";
        var activities = new JsonArray();
        var i = 0;
        foreach (var a in stored["root"]!["activities"]!.AsArray().OfType<JsonObject>())
        {
            var id = a["id"]!.GetValue<string>();
            var type = a["type"]!.GetValue<string>();
            var spec = ActivityCatalog.Find(type)!;
            var activity = new JsonObject
            {
                ["id"] = id,
                ["nodeId"] = a["nodeId"]?.DeepClone() ?? $"{rootNodeId}:{id}",
                ["name"] = id,
                ["type"] = type,
                ["version"] = 1,
                ["customProperties"] = new JsonObject(),
                ["metadata"] = a["metadata"]?.DeepClone() ?? DefaultDesigner(i),
            };
            foreach (var input in spec.Inputs)
            {
                activity[input.Name] = new JsonObject
                {
                    ["typeName"] = input.Kind switch { InputKind.Integer => "Int32", InputKind.Boolean => "Boolean", _ => "String" },
                    ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = a[input.Name]?.DeepClone() },
                };
            }

            activities.Add(activity);
            i++;
        }

        var connections = new JsonArray(definition.Connections.Select(c => (JsonNode)new JsonObject
        {
            ["source"] = new JsonObject { ["activity"] = c.SourceActivity, ["port"] = c.SourcePort },
            ["target"] = new JsonObject { ["activity"] = c.TargetActivity, ["port"] = c.TargetPort ?? "In" },
            ["vertices"] = new JsonArray(),
        }).ToArray());

        var elsa = new JsonObject
        {
            ["$schema"] = Schema,
            ["id"] = definition.Id is { Length: > 0 } vid ? vid : $"{definition.DefinitionId}:v{definition.Version}",
            ["definitionId"] = definition.DefinitionId,
            ["name"] = definition.Name,
            ["description"] = string.Empty,
            ["version"] = definition.Version,
            ["toolVersion"] = ToolVersion,
            ["variables"] = new JsonArray(),
            ["inputs"] = new JsonArray(),
            ["outputs"] = new JsonArray(),
            ["outcomes"] = new JsonArray(),
            ["customProperties"] = new JsonObject { [TextsProperty] = stored[DefinitionTexts.Property]?.DeepClone() ?? new JsonObject() },
            ["isReadonly"] = false,
            ["isSystem"] = false,
            ["isLatest"] = true,
            ["isPublished"] = definition.IsPublished,
            ["options"] = new JsonObject { ["autoUpdateConsumingWorkflows"] = false },
            ["root"] = new JsonObject
            {
                ["id"] = rootId,
                ["nodeId"] = rootNodeId,
                ["name"] = "Flowchart1",
                ["type"] = "Elsa.Flowchart",
                ["version"] = 1,
                ["customProperties"] = new JsonObject { ["notFoundConnections"] = new JsonArray(), ["canStartWorkflow"] = false, ["runAsynchronously"] = false },
                ["metadata"] = new JsonObject(),
                ["activities"] = activities,
                ["connections"] = connections,
            },
        };
        return elsa.ToJsonString(Indented);
    }

    /// <summary>
    /// An Elsa 3 export (ours or Elsa Studio's) as our stored shape, ready for <see cref="DefinitionValidator"/>.
    /// What is not JSON or has no root is returned unchanged, so the validator says what is wrong.
    /// </summary>
    public static string Import(string json)
    {
        JsonObject elsa;
        try
        {
            if (JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) is not JsonObject parsed || parsed["root"] is not JsonObject)
            {
                return json;
            }

            elsa = parsed;
        }
        catch (JsonException)
        {
            return json;
        }

        var root = elsa["root"]!.AsObject();
        var ours = new JsonObject();
        foreach (var key in new[] { "definitionId", "id", "version", "isPublished", "name" })
        {
            if (elsa[key] is { } value)
            {
                ours[key] = value.DeepClone();
            }
        }

        var texts = elsa[DefinitionTexts.Property] ?? elsa["customProperties"]?[TextsProperty];
        if (texts is not null)
        {
            ours[DefinitionTexts.Property] = texts.DeepClone();
        }

        var activities = new JsonArray();
        foreach (var node in root["activities"] as JsonArray ?? [])
        {
            if (node is not JsonObject a)
            {
                activities.Add(node?.DeepClone());
                continue;
            }

            var activity = new JsonObject();
            foreach (var (key, value) in a)
            {
                // Elsa bookkeeping on every activity; our inputs and the designer layout are kept.
                if (key is "name" or "version" or "customProperties" or "displayName" or "description" or "canStartWorkflow" or "runAsynchronously" || (key == "metadata" && value is JsonObject { Count: 0 }))
                {
                    continue;
                }

                // Only literal expressions are values; any other (JavaScript, Liquid…) stays wrapped and is refused by the schema.
                activity[key] = value is JsonObject wrapper && wrapper["expression"] is JsonObject expression && expression.ContainsKey("value") && key is not ("metadata" or "nodeId")
                    && (expression["type"] is null || (expression["type"] is JsonValue t && t.TryGetValue<string>(out var kind) && kind == "Literal"))
                    ? expression["value"]?.DeepClone()
                    : value?.DeepClone();
            }

            activities.Add(activity);
        }

        var connections = new JsonArray();
        foreach (var node in root["connections"] as JsonArray ?? [])
        {
            connections.Add(node is JsonObject c
                ? new JsonObject { ["source"] = c["source"]?.DeepClone(), ["target"] = c["target"]?.DeepClone() }
                : node?.DeepClone());
        }

        var flowchart = new JsonObject { ["type"] = root["type"]?.DeepClone() };
        if (root["id"] is { } rootId)
        {
            flowchart["id"] = rootId.DeepClone();
        }

        flowchart["activities"] = activities;
        flowchart["connections"] = connections;
        ours["root"] = flowchart;
        return ours.ToJsonString(Indented);
    }

    private static JsonObject DefaultDesigner(int index) => new()
    {
        ["designer"] = new JsonObject
        {
            ["position"] = new JsonObject { ["x"] = 80 + (index * 280), ["y"] = 120 },
            ["size"] = new JsonObject { ["width"] = 220, ["height"] = 70 },
        },
    };
}
