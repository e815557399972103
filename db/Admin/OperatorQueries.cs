using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;

namespace ESeal.Db.Admin;

/// <summary>One enterprise in the operator's search results, with how many of its seals are in each state.</summary>
public sealed class EnterpriseSearchRow
{
    public Guid Id { get; init; }

    public required string Name { get; init; }

    public required string CreditCode { get; init; }

    public required string LegalRepName { get; init; }

    public int Unbound { get; init; }

    public int UsbKey { get; init; }

    public int Mobile { get; init; }
}

/// <summary>One binding of one of an enterprise's seals, with the medium it bound.</summary>
public sealed class BindingHistoryRow
{
    public Guid Id { get; init; }

    public Guid SealId { get; init; }

    public bool Active { get; init; }

    public required string Channel { get; init; }

    public DateTimeOffset BoundAt { get; init; }

    public Guid? BoundByInstanceId { get; init; }

    public DateTimeOffset? UnboundAt { get; init; }

    public Guid? UnboundByInstanceId { get; init; }

    public string? UnbindReason { get; init; }

    public string? HolderName { get; init; }

    public string? HolderIdType { get; init; }

    public string? HolderIdNumberMasked { get; init; }

    public string? HolderPhoneMasked { get; init; }

    public Guid MediumId { get; init; }

    public MediumKind MediumKind { get; init; }

    public required string MediumIdentifier { get; init; }

    public string? TokenSerial { get; init; }

    public string? KeyId { get; init; }

    public string? CertSerial { get; init; }

    public string? CertIssuer { get; init; }

    public string? CertSubject { get; init; }

    public DateTimeOffset? CertNotBefore { get; init; }

    public DateTimeOffset? CertNotAfter { get; init; }

    public string? KioskHall { get; init; }

    public string? KioskName { get; init; }
}

/// <summary>A locked PIN counter and, when its key is a bound medium, the enterprise whose seal it holds.</summary>
public sealed class LockedKeyRow
{
    public required string CounterKey { get; init; }

    public required string KeyId { get; init; }

    public PinCounterScope Scope { get; init; }

    public required string TokenSerial { get; init; }

    public int FailedAttempts { get; init; }

    public DateTimeOffset LockedAt { get; init; }

    public Guid? EnterpriseId { get; init; }

    public string? EnterpriseName { get; init; }

    public string? SealName { get; init; }
}

/// <summary>
/// What the operator's console (受理员) reads: joins across enterprises, seals, bindings, media,
/// PIN counters and the outbox that no single repository owns. Reads only; the changes go through
/// the repositories (and <see cref="PinLockClearing"/>).
/// </summary>
public sealed class OperatorQueries(ISqlSession db)
{
    /// <summary>LIKE's escape character in <see cref="ContainsPattern"/>.</summary>
    public const char LikeEscape = '\\';

    /// <summary>
    /// A LIKE pattern for "contains <paramref name="text"/>" in which % _ [ and the escape itself
    /// match literally: [ is a wildcard on SQL Server (not on SQLite), so it is escaped on both.
    /// </summary>
    public static string ContainsPattern(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new System.Text.StringBuilder(text.Length + 2).Append('%');
        foreach (var c in text)
        {
            if (c is '%' or '_' or '[' or LikeEscape)
            {
                escaped.Append(LikeEscape);
            }

            escaped.Append(c);
        }

        return escaped.Append('%').ToString();
    }

