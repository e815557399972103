using ESeal.KeyHelper.Configuration;
using ESeal.KeyHelper.Infrastructure;
using Net.Pkcs11Interop.HighLevelAPI;

namespace ESeal.KeyHelper.Tokens;

/// <summary>All configured modules; a kiosk may have USBKEYs of several vendors at once.</summary>
internal sealed class ModuleRegistry : IDisposable
{
    public ModuleRegistry(KeyHelperOptions options, ILogger<ModuleRegistry> logger)
    {
        NativeLibraryFix.Apply();
        var factories = new Pkcs11InteropFactories();
        Modules = options.Pkcs11Modules.Distinct(StringComparer.Ordinal)
            .Select(p => new Pkcs11Module(p, factories, logger)).ToList();
        foreach (var module in Modules)
        {
            module.RefreshIfNeeded();
        }
    }

    public IReadOnlyList<Pkcs11Module> Modules { get; }

    public void Dispose()
    {
        foreach (var module in Modules)
        {
            module.Dispose();
        }
    }
}
