using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using ESeal.Db.Infrastructure;
using ESeal.Workflows;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Face;
using ESeal.Workflows.Proof;
using ESeal.Workflows.Runtime;

// One step = IFlowRuntime.ResumeAsync on a HolderForm step: load the instance, check owner, step
// token and timer, run the handler (validators), follow Done to a Result, save with the
// optimistic-concurrency check, build the next view. Real SQLite file (WAL), pooled connections.
var steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
var dir = Path.Combine(Path.GetTempPath(), "eseal-bench", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(dir);
var options = new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={Path.Combine(dir, "bench.db")}" };
if (!Migrator.Migrate(options).Successful)
{
    throw new InvalidOperationException("migration failed");
}

var database = new Database(options);
var clock = TimeProvider.System;
var store = new FlowDefinitionStore(database, clock);
const string Definition = """
    {"definitionId":"bench-step","version":1,"name":"bench","root":{"type":"Elsa.Flowchart","activities":[
      {"id":"holder","type":"ESeal.HolderForm"},{"id":"done","type":"ESeal.Result"}],
     "connections":[{"source":{"activity":"holder","port":"Done"},"target":{"activity":"done","port":"In"}}]}}
    """;
var published = await store.PublishAsync(Definition, "bench");
if (!published.Report.IsValid)
{
    throw new InvalidOperationException(string.Join(" ", published.Report.Problems));
}

var runtime = ActivityHandlers.Runtime(database, store, clock, new FlowSettings(), new ProofVerifier("https://bench", new X509Certificate2Collection(), clock), new SimulatedFaceVerificationProvider(clock));
var input = new Dictionary<string, string>
{
    ["holderName"] = "张三", ["holderIdType"] = "ResidentId", ["holderIdNumber"] = "11010519491231002X", ["holderPhone"] = "13800138000",
};

async Task<List<FlowView>> PrepareAsync(int n)
{
    var list = new List<FlowView>(n);
    for (var i = 0; i < n; i++)
    {
        list.Add(await runtime.StartAsync("bench-step", "bench-owner"));
    }

    return list;
}

async Task<double[]> StepAsync(IEnumerable<FlowView> views)
{
    var times = new List<double>();
    foreach (var v in views)
    {
        var t = Stopwatch.GetTimestamp();
        var r = await runtime.ResumeAsync(v.InstanceId, "bench-owner", v.StepToken, input);
        times.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
        if (r.Kind != ResumeKind.Advanced)
        {
            throw new InvalidOperationException($"{r.Kind} {r.Reason}");
        }
    }

    return [.. times];
}

await StepAsync(await PrepareAsync(300)); // warm-up: JIT, pools, definition cache

var sequential = await PrepareAsync(steps);
var wall = Stopwatch.StartNew();
var us = await StepAsync(sequential);
wall.Stop();
Array.Sort(us);
Console.WriteLine($"cores: {Environment.ProcessorCount}, steps: {steps}");
Console.WriteLine($"one step, sequential: mean {us.Average():F0} µs, p50 {us[us.Length / 2]:F0} µs, p95 {us[(int)(us.Length * 0.95)]:F0} µs, {steps / wall.Elapsed.TotalSeconds:F0} steps/s");

foreach (var workers in new[] { 2, 4 })
{
    var batches = new List<List<FlowView>>();
    for (var w = 0; w < workers; w++)
    {
        batches.Add(await PrepareAsync(steps / workers));
    }

    wall.Restart();
    await Task.WhenAll(batches.Select(b => Task.Run(() => StepAsync(b))));
    wall.Stop();
    Console.WriteLine($"{workers} concurrent workers: {steps / workers * workers / wall.Elapsed.TotalSeconds:F0} steps/s");
}

try
{
    Directory.Delete(dir, true);
}
catch (IOException)
{
    // Pooled connections may still hold the file; the temp folder is cleaned by the OS.
}
