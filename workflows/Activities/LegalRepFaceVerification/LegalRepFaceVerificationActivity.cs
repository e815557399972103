using ESeal.Db.Repositories;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Face;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities.LegalRepFaceVerification;

/// <summary>Inputs of ESeal.LegalRepFaceVerification (法定代表人身份验证).</summary>
public sealed record LegalRepFaceVerificationInputs(
    string Title,
    string ConsentText,
    string ScanText,
    string StayText,
    string QrAltText,
    string SimulationNoteText,
    string StartFaceText,
    string SuccessText,
    string ContinueText,
    string FailureText,
    string RedirectText,
    string ReturningText,
    string RenewedText,
    string TicketDeadText,
    string RefreshQrText,
    int FailureRedirectSeconds,
    int TimeoutSeconds);

public static class LegalRepFaceVerificationFields
{
    /// <summary>"check" (poll the result) or "retry" (after a failure, once NotBefore has passed).</summary>
    public const string Action = "action";
}

public static class LegalRepFaceVerificationStay
{
    public const string Pending = "FacePending";
    public const string Failed = "FaceFailed";
    public const string Renewed = "FaceRenewed";
}

/// <summary>Page data: the ticket for the QR code (phone URL /m/face/{Ticket}) and its state.</summary>
public sealed record FaceVerificationData(string? Ticket, string State, DateTimeOffset? ExpiresAt, bool IsSimulated);

/// <summary>
/// Issues a ticket on entry; "check" polls the provider: Passed → consume the ticket once → Done;
/// Failed → stay with FailureText and NotBefore = now + FailureRedirectSeconds, then "retry" issues
/// a new ticket; Expired/unknown → a new ticket. Ports: Done.
/// </summary>
public sealed class LegalRepFaceVerificationHandler(IFaceVerificationProvider provider) : ActivityHandler<LegalRepFaceVerificationInputs>
{
    public override string Type => ActivityCatalog.LegalRepFaceVerification;

    public override async Task EnterAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Variables[FlowVars.FaceVerifiedEnterpriseId] = null;
        await FlowVars.EnsureEnterpriseAsync(context);
        await IssueAsync(context);
    }

    public override async Task<object?> DescribeAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ticket = context.Variables[FlowVars.FaceTicket];
        var state = ticket is null ? null : await provider.GetAsync(ticket, context.CancellationToken);
        var shown = context.Variables[FlowVars.FaceState] == "Failed" ? "Failed" : state?.Status.ToString() ?? "Expired";
        return new FaceVerificationData(ticket, shown, state?.ExpiresAt, provider.IsSimulated);
    }

    public override async Task<StepResult> RunAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = context.InputsAs<LegalRepFaceVerificationInputs>();
        var v = context.Variables;
        var action = context.Posted(LegalRepFaceVerificationFields.Action);
        if (await CommittedAlreadyAsync(context))
        {
            // A crash between the commit (its own transaction, keyed by this instance's id) and the
            // save of this step leaves the flow here with the change already made. The commit ran
            // only after this verification passed, so the flow goes on: the commit answers "already
            // done" and the citizen sees the result instead of being asked to verify again.
            v[FlowVars.FaceVerifiedEnterpriseId] = v[FlowVars.EnterpriseId];
            v[FlowVars.FaceState] = "Passed";
            return StepResult.Next(Ports.Done);
        }

        if (v[FlowVars.FaceState] == "Failed")
        {
            if (action != "retry")
            {
                return StepResult.Stay(LegalRepFaceVerificationStay.Failed, inputs.FailureText);
            }

            context.NotBefore = null;
            await IssueAsync(context);
            return StepResult.Stay(LegalRepFaceVerificationStay.Pending);
        }

        var ticket = v[FlowVars.FaceTicket] is { } id ? await provider.GetAsync(id, context.CancellationToken) : null;
        switch (ticket?.Status)
        {
            case FaceStatus.Passed when ticket.InstanceId == context.InstanceId:
                if (!await provider.ConsumeAsync(ticket.Ticket, context.InstanceId, context.CancellationToken))
                {
                    return StepResult.Stay(LegalRepFaceVerificationStay.Pending);
                }

                v[FlowVars.FaceVerifiedEnterpriseId] = v[FlowVars.EnterpriseId];
                v[FlowVars.FaceState] = "Passed";
                return StepResult.Next(Ports.Done);
            case FaceStatus.Pending:
                return StepResult.Stay(LegalRepFaceVerificationStay.Pending);
            case FaceStatus.Failed:
                v[FlowVars.FaceState] = "Failed";
                context.NotBefore = context.Now.AddSeconds(inputs.FailureRedirectSeconds);
                return StepResult.Stay(LegalRepFaceVerificationStay.Failed, inputs.FailureText);
            default:
                await IssueAsync(context);
                return StepResult.Stay(LegalRepFaceVerificationStay.Renewed, inputs.RenewedText);
        }
    }

    private static Task<bool> CommittedAlreadyAsync(StepContext context) =>
        context.ReadAsync(async s => await new CommittedOperationRepository(s).FindAsync(context.InstanceId, context.CancellationToken) is not null);

    private async Task IssueAsync(StepContext context)
    {
        var inputs = context.InputsAs<LegalRepFaceVerificationInputs>();
        var v = context.Variables;
        var ticket = await provider.CreateTicketAsync(
            new FaceTicketRequest(context.InstanceId, v.Guid(FlowVars.EnterpriseId) ?? Guid.Empty, v[FlowVars.EnterpriseName] ?? string.Empty, v[FlowVars.LegalRepName] ?? string.Empty, TimeSpan.FromSeconds(inputs.TimeoutSeconds)),
            context.CancellationToken);
        v[FlowVars.FaceTicket] = ticket.Ticket;
        v[FlowVars.FaceState] = "Pending";
    }
}