    /// <summary>Enterprises whose credit code is <paramref name="creditCode"/> or whose name matches <paramref name="namePattern"/> (see <see cref="ContainsPattern"/>).</summary>
    public Task<IReadOnlyList<EnterpriseSearchRow>> SearchEnterprisesAsync(string creditCode, string namePattern, int max, CancellationToken ct = default) =>
        db.QueryAsync<EnterpriseSearchRow>(
            db.Dialect.Top(
                max,
                """
                SELECT e.id, e.name, e.credit_code, e.legal_rep_name,
                       SUM(CASE WHEN s.status = 'Unbound' THEN 1 ELSE 0 END) AS Unbound,
                       SUM(CASE WHEN s.status = 'UsbKey' THEN 1 ELSE 0 END) AS UsbKey,
                       SUM(CASE WHEN s.status = 'Mobile' THEN 1 ELSE 0 END) AS Mobile
                FROM enterprises e
                LEFT JOIN seals s ON s.enterprise_id = e.id
                WHERE UPPER(e.credit_code) = @creditCode OR e.name LIKE @namePattern ESCAPE '\'
                GROUP BY e.id, e.name, e.credit_code, e.legal_rep_name
                ORDER BY e.name
                """),
            new { creditCode, namePattern },
            ct);

    /// <summary>Every binding of every seal of the enterprise, oldest first, with its medium.</summary>
    public Task<IReadOnlyList<BindingHistoryRow>> BindingHistoryAsync(Guid enterpriseId, CancellationToken ct = default) =>
        db.QueryAsync<BindingHistoryRow>(
            """
            SELECT b.id, b.seal_id, b.active, b.channel, b.bound_at, b.bound_by_instance_id, b.unbound_at, b.unbound_by_instance_id,
                   b.unbind_reason, b.holder_name, b.holder_id_type, b.kiosk_hall, b.kiosk_name,
                   b.holder_id_number_masked AS HolderIdNumberMasked, b.holder_phone_masked AS HolderPhoneMasked,
                   m.id AS MediumId, m.kind AS MediumKind, m.identifier AS MediumIdentifier, m.token_serial, m.key_id,
                   m.cert_serial, m.cert_issuer, m.cert_subject, m.cert_not_before, m.cert_not_after
            FROM seal_bindings b
            JOIN seals s ON s.id = b.seal_id
            JOIN media m ON m.id = b.medium_id
            WHERE s.enterprise_id = @enterpriseId
            ORDER BY b.bound_at, b.id
            """,
            new { enterpriseId },
            ct);

    /// <summary>Locked PIN counters, oldest lock first, with the enterprise of the seal the key holds now (if any).</summary>
    public Task<IReadOnlyList<LockedKeyRow>> LockedKeysAsync(CancellationToken ct = default) =>
        db.QueryAsync<LockedKeyRow>(
            """
            SELECT p.counter_key, p.key_id, p.scope, p.token_serial, p.failed_attempts, p.locked_at,
                   e.id AS EnterpriseId, e.name AS EnterpriseName, s.name AS SealName
            FROM pin_counters p
            LEFT JOIN media m ON m.kind = 'UsbKey' AND m.key_id = p.key_id
            LEFT JOIN seal_bindings b ON b.medium_id = m.id AND b.active = 1
            LEFT JOIN seals s ON s.id = b.seal_id
            LEFT JOIN enterprises e ON e.id = s.enterprise_id
            WHERE p.locked_at IS NOT NULL
            ORDER BY p.locked_at, p.counter_key
            """,
            ct: ct);

    /// <summary>Undelivered outbox messages, oldest first.</summary>
    public Task<IReadOnlyList<OutboxMessage>> UndeliveredAsync(int max, CancellationToken ct = default) =>
        db.QueryAsync<OutboxMessage>(
            db.Dialect.Top(
                max,
                """
                SELECT id, created_at, kind, payload, idempotency_key, attempts, next_attempt_at, delivered_at, last_error, version
                FROM outbox WHERE delivered_at IS NULL ORDER BY created_at, id
                """),
            ct: ct);

    public async Task<int> UndeliveredCountAsync(CancellationToken ct = default) =>
        await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL", ct: ct);

    public async Task<int> DeliveredSinceAsync(DateTimeOffset since, CancellationToken ct = default) =>
        await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox WHERE delivered_at >= @since", new { since }, ct);
}
