using System.Globalization;
using System.Text.Json;
using ESeal.Db.Repositories;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Proof;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities.PinProof;

/// <summary>Inputs of ESeal.PinProof (电子印章PIN码).</summary>
public sealed record PinProofInputs(string Action, int Limit, int NonceSeconds, string Title, string Placeholder, string WrongPinText, string LockedText, string ProofFailedText, string ButtonText);

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
/// Counts wrong PINs per token (PinLockoutRepository, audited PinFailed/PinLocked), refuses at
/// the definition's limit, and passes only on a signature verified by <see cref="ProofVerifier"/>.
/// Ports: Done.
/// </summary>
public sealed class PinProofHandler(ProofVerifier verifier) : ActivityHandler<PinProofInputs>
{
    private const string ChallengeInvalidText = "本次验证已失效，请重新输入PIN码。";

    public override string Type => ActivityCatalog.PinProof;

    public override async Task<object?> DescribeAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = context.InputsAs<PinProofInputs>();
        var failed = await FailedAsync(context);
        return new PinProofData(inputs.Limit, failed.Count, Math.Max(0, inputs.Limit - failed.Count), failed.Locked || failed.Count >= inputs.Limit, context.Variables[FlowVars.TokenSerial], context.Variables[FlowVars.CertificateId]);
    }

    /// <summary>A fresh one-time nonce (32 random bytes, base64url) and the context string to sign.</summary>
    internal static async Task<PinChallengeResult> IssueAsync(StepContext context)
    {
        var inputs = context.InputsAs<PinProofInputs>();
        var v = context.Variables;
        var serial = v.Required(FlowVars.TokenSerial);
        var failed = await FailedAsync(context);
        if (failed.Locked || failed.Count >= inputs.Limit)
        {
            return new PinChallengeResult(RefusalReason.None, inputs.LockedText, null, null, null, serial, v[FlowVars.CertificateId], 0, true);
        }

        var nonce = ProofVerifier.NewNonce();
        var expires = context.Now.AddSeconds(inputs.NonceSeconds);
        var proofContext = ProofVerifier.Context(inputs.Action, context.InstanceId, v.Required(FlowVars.CreditCode), v.Guid(FlowVars.SealId), serial, v.Required(FlowVars.CertSha256));
        v[FlowVars.PinNonce] = nonce;
        v[FlowVars.PinNonceExpires] = FlowVars.Instant(expires);
        v[FlowVars.PinContext] = proofContext;
        return new PinChallengeResult(RefusalReason.None, null, nonce, proofContext, expires, serial, v[FlowVars.CertificateId], inputs.Limit - failed.Count, false);
    }

    public override async Task<StepResult> RunAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = context.InputsAs<PinProofInputs>();
        var v = context.Variables;
        var serial = v.Required(FlowVars.TokenSerial);
        var failed = await FailedAsync(context);
        if (failed.Locked || failed.Count >= inputs.Limit)
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
            return StepResult.Stay(PinProofStay.ChallengeInvalid, ChallengeInvalidText);
        }

        v[FlowVars.PinNonce] = null;
        v[FlowVars.PinNonceExpires] = null;
        v[FlowVars.PinContext] = null;

        switch (context.Posted(PinProofFields.Result))
        {
            case "pinIncorrect":
            {
                var locks = failed.Count + 1 >= inputs.Limit;
                RecordFailure(context, serial, inputs.Limit, locks);
                return locks
                    ? StepResult.Stay(PinProofStay.PinLocked, inputs.LockedText)
                    : StepResult.Stay(PinProofStay.PinIncorrect, inputs.WrongPinText, new Dictionary<string, string> { ["pin"] = inputs.WrongPinText });
            }

            case "pinLocked":
            {
                // The helper says the key refuses logins. A page's word cannot be verified, so it is shown
                // to this user but counted as one wrong PIN: a forged post cannot lock someone's key at once.
                RecordFailure(context, serial, inputs.Limit, failed.Count + 1 >= inputs.Limit);
                return StepResult.Stay(PinProofStay.PinLocked, inputs.LockedText);
            }

            case "signed":
            {
                var proof = new PostedProof(context.Posted(PinProofFields.Algorithm) ?? string.Empty, context.Posted(PinProofFields.Signature) ?? string.Empty, context.Posted(PinProofFields.Certificate) ?? string.Empty);
                var verdict = verifier.Verify(proof, new ProofExpectation(nonce, expectedContext, v.Required(FlowVars.CreditCode), v.Required(FlowVars.CertSha256)));
                if (!verdict.Succeeded)
                {
                    return StepResult.Stay(PinProofStay.ProofFailed, $"{inputs.ProofFailedText}（{verdict.Detail}）", new Dictionary<string, string> { ["pin"] = inputs.ProofFailedText });
                }

                context.OnSave(s => new PinLockoutRepository(s).ResetAfterSuccessAsync(serial, context.CancellationToken));
                v[FlowVars.PinProvedCertSha256] = v[FlowVars.CertSha256];
                v[FlowVars.PinProvedToken] = serial;
                return StepResult.Next(Ports.Done);
            }

            default:
                return StepResult.Stay(PinProofStay.ChallengeInvalid, ChallengeInvalidText);
        }
    }

    private static void RecordFailure(StepContext context, string serial, int limit, bool locks)
    {
        var enterpriseId = context.Variables.Guid(FlowVars.EnterpriseId);
        context.OnSave(async s =>
        {
            var state = await new PinLockoutRepository(s).RecordFailureAsync(serial, limit, context.Now, context.CancellationToken);
            var audit = new AuditLog(s);
            await audit.AppendAsync(Event(AuditKinds.PinFailed, context, enterpriseId, new { tokenSerial = serial, attempts = state.FailedAttempts }), context.CancellationToken);
            if (locks && state.IsLocked)
            {
                await audit.AppendAsync(Event(AuditKinds.PinLocked, context, enterpriseId, new { tokenSerial = serial, attempts = state.FailedAttempts }), context.CancellationToken);
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

    private static async Task<(int Count, bool Locked)> FailedAsync(StepContext context)
    {
        var serial = context.Variables[FlowVars.TokenSerial];
        if (serial is null)
        {
            return (0, false);
        }

        var state = await context.ReadAsync(s => new PinLockoutRepository(s).GetAsync(serial, context.CancellationToken));
        return (state?.FailedAttempts ?? 0, state?.IsLocked ?? false);
    }
}
