using ESeal.Db.MediumChange;
using ESeal.Db.Repositories;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities.CommitBind;

/// <summary>Inputs of ESeal.CommitBind.</summary>
public sealed record CommitBindInputs(string Channel);

/// <summary>
/// Binds the chosen seal to the proved USBKEY in one transaction (MediumChangeCommands) with the
/// instance id as operation id, so a repeat changes nothing. Ports: Done, Failed (variable failureReason).
/// </summary>
public sealed class CommitBindHandler(MediumChangeCommands commands) : ActivityHandler<CommitBindInputs>
{
    public override string Type => ActivityCatalog.CommitBind;

    public override async Task<StepResult> RunAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var v = context.Variables;
        if (!CommitGuards.PinProved(v) || !CommitGuards.FaceVerified(v))
        {
            v[FlowVars.FailureReason] = CommitGuards.NotProvedText;
            return StepResult.Next(Ports.Failed);
        }

        var outcome = await commands.BindUsbKeyAsync(
            new BindUsbKeyCommand(
                context.InstanceId,
                context.InstanceId,
                v.Guid(FlowVars.EnterpriseId)!.Value,
                v.Guid(FlowVars.SealId)!.Value,
                v.Required(FlowVars.TokenSerial),
                new UsbKeyCertificate(v.Required(FlowVars.CertSha256), v.Required(FlowVars.KeyId), v.Required(FlowVars.CertSerial), v.Required(FlowVars.CertIssuer), v.Required(FlowVars.CertSubject), FlowVars.InstantOrNull(v[FlowVars.CertNotBefore]), FlowVars.InstantOrNull(v[FlowVars.CertNotAfter])),
                new SealHolder(v.Required(FlowVars.HolderName), v.Required(FlowVars.HolderIdType), v.Required(FlowVars.HolderIdNumber), v.Required(FlowVars.HolderPhone)),
                FlowVars.ChannelOf(v, context.InputsAs<CommitBindInputs>().Channel),
                v.Guid(FlowVars.ReleaseBindingId),
                CommitGuards.Actor(context),
                FlowVars.KioskOf(v)),
            context.CancellationToken);
        return Outcome(context, outcome);
    }

    internal static StepResult Outcome(StepContext context, CommitOutcome outcome)
    {
        var v = context.Variables;
        if (!outcome.Succeeded)
        {
            v[FlowVars.FailureReason] = outcome.Message;
            return StepResult.Next(Ports.Failed);
        }

        v[FlowVars.FailureReason] = null;
        v[FlowVars.BindingId] = outcome.BindingId?.ToString("D");
        v[FlowVars.ResultAt] = FlowVars.Instant(outcome.At ?? context.Now);
        return StepResult.Next(Ports.Done);
    }
}
