using System.Text.Json;
using ESeal.Db.Repositories;
using ESeal.Workflows.Activities.DetectKey;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities.ChooseCertificate;

/// <summary>Inputs of ESeal.ChooseCertificate.</summary>
public sealed record ChooseCertificateInputs(
    string Title,
    string LegendText,
    string RefreshLabel,
    string IssuerLabel,
    string ValidUntilLabel,
    string ButtonText,
    string ChooseRequiredText,
    string UnknownEnterpriseText,
    string EnterpriseNameLabel,
    string CreditCodeLabel,
    string LegalRepLabel);

public static class ChooseCertificateFields
{
    /// <summary>The chosen certificate's CKA_ID (hex) as the helper listed it; optional when there is one.</summary>
    public const string CertificateId = "certificateId";

    /// <summary>"true" re-reads the key: the flow goes back to DetectKey (port Back).</summary>
    public const string Refresh = "refresh";
}

/// <summary>Page data: the key's certificates, the first preselected.</summary>
public sealed record ChooseCertificateData(IReadOnlyList<CertificateChoice> Certificates, string? PreselectedId);

/// <summary>
/// The user picks one certificate; the enterprise comes from its credit code (server reading).
/// Ports: Done, Back (refresh).
/// </summary>
public sealed class ChooseCertificateHandler : ActivityHandler<ChooseCertificateInputs>
{
    public override string Type => ActivityCatalog.ChooseCertificate;

    public override Task<object?> DescribeAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var list = Certificates(context);
        return Task.FromResult<object?>(new ChooseCertificateData(list, list.FirstOrDefault()?.Id));
    }

    public override async Task<StepResult> RunAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.PostedFlag(ChooseCertificateFields.Refresh))
        {
            return StepResult.Next(Ports.Back);
        }

        var inputs = context.InputsAs<ChooseCertificateInputs>();
        var list = Certificates(context);
        var id = context.Posted(ChooseCertificateFields.CertificateId);
        var chosen = id is null ? (list.Count == 1 ? list[0] : null) : list.FirstOrDefault(c => c.Id == id);
        if (chosen is null)
        {
            return StepResult.Invalid(new Dictionary<string, string> { [ChooseCertificateFields.CertificateId] = inputs.ChooseRequiredText });
        }

        var enterprise = chosen.CreditCode is null ? null
            : await context.ReadAsync(s => new EnterpriseRepository(s).FindByCreditCodeAsync(chosen.CreditCode, context.CancellationToken));
        if (enterprise is null)
        {
            return StepResult.Invalid(new Dictionary<string, string> { [ChooseCertificateFields.CertificateId] = inputs.UnknownEnterpriseText });
        }

        var v = context.Variables;
        FlowVars.ForgetProofs(v);
        v[FlowVars.CertificateId] = chosen.Id;
        v[FlowVars.CertSha256] = chosen.Sha256;
        v[FlowVars.KeyId] = chosen.KeyId;
        v[FlowVars.CertSerial] = chosen.SerialNumber;
        v[FlowVars.CertIssuer] = chosen.Issuer;
        v[FlowVars.CertSubject] = chosen.Subject;
        v[FlowVars.CertNotBefore] = chosen.NotBefore is { } notBefore ? FlowVars.Instant(notBefore) : null;
        v[FlowVars.CertNotAfter] = FlowVars.Instant(chosen.NotAfter);
        v[FlowVars.EnterpriseId] = enterprise.Id.ToString("D");
        v[FlowVars.EnterpriseName] = enterprise.Name;
        v[FlowVars.CreditCode] = enterprise.CreditCode;
        v[FlowVars.LegalRepName] = enterprise.LegalRepName;
        return StepResult.Next(Ports.Done);
    }

    internal static IReadOnlyList<CertificateChoice> Certificates(StepContext context) =>
        context.Variables[FlowVars.Certificates] is { } json ? JsonSerializer.Deserialize<List<CertificateChoice>>(json, FlowVars.Json) ?? [] : [];
}
