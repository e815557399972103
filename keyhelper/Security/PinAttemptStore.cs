using System.Diagnostics;
using System.Text.Json;
using ESeal.KeyHelper.Configuration;
using ESeal.KeyHelper.Infrastructure;
using Microsoft.Win32.SafeHandles;

namespace ESeal.KeyHelper.Security;

/// <summary>
/// The helper's own count of consecutive wrong PINs per token serial. Tokens such as SoftHSM2
/// keep no counter, so without this a page could guess PINs forever. Persisted in
/// StateDirectory/pin-attempts.json so that killing or restarting the helper does not reset a lock.
/// Only counts are stored, never a PIN.
/// <para>
/// Two processes use the file: the running service and the operator's <c>pin-lock clear</c> verb
/// (<see cref="Cli.PinLockVerb"/>). Hence:
/// </para>
/// <list type="bullet">
/// <item>Every write replaces the whole file by rename (temp file, flush, rename), so a reader —
/// and a crash — only ever sees a complete old or a complete new file; reads need no lock.</item>
/// <item>Every change is read-modify-write under the lock file <c>pin-attempts.lock</c>, re-reading
/// the file after taking the lock and never writing from the in-memory copy alone. Without that,
/// the service, which holds counts in memory, would write back a count the operator just cleared
/// on its next wrong PIN, or the verb would drop a failure the service counted a moment earlier.
/// The lock is an OS lock on an open handle (FileShare.None: flock(LOCK_EX) on Unix, a share-mode
/// lock on Windows), so it dies with its process: a killed helper never leaves a stale lock. The
/// lock file itself stays; deleting it would let two processes lock two different files.</item>
/// <item>Before answering from memory the store compares the file's last-write time and length with
/// those of the version it last read or wrote, and re-reads when they differ, so the running service
/// sees a clear at its next check, without a restart. A missed change would need another writer to
/// produce a file of the same length within one timestamp tick; the verb only ever removes an
/// entry, which always makes the file shorter.</item>
/// </list>
/// </summary>
internal sealed class PinAttemptStore
{
    public const string FileName = "pin-attempts.json";
    public const string LockFileName = "pin-attempts.lock";

    // The other process holds the lock for one small read and write; seconds mean something is wrong.
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _sync = new();
    private readonly string _directory;
    private readonly string _lockPath;
    private readonly ILogger<PinAttemptStore> _logger;
    private Dictionary<string, int> _failures;

    // Last-write time and length of the file _failures came from (or was written to); null = no file.
    private FileStamp? _stamp;

    public PinAttemptStore(KeyHelperOptions options, ILogger<PinAttemptStore> logger)
    {
        _logger = logger;
        MaxAttempts = options.MaxPinAttempts;
        _directory = options.StateDirectory!;
        FilePath = Path.Combine(_directory, FileName);
        _lockPath = Path.Combine(_directory, LockFileName);
        var (failures, stamp) = ReadFile();
        _stamp = stamp;
        _failures = failures ?? NewMap();
        Unreadable = failures is null;
    }

    public int MaxAttempts { get; }

    /// <summary>StateDirectory/pin-attempts.json.</summary>
    public string FilePath { get; }

    /// <summary>
    /// The file on disk was not valid JSON at the last look. The store then keeps the counts it had
    /// (none at start, as before); the file is moved aside at the next change.
    /// </summary>
    public bool Unreadable { get; private set; }

    public int Failures(string serial)
    {
        lock (_sync)
        {
            RefreshIfChanged();
            return _failures.GetValueOrDefault(serial);
        }
    }

    public bool IsLocked(string serial) => Failures(serial) >= MaxAttempts;

    /// <summary>Every counted serial with its count, as the file says now.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Snapshot()
    {
        lock (_sync)
        {
            RefreshIfChanged();
            return [.. _failures.OrderBy(f => f.Key, StringComparer.Ordinal)];
        }
    }

    /// <summary>Counts one wrong PIN and returns how many attempts are left (0 = now locked).</summary>
    public int RecordFailure(string serial) => Update(failures =>
    {
        var count = Math.Min(failures.GetValueOrDefault(serial) + 1, MaxAttempts);
        failures[serial] = count;
        return (true, MaxAttempts - count);
    });

    /// <summary>A right PIN clears the count (only a not yet locked token gets this far).</summary>
    public void Reset(string serial)
    {
        // Most signatures find nothing to reset; they should not take the cross-process lock.
        lock (_sync)
        {
            RefreshIfChanged();
            if (!_failures.ContainsKey(serial))
            {
                return;
            }
        }

        Update(failures => (failures.Remove(serial), 0));
    }

