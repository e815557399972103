using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ESeal.KeyHelper.Tests;

/// <summary>The key helper as users run it: its own process, its own port, SoftHSM2 behind it.</summary>
public sealed class HelperProcess : IDisposable
{
    public const string Origin = "http://localhost:5080";
    public const string OtherAllowedOrigin = "http://127.0.0.1:5080";

    private readonly string _softHsmConf;
    private readonly string _stateDirectory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public HelperProcess(string softHsmConf, string stateDirectory)
    {
        _softHsmConf = softHsmConf;
        _stateDirectory = stateDirectory;
        Port = FreePort();
    }

    public int Port { get; }

    /// <summary>Everything the helper wrote to stdout/stderr, to prove the PIN never shows up there.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public HttpClient CreateClient() => new() { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(60) };

    public string StateDirectory => _stateDirectory;

    /// <summary>
    /// Runs the helper's executable to its end (a verb such as <c>report-key</c>, or a start that must fail),
    /// killed after <paramref name="timeout"/>; the exit code is -1 then.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToEndAsync(IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = NewStartInfo();
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, await stdout, await stderr);
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public async Task StartAsync()
    {
        var info = NewStartInfo();
        foreach (var arg in new[]
        {
            $"--KeyHelper:Port={Port}",
            $"--KeyHelper:AllowedOrigins:0={Origin}",
            $"--KeyHelper:AllowedOrigins:1={OtherAllowedOrigin}",
            "--KeyHelper:Pkcs11Modules:0=/usr/lib/softhsm/libsofthsm2.so",
            $"--KeyHelper:StateDirectory={_stateDirectory}",
            "--KeyHelper:PollIntervalMilliseconds=300",
            "--Logging:LogLevel:Default=Information",
        })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["SOFTHSM2_CONF"] = _softHsmConf;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var client = CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var response = await client.GetAsync("/v1/info");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Kills the process outright: a lock must survive even an unclean stop.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The published single file when <c>ESEAL_KEYHELPER_BINARY</c> names one (tests/run.sh publishes the
    /// shipped variant once and runs this suite against it), else the build output through <c>dotnet exec</c>.
    /// </summary>
    public static string? PublishedBinary => Environment.GetEnvironmentVariable("ESEAL_KEYHELPER_BINARY") is { Length: > 0 } path ? path : null;

    private static ProcessStartInfo NewStartInfo()
    {
        var info = new ProcessStartInfo(PublishedBinary ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (PublishedBinary is null)
        {
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add(HelperDll());
        }

        return info;
    }

    private static string HelperDll()
    {
        var dll = Path.Combine(RepoRoot(), "keyhelper", "bin", Configuration(), "net10.0", "ESeal.KeyHelper.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the key helper first (the test project references it).", dll);
    }

    private static string Configuration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ESeal.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("ESeal.sln not found above the test output.");
    }
}
