using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities;

/// <summary>
/// Defence in depth behind the definition rules: a commit runs only when this instance proved the
/// PIN for the chosen token and certificate and the legal representative of the same enterprise.
/// </summary>
internal static class CommitGuards
{
    public static bool PinProved(FlowVariables v) =>
        v[FlowVars.PinProvedCertSha256] is { } sha && sha == v[FlowVars.CertSha256] &&
        v[FlowVars.PinProvedToken] is { } token && token == v[FlowVars.TokenSerial];

    public static bool FaceVerified(FlowVariables v) =>
        v[FlowVars.FaceVerifiedEnterpriseId] is { } e && e == v[FlowVars.EnterpriseId];

    public static string Actor(StepContext c) => $"flow:{c.Definition.DefinitionId}:{c.InstanceId:N}";
}
