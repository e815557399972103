using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ESeal.Db.Flows;
using ESeal.Db.Repositories;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Face;
using ESeal.Workflows.Jobs;
using ESeal.Workflows.Runtime;
using static ESeal.Workflows.Tests.FlowHarness;

namespace ESeal.Workflows.Tests;

public sealed class JobTests
{
    private static FlowJobs Jobs(FlowHarness h, HttpClient http, string? url) =>
        new(h.Database, h.Clock, h.Faces, http, new OutboxOptions { DownstreamUrl = url, TimeoutSeconds = 5 });

    [Fact]
    public async Task Expiring_abandoned_instances_twice_has_the_effect_of_once()
    {
        using var h = await CreateAsync();
        using var http = new HttpClient();
        var view = await h.Runtime.StartAsync(ShippedDefinitions.UsbKeyBind, Owner);
        var jobs = Jobs(h, http, null);
        Assert.Equal(0, await jobs.ExpireAbandonedInstancesAsync());

        h.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(1, await jobs.ExpireAbandonedInstancesAsync());
        var once = await h.Database.InTransactionAsync(s => new FlowInstanceRepository(s).GetAsync(view.InstanceId));
        Assert.Equal(0, await jobs.ExpireAbandonedInstancesAsync());
        Assert.False(await jobs.ExpireInstanceAsync(view.InstanceId));
        Assert.Equal(once, await h.Database.InTransactionAsync(s => new FlowInstanceRepository(s).GetAsync(view.InstanceId)));
        Assert.Equal(FlowStatus.Expired, once!.Status);
        Assert.Equal(RefusalReason.Finished, (await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Empty)).Reason);
    }

    [Fact]
    public async Task Timing_out_face_verifications_twice_has_the_effect_of_once()
    {
        using var h = await CreateAsync();
        using var http = new HttpClient();
        var ticket = await h.Faces.CreateTicketAsync(new FaceTicketRequest(Guid.NewGuid(), Guid.NewGuid(), "企业", "王建国", TimeSpan.FromSeconds(60)));
        var jobs = Jobs(h, http, null);
        Assert.Equal(0, await jobs.TimeOutFaceVerificationsAsync());
        h.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, await jobs.TimeOutFaceVerificationsAsync());
        Assert.Equal(0, await jobs.TimeOutFaceVerificationsAsync());
        Assert.False(await jobs.TimeOutFaceVerificationAsync(ticket.Ticket));
        Assert.Equal(FaceStatus.Expired, (await h.Faces.GetAsync(ticket.Ticket))!.Status);
        Assert.False(await h.Faces.CompleteAsync(ticket.Ticket, passed: true));
        Assert.Equal("王*国", ticket.LegalRepNameMasked[..1] + "*" + ticket.LegalRepNameMasked[^1..]);
    }

    [Fact]
    public async Task Delivering_the_outbox_twice_posts_each_message_once()
    {
        using var h = await CreateAsync();
        using var receiver = new Receiver(HttpStatusCode.OK);
        using var http = new HttpClient();
        var id = await EnqueueAsync(h);
        var jobs = Jobs(h, http, receiver.Url);

        var first = await jobs.DeliverOutboxAsync();
        var second = await jobs.DeliverOutboxAsync();
        Assert.Contains(DeliveryResult.Delivered, first);
        Assert.Empty(second);
        Assert.Equal(DeliveryResult.AlreadyDelivered, await jobs.DeliverOutboxMessageAsync(id));
        var request = Assert.Single(receiver.Requests, r => r.IdempotencyKey == $"test.event:{id:N}");
        Assert.Contains("\"sealCode\":\"X-1\"", request.Body, StringComparison.Ordinal);
        Assert.NotNull((await MessageAsync(h, id)).DeliveredAt);
    }

    [Fact]
    public async Task A_failed_delivery_is_retried_later_with_backoff()
    {
        using var h = await CreateAsync();
        using var receiver = new Receiver(HttpStatusCode.InternalServerError);
        using var http = new HttpClient();
        var id = await EnqueueAsync(h);
        var jobs = Jobs(h, http, receiver.Url);

        Assert.Equal(DeliveryResult.FailedWillRetry, await jobs.DeliverOutboxMessageAsync(id));
        Assert.Equal(DeliveryResult.NotDue, await jobs.DeliverOutboxMessageAsync(id));
        var failed = await MessageAsync(h, id);
        Assert.Equal((1, "HTTP 500", h.Clock.GetUtcNow().AddSeconds(30)), (failed.Attempts, failed.LastError, failed.NextAttemptAt));
        Assert.Single(receiver.Requests);

        receiver.Status = HttpStatusCode.NoContent;
        h.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(DeliveryResult.Delivered, await jobs.DeliverOutboxMessageAsync(id));
        Assert.Equal(2, receiver.Requests.Count);
    }

    [Fact]
    public async Task Without_a_downstream_url_messages_stay_undelivered()
    {
        using var h = await CreateAsync();
        using var http = new HttpClient();
        var id = await EnqueueAsync(h);
        Assert.Equal(DeliveryResult.NotConfigured, await Jobs(h, http, null).DeliverOutboxMessageAsync(id));
        var message = await MessageAsync(h, id);
        Assert.Null(message.DeliveredAt);
        Assert.Equal(0, message.Attempts);
    }

    private static async Task<Guid> EnqueueAsync(FlowHarness h)
    {
        var id = Guid.NewGuid();
        await h.Database.InTransactionAsync(async s =>
        {
            await new OutboxRepository(s).EnqueueAsync(id, "test.event", """{"sealCode":"X-1"}""", $"test.event:{id:N}", h.Clock.GetUtcNow());
            return 0;
        });
        return id;
    }

    private static async Task<OutboxMessage> MessageAsync(FlowHarness h, Guid id) =>
        (await h.Database.InTransactionAsync(s => new OutboxRepository(s).GetAsync(id)))!;

    /// <summary>A tiny downstream on 127.0.0.1 that records what it receives.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly Task loop;

        public Receiver(HttpStatusCode status)
        {
            Status = status;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/hook/";
                probe.Stop();
            }

            listener.Prefixes.Add(Url);
            listener.Start();
            loop = Task.Run(LoopAsync);
        }

        public string Url { get; }

        public HttpStatusCode Status { get; set; }

        public ConcurrentQueue<(string? IdempotencyKey, string Body)> Requests { get; } = new();

        private async Task LoopAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream);
                Requests.Enqueue((context.Request.Headers["Idempotency-Key"], await reader.ReadToEndAsync()));
                context.Response.StatusCode = (int)Status;
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            listener.Stop();
            listener.Close();
            _ = loop;
        }
    }
}
