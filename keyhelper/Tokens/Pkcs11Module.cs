using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace ESeal.KeyHelper.Tokens;

/// <summary>
/// One PKCS#11 module (vendor library) and its single library instance in this process
/// (AppType.MultiThreaded, so PKCS#11 does its own locking across our sessions).
/// Operations run under a read lease; re-initialising the library takes the write side,
/// so it never pulls a library out from under a running signature.
/// </summary>
internal sealed class Pkcs11Module(string path, Pkcs11InteropFactories factories, ILogger logger) : IDisposable
{
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private IPkcs11Library? _library;
    private volatile bool _stale = true;

    // Serial → slot for the current library instance: saves a C_GetTokenInfo on every slot per signature.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ISlot> _slots = new(StringComparer.Ordinal);

    public string Path { get; } = path;

    /// <summary>For <c>GET /v1/info</c>: why the last (re)initialisation failed, null while the library is loaded.</summary>
    public string? Failure { get; private set; } = "not loaded yet";

    /// <summary>
    /// SoftHSM2 reads its token directory only in C_Initialize and, once a token's directory is
    /// gone, answers CKR_GENERAL_ERROR for it until the next C_Initialize. Such modules are
    /// re-initialised on every watcher tick (about 5 ms for ten tokens) to see keys come and go.
    /// </summary>
    public bool HasNoHotPlug { get; private set; }

    /// <summary>Something failed in a way that may mean the token set changed: re-initialise soon.</summary>
    public void MarkStale() => _stale = true;

    /// <summary>Runs an operation with the current library instance; null when the module could not be loaded.</summary>
    public T? Use<T>(Func<IPkcs11Library, T?> operation)
        where T : class
    {
        _gate.EnterReadLock();
        try
        {
            return _library is null ? null : operation(_library);
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <summary>
    /// (Re)initialises the library when it was never loaded, is marked stale, or cannot notice
    /// hot-plug by itself. Skips (returns false) instead of waiting long when signatures are running.
    /// </summary>
    public bool RefreshIfNeeded()
    {
        if (!_stale && !HasNoHotPlug && _library is not null)
        {
            return false;
        }

        if (!_gate.TryEnterWriteLock(TimeSpan.FromMilliseconds(200)))
        {
            return false;
        }

        try
        {
            _library?.Dispose();
            _library = null;
            _slots.Clear();
            if (!File.Exists(Path))
            {
                logger.LogWarning("PKCS#11 module {Module} not found", Path);
                Failure = "module file not found";
                return false;
            }

            _library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, Path, AppType.MultiThreaded);
            HasNoHotPlug = _library.GetInfo().ManufacturerId.StartsWith("SoftHSM", StringComparison.Ordinal);
            _stale = false;
            Failure = null;
            return true;
        }
        catch (Exception e) when (e is Pkcs11Exception or UnmanagedException or DllNotFoundException or IOException)
        {
            logger.LogWarning(e, "PKCS#11 module {Module} could not be initialised", Path);
            _library = null;
            Failure = e.Message;
            return false;
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    /// <summary>The slot holding the token with this serial and its current info, or null. Call inside <see cref="Use{T}"/>.</summary>
    public (ISlot Slot, ITokenInfo Info)? FindToken(IPkcs11Library library, string serial)
    {
        if (_slots.TryGetValue(serial, out var cached))
        {
            try
            {
                var info = cached.GetTokenInfo();
                if (info.TokenFlags.TokenInitialized && info.SerialNumber.Trim() == serial)
                {
                    return (cached, info);
                }
            }
            catch (Pkcs11Exception)
            {
                // Slot gone or reused; fall back to a full scan.
            }

            _slots.TryRemove(serial, out _);
        }

        foreach (var slot in library.GetSlotList(SlotsType.WithTokenPresent))
        {
            try
            {
                var info = slot.GetTokenInfo();
                if (info.TokenFlags.TokenInitialized)
                {
                    _slots[info.SerialNumber.Trim()] = slot;
                    if (info.SerialNumber.Trim() == serial)
                    {
                        return (slot, info);
                    }
                }
            }
            catch (Pkcs11Exception)
            {
                // Another token in a bad state must not hide the one asked for.
            }
        }

        return null;
    }

    public void Dispose()
    {
        _gate.EnterWriteLock();
        try
        {
            _library?.Dispose();
            _library = null;
        }
        finally
        {
            _gate.ExitWriteLock();
        }

        _gate.Dispose();
    }
}
