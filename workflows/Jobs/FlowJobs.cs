using System.Net.Http.Headers;
using System.Text;
using ESeal.Db.Flows;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Workflows.Activities;
using ESeal.Workflows.Face;

namespace ESeal.Workflows.Jobs;

/// <summary>Bound from "Flows:Outbox".</summary>
public sealed class OutboxOptions
{
    public const string Section = "Flows:Outbox";

    /// <summary>Where messages are POSTed; empty leaves them undelivered (and says so).</summary>
    public string? DownstreamUrl { get; set; }

    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>First retry delay; each further failure doubles it, up to <see cref="MaxBackoffSeconds"/>.</summary>
    public int BackoffSeconds { get; set; } = 30;

    public int MaxBackoffSeconds { get; set; } = 3600;
}

public enum DeliveryResult
{
    Delivered,
    AlreadyDelivered,
    NotFound,
    NotConfigured,
    FailedWillRetry,
    NotDue,
    LostRace,
}

/// <summary>
/// The durable background work. Every method takes ids (or nothing), reads the truth from our own
/// tables and is safe to run twice: a second run finds nothing left to do.
/// </summary>
public sealed class FlowJobs(Database database, TimeProvider clock, IFaceVerificationProvider faces, HttpClient http, OutboxOptions outbox)
{
    private const int Batch = 100;

    /// <summary>
    /// Recurring (minutely): expires running instances idle past their expiry, erasing their personal
    /// data; then truncates the SQLite write-ahead log so erased values do not linger there.
    /// </summary>
    public async Task<int> ExpireAbandonedInstancesAsync()
    {
        var ids = await database.ReadAsync(s => new FlowInstanceRepository(s).AbandonedAsync(clock.GetUtcNow(), Batch));
        var count = 0;
        foreach (var id in ids)
        {
            count += await ExpireOneAsync(id) ? 1 : 0;
        }

        // Also for instances that ended in a request whose own best-effort truncation met a reader.
        await database.TruncateWriteAheadLogAsync();
        return count;
    }

    /// <summary>
    /// Expires one abandoned instance; its personal data (<see cref="FlowVars.Personal"/>) is erased
    /// in the same transaction. False when it is not (or no longer) running and overdue.
    /// </summary>
    public async Task<bool> ExpireInstanceAsync(Guid instanceId)
    {
        var expired = await ExpireOneAsync(instanceId);
        if (expired)
        {
            await database.TruncateWriteAheadLogAsync();
        }

        return expired;
    }

    private Task<bool> ExpireOneAsync(Guid instanceId) =>
        database.InTransactionAsync(async s =>
        {
            var instances = new FlowInstanceRepository(s);
            var now = clock.GetUtcNow();
            var row = await instances.GetAsync(instanceId);
            return row is { Status: FlowStatus.Running } && row.ExpiresAt <= now &&
                await instances.ExpireAsync(instanceId, now, FlowVars.ForgetPersonal(row.Variables), row.Version);
        });

    /// <summary>
    /// Recurring (daily; a text scan of ended instances): ended instances that still hold personal
    /// data — they ended before this version erased it at the end — forget it. Returns how many changed.
    /// </summary>
    public async Task<int> ForgetEndedInstancesPersonalDataAsync()
    {
        var count = 0;
        foreach (var key in FlowVars.Personal)
        {
            IReadOnlyList<Guid> ids;
            int changed;
            do
            {
                ids = await database.ReadAsync(s => new FlowInstanceRepository(s).EndedHoldingAsync(key, Batch));
                changed = 0;
                foreach (var id in ids)
                {
                    changed += await ForgetEndedAsync(id) ? 1 : 0;
                }

                count += changed;
            }
            while (ids.Count == Batch && changed > 0); // a full batch that changed nothing would only repeat itself
        }

        if (count > 0)
        {
            await database.TruncateWriteAheadLogAsync();
        }

        return count;
    }

    private Task<bool> ForgetEndedAsync(Guid id) =>
        database.InTransactionAsync(async s =>
        {
            var instances = new FlowInstanceRepository(s);
            var row = await instances.GetAsync(id);
            if (row is null || row.Status == FlowStatus.Running)
            {
                return false;
            }

            var forgotten = FlowVars.ForgetPersonal(row.Variables);
            return forgotten != row.Variables && await instances.ReplaceEndedVariablesAsync(id, forgotten, row.Version, clock.GetUtcNow());
        });

    /// <summary>Recurring: face-verification tickets past their expiry become Expired.</summary>
    public async Task<int> TimeOutFaceVerificationsAsync()
    {
        var count = 0;
        foreach (var ticket in await faces.OverdueAsync(Batch))
        {
            count += await TimeOutFaceVerificationAsync(ticket) ? 1 : 0;
        }

        return count;
    }

    public Task<bool> TimeOutFaceVerificationAsync(string ticket) => faces.TimeOutAsync(ticket);

    /// <summary>Recurring: delivers due outbox messages.</summary>
    public async Task<IReadOnlyList<DeliveryResult>> DeliverOutboxAsync()
    {
        var due = await database.ReadAsync(s => new OutboxRepository(s).DueAsync(clock.GetUtcNow(), Batch));
        var results = new List<DeliveryResult>();
        foreach (var message in due)
        {
            results.Add(await DeliverOutboxMessageAsync(message.Id));
        }

        return results;
    }

    /// <summary>
    /// POSTs one message with its Idempotency-Key; marks it delivered on 2xx, else schedules a retry
    /// with exponential backoff. A receiver that saw the key before must answer 2xx without acting.
    /// </summary>
    public async Task<DeliveryResult> DeliverOutboxMessageAsync(Guid messageId)
    {
        var message = await database.ReadAsync(s => new OutboxRepository(s).GetAsync(messageId));
        if (message is null)
        {
            return DeliveryResult.NotFound;
        }

        if (message.DeliveredAt is not null)
        {
            return DeliveryResult.AlreadyDelivered;
        }

        var now = clock.GetUtcNow();
        if (message.NextAttemptAt > now)
        {
            return DeliveryResult.NotDue;
        }

        if (string.IsNullOrWhiteSpace(outbox.DownstreamUrl))
        {
            // Left undelivered on purpose: configure Flows:Outbox:DownstreamUrl and the next run sends it.
            return DeliveryResult.NotConfigured;
        }

        string? error;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, outbox.DownstreamUrl)
            {
                Content = new StringContent(message.Payload, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            request.Headers.Add("Idempotency-Key", message.IdempotencyKey);
            request.Headers.Add("X-ESeal-Event", message.Kind);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(outbox.TimeoutSeconds));
            using var response = await http.SendAsync(request, cts.Token);
            error = response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            error = ex.Message;
        }

        var at = clock.GetUtcNow();
        if (error is null)
        {
            return await database.InTransactionAsync(s => new OutboxRepository(s).MarkDeliveredAsync(message.Id, message.Version, at))
                ? DeliveryResult.Delivered : DeliveryResult.LostRace;
        }

        var delay = Math.Min(outbox.MaxBackoffSeconds, outbox.BackoffSeconds * Math.Pow(2, Math.Min(message.Attempts, 20)));
        var shortError = error.Length > 1000 ? error[..1000] : error;
        return await database.InTransactionAsync(s => new OutboxRepository(s).MarkFailedAsync(message.Id, message.Version, shortError, at.AddSeconds(delay)))
            ? DeliveryResult.FailedWillRetry : DeliveryResult.LostRace;
    }
}
