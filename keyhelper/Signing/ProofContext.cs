namespace ESeal.KeyHelper.Signing;

/// <summary>
/// The helper checks the context it signs. The portal's contexts (<c>ProofVerifier.Context</c> in
/// workflows/Proof) read <c>eseal-proof/1;action=…;instance=…;enterprise=…;seal=…;token=&lt;serial&gt;;cert=&lt;sha256 hex of the DER&gt;</c>.
/// The helper signs only such a context, and only when its <c>token</c> is the token it signs on and its
/// <c>cert</c> the certificate it signs with; otherwise a page could obtain a proof (or a PIN report)
/// whose context names another key. Checked before any login, so a refusal never counts as a PIN attempt.
/// </summary>
public sealed record ProofContext(string Token, string Cert)
{
    public const string Prefix = "eseal-proof/1;";

    /// <summary>
    /// Null unless the context starts with <see cref="Prefix"/>, every other part is <c>name=value</c> with
    /// a non-empty name, no name appears twice (two <c>token=</c> would let the helper and the portal read
    /// different ones), and <c>token</c> and <c>cert</c> are present and non-empty.
    /// </summary>
    public static ProofContext? Parse(string context)
    {
        if (!context.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in context[Prefix.Length..].Split(';'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !fields.TryAdd(part[..equals], part[(equals + 1)..]))
            {
                return null;
            }
        }

        return fields.TryGetValue("token", out var token) && token.Length > 0
            && fields.TryGetValue("cert", out var cert) && cert.Length > 0
            ? new ProofContext(token, cert)
            : null;
    }
}
