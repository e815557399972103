using ESeal.Db.Infrastructure;

namespace ESeal.Db.Repositories;

public sealed class MediumRepository(ISqlSession db)
{
    private const string Columns =
        "id, kind, identifier, cert_sha256, cert_serial, cert_issuer, cert_subject, created_at, updated_at";

    public Task<Medium?> GetAsync(Guid id, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<Medium>($"SELECT {Columns} FROM media WHERE id = @id", new { id }, ct);

    public Task<Medium?> FindAsync(MediumKind kind, string identifier, CancellationToken ct = default) =>
        db.QuerySingleOrDefaultAsync<Medium>(
            $"SELECT {Columns} FROM media WHERE kind = @kind AND identifier = @identifier",
            new { kind = kind.ToString(), identifier },
            ct);

    /// <summary>
    /// The medium row for this token or device, created on first sight; a USBKEY's certificate
    /// fields follow the certificate that last proved possession (a CA may renew it on the same key).
    /// </summary>
    public async Task<Medium> GetOrCreateAsync(MediumKind kind, string identifier, UsbKeyCertificate? certificate, DateTimeOffset now, CancellationToken ct = default)
    {
        var existing = await FindAsync(kind, identifier, ct);
        if (existing is null)
        {
            await db.ExecuteAsync(
                """
                INSERT INTO media (id, kind, identifier, cert_sha256, cert_serial, cert_issuer, cert_subject, created_at, updated_at)
                VALUES (@id, @kind, @identifier, @sha, @serial, @issuer, @subject, @now, @now)
                """,
                new { id = Guid.NewGuid(), kind = kind.ToString(), identifier, sha = certificate?.Sha256, serial = certificate?.Serial, issuer = certificate?.Issuer, subject = certificate?.Subject, now },
                ct);
        }
        else if (certificate is not null && existing.CertSha256 != certificate.Sha256)
        {
            await db.ExecuteAsync(
                """
                UPDATE media SET cert_sha256 = @sha, cert_serial = @serial, cert_issuer = @issuer, cert_subject = @subject, updated_at = @now
                WHERE id = @id
                """,
                new { id = existing.Id, sha = certificate.Sha256, serial = certificate.Serial, issuer = certificate.Issuer, subject = certificate.Subject, now },
                ct);
        }

        return (await FindAsync(kind, identifier, ct))!;
    }
}
