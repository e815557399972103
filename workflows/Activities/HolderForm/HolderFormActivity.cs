using ESeal.Db.Domain;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities.HolderForm;

/// <summary>Inputs of ESeal.HolderForm (持章人).</summary>
public sealed record HolderFormInputs(
    string Title,
    string EnterpriseText,
    string LegendText,
    string ErrorSummaryTitle,
    string ErrorSummaryItem,
    string NameLabel,
    string IdTypeLabel,
    string IdNumberLabel,
    string PhoneLabel,
    string NameRequiredText,
    string IdTypeRequiredText,
    string ButtonText);

public static class HolderFormFields
{
    public const string Name = "holderName";

    /// <summary>An <see cref="IdDocumentType"/> name, e.g. "ResidentId".</summary>
    public const string IdType = "holderIdType";
    public const string IdNumber = "holderIdNumber";
    public const string Phone = "holderPhone";
}

public sealed record IdTypeChoice(string Value, string Label);

public sealed record HolderFormData(IReadOnlyList<IdTypeChoice> IdTypes);

/// <summary>
/// Validates the seal holder with the foundation's validators; errors come back per field
/// (FieldErrors keyed by <see cref="HolderFormFields"/>) and nothing is stored. Ports: Done.
/// </summary>
public sealed class HolderFormHandler : ActivityHandler<HolderFormInputs>
{
    private static readonly HolderFormData Data = new(IdDocument.Types.Select(t => new IdTypeChoice(t.Type.ToString(), t.Label)).ToList());

    private const int MaxNameLength = 50;

    public override string Type => ActivityCatalog.HolderForm;

    public override Task<object?> DescribeAsync(StepContext context) => Task.FromResult<object?>(Data);

    public override Task<StepResult> RunAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = context.InputsAs<HolderFormInputs>();
        var errors = new Dictionary<string, string>();
        var name = context.Posted(HolderFormFields.Name);
        if (FreeText.Validate(name, inputs.NameLabel, inputs.NameRequiredText, MaxNameLength) is { } nameError)
        {
            errors[HolderFormFields.Name] = nameError;
        }

        var typeText = context.Posted(HolderFormFields.IdType);
        IdDocumentType? type = Enum.TryParse<IdDocumentType>(typeText, out var t) && Enum.IsDefined(t) ? t : null;
        if (type is null)
        {
            errors[HolderFormFields.IdType] = inputs.IdTypeRequiredText;
        }
        else if (IdDocument.Validate(type.Value, context.Posted(HolderFormFields.IdNumber)) is { } idError)
        {
            errors[HolderFormFields.IdNumber] = idError;
        }

        var phone = context.Posted(HolderFormFields.Phone);
        if (MobilePhone.Validate(phone) is { } phoneError)
        {
            errors[HolderFormFields.Phone] = phoneError;
        }

        if (errors.Count > 0)
        {
            return Task.FromResult(StepResult.Invalid(errors));
        }

        var v = context.Variables;
        v[FlowVars.HolderName] = name;
        v[FlowVars.HolderIdType] = IdDocument.Label(type!.Value);
        v[FlowVars.HolderIdNumber] = context.Posted(HolderFormFields.IdNumber)!.ToUpperInvariant();
        v[FlowVars.HolderPhone] = MobilePhone.Normalize(phone) ?? phone;
        return Task.FromResult(StepResult.Next(Ports.Done));
    }
}
