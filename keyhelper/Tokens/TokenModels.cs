namespace ESeal.KeyHelper.Tokens;

/// <summary>One certificate on a token, as in §4: CKA_ID in lowercase hex, DER in base64.</summary>
public sealed record TokenCertificate(string Id, string Der);

/// <summary>One present token, exactly the fields of §4 (the helper's own PIN counter is merged into the flags).</summary>
public sealed record TokenDto(
    string Serial,
    string Label,
    string Manufacturer,
    string Model,
    bool PinLocked,
    bool PinCountLow,
    bool PinFinalTry,
    IReadOnlyList<TokenCertificate> Certificates);

/// <summary>GET /v1/tokens; <c>version</c> is the change marker for <c>?changedSince=</c>.</summary>
public sealed record TokenListDto(IReadOnlyList<TokenDto> Tokens, long Version);
