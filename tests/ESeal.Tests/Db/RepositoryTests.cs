using ESeal.Db.Demo;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using Microsoft.Data.Sqlite;

using ESeal.Testing;

namespace ESeal.Tests.Db;

public sealed class RepositoryTests : IClassFixture<SqliteDatabase>
{
    private readonly Database db;

    public RepositoryTests(SqliteDatabase fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        db = fixture.Database;
    }

    [Fact]
    public async Task Enterprise_and_seal_round_trip_with_guids_instants_and_enums()
    {
        var (enterprise, seal) = await NewEnterpriseWithSealAsync();

        var (readEnterprise, readSeal, list) = await db.InTransactionAsync(async s =>
            (await new EnterpriseRepository(s).FindByCreditCodeAsync(enterprise.CreditCode),
             await new SealRepository(s).GetAsync(seal.Id),
             await new SealRepository(s).ListByEnterpriseAsync(enterprise.Id)));

        Assert.NotNull(readEnterprise);
        Assert.Equal(enterprise.Id, readEnterprise.Id);
        Assert.Equal(enterprise.Name, readEnterprise.Name);
        Assert.Equal(enterprise.CreatedAt, readEnterprise.CreatedAt);
        Assert.NotNull(readSeal);
        Assert.Equal(SealStatus.Unbound, readSeal.Status);
        Assert.Equal(1, readSeal.Version);
        Assert.Equal(seal.SealType, readSeal.SealType);
        Assert.Single(list);
    }

    [Fact]
    public async Task Seal_status_update_is_refused_for_a_stale_version()
    {
        var (_, seal) = await NewEnterpriseWithSealAsync();
        var now = DateTimeOffset.UtcNow;

        var first = await db.InTransactionAsync(s => new SealRepository(s).SetStatusAsync(seal.Id, SealStatus.UsbKey, 1, now));
        var stale = await db.InTransactionAsync(s => new SealRepository(s).SetStatusAsync(seal.Id, SealStatus.Mobile, 1, now));
        var read = await db.InTransactionAsync(s => new SealRepository(s).GetAsync(seal.Id));

        Assert.True(first);
        Assert.False(stale);
        Assert.Equal(SealStatus.UsbKey, read!.Status);
        Assert.Equal(2, read.Version);
    }

    [Fact]
    public async Task The_database_refuses_a_second_active_binding_of_a_seal()
    {
        var (_, seal) = await NewEnterpriseWithSealAsync();
        var now = DateTimeOffset.UtcNow;

        var ex = await Assert.ThrowsAsync<SqliteException>(() => db.InTransactionAsync(async s =>
        {
            var media = new MediumRepository(s);
            var a = await media.GetOrCreateMobileAsync("phone-A-" + Guid.NewGuid(), now);
            var b = await media.GetOrCreateMobileAsync("phone-B-" + Guid.NewGuid(), now);
            var bindings = new BindingRepository(s);
            await bindings.InsertActiveAsync(Guid.NewGuid(), seal.Id, a.Id, "Kiosk", now, null, null);
            await bindings.InsertActiveAsync(Guid.NewGuid(), seal.Id, b.Id, "Kiosk", now, null, null);
            return 0;
        }));

        Assert.Contains("seal_bindings.seal_id", ex.Message, StringComparison.Ordinal);
        Assert.True(SqlDialect.Sqlite.IsUniqueViolation(ex));
    }

