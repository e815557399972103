using System.Text.Json;
using ESeal.Db.Admin;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Web.Staff;
using ESeal.Workflows.Jobs;
using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Outbox;

/// <summary>
/// The outbox backlog: messages not yet delivered downstream, and 立即重试, which makes one due now
/// (optimistic on its version), audits it, and asks the job server to deliver it at once.
/// </summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class IndexModel(Database database, TimeProvider clock, IServiceProvider services) : PageModel
{
    public const int MaxShown = 200;

    public IReadOnlyList<OutboxMessage> Messages { get; private set; } = [];

    public int UndeliveredCount { get; private set; }

    public int DeliveredLastDay { get; private set; }

    public string? Retried { get; private set; }

    public string? Notice { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostRetryAsync(string? id, int? version)
    {
        var ct = HttpContext.RequestAborted;
        var message = Guid.TryParse(id, out var messageId)
            ? await database.ReadAsync(s => new OutboxRepository(s).GetAsync(messageId, ct))
            : null;
        if (message is null)
        {
            Notice = "未找到该消息，未做任何更改。";
        }
        else if (message.DeliveredAt is { } delivered)
        {
            Notice = $"该消息已于 {Enterprises.OperatorFormat.Time(delivered)} 投递成功，无需重试，未做任何更改。";
        }
        else
        {
            var actor = User.StaffActor();
            var now = clock.GetUtcNow();
            var done = await database.InTransactionAsync(
                async s =>
                {
                    if (!await new OutboxRepository(s).RetryNowAsync(message.Id, version ?? -1, now, ct))
                    {
                        return false;
                    }

                    await new AuditLog(s).AppendAsync(
                        new AuditEvent
                        {
                            Id = Guid.NewGuid(),
                            OccurredAt = now,
                            Kind = AuditKinds.OutboxRetried,
                            Actor = actor,
                            Data = JsonSerializer.Serialize(new { messageId = message.Id, kind = message.Kind }),
                        },
                        ct);
                    return true;
                },
                ct);
            if (done)
            {
                // After the commit, so the job reads the message as due; the recurring job would send it anyway.
                services.GetService<IBackgroundJobClient>()?.Enqueue<FlowJobs>(j => j.DeliverOutboxMessageAsync(message.Id));
                Retried = $"已安排立即重试：{message.Kind}（{message.Id:D}）。";
            }
            else
            {
                Notice = "该消息刚刚被其他操作更新（可能已投递或已重试），未做任何更改，请查看最新状态。";
            }
        }

        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        var since = clock.GetUtcNow().AddHours(-24);
        (Messages, UndeliveredCount, DeliveredLastDay) = await database.ReadAsync(async s =>
        {
            var queries = new OperatorQueries(s);
            return (await queries.UndeliveredAsync(MaxShown, ct), await queries.UndeliveredCountAsync(ct), await queries.DeliveredSinceAsync(since, ct));
        });
    }
}
