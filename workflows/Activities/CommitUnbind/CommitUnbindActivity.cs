using ESeal.Db.MediumChange;
using ESeal.Workflows.Activities.CommitBind;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities.CommitUnbind;

/// <summary>Inputs of ESeal.CommitUnbind.</summary>
public sealed record CommitUnbindInputs(string Channel, string NotProvedText, string KeyNotBoundText, string ConflictText)
{
    internal IReadOnlyDictionary<CommitError, string> Reasons => new Dictionary<CommitError, string>
    {
        [CommitError.KeyNotBound] = KeyNotBoundText,
        [CommitError.Conflict] = ConflictText,
    };
}

/// <summary>Unbinds the proved USBKEY's seal (idempotent by instance id). Ports: Done, Failed.</summary>
public sealed class CommitUnbindHandler(MediumChangeCommands commands) : ActivityHandler<CommitUnbindInputs>
{
    public override string Type => ActivityCatalog.CommitUnbind;

    public override async Task<StepResult> RunAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var v = context.Variables;
        var inputs = context.InputsAs<CommitUnbindInputs>();
        if (!CommitGuards.PinProved(v) || !CommitGuards.FaceVerified(v))
        {
            v[FlowVars.FailureReason] = inputs.NotProvedText;
            return StepResult.Next(Ports.Failed);
        }

        var outcome = await commands.UnbindUsbKeyAsync(
            new UnbindUsbKeyCommand(context.InstanceId, context.InstanceId, v.Guid(FlowVars.EnterpriseId)!.Value, v.Required(FlowVars.TokenSerial), v.Required(FlowVars.KeyId), v.Required(FlowVars.PinProvedCertSha256), FlowVars.ChannelOf(v, inputs.Channel), CommitGuards.Actor(context), FlowVars.KioskOf(v)),
            context.CancellationToken);
        return CommitBindHandler.Outcome(context, outcome, inputs.Reasons);
    }
}
