using ESeal.Db.Demo;
using ESeal.Db.Infrastructure;
using ESeal.Db.MediumChange;
using ESeal.Db.Repositories;

using ESeal.Testing;

namespace ESeal.Tests.Db;

/// <summary>Bind, unbind and claim on the demo data in a real SQLite file.</summary>
public sealed class MediumChangeCommandsTests : IDisposable
{
    private static readonly UsbKeyCertificate Certificate = KeyCertificate("SOFTHSM-1");
    private static readonly SealHolder Holder = new("王建国", "居民身份证", "330106197805121232", "13800138000");

    private readonly SqliteDatabase fixture = new();
    private readonly MediumChangeCommands commands;
    private readonly DemoData.DemoEnterprise hz = DemoData.Hangzhou;

    public MediumChangeCommandsTests()
    {
        DemoData.SeedAsync(fixture.Database, TimeProvider.System).GetAwaiter().GetResult();
        commands = new MediumChangeCommands(fixture.Database, TimeProvider.System);
    }

    private Database Db => fixture.Database;

    [Fact]
    public async Task Demo_seed_gives_every_state_and_runs_twice_without_adding()
    {
        var again = await DemoData.SeedAsync(Db, TimeProvider.System);
        var seals = await Db.InTransactionAsync(s => new SealRepository(s).ListByEnterpriseAsync(hz.Id));

        Assert.Equal(0, again);
        Assert.Equal(4, seals.Count);
        Assert.Contains(seals, s => s.Status == SealStatus.Unbound);
        Assert.Contains(seals, s => s.Status == SealStatus.UsbKey);
        Assert.Contains(seals, s => s.Status == SealStatus.Mobile);
        Assert.All(DemoData.Enterprises, e => Assert.True(ESeal.Db.Domain.CreditCode.IsValid(e.CreditCode)));
    }

    [Fact]
    public async Task Binding_an_unbound_seal_writes_binding_status_audit_and_outbox_and_a_repeat_changes_nothing()
    {
        var seal = hz.Seals.First(s => s.State == DemoData.DemoState.Unbound);
        var operation = Guid.NewGuid();
        var command = new BindUsbKeyCommand(operation, operation, hz.Id, seal.Id, "SOFTHSM-1", Certificate, Holder, "Kiosk", null, "kiosk-7");

        var first = await commands.BindUsbKeyAsync(command);
        var repeat = await commands.BindUsbKeyAsync(command);

        Assert.True(first.Succeeded, first.Message);
        Assert.False(first.Repeated);
        Assert.True(repeat.Succeeded);
        Assert.True(repeat.Repeated);
        Assert.Equal(first.BindingId, repeat.BindingId);

        var (read, history, audit, outbox) = await Db.InTransactionAsync(async s => (
            await new SealRepository(s).GetAsync(seal.Id),
            await new BindingRepository(s).HistoryForSealAsync(seal.Id),
            await new AuditLog(s).ForSealAsync(seal.Id),
            await s.QueryAsync<string>("SELECT idempotency_key FROM outbox WHERE idempotency_key LIKE @k", new { k = $"%{operation:N}" })));
        Assert.Equal(SealStatus.UsbKey, read!.Status);
        var binding = Assert.Single(history);
        Assert.Equal("王建国", binding.HolderName);
        Assert.Equal(operation, binding.BoundByInstanceId);
        var bindEvent = Assert.Single(audit, a => a.Kind == AuditKinds.Bind);
        Assert.Contains("330106********1232", bindEvent.Data, StringComparison.Ordinal); // masked in the audit trail
        Assert.DoesNotContain(Holder.IdNumber, bindEvent.Data, StringComparison.Ordinal);
        Assert.Single(outbox);
    }

    [Fact]
    public async Task A_key_bound_to_one_seal_cannot_be_bound_to_another()
    {
        var seals = hz.Seals.Where(s => s.State == DemoData.DemoState.Unbound).Take(2).ToList();
        Assert.True((await commands.BindUsbKeyAsync(Bind(seals[0].Id, "SOFTHSM-2", null))).Succeeded);

        var second = await commands.BindUsbKeyAsync(Bind(seals[1].Id, "SOFTHSM-2", null));

        Assert.Equal(CommitError.KeyBoundToOtherSeal, second.Error);
        Assert.Equal("该USBKEY已绑定其他印章，无法继续绑定。", second.Message);
        Assert.Equal(SealStatus.Unbound, (await Db.InTransactionAsync(s => new SealRepository(s).GetAsync(seals[1].Id)))!.Status);
    }

