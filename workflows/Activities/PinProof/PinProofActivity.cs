using System.Globalization;
using System.Text.Json;
using ESeal.Db.Repositories;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Proof;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities.PinProof;

/// <summary>Inputs of ESeal.PinProof (电子印章PIN码).</summary>
public sealed record PinProofInputs(
    string Action,
    int Limit,
    int NonceSeconds,
    string Title,
    string LeadText,
    string Placeholder,
    string ShowPinLabel,
    string HidePinLabel,
    string PinRequiredText,
    string WrongPinText,
    string AttemptsLeftText,
    string LockedText,
    string ProofFailedText,
    string ChallengeInvalidText,
    string PageExpiredText,
    string NetworkErrorText,
    string ButtonText);

/// <summary>
/// What the page posts after calling the key helper's POST /v1/sign with the challenge from
/// IFlowRuntime.IssuePinChallengeAsync. The PIN itself is never posted to the server.
/// </summary>
public static class PinProofFields
{
    /// <summary>"signed" (helper answered 200), "pinIncorrect" or "pinLocked" (helper's error).</summary>
    public const string Result = "result";

    /// <summary>The nonce of the challenge this answer belongs to (each nonce is used once).</summary>
    public const string Nonce = "nonce";
    public const string Algorithm = "algorithm";
    public const string Signature = "signature";
    public const string Certificate = "certificate";

    /// <summary>With pinIncorrect/pinLocked: the helper's attemptsLeft as it answered (may be empty).</summary>
    public const string AttemptsLeft = "attemptsLeft";

    /// <summary>With pinIncorrect/pinLocked: the helper's report key id and signature (see PinReport), when it sent them.</summary>
    public const string ReportKeyId = "reportKeyId";
    public const string ReportSignature = "reportSignature";
}

public static class PinProofStay
{
    public const string PinIncorrect = "PinIncorrect";
    public const string PinLocked = "PinLocked";
    public const string ProofFailed = "ProofFailed";
    public const string ChallengeInvalid = "ChallengeInvalid";
}

public sealed record PinProofData(int Limit, int FailedAttempts, int AttemptsLeft, bool Locked, string? TokenSerial, string? CertificateId);

/// <summary>
/// Counts wrong PINs per key (PinCounterRepository, audited PinFailed/PinLocked), refuses at the
/// definition's limit, and passes only on a signature verified by <see cref="ProofVerifier"/>.
/// A wrong-PIN answer counts for the key everywhere only when an enrolled key helper signed it;
/// otherwise it counts for this browser session only (workflows/README.md, "Who may count a wrong PIN").
/// Ports: Done.
/// </summary>
public sealed class PinProofHandler(ProofVerifier verifier) : ActivityHandler<PinProofInputs>
{
    public override string Type => ActivityCatalog.PinProof;

