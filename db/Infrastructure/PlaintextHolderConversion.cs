using ESeal.Db.Domain;
using ESeal.Db.Protection;
using ESeal.Db.Repositories;

namespace ESeal.Db.Infrastructure;

/// <summary>
/// The C# half of migration 0003: binding rows written before it hold the holder's ID number and
/// phone in clear; this encrypts and hashes them into the new columns and empties the old ones.
/// Runs after every migration (<see cref="Migrator.Migrate"/>); safe to run twice and on several
/// nodes at once: it only touches rows that still have plaintext, batch by batch, each batch one
/// transaction.
/// </summary>
public sealed class PlaintextHolderConversion(ISqlSession db)
{
    private const int BatchSize = 200;

    private sealed class PlainRow
    {
        public Guid Id { get; init; }

        public string? HolderIdNumber { get; init; }

        public string? HolderPhone { get; init; }
    }

    /// <summary>Only rows that still hold plaintext: a second run, or another node, changes nothing.</summary>
    internal const string UpdateSql =
        """
        UPDATE seal_bindings
        SET holder_id_number_enc = COALESCE(@idNumberEnc, holder_id_number_enc),
            holder_id_number_hash = COALESCE(@idNumberHash, holder_id_number_hash),
            holder_id_number_masked = COALESCE(@idNumberMasked, holder_id_number_masked),
            holder_phone_enc = COALESCE(@phoneEnc, holder_phone_enc),
            holder_phone_hash = COALESCE(@phoneHash, holder_phone_hash),
            holder_phone_masked = COALESCE(@phoneMasked, holder_phone_masked),
            holder_id_number = NULL,
            holder_phone = NULL
        WHERE id = @id AND (holder_id_number IS NOT NULL OR holder_phone IS NOT NULL)
        """;

    /// <summary>Converts every plaintext row; returns how many were converted.</summary>
    public static async Task<int> RunAsync(Database database, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        var total = 0;
        while (true)
        {
            var converted = await database.InTransactionAsync(s => new PlaintextHolderConversion(s).ConvertBatchAsync(BatchSize, ct), ct);
            total += converted;
            if (converted == 0)
            {
                break; // nothing left
            }
        }

        if (total > 0)
        {
            // The old values must not stay in the write-ahead log either (pages are zeroed by secure_delete).
            await database.TruncateWriteAheadLogAsync(ct);
        }

        return total;
    }

    /// <summary>Converts up to <paramref name="max"/> rows that still hold plaintext; returns how many.</summary>
    public async Task<int> ConvertBatchAsync(int max, CancellationToken ct = default)
    {
        var rows = await db.QueryAsync<PlainRow>(
            db.Dialect.Top(
                max,
                $"""
                SELECT id AS Id, holder_id_number AS HolderIdNumber, holder_phone AS HolderPhone
                FROM seal_bindings {db.Dialect.UpdateLock}
                WHERE holder_id_number IS NOT NULL OR holder_phone IS NOT NULL
                ORDER BY id
                """),
            ct: ct);
        if (rows.Count == 0)
        {
            return 0;
        }

        var protector = db.PersonalData
            ?? throw new InvalidOperationException("Converting plaintext holder data needs the database's personal-data keys.");
        var converted = 0;
        foreach (var row in rows)
        {
            var idNumber = row.HolderIdNumber is { } n ? HolderData.NormalizeIdNumber(n) : null;
            var phone = row.HolderPhone is { } p ? HolderData.NormalizePhone(p) : null;
            converted += await db.ExecuteAsync(
                UpdateSql,
                new
                {
                    id = row.Id,
                    idNumberEnc = protector.Protect(idNumber, HolderData.IdNumberPurpose(row.Id)),
                    idNumberHash = protector.Hash(idNumber, HolderData.IdNumberKind),
                    idNumberMasked = idNumber is null ? null : Masking.IdNumber(idNumber),
                    phoneEnc = protector.Protect(phone, HolderData.PhonePurpose(row.Id)),
                    phoneHash = protector.Hash(phone, HolderData.PhoneKind),
                    phoneMasked = phone is null ? null : Masking.Phone(phone),
                },
                ct);
        }

        return converted;
    }
}
