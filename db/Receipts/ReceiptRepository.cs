using ESeal.Db.Infrastructure;

namespace ESeal.Db.Receipts;

public static class ReceiptActions
{
    public const string Bind = "Bind";
    public const string Unbind = "Unbind";
    public const string Claim = "Claim";
}

/// <summary>What a receipt states (a snapshot taken in the commit's transaction; holder masked).</summary>
public sealed class Receipt
{
    public required string Code { get; init; }

    public Guid OperationId { get; init; }

    public Guid BindingId { get; init; }

    /// <summary><see cref="ReceiptActions"/>.</summary>
    public required string Action { get; init; }

    public DateTimeOffset IssuedAt { get; init; }

    public required string EnterpriseName { get; init; }

    public required string CreditCode { get; init; }

    public required string LegalRepName { get; init; }

    public required string SealType { get; init; }

    public required string SealName { get; init; }

    public required string Channel { get; init; }

    public string? KioskHall { get; init; }

    public string? KioskName { get; init; }

    public string? HolderNameMasked { get; init; }

    public string? HolderIdType { get; init; }

    public string? HolderIdNumberMasked { get; init; }

    public string? HolderPhoneMasked { get; init; }
}

/// <summary>办理回执 (SPEC §9): one per committed bind, unbind or claim, found by its code.</summary>
public sealed class ReceiptRepository(ISqlSession db)
{
    private const string Columns =
        """
        code, operation_id, binding_id, action, issued_at, enterprise_name, credit_code, legal_rep_name,
        seal_type, seal_name, channel, kiosk_hall, kiosk_name, holder_name_masked, holder_id_type,
        holder_id_number_masked, holder_phone_masked
        """;

    public Task<Receipt?> FindAsync(string code, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<Receipt>($"SELECT {Columns} FROM receipts WHERE code = @code", new { code }, ct);

    public Task<Receipt?> ForOperationAsync(Guid operationId, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<Receipt>($"SELECT {Columns} FROM receipts WHERE operation_id = @operationId", new { operationId }, ct);

    public Task InsertAsync(Receipt receipt, CancellationToken ct = default) => db.ExecuteAsync(
        """
        INSERT INTO receipts (code, operation_id, binding_id, action, issued_at, enterprise_name, credit_code, legal_rep_name,
                              seal_type, seal_name, channel, kiosk_hall, kiosk_name, holder_name_masked, holder_id_type,
                              holder_id_number_masked, holder_phone_masked)
        VALUES (@Code, @OperationId, @BindingId, @Action, @IssuedAt, @EnterpriseName, @CreditCode, @LegalRepName,
                @SealType, @SealName, @Channel, @KioskHall, @KioskName, @HolderNameMasked, @HolderIdType,
                @HolderIdNumberMasked, @HolderPhoneMasked)
        """,
        receipt,
        ct);
}
