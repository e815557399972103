using ESeal.Db.Demo;
using ESeal.Db.Repositories;
using ESeal.Resilience.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ESeal.Resilience.Tests;

/// <summary>
/// Races as users meet them: several kiosks (each its own browser session, flow, USBKEY and
/// certificate) walk the bind flow step by step to the face step's success dialog, wait at a barrier,
/// and send the commit-triggering request at the same moment. Exactly one is told success; the
/// others get the failure page with a reason and 返回重试; the database agrees.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class RaceTests(Portal portal, ITestOutputHelper output)
{
    private static readonly TimeSpan FlowLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Four_kiosks_binding_one_unbound_seal_at_the_same_moment_exactly_one_is_told_success()
    {
        var web = await portal.RaceWebAsync();
        var seal = DemoData.Hangzhou.Seals.First(s => s.State == DemoData.DemoState.Unbound).Id;
        var kiosks = portal.KeysStartingWith("RACE-A").Select((k, i) => new Kiosk($"kiosk-A{i + 1}", web, portal.KeyHelperUri, k)).ToList();
        try
        {
            var problems = await RaceAsync(kiosks, seal, confirmRelease: false);
            var successes = kiosks.Where(k => k.Current?.Step == "Success").ToList();
            var bindings = (await Invariants.BindingsAsync(web.Database)).Where(b => b.Active == 1 && Same(b.SealId, seal)).ToList();
            if (successes.Count == 1 && bindings.Count == 1 && bindings[0].Identifier != successes[0].Key.Serial)
            {
                problems.Add($"{successes[0].Name} was told success, but the seal's active binding is to {bindings[0].Identifier}");
            }

            if (bindings.Count != 1)
            {
                problems.Add($"the seal has {bindings.Count} active bindings after the race");
            }

            await AssertNoProblemsAsync(web, kiosks, problems);
        }
        finally
        {
            kiosks.ForEach(k => k.Dispose());
        }
    }

    /// <summary>
    /// The seal is bound to M0 (the demo's key); every contender saw and confirmed "该印章已绑定其他介质".
    /// Only one may release M0 and win; the others must be told the seal changed meanwhile, and no
    /// success anyone was told may be undone by a later commit.
    /// </summary>
    [Fact]
    public async Task Four_kiosks_rebinding_one_bound_seal_after_confirming_the_dialog_exactly_one_is_told_success_and_none_is_undone()
    {
        var web = await portal.RaceWebAsync();
        var seal = DemoData.Hangzhou.Seals.First(s => s.State == DemoData.DemoState.UsbKey).Id;
        var m0Serial = DemoData.PreboundTokenSerial(DemoData.Hangzhou, DemoData.Hangzhou.Seals.ToList().FindIndex(s => s.Id == seal));
        var m0 = (await Invariants.BindingsAsync(web.Database)).Single(b => b.Active == 1 && Same(b.SealId, seal));
        Assert.Equal(m0Serial, m0.Identifier);
        var auditBefore = (await Invariants.AuditAsync(web.Database)).Select(e => e.Seq).DefaultIfEmpty(0).Max();

        var kiosks = portal.KeysStartingWith("RACE-B").Select((k, i) => new Kiosk($"kiosk-B{i + 1}", web, portal.KeyHelperUri, k)).ToList();
        try
        {
            var problems = await RaceAsync(kiosks, seal, confirmRelease: true);
            foreach (var k in kiosks.Where(k => k.Current?.Step == "Failure" && k.Current.Reason?.Contains("印章", StringComparison.Ordinal) != true))
            {
                problems.Add($"{k.Name} lost but was not told that the seal changed meanwhile: {k.Current!.Reason}");
            }

            foreach (var k in kiosks.Where(k => !k.ConfirmedRelease))
            {
                problems.Add($"{k.Name} was not shown the dialog \"该印章已绑定其他介质…\" for a seal bound to M0");
            }

            var bindings = await Invariants.BindingsAsync(web.Database);
            foreach (var k in kiosks.Where(k => k.Current?.Step == "Success"))
            {
                var own = bindings.FirstOrDefault(b => b.BoundByInstanceId is { } by && Same(by, k.InstanceId!.Value));
                if (own is null || own.Active != 1)
                {
                    problems.Add($"{k.Name} was told 绑定成功, but its binding was silently undone: {(own is null ? "no binding row" : $"closed ({own.UnbindReason}) by instance {own.UnboundByInstanceId}")}");
                }
            }

            var m0After = bindings.Single(b => b.Id == m0.Id);
            if (m0After.Active != 0)
            {
                problems.Add("M0's binding is still active");
            }

            var told = kiosks.Where(k => k.Current?.Step == "Success").ToList();
            var winner = told.Count == 1 ? told[0] : null;
            if (winner is not null && (m0After.UnboundByInstanceId is not { } by || !Same(by, winner.InstanceId!.Value)))
            {
                problems.Add($"M0 was released by instance {m0After.UnboundByInstanceId}, not by the winner {winner.Name} ({winner.InstanceId})");
            }

            var releases = (await Invariants.AuditAsync(web.Database)).Where(e => e.Seq > auditBefore && e.Kind == AuditKinds.ReleaseForRebind).ToList();
            if (releases.Count != 1 || !releases[0].Data.Contains(m0.Id, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"expected one ReleaseForRebind (of M0's binding {m0.Id}), the audit has {releases.Count}: {string.Join("; ", releases.Select(r => r.Data))}");
            }

            var active = bindings.Where(b => b.Active == 1 && Same(b.SealId, seal)).ToList();
            if (winner is not null && (active.Count != 1 || active[0].Identifier != winner.Key.Serial))
            {
                problems.Add($"the seal's active binding is to {string.Join(", ", active.Select(a => a.Identifier))}, not to the winner's key {winner.Key.Serial}");
            }

            await AssertNoProblemsAsync(web, kiosks, problems);
        }
        finally
        {
            kiosks.ForEach(k => k.Dispose());
        }
    }

    /// <summary>One USBKEY (one certificate) in two browsers, binding two different seals at once: a key holds one seal.</summary>
    [Fact]
    public async Task One_key_in_two_sessions_binding_two_seals_at_the_same_moment_exactly_one_is_told_success()
    {
        var web = await portal.RaceWebAsync();
        var key = portal.KeysStartingWith("RACE-C").Single();
        var seals = DemoData.Shenzhen.Seals.Where(s => s.State == DemoData.DemoState.Unbound).Take(2).Select(s => s.Id).ToList();
        var kiosks = new List<Kiosk> { new("kiosk-C1", web, portal.KeyHelperUri, key), new("kiosk-C2", web, portal.KeyHelperUri, key) };
        try
        {
            var barrier = new CommitBarrier(kiosks.Count, FlowLimit);
            var problems = new List<string>();
            await Task.WhenAll(kiosks.Select((k, i) => DriveAsync(k, new KioskPlan
            {
                ChooseSeal = _ => seals[i].ToString("D"),
                BeforeCommit = _ => barrier.ArriveAndWaitAsync(),
            }, problems)));
            CheckOutcomes(kiosks, barrier, problems);

            var bindings = (await Invariants.BindingsAsync(web.Database)).Where(b => b.Active == 1 && b.Identifier == key.Serial).ToList();
            if (bindings.Count != 1)
            {
                problems.Add($"the key {key.Serial} has {bindings.Count} active bindings");
            }

            var statuses = (await Invariants.SealsAsync(web.Database)).Where(s => seals.Any(id => Same(s.Id, id))).ToList();
            if (statuses.Count(s => s.Status == "UsbKey") != 1 || statuses.Count(s => s.Status == "Unbound") != 1)
            {
                problems.Add("expected one of the two seals bound and the other unbound: " + string.Join(", ", statuses.Select(s => $"{s.Name}={s.Status}")));
            }

            var told = kiosks.Where(k => k.Current?.Step == "Success").ToList();
            var winner = told.Count == 1 ? told[0] : null;
            if (winner is not null && bindings.Count == 1 && !Same(bindings[0].SealId, seals[kiosks.IndexOf(winner)]))
            {
                problems.Add($"{winner.Name} was told success for its seal, but the key is bound to seal {bindings[0].SealId}");
            }

            await AssertNoProblemsAsync(web, kiosks, problems);
        }
        finally
        {
            kiosks.ForEach(k => k.Dispose());
        }
    }

    /// <summary>All kiosks bind <paramref name="seal"/>: step by step to the commit, a barrier, then the commit-triggering request together.</summary>
    private static async Task<List<string>> RaceAsync(List<Kiosk> kiosks, Guid seal, bool confirmRelease)
    {
        var barrier = new CommitBarrier(kiosks.Count, FlowLimit);
        var plan = new KioskPlan
        {
            ChooseSeal = _ => seal.ToString("D"),
            ConfirmRelease = confirmRelease,
            BeforeCommit = _ => barrier.ArriveAndWaitAsync(),
        };
        var problems = new List<string>();
        await Task.WhenAll(kiosks.Select(k => DriveAsync(k, plan, problems)));
        CheckOutcomes(kiosks, barrier, problems);
        return problems;
    }

    private static async Task DriveAsync(Kiosk kiosk, KioskPlan plan, List<string> problems)
    {
        try
        {
            await kiosk.StartAsync("bind");
            await kiosk.RunAsync(plan, FlowLimit);
        }
        catch (Exception ex) when (ex is InvalidOperationException or WebDownException or HttpRequestException or System.Text.Json.JsonException)
        {
            lock (problems)
            {
                problems.Add($"{kiosk.Name}: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    /// <summary>What every user must have been told: one success, the others a failure page with a reason and 返回重试; never a 500.</summary>
    private static void CheckOutcomes(List<Kiosk> kiosks, CommitBarrier barrier, List<string> problems)
    {
        if (barrier.Arrived != kiosks.Count)
        {
            problems.Add($"only {barrier.Arrived} of {kiosks.Count} kiosks reached the commit (the race did not happen as planned)");
        }

        foreach (var k in kiosks)
        {
            problems.AddRange(k.ServerErrors.Select(e => $"{k.Name}: {e}"));
            if (k.Stuck is not null)
            {
                problems.Add($"{k.Name} stuck: {k.Stuck}");
            }

            switch (k.Current?.Step)
            {
                case "Success":
                    if (!k.Current.Html.Contains("绑定成功", StringComparison.Ordinal))
                    {
                        problems.Add($"{k.Name}: a success page without 绑定成功: {k.Current.Summary}");
                    }

                    break;
                case "Failure":
                    if (string.IsNullOrWhiteSpace(k.Current.Reason) || !k.Current.Html.Contains("返回重试", StringComparison.Ordinal))
                    {
                        problems.Add($"{k.Name}: a failure page without a reason or without 返回重试: {k.Current.Summary}");
                    }

                    break;
                default:
                    problems.Add($"{k.Name} did not reach a result page: {k.Current?.Summary ?? "no page"}");
                    break;
            }
        }

        var told = kiosks.Count(k => k.Current?.Step == "Success");
        if (told != 1)
        {
            problems.Add($"{told} of {kiosks.Count} users were told 绑定成功 ({string.Join(", ", kiosks.Where(k => k.Current?.Step == "Success").Select(k => k.Name))}); exactly one may be");
        }
    }

    private async Task AssertNoProblemsAsync(WebNode web, List<Kiosk> kiosks, List<string> problems)
    {
        problems.AddRange((await Invariants.CheckAsync(web.Database)).Select(p => "invariant: " + p));
        foreach (var k in kiosks)
        {
            output.WriteLine($"{k.Name} ({k.Key.Label}): {k.Current?.Summary}");
        }

        if (problems.Count > 0)
        {
            Assert.Fail(string.Join("\n", problems) + "\n\nkiosks:\n" + Describe.Kiosks(kiosks) + "\ndatabase:\n" + await Invariants.DumpAsync(web.Database));
        }
    }

    private static bool Same(string id, Guid other) => Guid.Parse(id) == other;
}
