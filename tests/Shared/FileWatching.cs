using System.Runtime.CompilerServices;

namespace ESeal.Tests.Shared;

/// <summary>
/// A test run starts dozens of webs (in process and as child processes). Each web's file providers
/// (asp-append-version, configuration reload) would take Linux inotify instances, of which a user
/// gets 128 by default: past that, a page render throws IOException and the test fails for a reason
/// no user would ever meet. Tests never change files under a running web, so the webs poll instead.
/// Child processes inherit the variables.
/// </summary>
internal static class FileWatching
{
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Test assemblies: must hold before any web starts.")]
    internal static void PollInsteadOfInotify()
    {
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
    }
}