    public override async Task<object?> DescribeAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = context.InputsAs<PinProofInputs>();
        var state = await StateAsync(context, inputs.Limit);
        return new PinProofData(inputs.Limit, state.FailedAttempts, Math.Max(0, inputs.Limit - state.FailedAttempts), state.Locked, context.Variables[FlowVars.TokenSerial], context.Variables[FlowVars.CertificateId]);
    }

    /// <summary>A fresh one-time nonce (32 random bytes, base64url) and the context string to sign.</summary>
    internal static async Task<PinChallengeResult> IssueAsync(StepContext context)
    {
        var inputs = context.InputsAs<PinProofInputs>();
        var v = context.Variables;
        var serial = v.Required(FlowVars.TokenSerial);
        var state = await StateAsync(context, inputs.Limit);
        if (state.Locked)
        {
            return new PinChallengeResult(RefusalReason.None, inputs.LockedText, null, null, null, serial, v[FlowVars.CertificateId], 0, true);
        }

        var nonce = ProofVerifier.NewNonce();
        var expires = context.Now.AddSeconds(inputs.NonceSeconds);
        var proofContext = ProofVerifier.Context(inputs.Action, context.InstanceId, v.Required(FlowVars.CreditCode), v.Guid(FlowVars.SealId), serial, v.Required(FlowVars.CertSha256));
        v[FlowVars.PinNonce] = nonce;
        v[FlowVars.PinNonceExpires] = FlowVars.Instant(expires);
        v[FlowVars.PinContext] = proofContext;
        return new PinChallengeResult(RefusalReason.None, null, nonce, proofContext, expires, serial, v[FlowVars.CertificateId], inputs.Limit - state.FailedAttempts, false);
    }

    public override async Task<StepResult> RunAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = context.InputsAs<PinProofInputs>();
        var v = context.Variables;
        var serial = v.Required(FlowVars.TokenSerial);
        var keyId = v.Required(FlowVars.KeyId);
        var before = await StateAsync(context, inputs.Limit);
        if (before.Locked)
        {
            return StepResult.Stay(PinProofStay.PinLocked, inputs.LockedText);
        }

        // The nonce is single use whatever the answer: it is consumed before anything else.
        var nonce = v[FlowVars.PinNonce];
        var expires = v[FlowVars.PinNonceExpires] is { } e ? DateTimeOffset.Parse(e, CultureInfo.InvariantCulture) : DateTimeOffset.MinValue;
        var expectedContext = v[FlowVars.PinContext];
        var posted = context.Posted(PinProofFields.Nonce);
        if (nonce is null || expectedContext is null || posted != nonce || context.Now >= expires)
        {
            return StepResult.Stay(PinProofStay.ChallengeInvalid, inputs.ChallengeInvalidText);
        }

        v[FlowVars.PinNonce] = null;
        v[FlowVars.PinNonceExpires] = null;
        v[FlowVars.PinContext] = null;

        switch (context.Posted(PinProofFields.Result))
        {
            case "pinIncorrect":
            case "pinLocked":
            {
                // "pinLocked": the token (or the PC's helper) refuses logins. Either answer counts
                // key-wide only when an enrolled helper signed it for this nonce and context;
                // otherwise only this browser session is bound by what its page said.
                var tokenLocked = context.Posted(PinProofFields.Result) == "pinLocked";
                var error = tokenLocked ? PinReport.PinLocked : PinReport.PinIncorrect;
                var helper = await EnrolledReporterAsync(context, nonce, expectedContext, serial, error);
                var scope = helper is null ? PinCounterScope.Session : PinCounterScope.Key;
                var locks = tokenLocked || before.FailedAttempts + 1 >= inputs.Limit;
                RecordFailure(context, scope, helper, keyId, serial, inputs.Limit, tokenLocked, locks);
                return locks
                    ? StepResult.Stay(PinProofStay.PinLocked, inputs.LockedText)
                    : StepResult.Stay(PinProofStay.PinIncorrect, inputs.WrongPinText, new Dictionary<string, string> { ["pin"] = inputs.WrongPinText });
            }

            case "signed":
            {
                var proof = new PostedProof(context.Posted(PinProofFields.Algorithm) ?? string.Empty, context.Posted(PinProofFields.Signature) ?? string.Empty, context.Posted(PinProofFields.Certificate) ?? string.Empty);
                var verdict = verifier.Verify(proof, new ProofExpectation(nonce, expectedContext, v.Required(FlowVars.CreditCode), v.Required(FlowVars.CertSha256)));
                if (!verdict.Succeeded)
                {
                    return StepResult.Stay(PinProofStay.ProofFailed, DefinitionTexts.WithReason(context.Definition.Texts, inputs.ProofFailedText, verdict.Failure), new Dictionary<string, string> { ["pin"] = inputs.ProofFailedText });
                }

                context.OnSave(s => new PinCounterRepository(s).ResetAfterSuccessAsync(keyId, context.OwnerSession, context.CancellationToken));
                v[FlowVars.PinProvedCertSha256] = v[FlowVars.CertSha256];
                v[FlowVars.PinProvedToken] = serial;
                return StepResult.Next(Ports.Done);
            }

            default:
                return StepResult.Stay(PinProofStay.ChallengeInvalid, inputs.ChallengeInvalidText);
        }
    }

    /// <summary>The enrolled, unrevoked helper whose report key signed exactly this answer for this nonce and context, or null.</summary>
    private async Task<EnrolledHelper?> EnrolledReporterAsync(StepContext context, string nonce, string expectedContext, string serial, string error)
    {
        var keyId = context.Posted(PinProofFields.ReportKeyId);
        var signature = context.Posted(PinProofFields.ReportSignature);
        if (keyId is null || signature is null || keyId.Length != 64)
        {
            return null;
        }

        var helper = await context.ReadAsync(s => new EnrolledHelperRepository(s).FindActiveAsync(keyId.ToLowerInvariant(), context.CancellationToken));
        var attemptsLeft = context.Posted(PinProofFields.AttemptsLeft) ?? "-";
        var signed = PinReport.ToBeSigned(verifier.Origin, nonce, expectedContext, serial, error, attemptsLeft);
        return helper is not null && PinReport.Verify(helper.PublicKey, signature, signed) ? helper : null;
    }

    private static void RecordFailure(StepContext context, PinCounterScope scope, EnrolledHelper? helper, string keyId, string serial, int limit, bool tokenLocked, bool locks)
    {
        var enterpriseId = context.Variables.Guid(FlowVars.EnterpriseId);
        context.OnSave(async s =>
        {
            var state = await new PinCounterRepository(s).RecordFailureAsync(scope, keyId, context.OwnerSession, serial, limit, tokenLocked, context.Now, context.CancellationToken);
            var facts = new { tokenSerial = serial, keyId, scope = scope.ToString(), attempts = state.FailedAttempts, tokenLocked, hall = helper?.Hall, kiosk = helper?.Kiosk };
            var audit = new AuditLog(s);
            await audit.AppendAsync(Event(AuditKinds.PinFailed, context, enterpriseId, facts), context.CancellationToken);
            if (locks && state.Locked)
            {
                await audit.AppendAsync(Event(AuditKinds.PinLocked, context, enterpriseId, facts), context.CancellationToken);
            }
        });
    }

    private static AuditEvent Event(string kind, StepContext context, Guid? enterpriseId, object data) => new()
    {
        Id = Guid.NewGuid(),
        OccurredAt = context.Now,
        Kind = kind,
        Actor = $"flow:{context.Definition.DefinitionId}",
        EnterpriseId = enterpriseId,
        InstanceId = context.InstanceId,
        Data = JsonSerializer.Serialize(data),
    };

    private static async Task<PinCounterState> StateAsync(StepContext context, int limit)
    {
        if (context.Variables[FlowVars.KeyId] is not { } keyId)
        {
            return new PinCounterState(0, 0, false);
        }

        return await context.ReadAsync(s => new PinCounterRepository(s).StateAsync(keyId, context.OwnerSession, limit, context.CancellationToken));
    }
}
