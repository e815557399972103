using System.Security.Cryptography;
using System.Text.Json;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Workflows.Proof;

namespace ESeal.Web.Cli;

/// <summary>
/// `helpers enroll|list|revoke`: staff enroll a hall kiosk's key helper by its report key (printed
/// on the kiosk by `eseal-keyhelper report-key`), so that its signed wrong-PIN reports count for the
/// key in every kiosk (workflows/README.md, "Who may count a wrong PIN"). Enrolment and revocation
/// are audited.
/// </summary>
internal sealed class HelpersVerb : IOpsVerb
{
    public string Name => "helpers";

    public string Summary => "enroll a kiosk's key helper: helpers enroll --key BASE64 --hall NAME --kiosk ID --operator NAME | list | revoke KEYID --operator NAME";

    public async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error)
    {
        var database = services.GetRequiredService<Database>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        switch (args)
        {
            case ["list", ..]:
                foreach (var h in await database.ReadAsync(s => new EnrolledHelperRepository(s).ListAsync()))
                {
                    var state = h.RevokedAt is { } r ? $"revoked {r:yyyy-MM-dd HH:mm}Z by {h.RevokedBy}" : "active";
                    await output.WriteLineAsync($"{h.KeyId}\t{h.Hall}\t{h.Kiosk}\tenrolled {h.EnrolledAt:yyyy-MM-dd HH:mm}Z by {h.EnrolledBy}\t{state}");
                }

                return 0;

            case ["enroll", .. var rest] when Option(rest, "--key") is { } key && Option(rest, "--hall") is { } hall && Option(rest, "--kiosk") is { } kiosk && Option(rest, "--operator") is { } operatorName:
                if (KeyIdOf(key) is not { } keyId)
                {
                    await error.WriteLineAsync("--key is not a base64 ECDSA P-256 public key (SubjectPublicKeyInfo), as `eseal-keyhelper report-key` prints it.");
                    return 65;
                }

                var enrolled = await database.InTransactionAsync(async s =>
                {
                    if (!await new EnrolledHelperRepository(s).EnrollAsync(keyId, key, hall, kiosk, operatorName, now))
                    {
                        return false;
                    }

                    await Audit(s, AuditKinds.HelperEnrolled, operatorName, now, new { keyId, hall, kiosk });
                    return true;
                });
                await (enrolled ? output : error).WriteLineAsync(enrolled ? $"Enrolled key helper {keyId} ({hall} / {kiosk})." : $"Key helper {keyId} is already enrolled (or was revoked: a revoked key stays revoked; make the helper a new key).");
                return enrolled ? 0 : 1;

            case ["revoke", var keyIdArg, .. var rest] when Option(rest, "--operator") is { } operatorName:
                var revoked = await database.InTransactionAsync(async s =>
                {
                    if (!await new EnrolledHelperRepository(s).RevokeAsync(keyIdArg.ToLowerInvariant(), operatorName, now))
                    {
                        return false;
                    }

                    await Audit(s, AuditKinds.HelperRevoked, operatorName, now, new { keyId = keyIdArg.ToLowerInvariant() });
                    return true;
                });
                await (revoked ? output : error).WriteLineAsync(revoked ? $"Key helper {keyIdArg} revoked." : $"No active key helper {keyIdArg}.");
                return revoked ? 0 : 1;

            default:
                await error.WriteLineAsync($"Usage: {Name} list | {Name} enroll --key BASE64 --hall NAME --kiosk ID --operator NAME | {Name} revoke KEYID --operator NAME");
                return 64;
        }
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && !string.IsNullOrWhiteSpace(args[i + 1]) ? args[i + 1].Trim() : null;
    }

    private static string? KeyIdOf(string base64)
    {
        try
        {
            var spki = Convert.FromBase64String(base64);
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(spki, out var read);
            return read == spki.Length && key.KeySize == 256 ? PinReport.KeyIdOf(spki) : null;
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return null;
        }
    }

    private static Task Audit(ISqlSession s, string kind, string operatorName, DateTimeOffset now, object data) =>
        new AuditLog(s).AppendAsync(new AuditEvent
        {
            Id = Guid.NewGuid(),
            OccurredAt = now,
            Kind = kind,
            Actor = $"operator:{operatorName}",
            Data = JsonSerializer.Serialize(data),
        });
}
