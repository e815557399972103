using ESeal.Db.MediumChange;
using ESeal.Db.Repositories;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities.CommitBind;

/// <summary>Inputs of ESeal.CommitBind.</summary>
public sealed record CommitBindInputs(string Channel, string NotProvedText, string SealNotFoundText, string AlreadyBoundText, string KeyBoundToOtherSealText, string SealBoundToOtherMediumText, string ConflictText)
{
    internal IReadOnlyDictionary<CommitError, string> Reasons => new Dictionary<CommitError, string>
    {
        [CommitError.SealNotFound] = SealNotFoundText,
        [CommitError.AlreadyBoundToThisMedium] = AlreadyBoundText,
        [CommitError.KeyBoundToOtherSeal] = KeyBoundToOtherSealText,
        [CommitError.SealBoundToOtherMedium] = SealBoundToOtherMediumText,
        [CommitError.Conflict] = ConflictText,
    };
}

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
        var inputs = context.InputsAs<CommitBindInputs>();
        if (!CommitGuards.PinProved(v) || !CommitGuards.FaceVerified(v))
        {
            v[FlowVars.FailureReason] = inputs.NotProvedText;
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
                FlowVars.ChannelOf(v, inputs.Channel),
                v.Guid(FlowVars.ReleaseBindingId),
                CommitGuards.Actor(context),
                FlowVars.KioskOf(v)),
            context.CancellationToken);
        return Outcome(context, outcome, inputs.Reasons);
    }

    /// <summary>The failure reason is the definition's text for the commit's error (the command's own words only for an error the definition has no text for).</summary>
    internal static StepResult Outcome(StepContext context, CommitOutcome outcome, IReadOnlyDictionary<CommitError, string> reasons)
    {
        var v = context.Variables;
        if (!outcome.Succeeded)
        {
            v[FlowVars.FailureReason] = reasons.TryGetValue(outcome.Error, out var reason) ? reason : outcome.Message;
            return StepResult.Next(Ports.Failed);
        }

        v[FlowVars.FailureReason] = null;
        v[FlowVars.BindingId] = outcome.BindingId?.ToString("D");
        v[FlowVars.ReceiptCode] = outcome.ReceiptCode;
        v[FlowVars.ResultAt] = FlowVars.Instant(outcome.At ?? context.Now);
        return StepResult.Next(Ports.Done);
    }
}
