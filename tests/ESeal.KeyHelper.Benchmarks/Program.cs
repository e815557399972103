using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using ESeal.TestPki;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

// Usage: dotnet run -c Release --project tests/ESeal.KeyHelper.Benchmarks [-- --helper PATH] [--rounds N]
//   PATH: ESeal.KeyHelper.dll (started with `dotnet exec`) or a published single-file executable.
// A Stopwatch harness rather than BenchmarkDotNet: the comparison needs a live helper process and
// a SoftHSM2 store, and the whole run must finish in about a minute.
var helperPath = Arg("--helper") ?? Path.Combine(RepoRoot(), "keyhelper", "bin", "Release", "net10.0", "ESeal.KeyHelper.dll");
var rounds = int.Parse(Arg("--rounds") ?? "10", CultureInfo.InvariantCulture);
const int PerRound = 50;
const string Origin = "http://localhost:5080";

var dir = Path.Combine(Path.GetTempPath(), "eseal-keyhelper-bench-" + Guid.NewGuid().ToString("N")[..8]);
var pki = TestPkiSetup.Init(dir);
var token = pki.Token(TestPkiSetup.BenchToken);
var certId = Convert.FromHexString(token.Certificates[0].Id);

// The helper signs only the portal's context shape, naming this token and certificate (see keyhelper/README.md).
var context = $"eseal-proof/1;action=bench;instance=00000000-0000-4000-8000-000000000000;enterprise=-;seal=-;token={token.Serial};cert={token.Certificates[0].Sha256}";

Console.WriteLine($"helper: {helperPath}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");

// Cold start: process start to the first 200 from /v1/info, five times.
var starts = new List<double>();
for (var i = 0; i < 5; i++)
{
    using var p = StartHelper(FreePort(), out var port, out var sw);
    await WaitReadyAsync(port, p);
    starts.Add(sw.Elapsed.TotalMilliseconds);
    p.Kill(true);
    p.WaitForExit();
}

var helperPort = FreePort();
using var helper = StartHelper(helperPort, out _, out _);
await WaitReadyAsync(helperPort, helper);
using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{helperPort}") };
http.DefaultRequestHeaders.Add("Origin", Origin);
var rssIdle = RssMb(helper.Id);

// Raw in-process: the same work the helper does per signature (session, login, find, sign, logout).
NativeLibraryFix.Apply();
var factories = new Pkcs11InteropFactories();
using var library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, pki.Module, AppType.MultiThreaded);
var slot = library.GetSlotList(SlotsType.WithTokenPresent).First(s => s.GetTokenInfo().SerialNumber.Trim() == token.Serial);
var data = new byte[14 + 96];
Random.Shared.NextBytes(data);

void RawSign()
{
    using var session = slot.OpenSession(SessionType.ReadOnly);
    var f = session.Factories.ObjectAttributeFactory;
    _ = session.FindAllObjects([f.Create(CKA.CKA_CLASS, CKO.CKO_CERTIFICATE), f.Create(CKA.CKA_ID, certId)]);
    session.Login(CKU.CKU_USER, TestPkiSetup.UserPin);
    var key = session.FindAllObjects([f.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY), f.Create(CKA.CKA_ID, certId)])[0];
    using var mechanism = session.Factories.MechanismFactory.Create(CKM.CKM_SHA256_RSA_PKCS);
    _ = session.Sign(mechanism, key, data);
    session.Logout();
}