    [Fact]
    public async Task A_seal_bound_elsewhere_needs_the_users_confirmation_and_then_releases_the_old_medium()
    {
        var seal = hz.Seals.First(s => s.State == DemoData.DemoState.Mobile);

        var refused = await commands.BindUsbKeyAsync(Bind(seal.Id, "SOFTHSM-3", null));
        var shown = (await Db.ReadAsync(s => new BindingRepository(s).ActiveForSealAsync(seal.Id)))!.Id;
        var confirmed = await commands.BindUsbKeyAsync(Bind(seal.Id, "SOFTHSM-3", shown));

        Assert.Equal(CommitError.SealBoundToOtherMedium, refused.Error);
        Assert.True(confirmed.Succeeded, confirmed.Message);
        var history = await Db.InTransactionAsync(s => new BindingRepository(s).HistoryForSealAsync(seal.Id));
        Assert.Equal(2, history.Count);
        Assert.Single(history, b => b.Active);
        Assert.Equal("ReleasedForRebind", history.Single(b => !b.Active).UnbindReason);
        var audit = await Db.InTransactionAsync(s => new AuditLog(s).ForSealAsync(seal.Id));
        Assert.Equal([AuditKinds.Claim, AuditKinds.ReleaseForRebind, AuditKinds.Bind], audit.Select(a => a.Kind));
    }

    [Fact]
    public async Task Unbind_frees_the_seal_for_a_mobile_claim_and_an_unbound_key_is_refused()
    {
        var seal = hz.Seals.First(s => s.State == DemoData.DemoState.Unbound);
        Assert.True((await commands.BindUsbKeyAsync(Bind(seal.Id, "SOFTHSM-4", null))).Succeeded);

        var unbind = await commands.UnbindUsbKeyAsync(Unbind("SOFTHSM-4"));
        var again = await commands.UnbindUsbKeyAsync(Unbind("SOFTHSM-4"));
        var claim = await commands.ClaimOnMobileAsync(new ClaimOnMobileCommand(Guid.NewGuid(), null, hz.Id, seal.Id, "phone-" + Guid.NewGuid(), "legal-rep"));

        Assert.True(unbind.Succeeded, unbind.Message);
        Assert.Equal("该USBKEY未绑定印章，无需解绑。", again.Message);
        Assert.True(claim.Succeeded, claim.Message);
        Assert.Equal(SealStatus.Mobile, (await Db.InTransactionAsync(s => new SealRepository(s).GetAsync(seal.Id)))!.Status);
        Assert.Null(await Db.InTransactionAsync(s => new AuditLog(s).FirstBrokenLinkAsync()));
    }

    [Fact]
    public async Task Only_the_key_that_was_bound_can_unbind_it_whatever_serial_the_page_names()
    {
        var seal = hz.Seals.First(s => s.State == DemoData.DemoState.Unbound);
        Assert.True((await commands.BindUsbKeyAsync(Bind(seal.Id, "SOFTHSM-6", null))).Succeeded);

        // Tried: a page that names the bound key's serial but proved another key of the enterprise.
        var other = KeyCertificate("OTHER-KEY");
        var forged = await commands.UnbindUsbKeyAsync(new UnbindUsbKeyCommand(Guid.NewGuid(), null, hz.Id, "SOFTHSM-6", other.KeyId, other.Sha256, "Kiosk", "kiosk-7"));
        var real = await commands.UnbindUsbKeyAsync(Unbind("SOFTHSM-6"));

        Assert.Equal(CommitError.KeyNotBound, forged.Error);
        Assert.True(real.Succeeded, real.Message);
    }

