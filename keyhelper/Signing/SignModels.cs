namespace ESeal.KeyHelper.Signing;

/// <summary>POST /v1/sign body. Deliberately no origin field: see <see cref="ProofBytes"/>.</summary>
public sealed class SignRequest
{
    public string? TokenSerial { get; set; }
    public string? CertificateId { get; set; }
    public string? Pin { get; set; }
    public string? Nonce { get; set; }
    public string? Context { get; set; }

    // Never let a debugger display, a log template or an exception message render the PIN.
    public override string ToString() => $"SignRequest {{ TokenSerial = {TokenSerial}, CertificateId = {CertificateId} }}";
}

public sealed record SignResponse(string Algorithm, string Signature, string Certificate);

/// <summary>What the signer decided; turned into HTTP by the endpoint.</summary>
internal abstract record SignOutcome
{
    public sealed record Signed(SignResponse Response) : SignOutcome;

    public sealed record Refused(string Error, int? AttemptsLeft = null) : SignOutcome;
}
