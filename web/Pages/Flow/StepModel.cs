using ESeal.Web.Pages.Flow.Progress;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;

namespace ESeal.Web.Pages.Flow;

/// <summary>What a step's view needs: the runtime's view, the stay outcome and what the user had entered.</summary>
public sealed record StepModel(
    FlowView View,
    FlowProgress Progress,
    string? StayCode,
    string? StayMessage,
    IReadOnlyDictionary<string, string> FieldErrors,
    IReadOnlyDictionary<string, string> Posted,
    string PostUrl)
{
    /// <summary>The partial for the current activity type: Steps/&lt;Type&gt;/_&lt;Type&gt;.cshtml (app-relative, so the analysts' preview finds the same file).</summary>
    public string PartialName
    {
        get
        {
            var name = View.ActivityType.StartsWith("ESeal.", StringComparison.Ordinal) ? View.ActivityType["ESeal.".Length..] : View.ActivityType;
            return $"/Pages/Flow/Steps/{name}/_{name}.cshtml";
        }
    }

    /// <summary>The reading notice and the PIN step are modal dialogs whose backdrop covers the page: they carry their own 上一步 and 取消办理.</summary>
    public bool ExitsInsideStep => View.ActivityType is "ESeal.ReadingNotice" or "ESeal.PinProof";

    public T Inputs<T>() => (T)View.Inputs;

    public T? Data<T>()
        where T : class => View.Data as T;

    public string? Variable(string key) => View.Variables.TryGetValue(key, out var v) ? v : null;

    /// <summary>What the user posted for a field (kept on invalid input), else the fallback.</summary>
    public string Value(string field, string? fallback = null) => Posted.TryGetValue(field, out var v) ? v : fallback ?? string.Empty;

    public string? Error(string field) => FieldErrors.TryGetValue(field, out var e) ? e : null;

    /// <summary>A text of the definition's texts block (key helper errors, the frame around the steps).</summary>
    public string Text(string key) => DefinitionTexts.Get(View.Texts, key);

    /// <summary>In the preview only: the key-helper problem the page would show after flow.js tried the helper ("unreachable", "lna-denied").</summary>
    public string? PreviewHelperState { get; init; }

    /// <summary>Whole seconds until the server accepts the next resume (0 when it already does).</summary>
    public int SecondsUntilAllowed(DateTimeOffset now) =>
        View.NotBefore is { } nb && nb > now ? (int)Math.Ceiling((nb - now).TotalSeconds) : 0;
}

public static class StepForm
{
    public const string StepTokenField = "stepToken";
}