    [Fact]
    public async Task A_serial_claimed_by_another_enterprises_key_does_not_take_the_real_token_from_its_holder()
    {
        // Enterprise B binds its own seal with its own key while reporting A's token serial.
        var bSeal = DemoData.Beijing.Seals.First(s => s.State == DemoData.DemoState.Unbound);
        var bKey = KeyCertificate("B-REAL-KEY");
        var squat = await commands.BindUsbKeyAsync(new BindUsbKeyCommand(Guid.NewGuid(), null, DemoData.Beijing.Id, bSeal.Id, "A-TOKEN-SERIAL", bKey, Holder, "Web", null, "attacker"));
        Assert.True(squat.Succeeded, squat.Message);

        // A, holding the token with that serial and its own key, binds and later unbinds as usual.
        var aSeal = hz.Seals.First(s => s.State == DemoData.DemoState.Unbound);
        var aBind = await commands.BindUsbKeyAsync(Bind(aSeal.Id, "A-TOKEN-SERIAL", null));
        var aUnbind = await commands.UnbindUsbKeyAsync(Unbind("A-TOKEN-SERIAL"));

        Assert.True(aBind.Succeeded, aBind.Message);
        Assert.True(aUnbind.Succeeded, aUnbind.Message);
        var (bMedium, aMedium) = await Db.InTransactionAsync(async s => (
            await new MediumRepository(s).FindUsbKeyAsync(bKey.KeyId, bKey.Sha256),
            await new MediumRepository(s).FindUsbKeyAsync(KeyCertificate("A-TOKEN-SERIAL").KeyId, KeyCertificate("A-TOKEN-SERIAL").Sha256)));
        Assert.NotEqual(bMedium!.Id, aMedium!.Id);
        Assert.Equal("key:" + bKey.KeyId, bMedium.Identifier);
    }

    [Fact]
    public async Task Confirming_the_release_of_a_medium_releases_that_medium_only_never_a_later_winner()
    {
        var seal = hz.Seals.First(s => s.State == DemoData.DemoState.Unbound);
        Assert.True((await commands.BindUsbKeyAsync(Bind(seal.Id, "M0", null))).Succeeded);
        var shown = (await Db.ReadAsync(s => new BindingRepository(s).ActiveForSealAsync(seal.Id)))!.Id;

        // Two kiosks were both shown M0 holding the seal and both confirmed releasing it.
        var fast = await commands.BindUsbKeyAsync(Bind(seal.Id, "FAST-KIOSK-KEY", shown));
        var slow = await commands.BindUsbKeyAsync(Bind(seal.Id, "SLOW-KIOSK-KEY", shown));

        Assert.True(fast.Succeeded, fast.Message);
        Assert.Equal(CommitError.SealBoundToOtherMedium, slow.Error);
        Assert.Equal(MediumChangeCommands.SealBoundToOtherMediumText, slow.Message);
        var active = await Db.ReadAsync(s => new BindingRepository(s).ActiveForSealAsync(seal.Id));
        Assert.Equal(fast.BindingId, active!.Id);
    }

    [Fact]
    public async Task A_seal_freed_after_the_user_confirmed_releasing_its_medium_is_reported_as_changed_not_silently_bound()
    {
        var seal = hz.Seals.First(s => s.State == DemoData.DemoState.Unbound);
        Assert.True((await commands.BindUsbKeyAsync(Bind(seal.Id, "M1", null))).Succeeded);
        var shown = (await Db.ReadAsync(s => new BindingRepository(s).ActiveForSealAsync(seal.Id)))!.Id;
        Assert.True((await commands.UnbindUsbKeyAsync(Unbind("M1"))).Succeeded);

        var late = await commands.BindUsbKeyAsync(Bind(seal.Id, "LATE-KEY", shown));

        Assert.Equal(CommitError.SealBoundToOtherMedium, late.Error);
        Assert.Equal(SealStatus.Unbound, (await Db.ReadAsync(s => new SealRepository(s).GetAsync(seal.Id)))!.Status);
    }

    [Fact]
    public async Task A_seal_of_another_enterprise_is_refused()
    {
        var foreign = DemoData.Beijing.Seals.First(s => s.State == DemoData.DemoState.Unbound);

        var outcome = await commands.BindUsbKeyAsync(Bind(foreign.Id, "SOFTHSM-5", null));

        Assert.Equal(CommitError.SealNotFound, outcome.Error);
    }

