using ESeal.Db.Admin;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;

namespace ESeal.Web.Cli;

/// <summary>
/// `pin-lock list` and `pin-lock clear SERIAL|KEYID --operator NAME`: an operator clears a key's
/// PIN lock after the CA has reset it (SPEC §3): every count of that key, key-wide and per browser
/// session. The clearing is audited in the same transaction, by the same code as the back office's
/// /admin/pinlocks (<see cref="PinLockClearing"/>). The key helper on the kiosk PC keeps its own
/// count (see keyhelper/README.md).
/// </summary>
internal sealed class PinLockVerb : IOpsVerb
{
    public string Name => "pin-lock";

    public string Summary => "list locked USBKEYs, or clear one after the CA reset it: pin-lock clear SERIAL|KEYID --operator NAME [--reason TEXT]";

    public async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error)
    {
        var database = services.GetRequiredService<Database>();
        var clock = services.GetRequiredService<TimeProvider>();
        switch (args)
        {
            case ["list", ..]:
                foreach (var l in await database.ReadAsync(s => new PinCounterRepository(s).ListLockedAsync()))
                {
                    var scope = l.Scope == PinCounterScope.Key ? "key-wide" : "one browser session";
                    await output.WriteLineAsync($"{l.TokenSerial}\tkey {l.KeyId}\tlocked {l.LockedAt:yyyy-MM-dd HH:mm:ss}Z\t{l.FailedAttempts} wrong PINs\t{scope}");
                }

                return 0;
            case ["clear", var serial, "--operator", var operatorName, .. var rest] when !string.IsNullOrWhiteSpace(serial) && !string.IsNullOrWhiteSpace(operatorName):
                var reason = rest is ["--reason", var r, ..] ? r : null;
                if (reason is not null && PinLockClearing.ValidateReason(reason) is { } invalid)
                {
                    await error.WriteLineAsync(invalid);
                    return 65;
                }

                var now = clock.GetUtcNow();
                var result = await database.InTransactionAsync(s => PinLockClearing.ClearAsync(s, serial, $"operator:{operatorName}", operatorName, reason, now));
                await (result.Cleared ? output : error).WriteLineAsync(result.Cleared ? $"PIN lock of {serial} cleared by {operatorName}." : $"No PIN lock or wrong-PIN count for {serial}.");
                return result.Cleared ? 0 : 1;
            default:
                await error.WriteLineAsync($"Usage: {Name} list | {Name} clear SERIAL|KEYID --operator NAME [--reason TEXT]");
                return 64;
        }
    }
}
