using System.Text.Json;
using System.Text.Json.Nodes;
using ESeal.Web.Staff;
using ESeal.Workflows.Flowcharts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Flows;

/// <summary>
/// 流程分析员: the draft of one flow — its steps in order with a diagram, a form per step generated
/// from ActivityCatalog, checked by DefinitionValidator as the analyst types (htmx) and on save;
/// add, remove and reorder steps; create, submit and discard the draft.
/// </summary>
[Authorize(Policy = ActionPolicies.FlowsEdit)]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class EditModel(FlowReviewService reviews) : PageModel
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [FromRoute]
    public string DefinitionId { get; set; } = string.Empty;

    public FlowOverview? Flow { get; private set; }

    public DraftInfo? Draft { get; private set; }

    /// <summary>What the form shows: the saved draft, or what was typed when a save was refused.</summary>
    public JsonObject? Working { get; private set; }

    public FlowDefinition? WorkingDefinition { get; private set; }

    public IReadOnlyList<ValidationProblem> Problems { get; private set; } = [];

    public string? Notice { get; private set; }

    public string? Refusal { get; private set; }

    public IReadOnlyList<FlowActivityView> Steps { get; private set; } = [];

    /// <summary>The definition-level texts (refusals, frame, key helper errors), edited like a step's inputs.</summary>
    public IReadOnlyList<FlowField> TextFields => Working is null ? [] : FlowForm.TextFields(Working, Problems, DefinitionId);

    public async Task<IActionResult> OnGetAsync(string? done)
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        Notice = done switch
        {
            "saved" => "草稿已保存。",
            "created" => "已从发布版本创建草稿，可以开始修改。",
            "unchanged" => "草稿没有改动。",
            _ => null,
        };
        return Page();
    }

    /// <summary>Saves the typed values, after the structural change the pressed button names (op = save | up:ID | down:ID | remove:ID | add).</summary>
    public async Task<IActionResult> OnPostSaveAsync(Guid draftId, string? op, string? addType, string? addAfter)
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        if (Draft is null || Working is null)
        {
            Refusal = "没有可以修改的草稿，请先创建草稿。";
            return Page();
        }

        var pre = FlowForm.Apply(Working, Request.Form);
        var changed = Working.DeepClone().AsObject();
        var opError = ApplyOperation(changed, op, addType, addAfter, out var what);
        if (opError is not null)
        {
            Refusal = opError;
            Problems = pre;
            BuildSteps(Working);
            return Page();
        }

        if (pre.Count > 0)
        {
            Refusal = "草稿未保存：请按提示修改标红的字段。";
            Problems = pre;
            BuildSteps(Working);
            return Page();
        }

        var outcome = await reviews.SaveDraftAsync(DefinitionId, draftId, changed.ToJsonString(Indented), User.StaffActor(), HttpContext.RequestAborted);
        if (!outcome.Done)
        {
            Refusal = what is null ? outcome.Message : $"{what}未执行，草稿未保存：";
            Problems = outcome.Problems.Count > 0 ? outcome.Problems : [new ValidationProblem(null, outcome.Message)];
            BuildSteps(Working);
            return Page();
        }

        return Redirect($"/admin/flows/{DefinitionId}/edit?done={(outcome.Message == "草稿没有改动。" ? "unchanged" : "saved")}");
    }

    /// <summary>htmx: one field re-rendered with the validator's verdict on everything typed so far.</summary>
    public async Task<IActionResult> OnPostFieldAsync(string? activity, string? input)
    {
        if (!await LoadAsync() || Working is null)
        {
            return NotFound();
        }

        if (activity == FlowForm.TextsId)
        {
            var textProblems = FlowForm.Apply(Working, Request.Form);
            textProblems.AddRange(DefinitionValidator.Validate(Working.ToJsonString()).Problems);
            var textField = FlowForm.TextFields(Working, textProblems, DefinitionId).FirstOrDefault(f => f.Input.Name == input);
            if (textField is null)
            {
                return NotFound();
            }

            Response.Headers.Vary = "HX-Request";
            return Partial("_Field", textField);
        }

        var node = FlowForm.Activities(Working).FirstOrDefault(a => (string?)a["id"] == activity);
        var spec = node is null ? null : ActivityCatalog.Find((string?)node["type"] ?? string.Empty);
        var inputSpec = spec?.Input(input ?? string.Empty);
        if (node is null || inputSpec is null)
        {
            return NotFound();
        }

        var problems = FlowForm.Apply(Working, Request.Form);
        problems.AddRange(DefinitionValidator.Validate(Working.ToJsonString()).Problems);
        var field = new FlowField(activity!, inputSpec, FlowForm.ValueOf(node, inputSpec), FlowForm.ErrorFor(problems, activity!, inputSpec.Name), DefinitionId);
        Response.Headers.Vary = "HX-Request";
        return Partial("_Field", field);
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        var outcome = await reviews.CreateDraftAsync(DefinitionId, User.StaffActor(), HttpContext.RequestAborted);
        if (outcome.Done)
        {
            return Redirect($"/admin/flows/{DefinitionId}/edit?done=created");
        }

        if (!await LoadAsync())
        {
            return NotFound();
        }

        Refusal = outcome.Message;
        return Page();
    }

    public async Task<IActionResult> OnPostSubmitAsync(Guid draftId) =>
        await AfterAsync(await reviews.SubmitAsync(DefinitionId, draftId, User.StaffActor(), HttpContext.RequestAborted), "submitted");

    public async Task<IActionResult> OnPostDiscardAsync(Guid draftId) =>
        await AfterAsync(await reviews.DiscardAsync(DefinitionId, draftId, User.StaffActor(), HttpContext.RequestAborted), "discarded");

    /// <summary>The step's first state in the preview; the preview page links to its other states and sizes.</summary>
    public string PreviewUrl(FlowActivityView step, string size)
    {
        ArgumentNullException.ThrowIfNull(step);
        var state = Preview.StepPreviewStates.For(step.Type).FirstOrDefault()?.Code ?? string.Empty;
        return $"/admin/flows/preview?definitionId={Uri.EscapeDataString(DefinitionId)}&version={Draft?.Row.Version}&step={Uri.EscapeDataString(step.Id)}&state={Uri.EscapeDataString(state)}&size={size}";
    }

    // Left to right: a desk screen is wider than tall, and the steps read like the progress bar.
    public string Mermaid => WorkingDefinition is null ? string.Empty : MermaidDiagram.Render(WorkingDefinition).Replace("flowchart TD", "flowchart LR", StringComparison.Ordinal);

    private async Task<IActionResult> AfterAsync(ReviewOutcome outcome, string done)
    {
        if (outcome.Done)
        {
            return Redirect($"/admin/flows/{DefinitionId}?done={done}");
        }

        if (!await LoadAsync())
        {
            return NotFound();
        }

        Refusal = outcome.Message;
        Problems = outcome.Problems;
        return Page();
    }

    private static string? ApplyOperation(JsonObject root, string? op, string? addType, string? addAfter, out string? what)
    {
        what = null;
        if (string.IsNullOrEmpty(op) || op == "save")
        {
            return null;
        }

        var colon = op.IndexOf(':', StringComparison.Ordinal);
        var verb = colon < 0 ? op : op[..colon];
        var id = colon < 0 ? string.Empty : op[(colon + 1)..];
        switch (verb)
        {
            case "up":
                what = $"上移步骤「{id}」";
                return FlowEdits.Move(root, id, up: true);
            case "down":
                what = $"下移步骤「{id}」";
                return FlowEdits.Move(root, id, up: false);
            case "remove":
                what = $"删除步骤「{id}」";
                return FlowEdits.Remove(root, id);
            case "add":
                what = "添加步骤";
                return FlowEdits.InsertAfter(root, addAfter ?? string.Empty, addType ?? string.Empty, out _);
            default:
                return "无法识别的操作，草稿未保存。";
        }
    }

    private async Task<bool> LoadAsync()
    {
        if (string.IsNullOrEmpty(DefinitionId) || DefinitionId.Length > 100)
        {
            return false;
        }

        Flow = await reviews.OverviewAsync(DefinitionId, HttpContext.RequestAborted);
        if (Flow is null)
        {
            return false;
        }

        Draft = Flow.Draft;
        if (Draft is not null)
        {
            Working = FlowDefinitionJson.Normalise(Draft.Row.Json, out _);
            if (Working is not null)
            {
                BuildSteps(Working);
            }
        }

        return true;
    }

    private void BuildSteps(JsonObject root)
    {
        // Typed values the schema refuses give no model: the diagram and order stay those of the saved draft.
        WorkingDefinition = DefinitionValidator.Validate(root.ToJsonString()).Definition ?? WorkingDefinition;
        var nodes = FlowForm.Activities(root).ToDictionary(a => (string?)a["id"] ?? string.Empty, StringComparer.Ordinal);
        var order = WorkingDefinition is null ? nodes.Keys.ToList() : FlowDiff.Ordered(WorkingDefinition).Select(a => a.Id).ToList();
        Steps = order.Where(nodes.ContainsKey).Select((id, i) =>
        {
            var node = nodes[id];
            var spec = ActivityCatalog.Find((string?)node["type"] ?? string.Empty);
            var fields = spec?.Inputs.Select(input => new FlowField(id, input, FlowForm.ValueOf(node, input), FlowForm.ErrorFor(Problems, id, input.Name), DefinitionId)).ToList() ?? [];
            var next = WorkingDefinition?.Connections.Where(c => c.SourceActivity == id).Select(c => $"{c.SourcePort} → {c.TargetActivity}").ToList() ?? [];
            return new FlowActivityView(i + 1, id, (string?)node["type"] ?? string.Empty, spec, fields, FlowForm.StepErrors(Problems, id, spec).ToList(), next);
        }).ToList();
    }
}

/// <summary>One step in the editor.</summary>
public sealed record FlowActivityView(int Position, string Id, string Type, ActivitySpec? Spec, IReadOnlyList<FlowField> Fields, IReadOnlyList<string> Errors, IReadOnlyList<string> Next)
{
    public string Label => Spec?.Label ?? Type;

    public bool IsUserStep => Spec?.IsUserStep == true;
}