    [Fact]
    public async Task Two_racing_binds_of_one_seal_leave_exactly_one_active_binding()
    {
        var seal = hz.Seals.First(s => s.State == DemoData.DemoState.Unbound);

        var results = await Task.WhenAll(
            Task.Run(() => commands.BindUsbKeyAsync(Bind(seal.Id, "RACE-A", null))),
            Task.Run(() => commands.BindUsbKeyAsync(Bind(seal.Id, "RACE-B", null))));

        Assert.Single(results, r => r.Succeeded);
        Assert.Single(results, r => !r.Succeeded);
        var history = await Db.InTransactionAsync(s => new BindingRepository(s).HistoryForSealAsync(seal.Id));
        Assert.Single(history, b => b.Active);
    }

    [Fact]
    public async Task Bind_unbind_claim_rebind_unbind_leaves_complete_history_audit_and_the_one_to_one_rule()
    {
        var seal = hz.Seals.First(s => s.State == DemoData.DemoState.Unbound);
        var phone = "phone-" + Guid.NewGuid();

        var steps = new List<CommitOutcome>
        {
            await commands.BindUsbKeyAsync(Bind(seal.Id, "LIFE-KEY-1", null)),
            await commands.UnbindUsbKeyAsync(Unbind("LIFE-KEY-1")),
            await commands.ClaimOnMobileAsync(new ClaimOnMobileCommand(Guid.NewGuid(), null, hz.Id, seal.Id, phone, "legal-rep")),
        };
        var refused = await commands.BindUsbKeyAsync(Bind(seal.Id, "LIFE-KEY-2", null));
        var claimed = (await Db.ReadAsync(s => new BindingRepository(s).ActiveForSealAsync(seal.Id)))!.Id;
        steps.Add(await commands.BindUsbKeyAsync(Bind(seal.Id, "LIFE-KEY-2", claimed)));
        steps.Add(await commands.UnbindUsbKeyAsync(Unbind("LIFE-KEY-2")));

        Assert.All(steps, s => Assert.True(s.Succeeded, s.Message));
        Assert.Equal(CommitError.SealBoundToOtherMedium, refused.Error);
        var (seal2, history, audit, activeRows, broken) = await Db.InTransactionAsync(async s => (
            await new SealRepository(s).GetAsync(seal.Id),
            await new BindingRepository(s).HistoryForSealAsync(seal.Id),
            await new AuditLog(s).ForSealAsync(seal.Id),
            await s.QueryAsync<long>("SELECT COUNT(*) FROM seal_bindings WHERE active = 1 GROUP BY seal_id HAVING COUNT(*) > 1 UNION ALL SELECT COUNT(*) FROM seal_bindings WHERE active = 1 GROUP BY medium_id HAVING COUNT(*) > 1"),
            await new AuditLog(s).FirstBrokenLinkAsync()));

        Assert.Equal(SealStatus.Unbound, seal2!.Status);
        Assert.Equal(["Kiosk", "Mobile", "Kiosk"], history.Select(b => b.Channel));
        Assert.All(history, b => Assert.False(b.Active));
        Assert.Equal(["Unbind", "ReleasedForRebind", "Unbind"], history.Select(b => b.UnbindReason));
        Assert.Equal(
            [AuditKinds.Bind, AuditKinds.Unbind, AuditKinds.Claim, AuditKinds.ReleaseForRebind, AuditKinds.Bind, AuditKinds.Unbind],
            audit.Select(a => a.Kind));
        Assert.Empty(activeRows);
        Assert.Null(broken);
    }

    /// <summary>Each test token holds its own key: a made-up certificate and key id derived from its serial.</summary>
    private static UsbKeyCertificate KeyCertificate(string token) =>
        new(Hex("cert:" + token), Hex("key:" + token), "1F", "CN=ESeal Test Root CA", "CN=杭州云印信息技术有限公司");

    private static string Hex(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    private BindUsbKeyCommand Bind(Guid sealId, string token, Guid? releaseBindingId) =>
        new(Guid.NewGuid(), null, hz.Id, sealId, token, KeyCertificate(token), Holder, "Kiosk", releaseBindingId, "kiosk-7");

    private UnbindUsbKeyCommand Unbind(string token) =>
        new(Guid.NewGuid(), null, hz.Id, token, KeyCertificate(token).KeyId, KeyCertificate(token).Sha256, "Kiosk", "kiosk-7");

    public void Dispose() => fixture.Dispose();
}
