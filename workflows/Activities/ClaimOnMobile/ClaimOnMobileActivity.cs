using ESeal.Db.MediumChange;
using ESeal.Workflows.Activities.CommitBind;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities.ClaimOnMobile;

/// <summary>Inputs of ESeal.ClaimOnMobile.</summary>
public sealed record ClaimOnMobileInputs(string Channel, string NotProvedText, string DeviceUnknownText, string SealNotFoundText, string SealNotUnboundText, string PhoneHoldsOtherSealText, string ConflictText)
{
    internal IReadOnlyDictionary<CommitError, string> Reasons => new Dictionary<CommitError, string>
    {
        [CommitError.SealNotFound] = SealNotFoundText,
        [CommitError.SealBoundToOtherMedium] = SealNotUnboundText,
        [CommitError.PhoneHoldsOtherSeal] = PhoneHoldsOtherSealText,
        [CommitError.Conflict] = ConflictText,
    };
}

/// <summary>
/// Binds the unbound seal chosen in ChooseSeal (purpose claim) to the phone: the device id is an
/// initial variable "deviceId" set by the web from the phone's device cookie. Requires the legal
/// representative's face verification of the same enterprise. Idempotent by instance id.
/// Ports: Done, Failed.
/// </summary>
public sealed class ClaimOnMobileHandler(MediumChangeCommands commands) : ActivityHandler<ClaimOnMobileInputs>
{
    public override string Type => ActivityCatalog.ClaimOnMobile;

    public override async Task<StepResult> RunAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var v = context.Variables;
        var inputs = context.InputsAs<ClaimOnMobileInputs>();
        if (!CommitGuards.FaceVerified(v))
        {
            v[FlowVars.FailureReason] = inputs.NotProvedText;
            return StepResult.Next(Ports.Failed);
        }

        if (v[FlowVars.DeviceId] is not { } device)
        {
            v[FlowVars.FailureReason] = inputs.DeviceUnknownText;
            return StepResult.Next(Ports.Failed);
        }

        var outcome = await commands.ClaimOnMobileAsync(
            new ClaimOnMobileCommand(context.InstanceId, context.InstanceId, v.Guid(FlowVars.EnterpriseId)!.Value, v.Guid(FlowVars.SealId)!.Value, device, CommitGuards.Actor(context)),
            context.CancellationToken);
        return CommitBindHandler.Outcome(context, outcome, inputs.Reasons);
    }
}
