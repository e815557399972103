using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities.ReadingNotice;

/// <summary>Inputs of ESeal.ReadingNotice (forced reading).</summary>
public sealed record ReadingNoticeInputs(int Seconds, string Title, string Body, string ButtonText, string CountdownFormat);

/// <summary>
/// Page contract: show Title/Body with a grey button counting down to FlowView.NotBefore, then
/// ButtonText. Post: (no fields needed) — any resume before NotBefore is refused (TooEarly).
/// Ports: Done.
/// </summary>
public sealed class ReadingNoticeHandler : ActivityHandler<ReadingNoticeInputs>
{
    public override string Type => ActivityCatalog.ReadingNotice;

    public override Task EnterAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.NotBefore = context.Now.AddSeconds(context.InputsAs<ReadingNoticeInputs>().Seconds);
        return Task.CompletedTask;
    }

    public override Task<StepResult> RunAsync(StepContext context) => Task.FromResult(StepResult.Next(Ports.Done));
}
