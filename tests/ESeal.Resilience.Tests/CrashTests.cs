using System.Diagnostics;
using System.Globalization;
using ESeal.Resilience.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ESeal.Resilience.Tests;

/// <summary>
/// kill -9 of the web process while kiosks run bind and unbind flows, at random moments and right
/// after a commit-triggering request left the browser (0–50 ms), then a restart on the same SQLite
/// file. After every restart the database must be whole (<see cref="Invariants"/>), and at the end
/// every flow that was running must be finishable by its own browser — including one that waited at
/// the face-verification step across a crash. ESEAL_CRASH_SEED=n repeats a run's random choices
/// (timing still varies).
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class CrashTests(Portal portal, ITestOutputHelper output)
{
    private const int MinCycles = 6;
    private const int MaxCycles = 9;
    private static readonly TimeSpan CycleBudget = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FinishLimit = TimeSpan.FromSeconds(25);

    /// <summary>After every restart (and at the end) the database is whole; no 500; every success page shown has a committed operation.</summary>
    [Fact]
    public async Task Kill_9_at_random_points_never_leaves_the_database_broken()
    {
        var run = await portal.OnceAsync("crash", () => RunAsync(portal));
        run.Events.ForEach(output.WriteLine);
        if (run.DatabaseProblems.Count > 0)
        {
            Assert.Fail(run.Report(run.DatabaseProblems));
        }
    }

    /// <summary>
    /// Every flow that was running when the web was killed can be driven to a result page by its own
    /// browser after the restart — including one waiting at the face step (its QR code's ticket lived
    /// in the dead process's memory) and ones whose commit-triggering request was cut off.
    /// </summary>
    [Fact]
    public async Task Kill_9_at_random_points_leaves_every_running_flow_finishable_by_its_own_browser()
    {
        var run = await portal.OnceAsync("crash", () => RunAsync(portal));
        run.Events.ForEach(output.WriteLine);
        if (run.FinishProblems.Count > 0)
        {
            Assert.Fail(run.Report(run.FinishProblems));
        }
    }

    private static async Task<CrashRun> RunAsync(Portal portal)
    {
        var seed = Environment.GetEnvironmentVariable("ESEAL_CRASH_SEED") is { Length: > 0 } s ? int.Parse(s, CultureInfo.InvariantCulture) : Random.Shared.Next(1, 1_000_000);
        var run = new CrashRun(seed);
        var rng = new Random(seed);
        var events = run.Events;
        var problems = run.DatabaseProblems;
        var stuck = run.FinishProblems;
        events.Add($"seed {seed} (ESEAL_CRASH_SEED={seed} repeats the random choices)");
        await using var web = portal.NewWeb("crash", portal.CrashPort);
        var kiosks = portal.KeysStartingWith("CRASH-").Select((k, i) => new Kiosk($"kiosk-{i}", web, portal.KeyHelperUri, k)).ToList();
        var states = kiosks.Select((k, i) => new KioskState(k, new Random(seed + (i * 7919)))).ToList();

        // kiosk-0's legal representative is slow: the QR code stays unscanned until the web has crashed once since it showed.
        var faceWaiter = states[0];
        var total = Stopwatch.StartNew();
        try
        {
            await web.StartAsync();
            var cycle = 0;
            while (cycle < MaxCycles && (cycle < MinCycles || !faceWaiter.ParkedAcrossCrash) && total.Elapsed < CycleBudget)
            {
                cycle++;
                if (cycle > 1)
                {
                    foreach (var p in await Invariants.CheckAsync(web.Database))
                    {
                        problems.Add($"after restart {cycle - 1}: {p}");
                    }
                }

                using var stop = new CancellationTokenSource();
                var commitSent = new TaskCompletionSource<Kiosk>(TaskCreationOptions.RunContinuationsAsynchronously);
                var killOnCommit = rng.NextDouble() < 0.5;
                var window = TimeSpan.FromMilliseconds(rng.Next(1000, 9000));
                var killDelay = TimeSpan.FromMilliseconds(rng.Next(0, 51));
                var runs = states.Select(st => RunCycleAsync(st, st == faceWaiter, cycle, commitSent, problems, stuck, stop.Token)).ToList();

                string how;
                if (killOnCommit)
                {
                    var first = await Task.WhenAny(commitSent.Task, Task.Delay(window + TimeSpan.FromSeconds(4)));
                    await Task.Delay(killDelay);
                    how = first == commitSent.Task ? $"{killDelay.TotalMilliseconds:F0} ms after {(await commitSent.Task).Name} sent its commit-triggering request" : "no commit came; killed at the window's end";
                }
                else
                {
                    await Task.Delay(window);
                    how = $"at {window.TotalMilliseconds:F0} ms";
                }

                var parked = faceWaiter.ParkedInCycle == cycle;
                await web.KillAsync();
                stop.Cancel();
                await Task.WhenAll(runs);
                if (parked)
                {
                    faceWaiter.ParkedAcrossCrash = true;
                }

                events.Add($"cycle {cycle}: kill -9 {how}; kiosks: {string.Join(", ", states.Select(st => $"{st.Kiosk.Name}@{st.Kiosk.Current?.Step ?? "-"}"))}");
                await web.StartAsync();
            }

            foreach (var p in await Invariants.CheckAsync(web.Database))
            {
                problems.Add($"after the last restart: {p}");
            }

            if (!faceWaiter.ParkedAcrossCrash)
            {
                stuck.Add("test setup: no flow waited at the face step across a crash (raise the cycle budget)");
            }

            // No instance that cannot finish: every flow still running is driven to a result page by its own browser.
            var plan = new KioskPlan { ConfirmRelease = true };
            await Task.WhenAll(states.Where(st => st.Kiosk.FlowUrl is not null && st.Kiosk.Current?.IsResult != true && st.Kiosk.DeadEnd is null).Select(async st =>
            {
                var k = st.Kiosk;
                var wasAt = k.Current?.Step ?? "-";
                try
                {
                    await k.ReloadAsync();
                    plan.ChooseSeal = seals => seals[st.Random.Next(seals.Count)];
                    await k.RunAsync(plan, FinishLimit);
                }
                catch (Exception ex) when (ex is WebDownException or InvalidOperationException or HttpRequestException or System.Text.Json.JsonException)
                {
                    k.Log.Add("finishing failed: " + ex.Message);
                }

                if (k.Current?.IsResult != true && k.DeadEnd is null)
                {
                    lock (stuck)
                    {
                        stuck.Add($"{k.Name}: the flow {k.InstanceId} (at {wasAt} when the web was last killed) cannot be finished after the restart: {k.Stuck ?? k.Current?.Summary}");
                    }
                }
            }));

            foreach (var p in await Invariants.CheckAsync(web.Database))
            {
                problems.Add($"at the end: {p}");
            }

            // Whoever was shown a success page has a committed operation behind it (its instance id is the operation id).
            var committed = (await Invariants.OperationsAsync(web.Database)).Select(o => Guid.Parse(o.OperationId)).ToHashSet();
            foreach (var st in states)
            {
                st.Record();
                foreach (var id in st.ToldSuccess.Where(id => !committed.Contains(id)))
                {
                    problems.Add($"{st.Kiosk.Name}: the flow {id} showed a success page but no operation was committed for it");
                }
            }

            events.Add($"success pages shown: {states.Sum(st => st.ToldSuccess.Count)}, committed operations: {committed.Count}");

            // The other way round: a flow whose bind or unbind was committed must have ended with the success page for its user.
            foreach (var st in states)
            {
                foreach (var (id, outcome) in st.Outcomes.Where(o => committed.Contains(o.Key) && o.Value != "Success"))
                {
                    stuck.Add($"{st.Kiosk.Name}: the flow {id} was committed in the database, but its user was never told: {outcome}");
                }
            }

            foreach (var st in states)
            {
                problems.AddRange(st.Kiosk.ServerErrors.Select(e => $"{st.Kiosk.Name}: {e}"));
                events.Add($"{st.Kiosk.Name}: {st.Finished.Count} flows ended ({string.Join("; ", st.Finished)})");
            }

            events.Add($"total {total.Elapsed.TotalSeconds:F1} s");
            run.State = "kiosks:\n" + Describe.Kiosks(kiosks) + "\ndatabase:\n" + await Invariants.DumpAsync(web.Database) + "\nweb output (tail):\n" + Tail(web.LastOutput);
            return run;
        }
        finally
        {
            kiosks.ForEach(k => k.Dispose());
        }
    }

    /// <summary>One kiosk during one life of the web process: goes on with its flow (reloading it first), starts the next when one ends.</summary>
    private static async Task RunCycleAsync(KioskState st, bool slowLegalRep, int cycle, TaskCompletionSource<Kiosk> commitSent, List<string> problems, List<string> stuck, CancellationToken stop)
    {
        var k = st.Kiosk;
        var plan = new KioskPlan
        {
            ChooseSeal = seals => seals[st.Random.Next(seals.Count)],
            ConfirmRelease = true,
            Think = () => TimeSpan.FromMilliseconds(st.Random.Next(0, 250)),
            CommitSent = kiosk => commitSent.TrySetResult(kiosk),
            ScanQrNow = _ =>
            {
                if (!slowLegalRep)
                {
                    return true;
                }

                if (st.ParkedInstance != k.InstanceId)
                {
                    st.ParkedInstance = k.InstanceId;
                    st.ParkedInCycle = cycle;
                }

                return st.ParkedAcrossCrash || cycle > st.ParkedInCycle;
            },
        };
        try
        {
            for (var flows = 0; flows < 6 && !stop.IsCancellationRequested; flows++)
            {
                if (k.FlowUrl is null || k.Current?.IsResult == true || k.Stuck is not null || k.DeadEnd is not null)
                {
                    if (k.FlowUrl is not null && st.LastEnded != k.InstanceId)
                    {
                        st.LastEnded = k.InstanceId;
                        st.Record();
                        st.Finished.Add($"{k.InstanceId}: {k.Current?.Step}{(k.Current?.Reason is { } r ? " " + r : string.Empty)}{(k.DeadEnd is { } d ? " dead end " + d : string.Empty)}");
                        if (k.Stuck is not null)
                        {
                            lock (stuck)
                            {
                                stuck.Add($"{k.Name}: the flow {k.InstanceId} cannot be finished: {k.Stuck}");
                            }
                        }
                    }

                    // Users do not all arrive at once: a random pause before each new flow spreads the kill points over the steps.
                    await Task.Delay(st.Random.Next(0, 3000), stop);
                    var bound = (await Invariants.BindingsAsync(k.Web.Database)).Any(b => b.Active == 1 && b.Identifier == k.Key.Serial);
                    await k.StartAsync(bound ? "unbind" : "bind");
                }
                else
                {
                    await k.ReloadAsync(); // the browser reloads the page after the web came back
                }

                await k.RunAsync(plan, TimeSpan.FromSeconds(20), stop);
                if (!k.Current!.IsResult && k.Stuck is null && k.DeadEnd is null)
                {
                    // Parked at the QR code: wait for the crash.
                    await Task.Delay(Timeout.Infinite, stop);
                }
            }
        }
        catch (WebDownException)
        {
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or System.Text.Json.JsonException or IOException)
        {
            if (!stop.IsCancellationRequested)
            {
                lock (problems)
                {
                    problems.Add($"{k.Name} in cycle {cycle}: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }
    }

    private static string Tail(string s) => s.Length > 3000 ? s[^3000..] : s;

    private sealed class CrashRun(int seed)
    {
        public int Seed { get; } = seed;

        public List<string> Events { get; } = [];

        public List<string> DatabaseProblems { get; } = [];

        public List<string> FinishProblems { get; } = [];

        public string State { get; set; } = string.Empty;

        public string Report(List<string> problems) =>
            $"seed {Seed} (ESEAL_CRASH_SEED={Seed})\n" + string.Join("\n", problems.Distinct()) + "\n\nwhat happened:\n" + string.Join("\n", Events) + "\n\n" + State;
    }

    private sealed class KioskState(Kiosk kiosk, Random random)
    {
        public Kiosk Kiosk { get; } = kiosk;

        public Random Random { get; } = random;

        public List<string> Finished { get; } = [];

        public Guid? ParkedInstance { get; set; }

        public Guid? LastEnded { get; set; }

        public int ParkedInCycle { get; set; } = int.MaxValue;

        public bool ParkedAcrossCrash { get; set; }

        /// <summary>Instances whose browser was shown a success page.</summary>
        public List<Guid> ToldSuccess { get; } = [];

        /// <summary>How each flow of this kiosk ended for its user: Success, Failure, or stuck/dead end at some screen.</summary>
        public Dictionary<Guid, string> Outcomes { get; } = [];

        public void Record()
        {
            if (Kiosk.InstanceId is { } instance)
            {
                Outcomes[instance] = Kiosk.Current?.IsResult == true ? Kiosk.Current.Step
                    : Kiosk.DeadEnd is not null ? "DeadEnd"
                    : $"never a result page (left at {Kiosk.Current?.Step ?? "-"})";
            }

            if (Kiosk.Current?.Step == "Success" && Kiosk.InstanceId is { } id && !ToldSuccess.Contains(id))
            {
                ToldSuccess.Add(id);
            }
        }
    }
}
