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

    public string Path { get; } = path;

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
            if (!File.Exists(Path))
            {
                logger.LogWarning("PKCS#11 module {Module} not found", Path);
                return false;
            }

            _library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, Path, AppType.MultiThreaded);
            HasNoHotPlug = _library.GetInfo().ManufacturerId.StartsWith("SoftHSM", StringComparison.Ordinal);
            _stale = false;
            return true;
        }
        catch (Exception e) when (e is Pkcs11Exception or UnmanagedException or DllNotFoundException or IOException)
        {
            logger.LogWarning(e, "PKCS#11 module {Module} could not be initialised", Path);
            _library = null;
            return false;
        }
        finally
        {
            _gate.ExitWriteLock();
        }
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
