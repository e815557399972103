namespace ESeal.Browser.Tests.Infrastructure;

/// <summary>Where the built apps are: the same configuration (Debug/Release) as this test assembly.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string ScreenshotDirectory { get; } = Path.Combine(Root, "tests", "ESeal.Browser.Tests", "screenshots");

    public static string AppDll(string folder, string assembly) =>
        Path.Combine(Root, folder, "bin", Configuration, "net10.0", assembly + ".dll");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ESeal.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("ESeal.sln not found above " + AppContext.BaseDirectory);
    }
}