    /// <summary>
    /// The operator's clear after a CA reset: removes the serial's count and returns what it was, or
    /// null when the file holds none. <paramref name="beforeWrite"/> (the audit line) runs with the
    /// previous count under the lock before the file is written; if it throws, nothing is cleared.
    /// </summary>
    public int? Clear(string serial, Action<int> beforeWrite) => Update<int?>(failures =>
    {
        if (!failures.Remove(serial, out var previous))
        {
            return (false, null);
        }

        beforeWrite(previous);
        return (true, previous);
    });

    /// <summary>Read-modify-write under both locks; <paramref name="change"/> says whether it changed anything.</summary>
    private T Update<T>(Func<Dictionary<string, int>, (bool Changed, T Result)> change)
    {
        lock (_sync)
        {
            using var fileLock = AcquireFileLock();
            var (fresh, stamp) = ReadFile();

            // An unreadable file (hand edit gone wrong, disk trouble): go on from the last good counts
            // rather than from none, so a broken file does not unlock tokens.
            var failures = fresh ?? new Dictionary<string, int>(_failures, StringComparer.Ordinal);
            var (changed, result) = change(failures);
            if (changed)
            {
                if (fresh is null && stamp is not null)
                {
                    MoveAside();
                }

                Write(failures);

                // Still under the lock file: nobody else can have replaced the file since our rename.
                stamp = Stamp();
            }

            _failures = failures;
            _stamp = stamp;
            Unreadable = fresh is null && !changed;
            return result;
        }
    }

    private void RefreshIfChanged()
    {
        if (Stamp() == _stamp)
        {
            return;
        }

        var (failures, stamp) = ReadFile();
        _stamp = stamp;
        Unreadable = failures is null;
        if (failures is not null)
        {
            _failures = failures;
        }
    }

    /// <summary>The counts and the stamp of the very version read (taken from the open handle, so they match); null counts = not valid JSON.</summary>
    private (Dictionary<string, int>? Failures, FileStamp? Stamp) ReadFile()
    {
        SafeFileHandle handle;
        try
        {
            // Share Delete (and Write) so that a writer's rename over this file never fails on Windows while we read.
            handle = File.OpenHandle(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return (NewMap(), null);
        }

        using (handle)
        {
            var stamp = new FileStamp(File.GetLastWriteTimeUtc(handle), RandomAccess.GetLength(handle));
            try
            {
                using var stream = new FileStream(handle, FileAccess.Read);
                var state = JsonSerializer.Deserialize(stream, KeyHelperJsonContext.Web.PinAttemptState);
                var failures = NewMap();
                foreach (var (serial, count) in state?.Failures ?? [])
                {
                    if (count > 0)
                    {
                        failures[serial] = Math.Min(count, MaxAttempts);
                    }
                }

                return (failures, stamp);
            }
            catch (JsonException e)
            {
                // Written atomically, so this means tampering, a hand edit or disk trouble.
                _logger.LogError(e, "PIN attempt state {Path} unreadable; keeping the counts known before", FilePath);
                return (null, stamp);
            }
        }
    }

    private void Write(Dictionary<string, int> failures)
    {
        // One fixed temp name is enough: only the holder of the lock file writes it.
        var temp = FilePath + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, new PinAttemptState(new Dictionary<string, int>(failures)), KeyHelperJsonContext.Web.PinAttemptState);
            stream.Flush(flushToDisk: true);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                File.Move(temp, FilePath, overwrite: true);
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException && attempt < 5)
            {
                // Windows: a virus scanner or an editor may hold the target open for a moment.
                Thread.Sleep(50);
            }
        }
    }

    private void MoveAside()
    {
        var aside = FilePath + ".corrupt-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        File.Move(FilePath, aside, overwrite: true);
        _logger.LogError("Unreadable PIN attempt state moved to {Path} for inspection", aside);
    }

    private FileStream AcquireFileLock()
    {
        Directory.CreateDirectory(_directory);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (Stopwatch.GetElapsedTime(started) < LockTimeout)
            {
                Thread.Sleep(20);
            }
            catch (IOException e)
            {
                throw new IOException($"{_lockPath} is still locked by another process after {LockTimeout.TotalSeconds:0} s; PIN attempt state not changed.", e);
            }
        }
    }

    private FileStamp? Stamp()
    {
        var info = new FileInfo(FilePath);
        return info.Exists ? new FileStamp(info.LastWriteTimeUtc, info.Length) : null;
    }

    private static Dictionary<string, int> NewMap() => new(StringComparer.Ordinal);

    private readonly record struct FileStamp(DateTime LastWriteUtc, long Length);
}

internal sealed record PinAttemptState(Dictionary<string, int> Failures);
