using ESeal.Db.Repositories;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities.ChooseSeal;

/// <summary>Inputs of ESeal.ChooseSeal; Purpose is bind, unbind (confirm the key's seal) or claim (unbound seals only).</summary>
public sealed record ChooseSealInputs(
    string Purpose,
    string Title,
    string EnterpriseNameLabel,
    string CreditCodeLabel,
    string LegalRepLabel,
    string LegendText,
    string ImpressionAltText,
    string ChooseRequiredText,
    string BoundElsewhereText,
    string CancelText,
    string ContinueText,
    string SealNotUnboundText,
    string KeyNotBoundText,
    string ButtonText);

public static class ChooseSealFields
{
    public const string SealId = "sealId";

    /// <summary>"true" after the user answered the "已绑定其他介质" dialog with 确认并进入下一步.</summary>
    public const string ConfirmRelease = "confirmRelease";
}

public static class ChooseSealStay
{
    /// <summary>Show the dialog (Message = BoundElsewhereText) with CancelText / ContinueText; continue re-posts with confirmRelease=true.</summary>
    public const string SealBoundToOtherMedium = "SealBoundToOtherMedium";
    public const string KeyNotBound = "KeyNotBound";
}

public sealed record SealChoice(Guid Id, string SealCode, string SealType, string Name, string Status, string StatusLabel, string? ImpressionSvg);

public sealed record ChooseSealData(string Purpose, IReadOnlyList<SealChoice> Seals);

/// <summary>One seal of the enterprise from the certificate (never from the page). Ports: Done.</summary>
public sealed class ChooseSealHandler : ActivityHandler<ChooseSealInputs>
{
    public override string Type => ActivityCatalog.ChooseSeal;

    /// <summary>The claim flow starts with only the enterprise id: fill in the facts the page shows.</summary>
    public override Task EnterAsync(StepContext context) => FlowVars.EnsureEnterpriseAsync(context);

    public override async Task<object?> DescribeAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = context.InputsAs<ChooseSealInputs>();
        var seals = await SealsAsync(context, inputs.Purpose);
        return new ChooseSealData(inputs.Purpose, seals.Select(s => new SealChoice(s.Id, s.SealCode, s.SealType, s.Name, s.Status.ToString(), SealStatusText.Label(s.Status), s.ImpressionSvg)).ToList());
    }

    public override async Task<StepResult> RunAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = context.InputsAs<ChooseSealInputs>();
        await FlowVars.EnsureEnterpriseAsync(context);
        var seals = await SealsAsync(context, inputs.Purpose);
        Seal? seal;
        if (inputs.Purpose == "unbind")
        {
            seal = seals.FirstOrDefault();
            if (seal is null)
            {
                return StepResult.Stay(ChooseSealStay.KeyNotBound, inputs.KeyNotBoundText);
            }
        }
        else
        {
            var posted = Guid.TryParse(context.Posted(ChooseSealFields.SealId), out var id) ? id : (Guid?)null;
            seal = seals.FirstOrDefault(s => s.Id == posted);
            if (seal is null)
            {
                return StepResult.Invalid(new Dictionary<string, string> { [ChooseSealFields.SealId] = inputs.ChooseRequiredText });
            }

            if (inputs.Purpose == "claim" && seal.Status != SealStatus.Unbound)
            {
                return StepResult.Invalid(new Dictionary<string, string> { [ChooseSealFields.SealId] = inputs.SealNotUnboundText });
            }

            if (inputs.Purpose == "bind")
            {
                // The dialog names the binding it was shown for; confirming releases that binding
                // only. If the seal changed between the dialog and the answer, ask again.
                var holding = await context.ReadAsync(s => new BindingRepository(s).ActiveForSealAsync(seal.Id, context.CancellationToken));
                var offered = context.Variables.Guid(FlowVars.ReleaseOffered);
                if (holding is not null && !(context.PostedFlag(ChooseSealFields.ConfirmRelease) && offered == holding.Id))
                {
                    context.Variables[FlowVars.ReleaseOffered] = holding.Id.ToString("D");
                    return StepResult.Stay(ChooseSealStay.SealBoundToOtherMedium, inputs.BoundElsewhereText);
                }

                context.Variables[FlowVars.ReleaseOffered] = null;
                context.Variables[FlowVars.ReleaseBindingId] = holding?.Id.ToString("D");
            }
        }

        var v = context.Variables;
        v[FlowVars.SealId] = seal.Id.ToString("D");
        v[FlowVars.SealType] = seal.SealType;
        v[FlowVars.SealName] = seal.Name;
        if (inputs.Purpose != "bind")
        {
            v[FlowVars.ReleaseBindingId] = null;
        }

        v[FlowVars.PinProvedCertSha256] = null; // a proof is bound to the seal in its context
        v[FlowVars.PinProvedToken] = null;
        return StepResult.Next(Ports.Done);
    }

    private static async Task<IReadOnlyList<Seal>> SealsAsync(StepContext context, string purpose)
    {
        if (context.Variables.Guid(FlowVars.EnterpriseId) is not { } enterpriseId)
        {
            return [];
        }

        return await context.ReadAsync<IReadOnlyList<Seal>>(async s =>
        {
            if (purpose != "unbind")
            {
                return await new SealRepository(s).ListByEnterpriseAsync(enterpriseId, context.CancellationToken);
            }

            // The seal bound to the chosen certificate's key (never to a posted serial).
            var keyId = context.Variables[FlowVars.KeyId];
            var certSha256 = context.Variables[FlowVars.CertSha256];
            var medium = keyId is null || certSha256 is null ? null : await new MediumRepository(s).FindUsbKeyAsync(keyId, certSha256, context.CancellationToken);
            var binding = medium is null ? null : await new BindingRepository(s).ActiveForMediumAsync(medium.Id, context.CancellationToken);
            var seal = binding is null ? null : await new SealRepository(s).GetAsync(binding.SealId, context.CancellationToken);
            return seal is not null && seal.EnterpriseId == enterpriseId ? [seal] : [];
        });
    }
}
