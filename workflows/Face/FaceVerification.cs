using System.Collections.Concurrent;
using System.Security.Cryptography;
using ESeal.Workflows.Providers;

namespace ESeal.Workflows.Face;

public enum FaceStatus
{
    Pending,
    Passed,
    Failed,
    Expired,

    /// <summary>A pass already taken by its flow: a ticket counts once.</summary>
    Consumed,
}

public sealed record FaceTicketRequest(Guid InstanceId, Guid EnterpriseId, string EnterpriseName, string LegalRepName, TimeSpan Lifetime);

/// <summary>What the phone page shows; <see cref="LegalRepNameMasked"/> is masked for display.</summary>
public sealed record FaceTicket(string Ticket, Guid InstanceId, Guid EnterpriseId, string EnterpriseName, string LegalRepNameMasked, FaceStatus Status, DateTimeOffset ExpiresAt);

/// <summary>
/// The legal representative's face verification. A real provider (a government identity
/// service) plugs in here; the built-in simulator serves Development and the demo only.
/// </summary>
public interface IFaceVerificationProvider : IExternalProvider
{

    Task<FaceTicket> CreateTicketAsync(FaceTicketRequest request, CancellationToken ct = default);

    /// <summary>Null for an unknown ticket; a pending ticket past its expiry reads as Expired.</summary>
    Task<FaceTicket?> GetAsync(string ticket, CancellationToken ct = default);

    /// <summary>Records the phone's result; true only for the first completion of a pending, unexpired ticket.</summary>
    Task<bool> CompleteAsync(string ticket, bool passed, CancellationToken ct = default);

    /// <summary>The flow takes a pass once; true only the first time, and only for its own instance.</summary>
    Task<bool> ConsumeAsync(string ticket, Guid instanceId, CancellationToken ct = default);

    /// <summary>Marks a pending ticket past its expiry Expired; true when it changed something.</summary>
    Task<bool> TimeOutAsync(string ticket, CancellationToken ct = default);

    Task<IReadOnlyList<string>> OverdueAsync(int max, CancellationToken ct = default);
}

/// <summary>Used when no provider is configured: every ticket request fails with a clear reason.</summary>
public sealed class UnavailableFaceVerificationProvider : IFaceVerificationProvider
{
    public string ProviderName => "Face verification (none configured)";

    public bool IsSimulated => false;

    public Task<FaceTicket> CreateTicketAsync(FaceTicketRequest request, CancellationToken ct = default) =>
        throw new InvalidOperationException("No face-verification provider is configured (set Flows:FaceSimulator:Enabled for Development/demo, or register a real provider).");

    public Task<FaceTicket?> GetAsync(string ticket, CancellationToken ct = default) => Task.FromResult<FaceTicket?>(null);

    public Task<bool> CompleteAsync(string ticket, bool passed, CancellationToken ct = default) => Task.FromResult(false);

    public Task<bool> ConsumeAsync(string ticket, Guid instanceId, CancellationToken ct = default) => Task.FromResult(false);

    public Task<bool> TimeOutAsync(string ticket, CancellationToken ct = default) => Task.FromResult(false);

    public Task<IReadOnlyList<string>> OverdueAsync(int max, CancellationToken ct = default) => Task.FromResult<IReadOnlyList<string>>([]);
}

/// <summary>
/// In-memory simulator (Development/demo only). Its state is lost on restart, which is harmless:
/// a flow whose ticket is unknown simply issues a new one, and nothing durable depends on it.
/// Tickets are 32 random bytes, expire, complete once and are consumed once.
/// </summary>
public sealed class SimulatedFaceVerificationProvider(TimeProvider clock) : IFaceVerificationProvider
{
    private readonly ConcurrentDictionary<string, FaceTicket> tickets = new(StringComparer.Ordinal);

    public string ProviderName => "Face-verification simulator (Flows:FaceSimulator:Enabled)";

    /// <summary>The web then offers /m/face/{ticket} with pass/fail buttons: anyone could "verify" anyone.</summary>
    public bool IsSimulated => true;

    public Task<FaceTicket> CreateTicketAsync(FaceTicketRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow();
        var ticket = new FaceTicket(id, request.InstanceId, request.EnterpriseId, request.EnterpriseName, ESeal.Db.Domain.Masking.PersonName(request.LegalRepName), FaceStatus.Pending, now + request.Lifetime);
        tickets[id] = ticket;

        // A ticket a day past its expiry can matter to nobody: forget it, so a long-running demo does not grow.
        foreach (var old in tickets.Values.Where(t => now - t.ExpiresAt > TimeSpan.FromDays(1)))
        {
            tickets.TryRemove(old.Ticket, out _);
        }

        return Task.FromResult(ticket);
    }

    public Task<FaceTicket?> GetAsync(string ticket, CancellationToken ct = default)
    {
        // A ticket comes from a URL: blank is simply unknown, never an exception.
        if (string.IsNullOrEmpty(ticket) || !tickets.TryGetValue(ticket, out var t))
        {
            return Task.FromResult<FaceTicket?>(null);
        }

        return Task.FromResult<FaceTicket?>(t.Status == FaceStatus.Pending && clock.GetUtcNow() >= t.ExpiresAt ? t with { Status = FaceStatus.Expired } : t);
    }

    public Task<bool> CompleteAsync(string ticket, bool passed, CancellationToken ct = default) =>
        Task.FromResult(Transition(ticket, t => t.Status == FaceStatus.Pending && clock.GetUtcNow() < t.ExpiresAt, passed ? FaceStatus.Passed : FaceStatus.Failed));

    public Task<bool> ConsumeAsync(string ticket, Guid instanceId, CancellationToken ct = default) =>
        Task.FromResult(Transition(ticket, t => t.Status == FaceStatus.Passed && t.InstanceId == instanceId, FaceStatus.Consumed));

    public Task<bool> TimeOutAsync(string ticket, CancellationToken ct = default) =>
        Task.FromResult(Transition(ticket, t => t.Status == FaceStatus.Pending && clock.GetUtcNow() >= t.ExpiresAt, FaceStatus.Expired));

    public Task<IReadOnlyList<string>> OverdueAsync(int max, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        return Task.FromResult<IReadOnlyList<string>>(tickets.Values.Where(t => t.Status == FaceStatus.Pending && now >= t.ExpiresAt).Take(max).Select(t => t.Ticket).ToList());
    }

    private bool Transition(string ticket, Func<FaceTicket, bool> allowed, FaceStatus to)
    {
        while (!string.IsNullOrEmpty(ticket) && tickets.TryGetValue(ticket, out var current))
        {
            if (!allowed(current))
            {
                return false;
            }

            if (tickets.TryUpdate(ticket, current with { Status = to }, current))
            {
                return true;
            }
        }

        return false;
    }
}
