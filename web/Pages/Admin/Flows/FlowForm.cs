using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ESeal.Workflows.Flowcharts;
using Microsoft.AspNetCore.Http;

namespace ESeal.Web.Pages.Admin.Flows;

/// <summary>One input of one step as the editor shows it: the catalog's label, range and choices, the value, its error.</summary>
public sealed record FlowField(string ActivityId, InputSpec Input, string Value, string? Error, string DefinitionId)
{
    public string Name => FlowForm.FieldName(ActivityId, Input.Name);

    public string ElementId => $"f-{ActivityId}-{Input.Name}";

    public string ValidateUrl => $"/admin/flows/{DefinitionId}/edit?handler=Field&activity={Uri.EscapeDataString(ActivityId)}&input={Uri.EscapeDataString(Input.Name)}";

    public bool Long => Input.Kind == InputKind.Text && (Value.Length > 40 || Input.Name is "body" or "message");

    public string? Range => Input is { Kind: InputKind.Integer, Min: { } min, Max: { } max } ? $"{min.ToString(CultureInfo.InvariantCulture)}–{max.ToString(CultureInfo.InvariantCulture)}" : null;
}

/// <summary>
/// The editor's form: field names, posted values written into the draft's JSON (as the catalog
/// types them, so the validator judges what was typed), and the validator's problems placed next
/// to the field they name.
/// </summary>
public static class FlowForm
{
    public const string Prefix = "in.";

    /// <summary>The pseudo step id under which the definition's texts block is edited (no activity id starts with "_").</summary>
    public const string TextsId = "_texts";

    private static readonly Dictionary<string, string> ChoiceLabels = new(StringComparer.Ordinal)
    {
        ["bind"] = "绑定",
        ["unbind"] = "解绑",
        ["claim"] = "手机端领取",
        ["Kiosk"] = "自助终端",
        ["Web"] = "网页",
        ["Mobile"] = "手机",
        ["success"] = "成功",
        ["failure"] = "失败",
    };

    public static string FieldName(string activityId, string input) => $"{Prefix}{activityId}.{input}";

    public static string ChoiceLabel(string value) => ChoiceLabels.TryGetValue(value, out var label) ? $"{label}（{value}）" : value;

    /// <summary>Writes every posted input of a known step and known input into <paramref name="root"/>; returns the problems found before the validator (control characters).</summary>
    public static List<ValidationProblem> Apply(JsonObject root, IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(form);
        var problems = new List<ValidationProblem>();
        var activities = (root["root"]?["activities"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        foreach (var a in activities)
        {
            var id = (string?)a["id"] ?? string.Empty;
            if (ActivityCatalog.Find((string?)a["type"] ?? string.Empty) is not { } spec)
            {
                continue;
            }

            foreach (var input in spec.Inputs)
            {
                var name = FieldName(id, input.Name);
                if (!form.TryGetValue(name, out var values))
                {
                    continue;
                }

                if (input.Kind == InputKind.Boolean)
                {
                    a[input.Name] = values.Contains("true");
                    continue;
                }

                var value = values.LastOrDefault() ?? string.Empty;
                if (input.Kind == InputKind.Integer)
                {
                    var trimmed = value.Trim();
                    a[input.Name] = int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(trimmed);
                    continue;
                }

                if (value.Any(char.IsControl))
                {
                    problems.Add(new ValidationProblem(id, $"活动「{id}」（{spec.Label}）：「{input.Label}」（{input.Name}）中不能含有换行或其他控制字符，请写成一行。"));
                }

                a[input.Name] = value;
            }
        }

        ApplyTexts(root, form, problems);
        return problems;
    }

    /// <summary>The texts block (DefinitionTexts): refusals, the frame, the key helper's errors; one text field each.</summary>
    private static void ApplyTexts(JsonObject root, IFormCollection form, List<ValidationProblem> problems)
    {
        foreach (var text in DefinitionTexts.All)
        {
            if (!form.TryGetValue(FieldName(TextsId, text.Name), out var values))
            {
                continue;
            }

            var value = values.LastOrDefault() ?? string.Empty;
            if (root[DefinitionTexts.Property] is not JsonObject block)
            {
                block = new JsonObject();
                root[DefinitionTexts.Property] = block;
            }

            // The idle limits are numbers: a number goes in as one, anything else as typed, so the
            // schema refuses it with the label and range next to the field.
            if (text.Kind == InputKind.Integer)
            {
                var trimmed = value.Trim();
                block[text.Name] = int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(trimmed);
                continue;
            }

            if (value.Any(char.IsControl))
            {
                problems.Add(new ValidationProblem(null, $"全流程文字：「{text.Label}」（{text.Name}）中不能含有换行或其他控制字符，请写成一行。"));
            }

            block[text.Name] = value;
        }
    }

    /// <summary>The texts of the working definition as editor fields, each with the problem that names it.</summary>
    public static IReadOnlyList<FlowField> TextFields(JsonObject root, IEnumerable<ValidationProblem> problems, string definitionId)
    {
        ArgumentNullException.ThrowIfNull(root);
        var block = root[DefinitionTexts.Property] as JsonObject;
        var list = problems.ToList();
        return DefinitionTexts.All
            .Select(t => new FlowField(
                TextsId,
                t,
                block?[t.Name] is JsonValue v ? ValueOf(v) : Convert.ToString(t.Default, CultureInfo.InvariantCulture)!,
                list.FirstOrDefault(p => p.ActivityId is null && p.Message.Contains($"（{t.Name}）", StringComparison.Ordinal))?.Message,
                definitionId))
            .ToList();
    }

    /// <summary>The problem that names this input of this step (the validator writes 「label」（name）), if any.</summary>
    public static string? ErrorFor(IEnumerable<ValidationProblem> problems, string activityId, string input) =>
        problems.FirstOrDefault(p => p.ActivityId == activityId && p.Message.Contains($"（{input}）", StringComparison.Ordinal))?.Message;

    /// <summary>Problems of a step that no single field carries (graph and security rules).</summary>
    public static IEnumerable<string> StepErrors(IEnumerable<ValidationProblem> problems, string activityId, ActivitySpec? spec) =>
        problems.Where(p => p.ActivityId == activityId && (spec is null || !spec.Inputs.Any(i => p.Message.Contains($"（{i.Name}）", StringComparison.Ordinal)))).Select(p => p.Message);

    public static string ValueOf(JsonObject activity, InputSpec input)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(input);
        return activity[input.Name] is { } node ? ValueOf(node) : string.Empty;
    }

    private static string ValueOf(JsonNode node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v when v.TryGetValue<int>(out var i) => i.ToString(CultureInfo.InvariantCulture),
        _ => node.ToJsonString(),
    };

    public static JsonObject Parse(string json) => JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();

    public static IEnumerable<JsonObject> Activities(JsonObject root) =>
        (root["root"]?["activities"] as JsonArray)?.OfType<JsonObject>() ?? [];
}
