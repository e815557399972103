using System.Text.Json;
using ESeal.KeyHelper.Configuration;
using ESeal.KeyHelper.Infrastructure;

namespace ESeal.KeyHelper.Security;

/// <summary>
/// The helper's own count of consecutive wrong PINs per token serial. Tokens such as SoftHSM2
/// keep no counter, so without this a page could guess PINs forever. Persisted in
/// StateDirectory/pin-attempts.json (write to a temp file, flush, rename) so that killing or
/// restarting the helper does not reset a lock. Only counts are stored, never a PIN.
/// </summary>
internal sealed class PinAttemptStore
{
    private readonly Lock _sync = new();
    private readonly string _path;
    private readonly ILogger<PinAttemptStore> _logger;
    private readonly Dictionary<string, int> _failures;

    public PinAttemptStore(KeyHelperOptions options, ILogger<PinAttemptStore> logger)
    {
        _logger = logger;
        MaxAttempts = options.MaxPinAttempts;
        Directory.CreateDirectory(options.StateDirectory!);
        _path = Path.Combine(options.StateDirectory!, "pin-attempts.json");
        _failures = Load();
    }

    public int MaxAttempts { get; }

    public int Failures(string serial)
    {
        lock (_sync)
        {
            return _failures.GetValueOrDefault(serial);
        }
    }

    public bool IsLocked(string serial) => Failures(serial) >= MaxAttempts;

    /// <summary>Counts one wrong PIN and returns how many attempts are left (0 = now locked).</summary>
    public int RecordFailure(string serial)
    {
        lock (_sync)
        {
            var count = Math.Min(_failures.GetValueOrDefault(serial) + 1, MaxAttempts);
            _failures[serial] = count;
            Save();
            return MaxAttempts - count;
        }
    }

    /// <summary>A right PIN clears the count (only a not yet locked token gets this far).</summary>
    public void Reset(string serial)
    {
        lock (_sync)
        {
            if (_failures.Remove(serial))
            {
                Save();
            }
        }
    }

    private Dictionary<string, int> Load()
    {
        if (!File.Exists(_path))
        {
            return new Dictionary<string, int>(StringComparer.Ordinal);
        }

        try
        {
            using var stream = File.OpenRead(_path);
            var state = JsonSerializer.Deserialize(stream, KeyHelperJsonContext.Web.PinAttemptState);
            return new Dictionary<string, int>(state?.Failures ?? [], StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            // Written atomically, so this means tampering or disk trouble; keep the file for inspection.
            _logger.LogError(e, "PIN attempt state {Path} unreadable; moved aside", _path);
            File.Move(_path, _path + ".corrupt-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture), true);
            return new Dictionary<string, int>(StringComparer.Ordinal);
        }
    }

    private void Save()
    {
        var temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, new PinAttemptState(new Dictionary<string, int>(_failures)), KeyHelperJsonContext.Web.PinAttemptState);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, _path, overwrite: true);
    }
}

internal sealed record PinAttemptState(Dictionary<string, int> Failures);
