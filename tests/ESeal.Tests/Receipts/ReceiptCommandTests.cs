using ESeal.Db.Demo;
using ESeal.Db.MediumChange;
using ESeal.Db.Receipts;
using ESeal.Db.Repositories;
using ESeal.Testing;

namespace ESeal.Tests.Receipts;

/// <summary>Every committed bind, unbind and claim issues one receipt in its transaction (SPEC §9).</summary>
public sealed class ReceiptCommandTests : IDisposable
{
    private static readonly SealHolder Holder = new("王建国", "居民身份证", "330106197805121232", "13800138000");

    private readonly SqliteDatabase fixture = new();
    private readonly MediumChangeCommands commands;
    private readonly DemoData.DemoEnterprise hz = DemoData.Hangzhou;

    public ReceiptCommandTests()
    {
        DemoData.SeedAsync(fixture.Database, TimeProvider.System).GetAwaiter().GetResult();
        commands = new MediumChangeCommands(fixture.Database, TimeProvider.System);
    }

    [Fact]
    public async Task A_bind_issues_a_receipt_of_its_facts_with_the_holder_masked_and_a_repeat_returns_the_same_code()
    {
        var seal = hz.Seals.First(s => s.State == DemoData.DemoState.Unbound);
        var operation = Guid.NewGuid();
        var command = new BindUsbKeyCommand(operation, operation, hz.Id, seal.Id, "RCPT-1", Certificate("RCPT-1"), Holder, "Kiosk", null, "kiosk", new KioskRef(Guid.NewGuid(), "西湖区政务服务中心", "3号机"));

        var first = await commands.BindUsbKeyAsync(command);
        var repeat = await commands.BindUsbKeyAsync(command);

        Assert.True(first.Succeeded, first.Message);
        Assert.NotNull(first.ReceiptCode);
        Assert.Equal(first.ReceiptCode, ReceiptCode.Normalize(first.ReceiptCode));
        Assert.True(repeat.Repeated);
        Assert.Equal(first.ReceiptCode, repeat.ReceiptCode);

        var receipt = await fixture.Database.ReadAsync(s => new ReceiptRepository(s).FindAsync(first.ReceiptCode!));
        Assert.NotNull(receipt);
        Assert.Equal(ReceiptActions.Bind, receipt.Action);
        Assert.Equal(first.BindingId, receipt.BindingId);
        Assert.Equal(hz.Name, receipt.EnterpriseName);
        Assert.Equal(hz.CreditCode, receipt.CreditCode);
        Assert.Equal(hz.LegalRepName, receipt.LegalRepName);
        Assert.Equal(seal.SealType, receipt.SealType);
        Assert.Equal("西湖区政务服务中心", receipt.KioskHall);
        Assert.Equal("3号机", receipt.KioskName);
        Assert.Equal("王*国", receipt.HolderNameMasked);
        Assert.Equal("330106********1232", receipt.HolderIdNumberMasked);
        Assert.Equal("138****8000", receipt.HolderPhoneMasked);
        var stored = await fixture.Database.ReadAsync(s => s.QueryAsync<string>("SELECT code || enterprise_name || COALESCE(holder_id_number_masked, '') || COALESCE(holder_phone_masked, '') || COALESCE(holder_name_masked, '') FROM receipts"));
        Assert.DoesNotContain(stored, row => row.Contains(Holder.IdNumber, StringComparison.Ordinal) || row.Contains(Holder.Phone, StringComparison.Ordinal) || row.Contains(Holder.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unbind_issues_its_own_receipt_naming_the_holder_of_the_ended_binding_and_a_claim_one_without_holder()
    {
        var seal = hz.Seals.First(s => s.State == DemoData.DemoState.Unbound);
        var key = Certificate("RCPT-2");
        var bind = await commands.BindUsbKeyAsync(new BindUsbKeyCommand(Guid.NewGuid(), null, hz.Id, seal.Id, "RCPT-2", key, Holder, "Web", null, "web"));
        var unbind = await commands.UnbindUsbKeyAsync(new UnbindUsbKeyCommand(Guid.NewGuid(), null, hz.Id, "RCPT-2", key.KeyId, key.Sha256, "Web", "web"));
        var claim = await commands.ClaimOnMobileAsync(new ClaimOnMobileCommand(Guid.NewGuid(), null, hz.Id, seal.Id, "phone-" + Guid.NewGuid(), "legal-rep"));

        Assert.True(unbind.Succeeded, unbind.Message);
        Assert.True(claim.Succeeded, claim.Message);
        Assert.Equal(3, new[] { bind.ReceiptCode, unbind.ReceiptCode, claim.ReceiptCode }.Distinct().Count());
        var (u, c) = await fixture.Database.ReadAsync(async s => (
            await new ReceiptRepository(s).FindAsync(unbind.ReceiptCode!),
            await new ReceiptRepository(s).FindAsync(claim.ReceiptCode!)));
        Assert.Equal(ReceiptActions.Unbind, u!.Action);
        Assert.Equal(bind.BindingId, u.BindingId);
        Assert.Equal("330106********1232", u.HolderIdNumberMasked);
        Assert.Null(u.KioskHall);
        Assert.Equal(ReceiptActions.Claim, c!.Action);
        Assert.Equal("Mobile", c.Channel);
        Assert.Null(c.HolderIdNumberMasked);
    }

    [Fact]
    public async Task A_failed_commit_issues_no_receipt()
    {
        var before = await CountAsync();
        var bound = hz.Seals.First(s => s.State == DemoData.DemoState.UsbKey);
        var failed = await commands.BindUsbKeyAsync(new BindUsbKeyCommand(Guid.NewGuid(), null, hz.Id, bound.Id, "RCPT-3", Certificate("RCPT-3"), Holder, "Web", null, "web"));

        Assert.False(failed.Succeeded);
        Assert.Null(failed.ReceiptCode);
        Assert.Equal(before, await CountAsync());
    }

    public void Dispose() => fixture.Dispose();

    private Task<long> CountAsync() => fixture.Database.ReadAsync(s => s.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM receipts"));

    private static UsbKeyCertificate Certificate(string token) =>
        new(Hex("cert:" + token), Hex("key:" + token), "1F", "CN=ESeal Test Root CA", "CN=杭州云印信息技术有限公司");

    private static string Hex(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
