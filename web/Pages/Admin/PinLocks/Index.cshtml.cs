using ESeal.Db.Admin;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.PinLocks;

/// <summary>
/// The PIN-locked USBKEYs, and 解除锁定 once the CA has reset the key: with a reason, cleared and
/// audited by <see cref="PinLockClearing"/> exactly as the ops CLI's `pin-lock clear` does.
/// </summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class IndexModel(Database database, TimeProvider clock) : PageModel
{
    public IReadOnlyList<LockedKeyRow> Locks { get; private set; } = [];

    /// <summary>The row whose form was posted with a bad reason, the message, and the reason as typed.</summary>
    public (string CounterKey, string Message, string? Reason)? ReasonError { get; private set; }

    /// <summary>"已解除 SERIAL 的PIN码锁定。" after a clearing.</summary>
    public string? ClearedSerial { get; private set; }

    /// <summary>A clearing that did nothing: already cleared, or no such lock.</summary>
    public string? Notice { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostClearAsync(string? counterKey, string? reason)
    {
        var ct = HttpContext.RequestAborted;
        var counter = string.IsNullOrEmpty(counterKey) || counterKey.Length > 200
            ? null
            : await database.ReadAsync(s => new PinCounterRepository(s).GetAsync(counterKey, ct));
        if (counter is null)
        {
            Notice = "未找到该锁定记录，请刷新页面后重试。";
        }
        else if (PinLockClearing.ValidateReason(reason) is { } message)
        {
            ReasonError = (counter.CounterKey, message, reason);
        }
        else
        {
            var actor = User.StaffActor();
            var now = clock.GetUtcNow();
            // By key id, never the serial the row shows: the serial is only what a helper reported.
            var result = await database.InTransactionAsync(s => PinLockClearing.ClearAsync(s, counter.KeyId, actor, actor, reason, now, ct), ct);
            if (result.Cleared)
            {
                ClearedSerial = result.TokenSerial;
            }
            else
            {
                Notice = $"{counter.TokenSerial} 的PIN码锁定已经解除，无需再次操作。";
            }
        }

        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync() =>
        Locks = await database.ReadAsync(s => new OperatorQueries(s).LockedKeysAsync(HttpContext.RequestAborted));

    public static string ScopeLabel(PinCounterScope scope) => scope == PinCounterScope.Key
        ? "整个USBKEY（经登记的终端报告）"
        : "单个浏览器会话";
}
