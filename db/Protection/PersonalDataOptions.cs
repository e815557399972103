namespace ESeal.Db.Protection;

/// <summary>
/// Keys for the personal data the binding records keep (holder ID number and phone), bound from
/// "Database:PersonalData". Production configures <see cref="Keys"/>, <see cref="CurrentKeyId"/>
/// and <see cref="HashKey"/> (the web refuses to start without them); Development, the demo and the
/// tests may instead use a generated key file (<see cref="KeyFile"/>, by default beside the SQLite file).
/// </summary>
public sealed class PersonalDataOptions
{
    public const string Section = "Database:PersonalData";

    /// <summary>
    /// Encryption keys by key id (letters, digits, '-' and '_', at most 32), each 32 random bytes in
    /// base64 (AES-256-GCM). Keep old keys here after a rotation: rows written with them still decrypt.
    /// </summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The key new values are encrypted with; may be left empty when there is exactly one key.</summary>
    public string? CurrentKeyId { get; set; }

    /// <summary>
    /// HMAC-SHA256 key (at least 32 random bytes in base64) for the keyed hashes beside each encrypted
    /// value (equality lookups). Not rotatable by configuration alone: changing it would make every
    /// stored hash unfindable, so it is kept for the life of the data.
    /// </summary>
    public string? HashKey { get; set; }

    /// <summary>
    /// Development/demo/tests only: a JSON file with generated keys, created (mode 0600) when missing.
    /// Used only when <see cref="Keys"/> is empty. Empty: beside the SQLite database file.
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>True when keys come from configuration rather than a generated file.</summary>
    public bool HasConfiguredKeys => Keys.Count > 0 || !string.IsNullOrWhiteSpace(HashKey);

    /// <summary>What is wrong with the configured keys, each naming its setting; empty when usable.</summary>
    public IReadOnlyList<string> ConfiguredKeyProblems()
    {
        var problems = new List<string>();
        if (Keys.Count == 0)
        {
            problems.Add($"{Section}:Keys is empty: holder ID numbers and phones could not be encrypted at rest (set {Section}:Keys:<key id> to 32 random bytes in base64).");
        }

        foreach (var (id, value) in Keys)
        {
            if (!PersonalDataProtector.IsValidKeyId(id))
            {
                problems.Add($"{Section}:Keys:{id}: a key id is 1–32 letters, digits, '-' or '_'.");
            }

            if (Decode(value) is not { Length: PersonalDataProtector.KeySize })
            {
                problems.Add($"{Section}:Keys:{id} is not 32 bytes in base64.");
            }
        }

        if (Keys.Count > 1 && string.IsNullOrWhiteSpace(CurrentKeyId))
        {
            problems.Add($"{Section}:CurrentKeyId is not set: with several keys it must name the one new values are encrypted with.");
        }
        else if (!string.IsNullOrWhiteSpace(CurrentKeyId) && !Keys.ContainsKey(CurrentKeyId))
        {
            problems.Add($"{Section}:CurrentKeyId names {CurrentKeyId}, which is not among {Section}:Keys.");
        }

        if (string.IsNullOrWhiteSpace(HashKey))
        {
            problems.Add($"{Section}:HashKey is not set: the keyed hashes for looking up ID numbers and phones need their own key (32 random bytes in base64).");
        }
        else if (Decode(HashKey) is not { Length: >= PersonalDataProtector.KeySize })
        {
            problems.Add($"{Section}:HashKey is not at least 32 bytes in base64.");
        }

        return problems;
    }

    internal static byte[]? Decode(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
