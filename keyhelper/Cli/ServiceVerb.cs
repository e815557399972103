using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ESeal.KeyHelper.Release;

namespace ESeal.KeyHelper.Cli;

/// <summary>
/// <c>install [--config eseal-keyhelper.json] [--root R.pem]</c> / <c>uninstall</c>: registers the helper as the
/// Windows service <c>ESealKeyHelper</c> (automatic start at boot) through the service control
/// manager, or removes it. <c>install --config</c> first verifies the portal's signed configuration
/// (<c>eseal-keyhelper.json.p7s</c>, publisher roots as for <c>config verify</c>) and copies it to
/// <c>%ProgramData%\ESeal\KeyHelper\eseal-keyhelper.json</c>, which the service loads.
/// Logging under the service manager goes to the Windows event log (source ESeal.KeyHelper, UseWindowsService).
/// Not run in this repository's CI (no Windows there); Linux installs use the .deb.
/// </summary>
internal static class ServiceVerb
{
    public const string ServiceName = "ESealKeyHelper";
    public const string DisplayName = "电子印章PC客户端 (ESeal.KeyHelper)";

    public static int Run(string verb, string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (!OperatingSystem.IsWindows())
        {
            stderr.WriteLine("install/uninstall register a Windows service. On Linux install the .deb (dpkg -i eseal-keyhelper_*.deb), see README.");
            return ReleaseVerbs.Usage;
        }

        ReleaseVerbs.Options options;
        try
        {
            options = ReleaseVerbs.Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine(e.Message);
            return ReleaseVerbs.Usage;
        }

        try
        {
            return verb == "install" ? Install(options, stdout, stderr) : Uninstall(stdout);
        }
        catch (Win32Exception e)
        {
            stderr.WriteLine($"{verb} failed: {e.Message} (run as administrator)");
            return 1;
        }
    }

    [SupportedOSPlatform("windows")]
    private static int Install(ReleaseVerbs.Options options, TextWriter stdout, TextWriter stderr)
    {
        var exe = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var binPath = $"\"{exe}\"";
        if (options.Single("config") is { } config)
        {
            var verdict = DetachedSignature.VerifyFile(config, ReleaseVerbs.Roots(options, stderr), DateTimeOffset.UtcNow);
            if (!verdict.IsVerified)
            {
                stderr.WriteLine($"FAIL {verdict.Code}: {verdict.Message}");
                return 1;
            }

            var target = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "ESeal", "KeyHelper", HelperConfigFile.FileName);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(config, target, overwrite: true);
            binPath += $" --config \"{target}\"";
            stdout.WriteLine($"configuration verified ({verdict.SignerSubject}) and copied to {target}");
        }

        var manager = Native.OpenSCManagerW(null, null, Native.ScManagerAllAccess);
        if (manager == IntPtr.Zero)
        {
            throw new Win32Exception();
        }

        try
        {
            var service = Native.CreateServiceW(manager, ServiceName, DisplayName, Native.ServiceAllAccess, Native.ServiceWin32OwnProcess,
                Native.ServiceAutoStart, Native.ServiceErrorNormal, binPath, null, IntPtr.Zero, null, null, null);
            if (service == IntPtr.Zero)
            {
                throw new Win32Exception();
            }

            try
            {
                // Start now as well as at every boot; a failure here leaves the service registered.
                if (!Native.StartServiceW(service, 0, IntPtr.Zero))
                {
                    stderr.WriteLine($"registered, but the first start failed: {new Win32Exception().Message}");
                }
            }
            finally
            {
                Native.CloseServiceHandle(service);
            }
        }
        finally
        {
            Native.CloseServiceHandle(manager);
        }

        stdout.WriteLine($"service {ServiceName} installed (automatic start): {binPath}");
        return 0;
    }

    [SupportedOSPlatform("windows")]
    private static int Uninstall(TextWriter stdout)
    {
        var manager = Native.OpenSCManagerW(null, null, Native.ScManagerAllAccess);
        if (manager == IntPtr.Zero)
        {
            throw new Win32Exception();
        }

        try
        {
            var service = Native.OpenServiceW(manager, ServiceName, Native.ServiceAllAccess);
            if (service == IntPtr.Zero)
            {
                throw new Win32Exception();
            }

            try
            {
                var status = new Native.ServiceStatus();
                _ = Native.ControlService(service, Native.ServiceControlStop, ref status); // not running is fine
                if (!Native.DeleteService(service))
                {
                    throw new Win32Exception();
                }
            }
            finally
            {
                Native.CloseServiceHandle(service);
            }
        }
        finally
        {
            Native.CloseServiceHandle(manager);
        }

        stdout.WriteLine($"service {ServiceName} stopped and removed");
        return 0;
    }

    [SupportedOSPlatform("windows")]
    private static class Native
    {
        public const uint ScManagerAllAccess = 0xF003F;
        public const uint ServiceAllAccess = 0xF01FF;
        public const uint ServiceWin32OwnProcess = 0x10;
        public const uint ServiceAutoStart = 0x2;
        public const uint ServiceErrorNormal = 0x1;
        public const uint ServiceControlStop = 0x1;

        [StructLayout(LayoutKind.Sequential)]
        public struct ServiceStatus
        {
            public uint ServiceType;
            public uint CurrentState;
            public uint ControlsAccepted;
            public uint Win32ExitCode;
            public uint ServiceSpecificExitCode;
            public uint CheckPoint;
            public uint WaitHint;
        }

        [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern IntPtr OpenSCManagerW(string? machine, string? database, uint access);

        [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern IntPtr CreateServiceW(IntPtr manager, string name, string displayName, uint access, uint serviceType, uint startType,
            uint errorControl, string binaryPath, string? loadOrderGroup, IntPtr tagId, string? dependencies, string? account, string? password);

        [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern IntPtr OpenServiceW(IntPtr manager, string name, uint access);

        [DllImport("advapi32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool StartServiceW(IntPtr service, uint argc, IntPtr argv);

        [DllImport("advapi32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool ControlService(IntPtr service, uint control, ref ServiceStatus status);

        [DllImport("advapi32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool DeleteService(IntPtr service);

        [DllImport("advapi32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool CloseServiceHandle(IntPtr handle);
    }
}
