using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;

namespace ESeal.Workflows.Flowcharts;

/// <summary>
/// JSON schemas (NJsonSchema) for the definition's outer shape and for each activity type's
/// inputs; the per-type schemas are generated from <see cref="ActivityCatalog"/> so that ranges
/// and defaults live in one place.
/// </summary>
public static class DefinitionSchemas
{
    private static readonly Lazy<JsonSchema> EnvelopeSchema = new(() => JsonSchema.FromJsonAsync(EnvelopeJson).GetAwaiter().GetResult());
    private static readonly ConcurrentDictionary<string, JsonSchema> ActivitySchemas = new();

    public const string EnvelopeJson = """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "required": ["definitionId", "name", "root"],
          "properties": {
            "definitionId": { "type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,99}$" },
            "id": { "type": "string" },
            "version": { "type": "integer", "minimum": 1 },
            "isPublished": { "type": "boolean" },
            "name": { "type": "string", "minLength": 1, "maxLength": 200 },
            "root": {
              "type": "object",
              "required": ["type", "activities"],
              "properties": {
                "type": { "type": "string", "enum": ["Elsa.Flowchart"] },
                "activities": {
                  "type": "array",
                  "minItems": 1,
                  "items": {
                    "type": "object",
                    "required": ["id", "type"],
                    "properties": {
                      "id": { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,100}$" },
                      "type": { "type": "string", "minLength": 1 }
                    }
                  }
                },
                "connections": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "required": ["source", "target"],
                    "properties": {
                      "source": { "type": "object", "required": ["activity", "port"], "properties": { "activity": { "type": "string" }, "port": { "type": "string" } } },
                      "target": { "type": "object", "required": ["activity"], "properties": { "activity": { "type": "string" }, "port": { "type": "string" } } }
                    }
                  }
                }
              }
            }
          }
        }
        """;

    public static ICollection<ValidationError> ValidateEnvelope(JsonObject root) =>
        EnvelopeSchema.Value.Validate(root.ToJsonString());

    private static readonly Lazy<JsonSchema> TextsSchema = new(() => JsonSchema.FromJsonAsync(TextsSchemaJson()).GetAwaiter().GetResult());

    /// <summary>The "texts" block: the known texts, each a string of at most 500 characters (the idle limits integers in range), nothing else.</summary>
    public static ICollection<ValidationError> ValidateTexts(JsonNode? texts) =>
        TextsSchema.Value.Validate(texts?.ToJsonString() ?? "{}");

    private static string TextsSchemaJson()
    {
        var properties = new JsonObject();
        foreach (var t in DefinitionTexts.All)
        {
            properties[t.Name] = t.Kind == InputKind.Integer
                ? new JsonObject { ["type"] = "integer", ["minimum"] = t.Min, ["maximum"] = t.Max }
                : new JsonObject { ["type"] = "string", ["maxLength"] = 500 };
        }

        return new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["type"] = "object",
            ["properties"] = properties,
            ["additionalProperties"] = false,
        }.ToJsonString();
    }

    public static ICollection<ValidationError> ValidateActivity(ActivitySpec spec, JsonObject activity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(activity);
        var schema = ActivitySchemas.GetOrAdd(spec.Type, _ => JsonSchema.FromJsonAsync(SchemaJsonFor(spec)).GetAwaiter().GetResult());
        return schema.Validate(activity.ToJsonString());
    }

    /// <summary>The schema of one activity type: its inputs with types and ranges, nothing else allowed.</summary>
    public static string SchemaJsonFor(ActivitySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var properties = new JsonObject();
        foreach (var meta in FlowDefinitionJson.MetadataProperties)
        {
            properties[meta] = new JsonObject();
        }

        properties["type"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(spec.Type) };
        foreach (var input in spec.Inputs)
        {
            var p = new JsonObject();
            switch (input.Kind)
            {
                case InputKind.Text:
                    p["type"] = "string";
                    p["maxLength"] = 500;
                    break;
                case InputKind.Integer:
                    p["type"] = "integer";
                    if (input.Min is { } min)
                    {
                        p["minimum"] = min;
                    }

                    if (input.Max is { } max)
                    {
                        p["maximum"] = max;
                    }

                    break;
                case InputKind.Boolean:
                    p["type"] = "boolean";
                    break;
                case InputKind.Choice:
                    p["type"] = "string";
                    p["enum"] = new JsonArray(input.Choices!.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray());
                    break;
            }

            properties[input.Name] = p;
        }

        var schema = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["type"] = "object",
            ["required"] = new JsonArray("id", "type"),
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
        return schema.ToJsonString();
    }
}
