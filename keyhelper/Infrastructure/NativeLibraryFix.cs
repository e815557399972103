using System.Reflection;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;

namespace ESeal.KeyHelper.Infrastructure;

/// <summary>
/// Pkcs11Interop 5.x P/Invokes "libdl", but glibc 2.34+ (Debian 12/13) ships only libdl.so.2
/// without the dev symlink; map it so no -dev package is needed on the machine.
/// </summary>
internal static class NativeLibraryFix
{
    private static int _applied;

    public static void Apply()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1 || !OperatingSystem.IsLinux())
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(typeof(CKR).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == "libdl" && NativeLibrary.TryLoad("libdl.so.2", out var handle) ? handle : IntPtr.Zero;
}
