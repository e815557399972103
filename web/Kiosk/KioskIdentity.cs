using System.Security.Cryptography;
using System.Text;
using ESeal.Db.Infrastructure;
using ESeal.Db.Kiosks;
using ESeal.Db.Repositories;

namespace ESeal.Web.Kiosk;

/// <summary>
/// Which browser is a hall kiosk (SPEC §9). Staff enroll a kiosk once by signing in on it
/// (/admin/kiosks/enroll); it then carries a long-lived cookie holding the kiosk's id and a random
/// secret, of which the database keeps only a hash. Every other browser is the Web channel. A
/// revoked kiosk, a forged or copied-but-altered cookie are simply the Web channel too: the kiosk
/// cookie grants nothing but being recorded, and kiosk behaviour (shorter idle time, shuffled keypad).
/// </summary>
public sealed class KioskIdentity(Database database, TimeProvider clock)
{
    public const string CookieName = "__Host-eseal.kiosk";
    private const string ItemKey = "eseal.kiosk";

    // Long enough to outlive a hall's browser reinstall schedule; revocation is the way to end it.
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(5 * 365);

    /// <summary>The enrolled, not revoked kiosk this browser is, or null. Read once per request.</summary>
    public async Task<Db.Kiosks.Kiosk?> CurrentAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(ItemKey, out var cached))
        {
            return cached as Db.Kiosks.Kiosk;
        }

        Db.Kiosks.Kiosk? kiosk = null;
        if (Parse(context.Request.Cookies[CookieName]) is var (id, secret))
        {
            var stored = await database.ReadAsync(s => new KioskRepository(s).GetAsync(id, context.RequestAborted), context.RequestAborted);
            if (stored is { IsActive: true } && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored.TokenHash), Encoding.ASCII.GetBytes(HashOf(secret))))
            {
                kiosk = stored;
            }
        }

        context.Items[ItemKey] = kiosk;
        return kiosk;
    }

    /// <summary>Enrolls this browser as a kiosk of <paramref name="hall"/> named <paramref name="name"/>; null when that name is taken in the hall.</summary>
    public async Task<Db.Kiosks.Kiosk?> EnrollAsync(HttpContext context, string hall, string name, string receiptPaper, string actor)
    {
        ArgumentNullException.ThrowIfNull(context);
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var kiosk = new Db.Kiosks.Kiosk
        {
            Id = Guid.NewGuid(),
            Hall = hall,
            Name = name,
            TokenHash = HashOf(secret),
            ReceiptPaper = receiptPaper,
            EnrolledAt = now,
            EnrolledBy = actor,
        };
        var added = await database.InTransactionAsync(
            async s =>
            {
                if (!await new KioskRepository(s).AddAsync(kiosk, context.RequestAborted))
                {
                    return false;
                }

                await AppendAuditAsync(s, AuditKinds.KioskEnrolled, actor, now, new { kioskId = kiosk.Id, hall, name, receiptPaper }, context.RequestAborted);
                return true;
            },
            context.RequestAborted);
        if (!added)
        {
            return null;
        }

        context.Response.Cookies.Append(CookieName, $"{kiosk.Id:N}.{secret}", new CookieOptions
        {
            HttpOnly = true,
            Secure = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
            Expires = now.Add(Lifetime),
        });
        context.Items[ItemKey] = kiosk;
        return kiosk;
    }

    public Task<bool> RevokeAsync(Guid id, string actor, CancellationToken ct) =>
        database.InTransactionAsync(
            async s =>
            {
                var kiosk = await new KioskRepository(s).GetAsync(id, ct);
                if (kiosk is null || !await new KioskRepository(s).RevokeAsync(id, actor, clock.GetUtcNow(), ct))
                {
                    return false;
                }

                await AppendAuditAsync(s, AuditKinds.KioskRevoked, actor, clock.GetUtcNow(), new { kioskId = id, hall = kiosk.Hall, name = kiosk.Name }, ct);
                return true;
            },
            ct);

    /// <summary>The variables a flow started on this browser records: its channel and, on a kiosk, which one.</summary>
    public static Dictionary<string, string> ChannelVariables(Db.Kiosks.Kiosk? kiosk) =>
        kiosk is null
            ? new Dictionary<string, string> { ["channel"] = "Web" }
            : new Dictionary<string, string> { ["channel"] = "Kiosk", ["kioskId"] = kiosk.Id.ToString("D"), ["kioskHall"] = kiosk.Hall, ["kioskName"] = kiosk.Name };

    private static (Guid Id, string Secret)? Parse(string? cookie)
    {
        if (cookie is not { Length: 76 } || cookie[32] != '.' || !Guid.TryParseExact(cookie[..32], "N", out var id))
        {
            return null;
        }

        return (id, cookie[33..]);
    }

    private static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Task AppendAuditAsync(ISqlSession s, string kind, string actor, DateTimeOffset now, object data, CancellationToken ct) =>
        new AuditLog(s).AppendAsync(new AuditEvent { Id = Guid.NewGuid(), OccurredAt = now, Kind = kind, Actor = actor, Data = System.Text.Json.JsonSerializer.Serialize(data) }, ct);
}
