using ESeal.Db.Demo;
using ESeal.Db.Infrastructure;
using ESeal.Db.MediumChange;
using ESeal.Db.Repositories;

using ESeal.Testing;

namespace ESeal.Tests.Db;

/// <summary>Bind, unbind and claim on the demo data in a real SQLite file.</summary>
public sealed class MediumChangeCommandsTests : IDisposable
{
    private static readonly UsbKeyCertificate Certificate = new(new string('a', 64), "1F", "CN=ESeal Test Root CA", "CN=杭州云印信息技术有限公司");
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
        var command = new BindUsbKeyCommand(operation, operation, hz.Id, seal.Id, "SOFTHSM-1", Certificate, Holder, "Kiosk", false, "kiosk-7");

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
        Assert.True((await commands.BindUsbKeyAsync(Bind(seals[0].Id, "SOFTHSM-2", false))).Succeeded);

        var second = await commands.BindUsbKeyAsync(Bind(seals[1].Id, "SOFTHSM-2", false));

        Assert.Equal(CommitError.KeyBoundToOtherSeal, second.Error);
        Assert.Equal("该USBKEY已绑定其他印章，无法继续绑定。", second.Message);
        Assert.Equal(SealStatus.Unbound, (await Db.InTransactionAsync(s => new SealRepository(s).GetAsync(seals[1].Id)))!.Status);
    }

    [Fact]
    public async Task A_seal_bound_elsewhere_needs_the_users_confirmation_and_then_releases_the_old_medium()
    {
        var seal = hz.Seals.First(s => s.State == DemoData.DemoState.Mobile);

        var refused = await commands.BindUsbKeyAsync(Bind(seal.Id, "SOFTHSM-3", false));
        var confirmed = await commands.BindUsbKeyAsync(Bind(seal.Id, "SOFTHSM-3", true));

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
        Assert.True((await commands.BindUsbKeyAsync(Bind(seal.Id, "SOFTHSM-4", false))).Succeeded);

        var unbind = await commands.UnbindUsbKeyAsync(new UnbindUsbKeyCommand(Guid.NewGuid(), null, hz.Id, "SOFTHSM-4", Certificate.Sha256, "Kiosk", "kiosk-7"));
        var again = await commands.UnbindUsbKeyAsync(new UnbindUsbKeyCommand(Guid.NewGuid(), null, hz.Id, "SOFTHSM-4", Certificate.Sha256, "Kiosk", "kiosk-7"));
        var claim = await commands.ClaimOnMobileAsync(new ClaimOnMobileCommand(Guid.NewGuid(), null, hz.Id, seal.Id, "phone-" + Guid.NewGuid(), "legal-rep"));

        Assert.True(unbind.Succeeded, unbind.Message);
        Assert.Equal("该USBKEY未绑定印章，无需解绑。", again.Message);
        Assert.True(claim.Succeeded, claim.Message);
        Assert.Equal(SealStatus.Mobile, (await Db.InTransactionAsync(s => new SealRepository(s).GetAsync(seal.Id)))!.Status);
        Assert.Null(await Db.InTransactionAsync(s => new AuditLog(s).FirstBrokenLinkAsync()));
    }

    [Fact]
    public async Task Only_the_certificate_the_key_was_bound_with_can_unbind_it()
    {
        var seal = hz.Seals.First(s => s.State == DemoData.DemoState.Unbound);
        Assert.True((await commands.BindUsbKeyAsync(Bind(seal.Id, "SOFTHSM-6", false))).Succeeded);

        // Tried: a page that names the bound key's serial but proved another certificate of the enterprise.
        var forged = await commands.UnbindUsbKeyAsync(new UnbindUsbKeyCommand(Guid.NewGuid(), null, hz.Id, "SOFTHSM-6", new string('b', 64), "Kiosk", "kiosk-7"));
        var real = await commands.UnbindUsbKeyAsync(new UnbindUsbKeyCommand(Guid.NewGuid(), null, hz.Id, "SOFTHSM-6", Certificate.Sha256.ToUpperInvariant(), "Kiosk", "kiosk-7"));

        Assert.Equal(CommitError.CertificateMismatch, forged.Error);
        Assert.Equal("该USBKEY中的证书与绑定时使用的证书不一致，无法解绑。如证书已由CA更新，请联系工作人员处理。", forged.Message);
        Assert.True(real.Succeeded, real.Message);
    }

    [Fact]
    public async Task A_seal_of_another_enterprise_is_refused()
    {
        var foreign = DemoData.Beijing.Seals.First(s => s.State == DemoData.DemoState.Unbound);

        var outcome = await commands.BindUsbKeyAsync(Bind(foreign.Id, "SOFTHSM-5", false));

        Assert.Equal(CommitError.SealNotFound, outcome.Error);
    }

    [Fact]
    public async Task Two_racing_binds_of_one_seal_leave_exactly_one_active_binding()
    {
        var seal = hz.Seals.First(s => s.State == DemoData.DemoState.Unbound);

        var results = await Task.WhenAll(
            Task.Run(() => commands.BindUsbKeyAsync(Bind(seal.Id, "RACE-A", false))),
            Task.Run(() => commands.BindUsbKeyAsync(Bind(seal.Id, "RACE-B", false))));

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
            await commands.BindUsbKeyAsync(Bind(seal.Id, "LIFE-KEY-1", false)),
            await commands.UnbindUsbKeyAsync(new UnbindUsbKeyCommand(Guid.NewGuid(), null, hz.Id, "LIFE-KEY-1", Certificate.Sha256, "Kiosk", "kiosk-7")),
            await commands.ClaimOnMobileAsync(new ClaimOnMobileCommand(Guid.NewGuid(), null, hz.Id, seal.Id, phone, "legal-rep")),
        };
        var refused = await commands.BindUsbKeyAsync(Bind(seal.Id, "LIFE-KEY-2", false));
        steps.Add(await commands.BindUsbKeyAsync(Bind(seal.Id, "LIFE-KEY-2", true)));
        steps.Add(await commands.UnbindUsbKeyAsync(new UnbindUsbKeyCommand(Guid.NewGuid(), null, hz.Id, "LIFE-KEY-2", Certificate.Sha256, "Kiosk", "kiosk-7")));

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

    private BindUsbKeyCommand Bind(Guid sealId, string token, bool release) =>
        new(Guid.NewGuid(), null, hz.Id, sealId, token, Certificate, Holder, "Kiosk", release, "kiosk-7");

    public void Dispose() => fixture.Dispose();
}
