using System.Text.RegularExpressions;
using ESeal.Web.Pages.Flow;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Flows.Preview;

/// <summary>
/// One step of a stored definition version (a draft's too) — or of an unsaved draft the editor
/// posts — rendered by the citizen's own step partials with sample data, in one of the step's
/// states, at kiosk or phone size. No flow instance is created and nothing is written; the page
/// forbids its forms to submit (CSP form-action 'none') and loads no script.
/// </summary>
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed partial class IndexModel(FlowDefinitionStore store, IReadOnlyList<IActivityHandler> handlers, TimeProvider clock) : PageModel
{
    public const int MaxDefinitionLength = 512 * 1024;

    public static readonly IReadOnlyList<(string Code, string Label)> Sizes = [("kiosk", "自助终端 1920×1080"), ("phone", "手机 390×844")];

    [BindProperty(SupportsGet = true, Name = "definitionId")]
    public string? DefinitionId { get; set; }

    [BindProperty(SupportsGet = true, Name = "version")]
    public string? Version { get; set; }

    [BindProperty(SupportsGet = true, Name = "step")]
    public string? Step { get; set; }

    [BindProperty(SupportsGet = true, Name = "state")]
    public string? State { get; set; }

    [BindProperty(SupportsGet = true, Name = "size")]
    public string? Size { get; set; }

    /// <summary>The unsaved draft the editor posts (Elsa 3 or our JSON).</summary>
    [BindProperty(Name = "definitionJson")]
    public string? DefinitionJson { get; set; }

    public FlowDefinition? Definition { get; private set; }

    public FlowActivity? Activity { get; private set; }

    public StepModel? StepModel { get; private set; }

    /// <summary>Why nothing is rendered, keyed by the field that was wrong ("" for the whole request).</summary>
    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    public string SizeCode => Size is "phone" ? "phone" : "kiosk";

    public bool IsPosted { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        AllowEmbedding(formAction: "'self'");
        if (DefinitionId is null && Version is null && Step is null && State is null)
        {
            return Page(); // the picker form
        }

        if (string.IsNullOrWhiteSpace(DefinitionId) || !DefinitionIdPattern().IsMatch(DefinitionId))
        {
            Errors["definitionId"] = "流程定义编号不正确：只能用小写字母、数字和短横线（例如 usbkey-bind）。";
            return Page();
        }

        int? version = null;
        if (!string.IsNullOrEmpty(Version))
        {
            if (!int.TryParse(Version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) || v < 1 || v > 1_000_000)
            {
                Errors["version"] = "版本应是一个正整数。";
                return Page();
            }

            version = v;
        }

        Definition = version is { } n ? await store.GetVersionAsync(DefinitionId, n, ct) : await store.GetLatestPublishedAsync(DefinitionId, ct);
        if (Definition is null)
        {
            Errors[version is null ? "definitionId" : "version"] = version is null ? $"找不到已发布的流程定义「{DefinitionId}」。" : $"找不到流程定义「{DefinitionId}」第{version}版。";
            return Page();
        }

        return Render();
    }

    public IActionResult OnPost()
    {
        AllowEmbedding(formAction: "'self'");
        IsPosted = true;
        if (string.IsNullOrWhiteSpace(DefinitionJson))
        {
            // A button of a previewed step (if a browser ignored the CSP) lands here: say so, do nothing.
            Errors[string.Empty] = "预览中的按钮不会办理任何业务。要预览未保存的草稿，请从流程编辑页提交。";
            return Page();
        }

        if (DefinitionJson.Length > MaxDefinitionLength)
        {
            Errors["definitionJson"] = $"流程定义太大（最多 {MaxDefinitionLength / 1024} KB）。";
            return Page();
        }

        var report = DefinitionValidator.Validate(ElsaJson.Import(DefinitionJson));
        if (report.Definition is null)
        {
            Errors["definitionJson"] = "流程定义的结构有误，无法预览：" + string.Join(" ", report.Problems.Select(p => p.Message));
            return Page();
        }

        Definition = report.Definition;
        DefinitionId = Definition.DefinitionId;
        return Render();
    }

    private IActionResult Render()
    {
        var definition = Definition!;
        Activity = string.IsNullOrEmpty(Step) ? definition.Activities.FirstOrDefault(a => ActivityCatalog.Find(a.Type)?.IsUserStep == true) : definition.Activity(Step);
        if (Activity is null)
        {
            Errors["step"] = $"流程中没有编号为「{Step}」的步骤。可选的有：{string.Join("、", definition.Activities.Select(a => a.Id))}。";
            return Page();
        }

        var states = StepPreviewStates.For(Activity.Type);
        State = string.IsNullOrEmpty(State) ? states.FirstOrDefault()?.Code : State;
        var handler = handlers.FirstOrDefault(h => h.Type == Activity.Type);
        StepModel = handler is null || State is null ? null : PreviewSamples.Build(definition, Activity, State, handler.InputsType, clock.GetUtcNow(), Url.Page("/Admin/Flows/Preview/Index")!);
        if (StepModel is null)
        {
            Errors["state"] = $"步骤「{Activity.Id}」没有「{State}」这个状态。可选的有：{string.Join("、", states.Select(s => $"{s.Code}（{s.Label}）"))}。";
            return Page();
        }

        AllowEmbedding(formAction: "'none'");
        return Page();
    }

    /// <summary>
    /// The editor may embed the preview (frame-ancestors 'self', X-Frame-Options SAMEORIGIN), and a
    /// previewed step's forms must not submit (form-action 'none'); otherwise the site's policy.
    /// </summary>
    private void AllowEmbedding(string formAction)
    {
        Response.Headers.ContentSecurityPolicy = $"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action {formAction}; frame-ancestors 'self'";
        Response.Headers.XFrameOptions = "SAMEORIGIN";
    }

    public string StateUrl(string state, string? size = null) =>
        Url.Page("/Admin/Flows/Preview/Index", new { definitionId = DefinitionId, version = Version, step = Activity?.Id, state, size = size ?? SizeCode })!;

    public string StepUrl(string step) =>
        Url.Page("/Admin/Flows/Preview/Index", new { definitionId = DefinitionId, version = Version, step, size = SizeCode })!;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,99}$")]
    private static partial Regex DefinitionIdPattern();
}
