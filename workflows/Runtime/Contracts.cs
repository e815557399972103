using ESeal.Workflows.Flowcharts;

namespace ESeal.Workflows.Runtime;

/// <summary>Bound from "Flows".</summary>
public sealed class FlowSettings
{
    public const string Section = "Flows";

    /// <summary>
    /// Added to a definition's idle limit (idle seconds + warning seconds) before the server refuses a
    /// step: the page's own countdown ends the flow first, and a request in flight when it reaches
    /// zero is not refused for a second's difference.
    /// </summary>
    public int IdleGraceSeconds { get; set; } = 15;
}

public enum ResumeKind
{
    /// <summary>The step was taken; <see cref="ResumeResult.View"/> shows the new current activity.</summary>
    Advanced,

    /// <summary>Input was invalid or the step is waiting (e.g. wrong PIN, face pending): same activity, see FieldErrors/StayCode.</summary>
    Stay,

    /// <summary>Nothing changed; see <see cref="ResumeResult.Reason"/> and Message.</summary>
    Refused,
}

public enum RefusalReason
{
    None,
    NotFound,
    OtherOwner,
    StaleStep,
    TooEarly,
    Finished,
    ConcurrentChange,
    NotThisStep,

    /// <summary>The instance was idle past its limit (the page was left alone): it has ended.</summary>
    IdleExpired,
}

/// <summary>
/// The current step as the page renders it. <see cref="Inputs"/> is the activity's typed inputs
/// record (e.g. <c>ReadingNoticeInputs</c>); <see cref="Data"/> is the activity's page data record
/// (e.g. <c>ChooseSealData</c>) or null.
/// </summary>
public sealed record FlowView(
    Guid InstanceId,
    string DefinitionId,
    int DefinitionVersion,
    string Status,
    string ActivityId,
    string ActivityType,
    object Inputs,
    IReadOnlyDictionary<string, string> Variables,
    string StepToken,
    DateTimeOffset? NotBefore,
    object? Data)
{
    public bool IsFinished => Status != Db.Flows.FlowStatus.Running;

    /// <summary>The definition version's texts block (refusals, frame, key helper errors).</summary>
    public IReadOnlyDictionary<string, string> Texts { get; init; } = DefinitionTexts.Defaults;

    /// <summary>The progress bar's stages of this definition version and the current one.</summary>
    public FlowStageMap? Stages { get; init; }

    /// <summary>The definition connects this step's Back port: the page offers 上一步.</summary>
    public bool CanGoBack { get; init; }

    /// <summary>Started on an enrolled hall kiosk (the channel recorded at start).</summary>
    public bool IsKiosk => Variables.TryGetValue("channel", out var channel) && channel == "Kiosk";
}

/// <summary>Texts: the instance's definition texts when the instance is known, else the defaults.</summary>
public sealed record FlowRead(FlowView? View, RefusalReason Reason, string? Message)
{
    public IReadOnlyDictionary<string, string> Texts { get; init; } = View?.Texts ?? DefinitionTexts.Defaults;
}

public sealed record ResumeResult(
    ResumeKind Kind,
    RefusalReason Reason,
    string? Message,
    string? StayCode,
    IReadOnlyDictionary<string, string> FieldErrors,
    FlowView? View)
{
    /// <summary>Texts for a refusal page: the instance's definition texts when it is known.</summary>
    public IReadOnlyDictionary<string, string> Texts { get; init; } = View?.Texts ?? DefinitionTexts.Defaults;

    internal static ResumeResult Refuse(RefusalReason reason, IReadOnlyDictionary<string, string>? texts = null)
    {
        texts ??= DefinitionTexts.Defaults;
        return new(ResumeKind.Refused, reason, DefinitionTexts.For(texts, reason), null, new Dictionary<string, string>(), null) { Texts = texts };
    }
}

/// <summary>What the page hands the key helper for one signature; see PinProof in README.</summary>
public sealed record PinChallengeResult(
    RefusalReason Reason,
    string? Message,
    string? Nonce,
    string? Context,
    DateTimeOffset? ExpiresAt,
    string? TokenSerial,
    string? CertificateId,
    int AttemptsLeft,
    bool Locked);

/// <summary>The default wording of a refusal (the definition's texts block overrides it where the instance is known).</summary>
public static class RefusalText
{
    public static string For(RefusalReason reason) => DefinitionTexts.For(DefinitionTexts.Defaults, reason);
}

/// <summary>The flow's public API for the web pages. Nothing here knows HTTP.</summary>
public interface IFlowRuntime
{
    /// <summary>Starts the latest published version; <paramref name="initial"/> comes from server code (never from a form).</summary>
    Task<FlowView> StartAsync(string definitionId, string ownerSession, IReadOnlyDictionary<string, string>? initial = null, CancellationToken ct = default);

    Task<FlowRead> GetAsync(Guid instanceId, string ownerSession, CancellationToken ct = default);

    Task<ResumeResult> ResumeAsync(Guid instanceId, string ownerSession, string stepToken, IReadOnlyDictionary<string, string> input, CancellationToken ct = default);

    /// <summary>
    /// The visitor ends the flow (取消办理, 结束办理, the idle countdown, or leaving a finished flow):
    /// a running instance becomes Abandoned with its personal data erased. Only the owner can; true
    /// when this call ended it, false when it was not running (already finished, or not theirs).
    /// </summary>
    Task<bool> EndAsync(Guid instanceId, string ownerSession, CancellationToken ct = default);

    /// <summary>继续办理, or input on the page: moves the server's idle limit on. False when the flow is no longer running (or not theirs).</summary>
    Task<bool> KeepAliveAsync(Guid instanceId, string ownerSession, CancellationToken ct = default);

    /// <summary>Issues the one-time nonce and the context string for the current PinProof step.</summary>
    Task<PinChallengeResult> IssuePinChallengeAsync(Guid instanceId, string ownerSession, string stepToken, CancellationToken ct = default);
}
