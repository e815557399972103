using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ESeal.Db.Repositories;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Proof;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Activities.DetectKey;

/// <summary>Inputs of ESeal.DetectKey (插入USBKEY).</summary>
public sealed record DetectKeyInputs(
    string Purpose,
    string Title,
    string ReadingText,
    string NoKeyText,
    string NoKeyImageAlt,
    string RefreshText,
    string NoCertificateText,
    string UntrustedCertificateText,
    string KeyBoundToOtherSealText,
    string KeyNotBoundText,
    string ChangeKeyText,
    string HomeText,
    string HelperUnreachableText,
    string DownloadSuffixText,
    string LocalNetworkDeniedText,
    string BrowserPolicyLinkText,
    bool ShowHelpLines,
    string HelpLine1,
    string HelpLine2,
    string DownloadLinkText,
    string HelpLine3,
    string HelpLine4);

/// <summary>Form fields the page posts.</summary>
public static class DetectKeyFields
{
    /// <summary>The key helper's GET /v1/tokens answer, as JSON text, unchanged.</summary>
    public const string Tokens = "tokens";

    /// <summary>Optional: which token, when several are inserted (default: the first).</summary>
    public const string TokenSerial = "tokenSerial";
}

/// <summary>Stay codes: what the page shows instead of going on.</summary>
public static class DetectKeyStay
{
    public const string NoKey = "NoKey";
    public const string NoCertificate = "NoCertificate";

    /// <summary>The key holds certificates, but none chains to a configured CA, is valid now and unrevoked.</summary>
    public const string UntrustedCertificate = "UntrustedCertificate";
    public const string KeyBoundToOtherSeal = "KeyBoundToOtherSeal";
    public const string KeyNotBound = "KeyNotBound";
}

/// <summary>One certificate of the key as the server read it (enterprise from the subject's credit code).</summary>
public sealed record CertificateChoice(
    string Id,
    string Sha256,
    string KeyId,
    string Subject,
    string CommonName,
    string Issuer,
    string SerialNumber,
    DateTimeOffset NotAfter,
    string? CreditCode,
    string? EnterpriseName,
    string? LegalRepName,
    DateTimeOffset? NotBefore = null);

/// <summary>
/// Reads the helper's token list on the server: the certificates are parsed here, never trusted
/// from the page. Only certificates that <see cref="CertificateTrust"/> accepts are offered: one
/// that does not chain to a configured CA names no enterprise, shows nobody's details and cannot
/// be used to count wrong PINs against anyone. Bind refuses a key already bound; unbind refuses a
/// key bound to nothing — decided by the certificates' public keys, never by the posted serial.
/// Ports: Done.
/// </summary>
public sealed class DetectKeyHandler(CertificateTrust trust) : ActivityHandler<DetectKeyInputs>
{
    public override string Type => ActivityCatalog.DetectKey;