async Task HttpSign(int i)
{
    using var response = await http.PostAsJsonAsync("/v1/sign", new
    {
        tokenSerial = token.Serial,
        certificateId = token.Certificates[0].Id,
        pin = TestPkiSetup.UserPin,
        nonce = "bench-" + i.ToString(CultureInfo.InvariantCulture),
        context,
    }, CancellationToken.None).ConfigureAwait(false);
    if (response.StatusCode != HttpStatusCode.OK)
    {
        throw new InvalidOperationException($"sign failed: {response.StatusCode} {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
    }
}

// Warm-up both paths (JIT, connection pool), then interleave rounds so drift hits both equally.
for (var i = 0; i < 20; i++)
{
    RawSign();
    await HttpSign(i);
}

var info = new List<double>();
for (var i = 0; i < 200; i++)
{
    var sw = Stopwatch.StartNew();
    using var response = await http.GetAsync(new Uri("/v1/info", UriKind.Relative));
    info.Add(sw.Elapsed.TotalMilliseconds);
}

var raw = new List<double>();
var overHttp = new List<double>();
for (var r = 0; r < rounds; r++)
{
    for (var i = 0; i < PerRound; i++)
    {
        var sw = Stopwatch.StartNew();
        RawSign();
        raw.Add(sw.Elapsed.TotalMilliseconds);
    }

    for (var i = 0; i < PerRound; i++)
    {
        var sw = Stopwatch.StartNew();
        await HttpSign(i);
        overHttp.Add(sw.Elapsed.TotalMilliseconds);
    }
}

var rssAfter = RssMb(helper.Id);
helper.Kill(true);
helper.WaitForExit();
try
{
    Directory.Delete(dir, true);
}
catch (IOException)
{
}

Console.WriteLine();
Console.WriteLine($"| measure | median | mean | p95 |");
Console.WriteLine($"|---|---|---|---|");
Row("raw Pkcs11Interop sign (RSA-2048, SoftHSM2), ms", raw);
Row("POST /v1/sign over HTTP, ms", overHttp);
Row("GET /v1/info over HTTP (transport alone), ms", info);
Row("cold start to first /v1/info answer, ms", starts);
Console.WriteLine();
Console.WriteLine(FormattableString.Invariant($"ratio HTTP/raw (median): {Median(overHttp) / Median(raw):F2}x   (goal <= 1.5x)"));
Console.WriteLine(FormattableString.Invariant($"cold start median: {Median(starts):F0} ms   (goal <= 500 ms)"));
Console.WriteLine(FormattableString.Invariant($"helper RSS: {rssIdle:F1} MB after start, {rssAfter:F1} MB after {overHttp.Count + 20} signatures   (goal <= 60 MB)"));
return 0;

Process StartHelper(int port, out int usedPort, out Stopwatch sw)
{
    usedPort = port;
    var isDll = helperPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
    var info = new ProcessStartInfo(isDll ? "dotnet" : helperPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    if (isDll)
    {
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(helperPath);
    }

    info.ArgumentList.Add($"--KeyHelper:Port={port}");
    info.ArgumentList.Add($"--KeyHelper:AllowedOrigins:0={Origin}");
    info.ArgumentList.Add($"--KeyHelper:Pkcs11Modules:0={pki.Module}");
    info.ArgumentList.Add($"--KeyHelper:StateDirectory={Path.Combine(dir, "state")}");
    info.Environment["SOFTHSM2_CONF"] = pki.SoftHsm2Conf;
    sw = Stopwatch.StartNew();
    var p = Process.Start(info)!;
    p.OutputDataReceived += (_, _) => { };
    p.ErrorDataReceived += (_, _) => { };
    p.BeginOutputReadLine();
    p.BeginErrorReadLine();
    return p;
}

static async Task WaitReadyAsync(int port, Process p)
{
    using var client = new HttpClient();
    while (true)
    {
        try
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/v1/info"));
            if (response.IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException) when (!p.HasExited)
        {
            await Task.Delay(5);
        }
    }
}

static double RssMb(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}

static double Median(List<double> v)
{
    var s = v.Order().ToList();
    return s[s.Count / 2];
}

static void Row(string name, List<double> v)
{
    var s = v.Order().ToList();
    Console.WriteLine(FormattableString.Invariant($"| {name} | {s[s.Count / 2]:F2} | {s.Average():F2} | {s[(int)(s.Count * 0.95)]:F2} |"));
}

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string RepoRoot()
{
    var d = new DirectoryInfo(AppContext.BaseDirectory);
    while (d is not null && !File.Exists(Path.Combine(d.FullName, "ESeal.sln")))
    {
        d = d.Parent;
    }

    return d?.FullName ?? Directory.GetCurrentDirectory();
}
