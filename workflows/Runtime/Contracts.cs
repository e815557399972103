namespace ESeal.Workflows.Runtime;

/// <summary>Bound from "Flows".</summary>
public sealed class FlowSettings
{
    public const string Section = "Flows";

    /// <summary>An instance idle this long is expired by the background job.</summary>
    public int InstanceIdleMinutes { get; set; } = 30;
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
}

public sealed record FlowRead(FlowView? View, RefusalReason Reason, string? Message);

public sealed record ResumeResult(
    ResumeKind Kind,
    RefusalReason Reason,
    string? Message,
    string? StayCode,
    IReadOnlyDictionary<string, string> FieldErrors,
    FlowView? View)
{
    internal static ResumeResult Refuse(RefusalReason reason) => new(ResumeKind.Refused, reason, RefusalText.For(reason), null, new Dictionary<string, string>(), null);
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

public static class RefusalText
{
    public static string For(RefusalReason reason) => reason switch
    {
        RefusalReason.NotFound => "找不到该业务流程，请从首页重新开始。",
        RefusalReason.OtherOwner => "该业务流程属于另一个浏览器会话，不能在此继续。",
        RefusalReason.StaleStep => "页面已过期（该步骤已经提交过，或已在其他页面继续），请刷新页面后继续。",
        RefusalReason.TooEarly => "请在倒计时结束后再继续。",
        RefusalReason.Finished => "该业务流程已结束，请从首页重新开始。",
        RefusalReason.ConcurrentChange => "该业务流程刚刚被另一个请求推进，本次提交未生效，请刷新页面后继续。",
        RefusalReason.NotThisStep => "当前步骤不是这个操作，请刷新页面后继续。",
        _ => string.Empty,
    };
}

/// <summary>The flow's public API for the web pages. Nothing here knows HTTP.</summary>
public interface IFlowRuntime
{
    /// <summary>Starts the latest published version; <paramref name="initial"/> comes from server code (never from a form).</summary>
    Task<FlowView> StartAsync(string definitionId, string ownerSession, IReadOnlyDictionary<string, string>? initial = null, CancellationToken ct = default);

    Task<FlowRead> GetAsync(Guid instanceId, string ownerSession, CancellationToken ct = default);

    Task<ResumeResult> ResumeAsync(Guid instanceId, string ownerSession, string stepToken, IReadOnlyDictionary<string, string> input, CancellationToken ct = default);

    /// <summary>Issues the one-time nonce and the context string for the current PinProof step.</summary>
    Task<PinChallengeResult> IssuePinChallengeAsync(Guid instanceId, string ownerSession, string stepToken, CancellationToken ct = default);
}
