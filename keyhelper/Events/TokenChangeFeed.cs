using System.Text;
using ESeal.KeyHelper.Tokens;

namespace ESeal.KeyHelper.Events;

/// <summary>
/// A version number that moves whenever the visible token set changes (a key inserted or
/// removed, certificates changed, a PIN lock set or cleared), and a way to wait for it.
/// Versions start at the start time in Unix milliseconds, so a page still holding a version
/// from before a helper restart gets an immediate answer instead of a 25 s wait.
/// </summary>
internal sealed class TokenChangeFeed
{
    private readonly Lock _sync = new();
    private string _fingerprint = "";
    private long _version = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Version
    {
        get
        {
            lock (_sync)
            {
                return _version;
            }
        }
    }

    /// <summary>Records what is visible now and returns the (possibly new) version.</summary>
    public long Observe(IReadOnlyList<TokenDto> tokens)
    {
        var fingerprint = Fingerprint(tokens);
        TaskCompletionSource? toSignal = null;
        long version;
        lock (_sync)
        {
            if (fingerprint != _fingerprint)
            {
                _fingerprint = fingerprint;
                _version++;
                toSignal = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            version = _version;
        }

        toSignal?.TrySetResult();
        return version;
    }

    /// <summary>Completes when the version differs from <paramref name="since"/>, or after the timeout.</summary>
    public async Task WaitForChangeAsync(long since, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_sync)
        {
            if (_version != since)
            {
                return;
            }

            changed = _changed.Task;
        }

        try
        {
            await changed.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Nothing happened: the caller answers with the unchanged list and the page asks again.
        }
    }

    private static string Fingerprint(IReadOnlyList<TokenDto> tokens)
    {
        var sb = new StringBuilder();
        foreach (var t in tokens.OrderBy(t => t.Serial, StringComparer.Ordinal))
        {
            sb.Append(t.Serial).Append('|').Append(t.PinLocked).Append(t.PinCountLow).Append(t.PinFinalTry);
            foreach (var c in t.Certificates)
            {
                sb.Append('|').Append(c.Id);
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