    [Fact]
    public async Task The_database_refuses_a_second_active_binding_of_a_medium()
    {
        var (_, seal1) = await NewEnterpriseWithSealAsync();
        var (_, seal2) = await NewEnterpriseWithSealAsync();
        var now = DateTimeOffset.UtcNow;

        var ex = await Assert.ThrowsAsync<SqliteException>(() => db.InTransactionAsync(async s =>
        {
            var medium = await new MediumRepository(s).GetOrCreateMobileAsync("phone-" + Guid.NewGuid(), now);
            var bindings = new BindingRepository(s);
            await bindings.InsertActiveAsync(Guid.NewGuid(), seal1.Id, medium.Id, "Mobile", now, null, null);
            await bindings.InsertActiveAsync(Guid.NewGuid(), seal2.Id, medium.Id, "Mobile", now, null, null);
            return 0;
        }));

        Assert.Contains("seal_bindings.medium_id", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_binding_frees_the_seal_for_a_new_one_and_stays_in_history()
    {
        var (_, seal) = await NewEnterpriseWithSealAsync();
        var now = DateTimeOffset.UtcNow;
        var first = Guid.NewGuid();

        await db.InTransactionAsync(async s =>
        {
            var media = new MediumRepository(s);
            var a = await media.GetOrCreateUsbKeyAsync(new UsbKeyCertificate("ab", Guid.NewGuid().ToString("N"), "01", "CN=CA", "CN=E"), "KEY-" + Guid.NewGuid(), now);
            var b = await media.GetOrCreateMobileAsync("phone-" + Guid.NewGuid(), now);
            var bindings = new BindingRepository(s);
            await bindings.InsertActiveAsync(first, seal.Id, a.Id, "Kiosk", now, null, new SealHolder("张三", "居民身份证", "11010519491231002X", "13800138000"));
            Assert.True(await bindings.CloseAsync(first, 1, now.AddMinutes(1), null, "Unbind"));
            Assert.False(await bindings.CloseAsync(first, 1, now.AddMinutes(1), null, "Unbind"));
            await bindings.InsertActiveAsync(Guid.NewGuid(), seal.Id, b.Id, "Kiosk", now.AddMinutes(2), null, null);
            return 0;
        });

        var history = await db.InTransactionAsync(s => new BindingRepository(s).HistoryForSealAsync(seal.Id));
        Assert.Equal(2, history.Count);
        Assert.False(history[0].Active);
        Assert.Equal("张三", history[0].HolderName);
        Assert.NotNull(history[0].UnboundAt);
        Assert.True(history[1].Active);
    }

    [Fact]
    public async Task Pin_counts_proved_by_an_enrolled_helper_lock_the_key_everywhere_and_only_an_operator_clears_them()
    {
        var key = "key-" + Guid.NewGuid().ToString("N");
        var other = "key-" + Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        PinCounterState? state = null;

        for (var i = 0; i < 5; i++)
        {
            // Five reports from kiosks in five different browser sessions.
            var session = "kiosk-session-" + i;
            state = await db.InTransactionAsync(s => new PinCounterRepository(s).RecordFailureAsync(PinCounterScope.Key, key, session, "TOKEN-A", 5, false, now));
            Assert.Equal(i == 4, state.Locked);
        }

        await db.InTransactionAsync(async s =>
        {
            await new PinCounterRepository(s).RecordFailureAsync(PinCounterScope.Key, other, "s", "TOKEN-B", 5, false, now);
            await new PinCounterRepository(s).ResetAfterSuccessAsync(key, "kiosk-session-0"); // a right PIN cannot open a lock
            return 0;
        });
        var elsewhere = await db.ReadAsync(s => new PinCounterRepository(s).StateAsync(key, "a-new-browser", 5));
        var untouched = await db.ReadAsync(s => new PinCounterRepository(s).StateAsync(other, "s", 5));
        var cleared = await db.InTransactionAsync(s => new PinCounterRepository(s).ClearAsync("TOKEN-A", "operator-1", now));
        var after = await db.ReadAsync(s => new PinCounterRepository(s).GetAsync(PinCounterRepository.KeyCounter(key)));

        Assert.Equal(5, state!.FailedAttempts);
        Assert.True(elsewhere.Locked);
        Assert.Equal(1, untouched.FailedAttempts);
        Assert.False(untouched.Locked);
        Assert.True(cleared);
        Assert.False(after!.IsLocked);
        Assert.Equal(0, after.FailedAttempts);
        Assert.Equal("operator-1", after.ClearedBy);
    }

    [Fact]
    public async Task Pin_counts_only_a_page_vouches_for_bind_that_browser_session_and_no_other()
    {
        var key = "key-" + Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;

        // Tried: five unproved "wrong PIN" reports from an attacker's session against someone's key.
        for (var i = 0; i < 5; i++)
        {
            await db.InTransactionAsync(s => new PinCounterRepository(s).RecordFailureAsync(PinCounterScope.Session, key, "attacker-session", "VICTIM-TOKEN", 5, false, now));
        }

        var attacker = await db.ReadAsync(s => new PinCounterRepository(s).StateAsync(key, "attacker-session", 5));
        var holder = await db.ReadAsync(s => new PinCounterRepository(s).StateAsync(key, "holder-session", 5));

        Assert.True(attacker.Locked);
        Assert.False(holder.Locked);
        Assert.Equal(0, holder.FailedAttempts);
    }

    [Fact]
    public async Task Outbox_delivery_is_marked_once()
    {
        var id = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        await db.InTransactionAsync(async s =>
        {
            await new OutboxRepository(s).EnqueueAsync(id, "seal.bound", "{}", "key-" + id, now);
            return 0;
        });

        var due = await db.InTransactionAsync(s => new OutboxRepository(s).DueAsync(now.AddSeconds(1), 100));
        var message = Assert.Single(due, m => m.Id == id);
        var first = await db.InTransactionAsync(s => new OutboxRepository(s).MarkDeliveredAsync(id, message.Version, now));
        var second = await db.InTransactionAsync(s => new OutboxRepository(s).MarkDeliveredAsync(id, message.Version, now));
        var read = await db.InTransactionAsync(s => new OutboxRepository(s).GetAsync(id));

        Assert.True(first);
        Assert.False(second);
        Assert.Equal(1, read!.Attempts);
        Assert.NotNull(read.DeliveredAt);
        Assert.DoesNotContain(await db.InTransactionAsync(s => new OutboxRepository(s).DueAsync(now.AddSeconds(1), 100)), m => m.Id == id);
    }

    [Fact]
    public async Task Audit_events_chain_their_hashes_and_cannot_be_changed()
    {
        var now = DateTimeOffset.UtcNow;
        var e1 = await db.InTransactionAsync(s => new AuditLog(s).AppendAsync(new AuditEvent { OccurredAt = now, Kind = AuditKinds.PinFailed, Actor = "test", Data = "{}" }));
        var e2 = await db.InTransactionAsync(s => new AuditLog(s).AppendAsync(new AuditEvent { OccurredAt = now, Kind = AuditKinds.PinLocked, Actor = "test", Data = "{}" }));

        Assert.Equal(e1.Hash, e2.PrevHash);
        Assert.Null(await db.InTransactionAsync(s => new AuditLog(s).FirstBrokenLinkAsync()));

        var update = await Assert.ThrowsAsync<SqliteException>(() =>
            db.InTransactionAsync(s => s.ExecuteAsync("UPDATE audit_events SET actor = 'mallory' WHERE id = @id", new { id = e1.Id })));
        var delete = await Assert.ThrowsAsync<SqliteException>(() =>
            db.InTransactionAsync(s => s.ExecuteAsync("DELETE FROM audit_events WHERE id = @id", new { id = e2.Id })));
        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
    }

    private async Task<(Enterprise, Seal)> NewEnterpriseWithSealAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var enterprise = new Enterprise
        {
            Id = Guid.NewGuid(),
            CreditCode = Guid.NewGuid().ToString("N")[..18].ToUpperInvariant(),
            Name = "测试企业有限公司",
            LegalRepName = "张三",
            LegalRepIdNumber = "11010519491231002X",
            CreatedAt = now,
        };
        var seal = new Seal
        {
            Id = Guid.NewGuid(), EnterpriseId = enterprise.Id, SealCode = "S" + Guid.NewGuid().ToString("N")[..10], SealType = "合同专用章",
            Name = "测试企业有限公司合同专用章", ImpressionSvg = SealImpression.Svg("测试企业有限公司", "合同专用章"), Status = SealStatus.Unbound, CreatedAt = now, UpdatedAt = now,
        };
        await db.InTransactionAsync(async s =>
        {
            await new EnterpriseRepository(s).InsertAsync(enterprise);
            await new SealRepository(s).InsertAsync(seal);
            return 0;
        });
        return (enterprise, seal);
    }
}
