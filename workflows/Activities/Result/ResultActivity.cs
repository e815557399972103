using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities.Result;

/// <summary>Inputs of ESeal.Result (完成).</summary>
public sealed record ResultInputs(
    string Kind,
    string Title,
    string Message,
    string FailureFallbackText,
    string EnterpriseNameLabel,
    string CreditCodeLabel,
    string LegalRepLabel,
    string SealTypeLabel,
    string TimeLabel,
    string ButtonText,
    int AutoReturnSeconds,
    string AutoReturnText,
    bool OfferNextSteps,
    string NextStepsTitle,
    string BindAgainText,
    string ClaimOnMobileText,
    string ReceiptCodeLabel,
    string PrintReceiptText,
    string PrintingText);

/// <summary>The facts the success page lists, and the failure reason (Message, else FailureReason).</summary>
/// <param name="ReceiptCode">The commit's 业务流水号 (canonical, ungrouped), or null for a failure or a flow committed before receipts.</param>
public sealed record ResultData(bool Succeeded, string? FailureReason, string? EnterpriseName, string? CreditCode, string? LegalRepName, string? SealType, Guid? SealId, DateTimeOffset? At, string? ReceiptCode = null);

/// <summary>The end: the instance is Completed (kind success) or Failed (kind failure). No ports.</summary>
public sealed class ResultHandler : ActivityHandler<ResultInputs>
{
    public override string Type => ActivityCatalog.Result;

    public override Task<StepResult> RunAsync(StepContext context) => throw new InvalidOperationException("A finished flow does not resume.");

    public override Task<object?> DescribeAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = context.InputsAs<ResultInputs>();
        var v = context.Variables;
        var ok = inputs.Kind == "success";
        return Task.FromResult<object?>(new ResultData(
            ok,
            ok ? null : (string.IsNullOrEmpty(inputs.Message) ? v[FlowVars.FailureReason] : inputs.Message),
            v[FlowVars.EnterpriseName],
            v[FlowVars.CreditCode],
            v[FlowVars.LegalRepName],
            v[FlowVars.SealType],
            v.Guid(FlowVars.SealId),
            v[FlowVars.ResultAt] is { } at ? DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture) : null,
            ok ? v[FlowVars.ReceiptCode] : null));
    }
}
