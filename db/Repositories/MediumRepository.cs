using ESeal.Db.Infrastructure;

namespace ESeal.Db.Repositories;

public sealed class MediumRepository(ISqlSession db)
{
    private const string Columns =
        "id, kind, identifier, key_id, token_serial, cert_sha256, cert_serial, cert_issuer, cert_subject, cert_not_before, cert_not_after, created_at, updated_at";

    public Task<Medium?> GetAsync(Guid id, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<Medium>($"SELECT {Columns} FROM media WHERE id = @id", new { id }, ct);

    /// <summary>A phone by its device id.</summary>
    public Task<Medium?> FindMobileAsync(string deviceId, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<Medium>(
            $"SELECT {Columns} FROM media WHERE kind = 'Mobile' AND identifier = @deviceId",
            new { deviceId },
            ct);

    /// <summary>
    /// The USBKEY medium of a key: by its public key, or — for a row bound before key ids were
    /// recorded — by the very certificate it was bound with. Never by a token serial: the serial
    /// comes from the page and proves nothing.
    /// </summary>
    public async Task<Medium?> FindUsbKeyAsync(string keyId, string certSha256, CancellationToken ct = default)
    {
        var rows = await db.QueryAsync<Medium>(
            $"SELECT {Columns} FROM media WHERE kind = 'UsbKey' AND (key_id = @keyId OR (key_id IS NULL AND cert_sha256 = @certSha256))",
            new { keyId, certSha256 },
            ct);
        return rows.FirstOrDefault(m => m.KeyId == keyId) ?? rows.FirstOrDefault();
    }

    /// <summary>
    /// The medium row for the proved key, created on first sight. The certificate fields follow the
    /// certificate that last proved possession (a CA may renew it on the same key); an old row found
    /// by its certificate gets its key id now.
    /// </summary>
    public async Task<Medium> GetOrCreateUsbKeyAsync(UsbKeyCertificate certificate, string tokenSerial, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var existing = await FindUsbKeyAsync(certificate.KeyId, certificate.Sha256, ct);
        if (existing is null)
        {
            var id = Guid.NewGuid();
            await db.ExecuteAsync(
                """
                INSERT INTO media (id, kind, identifier, key_id, token_serial, cert_sha256, cert_serial, cert_issuer, cert_subject, cert_not_before, cert_not_after, created_at, updated_at)
                VALUES (@id, 'UsbKey', @identifier, @keyId, @tokenSerial, @sha, @serial, @issuer, @subject, @notBefore, @notAfter, @now, @now)
                """,
                new { id, identifier = "key:" + certificate.KeyId, keyId = certificate.KeyId, tokenSerial, sha = certificate.Sha256, serial = certificate.Serial, issuer = certificate.Issuer, subject = certificate.Subject, notBefore = certificate.NotBefore, notAfter = certificate.NotAfter, now },
                ct);
            return (await GetAsync(id, ct))!;
        }

        if (existing.KeyId != certificate.KeyId || existing.CertSha256 != certificate.Sha256 || existing.TokenSerial != tokenSerial
            || (certificate.NotAfter is not null && existing.CertNotAfter != certificate.NotAfter))
        {
            // A renewed certificate on the same key keeps the medium; its new validity is recorded.
            await db.ExecuteAsync(
                """
                UPDATE media SET key_id = @keyId, token_serial = @tokenSerial, cert_sha256 = @sha, cert_serial = @serial, cert_issuer = @issuer, cert_subject = @subject,
                                 cert_not_before = COALESCE(@notBefore, cert_not_before), cert_not_after = COALESCE(@notAfter, cert_not_after), updated_at = @now
                WHERE id = @id
                """,
                new { id = existing.Id, keyId = certificate.KeyId, tokenSerial, sha = certificate.Sha256, serial = certificate.Serial, issuer = certificate.Issuer, subject = certificate.Subject, notBefore = certificate.NotBefore, notAfter = certificate.NotAfter, now },
                ct);
        }

        return (await GetAsync(existing.Id, ct))!;
    }

    /// <summary>The medium row for a phone, created on first sight.</summary>
    public async Task<Medium> GetOrCreateMobileAsync(string deviceId, DateTimeOffset now, CancellationToken ct = default)
    {
        if (await FindMobileAsync(deviceId, ct) is { } existing)
        {
            return existing;
        }

        await db.ExecuteAsync(
            """
            INSERT INTO media (id, kind, identifier, created_at, updated_at)
            VALUES (@id, 'Mobile', @deviceId, @now, @now)
            """,
            new { id = Guid.NewGuid(), deviceId, now },
            ct);
        return (await FindMobileAsync(deviceId, ct))!;
    }
}