    public override async Task<StepResult> RunAsync(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = context.InputsAs<DetectKeyInputs>();
        var token = PickToken(context.Posted(DetectKeyFields.Tokens), context.Posted(DetectKeyFields.TokenSerial));
        if (token is null)
        {
            return StepResult.Stay(DetectKeyStay.NoKey, inputs.NoKeyText);
        }

        var (serial, label, certificates) = token.Value;
        var choices = new List<CertificateChoice>();
        CertificateTrustVerdict? refused = null;
        foreach (var (id, der) in certificates)
        {
            var (verdict, choice) = Read(id, der);
            if (choice is not null)
            {
                choices.Add(choice);
            }
            else if (verdict is not null)
            {
                refused ??= verdict;
            }
        }

        if (choices.Count == 0)
        {
            // Say why (revoked, expired, unknown CA, revocation unknown): the citizen can act on it.
            return refused is not null
                ? StepResult.Stay(DetectKeyStay.UntrustedCertificate, DefinitionTexts.WithReason(context.Definition.Texts, inputs.UntrustedCertificateText, refused.Failure))
                : StepResult.Stay(DetectKeyStay.NoCertificate, inputs.NoCertificateText);
        }

        var (bound, enterprises) = await context.ReadAsync(async s =>
        {
            // The key is bound when any of its trusted certificates' public keys is: one USBKEY, one seal.
            var bound = false;
            foreach (var choice in choices)
            {
                var medium = await new MediumRepository(s).FindUsbKeyAsync(choice.KeyId, choice.Sha256, context.CancellationToken);
                bound |= medium is not null && await new BindingRepository(s).ActiveForMediumAsync(medium.Id, context.CancellationToken) is not null;
            }

            var found = new Dictionary<string, Enterprise>(StringComparer.Ordinal);
            foreach (var code in choices.Select(c => c.CreditCode).OfType<string>().Distinct())
            {
                if (await new EnterpriseRepository(s).FindByCreditCodeAsync(code, context.CancellationToken) is { } e)
                {
                    found[code] = e;
                }
            }

            return (bound, found);
        });

        if (inputs.Purpose == "bind" && bound)
        {
            return StepResult.Stay(DetectKeyStay.KeyBoundToOtherSeal, inputs.KeyBoundToOtherSealText);
        }

        if (inputs.Purpose == "unbind" && !bound)
        {
            return StepResult.Stay(DetectKeyStay.KeyNotBound, inputs.KeyNotBoundText);
        }

        choices = choices.Select(c => c.CreditCode is { } code && enterprises.TryGetValue(code, out var e) ? c with { EnterpriseName = e.Name, LegalRepName = e.LegalRepName } : c).ToList();
        var v = context.Variables;
        v[FlowVars.TokenSerial] = serial;
        v[FlowVars.TokenLabel] = label;
        v[FlowVars.Certificates] = JsonSerializer.Serialize(choices, FlowVars.Json);
        v[FlowVars.CertificateId] = null;
        FlowVars.ForgetProofs(v);
        return StepResult.Next(Ports.Done);
    }

    private static (string Serial, string Label, List<(string Id, string Der)> Certificates)? PickToken(string? json, string? serial)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var list = root.ValueKind == JsonValueKind.Array ? root
                : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("tokens", out var t) && t.ValueKind == JsonValueKind.Array ? t : default;
            if (list.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            // Whatever the page posts is untrusted: anything not shaped like the helper's answer is skipped.
            foreach (var token in list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
            {
                var s = token.TryGetProperty("serial", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()!.Trim() : null;
                if (string.IsNullOrEmpty(s) || s.Length > 64 || (serial is not null && s != serial))
                {
                    continue;
                }

                var label = token.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString()! : s;
                var certs = new List<(string, string)>();
                if (token.TryGetProperty("certificates", out var c) && c.ValueKind == JsonValueKind.Array)
                {
                    foreach (var cert in c.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
                    {
                        if (cert.TryGetProperty("id", out var id) && cert.TryGetProperty("der", out var der) && id.ValueKind == JsonValueKind.String && der.ValueKind == JsonValueKind.String)
                        {
                            certs.Add((id.GetString()!, der.GetString()!));
                        }
                    }
                }

                return (s, label, certs);
            }
        }
        catch (JsonException)
        {
            // Garbage from the page reads as "no key": the user refreshes.
        }

        return null;
    }

    /// <summary>(verdict, null) for a certificate that parses but is not trusted; (null, null) for garbage.</summary>
    private (CertificateTrustVerdict? Refused, CertificateChoice? Choice) Read(string id, string der)
    {
        try
        {
            using var cert = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(der));
            var verdict = trust.Evaluate(cert);
            if (!verdict.IsTrusted)
            {
                return (verdict, null);
            }

            return (null, new CertificateChoice(
                id,
                ProofVerifier.Sha256Hex(cert.RawData),
                ProofVerifier.KeyIdOf(cert),
                cert.Subject,
                CertificateReader.CommonName(cert),
                cert.Issuer,
                cert.SerialNumber,
                new DateTimeOffset(cert.NotAfter.ToUniversalTime()),
                CertificateReader.CreditCodeOf(cert),
                null,
                null,
                new DateTimeOffset(cert.NotBefore.ToUniversalTime())));
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return (null, null);
        }
    }
}
