using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ESeal.Db.Demo;
using ESeal.Db.Domain;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Workflows.Face;
using ESeal.Workflows.Runtime;
using Microsoft.Data.Sqlite;

namespace ESeal.Web.Benchmarks;

/// <summary>
/// dotnet run -c Release --project tests/ESeal.Web.Benchmarks [-- --flows 300 --rounds 3 --clients 2,4 --log-level default]
/// </summary>
internal static partial class Bench
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    public static async Task<int> Main(string[] args)
    {
        var flows = IntArg(args, "--flows", 300);
        var rounds = IntArg(args, "--rounds", 3);
        var clientCounts = (Arg(args, "--clients") ?? "2,4").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var logLevel = Arg(args, "--log-level") ?? "default";
        var compareIds = IntArg(args, "--compare-instances", 50);
        var compareRounds = IntArg(args, "--compare-rounds", 6);
        const int WarmUp = 60;

        // WebApplicationFactory reads MvcTestingAppManifest.json (→ the web's content root: its
        // appsettings.json and wwwroot) from the working directory.
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        var dir = Path.Combine(Path.GetTempPath(), "eseal-web-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var total = Stopwatch.StartNew();
        Console.WriteLine($"ESeal.Web.Benchmarks — {DateTime.Now:yyyy-MM-dd HH:mm}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {(IsRelease() ? "Release" : "DEBUG BUILD")}, server GC {System.Runtime.GCSettings.IsServerGC}");
        Console.WriteLine($"web: real ESeal.Web Program on Kestrel at 127.0.0.1 (in this process, WebApplicationFactory.UseKestrel), clients: SocketsHttpHandler over loopback HTTP/1.1, logging: {logLevel}");

        using var pki = new BenchPki(dir);
        using var factory = new BenchFactory(dir, pki.RootPath, pki.CrlPath, FreePort(), logLevel);
        factory.StartServer();
        var database = factory.Services.GetRequiredService<Database>();
        var faces = factory.Services.GetRequiredService<IFaceVerificationProvider>();
        var runtime = factory.Services.GetRequiredService<IFlowRuntime>();
        var stats = new Stats();

        var needed = 1 + WarmUp + (clientCounts.Length * rounds * flows) + compareIds + 4;
        var seed = Stopwatch.StartNew();
        var enterprises = await SeedAsync(database, pki, needed);
        Console.WriteLine($"seeded {needed} enterprises × 4 seals (+ one certificate each) in {seed.Elapsed.TotalSeconds:F1} s; database {database.Options.ConnectionString}");
        var next = 0;
        BenchEnterprise Take() => enterprises[Interlocked.Increment(ref next) - 1];

        // ── 3. Bytes: one flow recorded, then the assets the first page loads. ──
        Console.WriteLine();
        Console.WriteLine("== 3. Transferred bytes (body + response headers; server compression checked with Accept-Encoding: gzip, br) ==");
        using (var bytesClient = new FlowClient(factory, faces, stats) { Record = [] })
        {
            var e = Take();
            await bytesClient.BindAsync(e);
            await BytesAsync(bytesClient, e);
        }

        // ── Warm-up: JIT, pools, caches (definitions, progress, Razor views). ──
        await RunFlowsAsync(factory, faces, stats, Take, WarmUp, 2);

        // ── 1. Whole bind flows per second. ──
        Console.WriteLine();
        Console.WriteLine($"== 1. Complete bind flows/s through HTTP (19 HTTP requests per flow), {rounds} rounds × {flows} flows per concurrency ==");
        stats.Enabled = true;
        factory.RecordServerTimes = true;
        foreach (var clients in clientCounts)
        {
            var rates = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                var wall = await RunFlowsAsync(factory, faces, stats, Take, flows, clients);
                rates.Add(flows / wall.TotalSeconds);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clients} concurrent clients: flows/s per round {string.Join(" | ", rates.Select(x => x.ToString("F1", CultureInfo.InvariantCulture)))}  → median {rates.Order().ElementAt(rates.Count / 2):F1} flows/s ({rates.Order().ElementAt(rates.Count / 2) * 19:F0} requests/s)"));
        }

        Console.WriteLine();
        Console.WriteLine("per request, all measured rounds (client-side latency incl. loopback HTTP | server-side time in the pipeline):");
        var flowTotal = 0.0;
        foreach (var (label, samples) in stats.Samples.OrderBy(s => Order(s.Key)))
        {
            var server = factory.ServerTimes.TryGetValue(label, out var st) ? Stats.Mean(st) : 0;
            flowTotal += server * samples.Count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label,-38} {Stats.Summary(samples)} | server mean {server / 1000,6:F2} ms"));
        }

        var measuredFlows = clientCounts.Length * rounds * flows;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  server time per flow (sum of means): {flowTotal / measuredFlows / 1000:F1} ms → at most {2 * 1000 / (flowTotal / measuredFlows / 1000):F0} flows/s on 2 cores if the client cost nothing"));
        var all = stats.Samples.Values.SelectMany(v => v).ToList();
        var stalled = all.Where(x => x > 100_000).ToList();
        var clientMs = all.Sum() / 1000;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  requests that waited > 100 ms (SQLITE_BUSY → Microsoft.Data.Sqlite sleeps 150 ms and retries): {stalled.Count} of {all.Count} ({100.0 * stalled.Count / all.Count:F1} %), {stalled.Sum() / 1000 / clientMs * 100:F0} % of all client-side request time; per flow: {clientMs / measuredFlows:F1} ms of requests, of which {(clientMs - stalled.Sum() / 1000) / measuredFlows:F1} ms without the stalls"));
        var bound = await database.InTransactionAsync(s => s.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM seals WHERE status = 'UsbKey'"));
        Console.WriteLine($"  check: seals now bound to a USBKEY = {bound} (expected {measuredFlows + WarmUp + 1})");
        stats.Enabled = false;
        factory.RecordServerTimes = false;

        // ── 2. One step against a bare Razor page doing the same reads. ──
        Console.WriteLine();
        await CompareAsync(factory, faces, runtime, database, Take, compareIds, compareRounds);

        // ── SQLite settings, measured on the same file. ──
        Console.WriteLine();
        await SqliteSettingsAsync(database);

        Console.WriteLine();
        Console.WriteLine($"total run time {total.Elapsed.TotalSeconds:F0} s");
        await factory.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dir, true);
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private static async Task<TimeSpan> RunFlowsAsync(BenchFactory factory, IFaceVerificationProvider faces, Stats stats, Func<BenchEnterprise> take, int count, int clients)
    {
        var left = count;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            using var client = new FlowClient(factory, faces, stats);
            while (Interlocked.Decrement(ref left) >= 0)
            {
                await client.BindAsync(take());
            }
        })));
        return wall.Elapsed;
    }

    private static async Task BytesAsync(FlowClient client, BenchEnterprise e)
    {
        var seen = client.Record!;
        var first = seen.First(s => s.Label.StartsWith("GET full page", StringComparison.Ordinal));
        var assets = AssetRegex().Matches(first.Body).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Distinct().ToList();
        client.Record = [];
        long plain = first.BodyBytes, plainHeaders = first.HeaderBytes, gz = Gzip(first.Body), br = Brotli(first.Body);
        Console.WriteLine($"first page = GET /flow/{{id}} at the reading notice, full HTML: body {first.BodyBytes} B, headers {first.HeaderBytes} B; gzip would be {gz} B, brotli {br} B");
        foreach (var a in assets)
        {
            var r = await client.SendAsync("asset", HttpMethod.Get, a, null, htmx: false, acceptEncoding: "gzip, deflate, br");
            var raw = await client.SendAsync("asset", HttpMethod.Get, a, null, htmx: false, acceptEncoding: null);
            var text = raw.Body;
            var g = Gzip(text);
            var b = Brotli(text);
            Console.WriteLine($"  {a,-48} {r.BodyBytes,6} B body (Content-Encoding: {r.ContentEncoding ?? "none"} when asked for gzip/br), headers {r.HeaderBytes} B; gzip would be {g} B, brotli {b} B");
            plain += r.BodyBytes;
            plainHeaders += r.HeaderBytes;
            gz += g;
            br += b;
        }

        Console.WriteLine($"  TOTAL first page + CSS/JS/icon: {plain} B body + {plainHeaders} B headers = {(plain + plainHeaders) / 1024.0:F1} KB as served (no compression); bodies gzip {gz / 1024.0:F1} KB, brotli {br / 1024.0:F1} KB");

        Console.WriteLine("htmx swaps of the recorded flow (POST with HX-Request → 204 + HX-Location, then htmx GET → partial):");
        var flow = seen.Skip(2).ToList();
        for (var i = 0; i + 1 < flow.Count; i++)
        {
            var post = flow[i];
            if (!post.Label.StartsWith("POST ", StringComparison.Ordinal) || post.Label.Contains("Challenge", StringComparison.Ordinal))
            {
                continue;
            }

            var get = flow[i + 1];
            var total = post.BodyBytes + post.HeaderBytes + get.BodyBytes + get.HeaderBytes;
            Console.WriteLine($"  {post.Label[5..],-22} → {get.Label[14..],-20} POST answer {post.BodyBytes + post.HeaderBytes,5} B, partial body {get.BodyBytes,6} B + headers {get.HeaderBytes} B = {total / 1024.0:F1} KB (partial gzip {Gzip(get.Body)} B, brotli {Brotli(get.Body)} B)");
        }

        var challenge = flow.First(s => s.Label.Contains("Challenge", StringComparison.Ordinal));
        Console.WriteLine($"  PIN challenge (fetch, JSON): body {challenge.BodyBytes} B + headers {challenge.HeaderBytes} B");
    }

    private static async Task CompareAsync(BenchFactory factory, IFaceVerificationProvider faces, IFlowRuntime runtime, Database database, Func<BenchEnterprise> take, int instances, int rounds)
    {
        Console.WriteLine($"== 2. One flow step vs a bare Razor page doing the same DB reads ({instances} instances parked at ChooseSeal, {rounds} interleaved rounds, 1 client then 2 concurrent) ==");
        var stats = new Stats();
        using var client = new FlowClient(factory, faces, stats);
        var steps = new List<(Step Step, BenchEnterprise E)>();
        for (var i = 0; i < instances; i++)
        {
            var e = take();
            steps.Add((await client.ToChooseSealAsync(e), e));
        }

        var session = client.SessionId;
        var ids = steps.Select(s => Guid.Parse(s.Step.Url.Split('/')[^1])).ToList();
        var enterpriseOf = steps.ToDictionary(s => Guid.Parse(s.Step.Url.Split('/')[^1]), s => s.E.Id);

        // The htmx POST that answers with the partial itself (invalid input re-renders): ChooseSeal without a choice.
        var stay = await client.SendAsync("POST choose seal, no choice (re-render)", HttpMethod.Post, steps[0].Step.Url, FlowClient.Form(steps[0].Step, []), htmx: true);
        Console.WriteLine($"htmx POST answered with the partial itself (ChooseSeal without a choice → 200 + errors): body {stay.BodyBytes} B + headers {stay.HeaderBytes} B = {(stay.BodyBytes + stay.HeaderBytes) / 1024.0:F1} KB (gzip {Gzip(stay.Body)} B)");

        var kinds = new (string Label, Func<Guid, Task> Run)[]
        {
            ("A  flow step GET, htmx partial (HTTP)", id => Get(client, "A", $"/flow/{id}", true)),
            ("B  flow step GET, full page (HTTP)", id => Get(client, "B", $"/flow/{id}", false)),
            ("C  bare Razor page, same reads (HTTP)", id => Get(client, "C", $"/bench/bare/{id}", false)),
            ("D  IFlowRuntime.GetAsync in-process", async id => await Time(stats, "D", () => runtime.GetAsync(id, session))),
            ("E  the two reads only, in-process", async id => await Time(stats, "E", () => ReadsAsync(database, id, enterpriseOf[id]))),
        };

        foreach (var (label, run) in kinds)
        {
            for (var i = 0; i < 10; i++)
            {
                await run(ids[i % ids.Count]); // warm
            }
        }

        stats.Enabled = true;
        for (var r = 0; r < rounds; r++)
        {
            foreach (var id in ids)
            {
                foreach (var (_, run) in kinds)
                {
                    await run(id);
                }
            }
        }

        stats.Enabled = false;
        var means = new Dictionary<string, double>();
        foreach (var (label, _) in kinds)
        {
            var key = label[..1];
            means[key] = Stats.Mean(stats.Samples[key]);
            var sorted = stats.Samples[key].Order().ToArray();
            means[key + "50"] = Stats.At(sorted, 0.5);
            Console.WriteLine($"  {label,-40} 1 client: {Stats.Summary(stats.Samples[key])}");
        }

        // Throughput with 2 concurrent callers (same browser session, so the owner check passes).
        var perSecond = new Dictionary<string, double>();
        foreach (var (label, run) in kinds.Take(3))
        {
            var n = ids.Count * rounds;
            var left = n;
            var wall = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Decrement(ref left) >= 0)
                {
                    await run(ids[left % ids.Count]);
                }
            })));
            perSecond[label[..1]] = n / wall.Elapsed.TotalSeconds;
            Console.WriteLine($"  {label,-40} 2 concurrent: {n / wall.Elapsed.TotalSeconds,6:F0} requests/s");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  RATIO step/bare, mean latency: partial A/C = {means["A"] / means["C"]:F2}×, full page B/C = {means["B"] / means["C"]:F2}× (p50: {means["A50"] / means["C50"]:F2}×, {means["B50"] / means["C50"]:F2}×); throughput C/A = {perSecond["C"] / perSecond["A"]:F2}×, C/B = {perSecond["C"] / perSecond["B"]:F2}×"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  in-process: runtime.GetAsync {means["D"] / 1000:F2} ms vs the bare reads {means["E"] / 1000:F2} ms ({means["D"] / means["E"]:F2}×) → the rest of A ({(means["A"] - means["D"]) / 1000:F2} ms) is HTTP + Razor Pages + rendering; bare page over its reads: {(means["C"] - means["E"]) / 1000:F2} ms"));
    }

    private static async Task Get(FlowClient client, string label, string url, bool htmx)
    {
        var r = await client.SendAsync(label, HttpMethod.Get, url, null, htmx);
        if (r.Status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{url}: HTTP {(int)r.Status}");
        }
    }

    private static async Task Time<T>(Stats stats, string label, Func<Task<T>> work)
    {
        var t = Stopwatch.GetTimestamp();
        await work();
        stats.Add(label, Stopwatch.GetElapsedTime(t).TotalMicroseconds);
    }

    private static async Task<int> ReadsAsync(Database database, Guid id, Guid enterpriseId)
    {
        var row = await database.InTransactionAsync(s => new ESeal.Db.Flows.FlowInstanceRepository(s).GetAsync(id));
        var seals = await database.InTransactionAsync(s => new SealRepository(s).ListByEnterpriseAsync(enterpriseId));
        return (row is null ? 0 : 1) + seals.Count;
    }

    /// <summary>What the SQLite connection settings cost here: reads in BEGIN IMMEDIATE vs deferred, commits with synchronous FULL vs NORMAL.</summary>
    private static async Task SqliteSettingsAsync(Database database)
    {
        Console.WriteLine("== SQLite on the same file (WAL): what the settings cost, 2000 operations each, 1 caller ==");
        var cs = new SqliteConnectionStringBuilder(database.Options.ConnectionString) { ForeignKeys = true }.ToString();
        var id = await database.InTransactionAsync(s => s.ExecuteScalarAsync<string>("SELECT id FROM flow_instances LIMIT 1"));
        const int N = 2000;

        async Task<double> Run(string label, Func<SqliteConnection, Task> body, string? pragma = null)
        {
            var t = Stopwatch.StartNew();
            for (var i = 0; i < N; i++)
            {
                await using var c = new SqliteConnection(cs);
                await c.OpenAsync();
                if (pragma is not null)
                {
                    await using var p = c.CreateCommand();
                    p.CommandText = pragma;
                    await p.ExecuteNonQueryAsync();
                }

                await body(c);
            }

            var us = t.Elapsed.TotalMicroseconds / N;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label,-62} {us,8:F0} µs"));
            return us;
        }

        async Task Read(SqliteConnection c, bool? deferred)
        {
            await using var tx = deferred is null ? null : c.BeginTransaction(deferred.Value);
            await using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT variables FROM flow_instances WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id);
            await cmd.ExecuteScalarAsync();
            if (tx is not null)
            {
                await tx.CommitAsync();
            }
        }

        async Task Write(SqliteConnection c)
        {
            await using var tx = (SqliteTransaction)await c.BeginTransactionAsync();
            await using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "UPDATE flow_instances SET updated_at = updated_at WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id);
            await cmd.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }

        await Run("read 1 row, BEGIN IMMEDIATE (as Database.InTransactionAsync)", c => Read(c, false));
        await Run("read 1 row, BEGIN DEFERRED", c => Read(c, true));
        await Run("read 1 row, no transaction", c => Read(c, null));
        await Run("update+commit, synchronous=FULL (default)", Write);
        await Run("update+commit, synchronous=NORMAL (per connection pragma)", Write, "PRAGMA synchronous=NORMAL;");

        // Two callers at once, as two kiosks: every Database transaction is BEGIN IMMEDIATE (even reads), and
        // Microsoft.Data.Sqlite answers SQLITE_BUSY by sleeping 150 ms before it retries.
        async Task Concurrent(string label, Func<SqliteConnection, Task> body, string? pragma = null)
        {
            var times = new System.Collections.Concurrent.ConcurrentBag<double>();
            var left = N;
            var wall = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Decrement(ref left) >= 0)
                {
                    var t = Stopwatch.GetTimestamp();
                    await using var c = new SqliteConnection(cs);
                    await c.OpenAsync();
                    if (pragma is not null)
                    {
                        await using var p = c.CreateCommand();
                        p.CommandText = pragma;
                        await p.ExecuteNonQueryAsync();
                    }

                    await body(c);
                    times.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
                }
            })));
            var stalls = times.Count(x => x > 100_000);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  2 callers: {label,-50} {N / wall.Elapsed.TotalSeconds,7:F0} ops/s, {stalls} of {N} waited > 100 ms (max {times.Max() / 1000:F0} ms)"));
        }

        await Concurrent("reads, BEGIN IMMEDIATE (as now)", c => Read(c, false));
        await Concurrent("reads, BEGIN DEFERRED", c => Read(c, true));
        await Concurrent("update+commit, IMMEDIATE (as now)", Write);
        await Concurrent("update+commit, IMMEDIATE + PRAGMA busy_timeout=5000", Write, "PRAGMA busy_timeout=5000;");
    }

    private static async Task<List<BenchEnterprise>> SeedAsync(Database database, BenchPki pki, int count)
    {
        var now = DateTimeOffset.UtcNow;
        var list = new List<BenchEnterprise>(count);
        var rows = new List<(Enterprise E, List<Seal> Seals)>(count);
        string[] types = ["单位公章", "财务专用章", "合同专用章", "发票专用章"];
        for (var i = 0; i < count; i++)
        {
            var body = "91330106" + Base31(i + 1, 9);
            var code = body + CreditCode.CheckCharacter(body);
            var name = $"基准测试{i:D5}信息技术有限公司";
            var id = Guid.NewGuid();
            var seals = types.Select((t, k) => new Seal
            {
                Id = Guid.NewGuid(), EnterpriseId = id, SealCode = $"{code[^6..]}{k + 1:00}", SealType = t, Name = name + t,
                ImpressionSvg = SealImpression.Svg(name, t), Status = SealStatus.Unbound, CreatedAt = now, UpdatedAt = now,
            }).ToList();
            rows.Add((new Enterprise { Id = id, CreditCode = code, Name = name, LegalRepName = "王建国", LegalRepIdNumber = "11010519491231002X", CreatedAt = now }, seals));
            list.Add(new BenchEnterprise(id, code, name, seals[0].Id, $"BENCH{i:D7}", pki.Leaf(code, name)));
        }

        await database.InTransactionAsync(async s =>
        {
            foreach (var (e, seals) in rows)
            {
                await new EnterpriseRepository(s).InsertAsync(e);
                foreach (var seal in seals)
                {
                    await new SealRepository(s).InsertAsync(seal);
                }
            }

            return 0;
        });
        return list;
    }

    private static string Base31(int value, int width)
    {
        var chars = new char[width];
        for (var i = width - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[value % 31];
            value /= 31;
        }

        return new string(chars);
    }

    private static int Gzip(string text)
    {
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }

        return (int)ms.Length;
    }

    private static int Brotli(string text)
    {
        using var ms = new MemoryStream();
        using (var z = new BrotliStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }

        return (int)ms.Length;
    }

    private static int Order(string label)
    {
        string[] order = ["GET /medium-change", "GET full page", "reading", "detect key", "choose certificate", "holder", "choose seal", "Challenge", "PIN", "face verification", "FaceState", "face passed", "face check", "result"];
        var i = Array.FindIndex(order, o => label.Contains(o, StringComparison.OrdinalIgnoreCase));
        return (i < 0 ? 99 : i) * 2 + (label.StartsWith("GET partial", StringComparison.Ordinal) ? 1 : 0);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static bool IsRelease() =>
        typeof(Bench).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false).OfType<DebuggableAttribute>().All(d => !d.IsJITOptimizerDisabled);

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntArg(string[] args, string name, int fallback) =>
        Arg(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    [System.Text.RegularExpressions.GeneratedRegex("(?:<link[^>]*href|<script[^>]*src)=\"(/[^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex AssetRegex();
}
