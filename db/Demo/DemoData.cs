using ESeal.Db.Domain;
using ESeal.Db.Infrastructure;
using ESeal.Db.MediumChange;
using ESeal.Db.Repositories;

namespace ESeal.Db.Demo;

/// <summary>
/// Three enterprises with four seals each, in every state a user meets: unbound, bound to a
/// USBKEY, claimed on a phone. Credit codes and ID numbers carry correct check characters;
/// the demo and test certificates name these enterprises.
/// </summary>
public static class DemoData
{
    public sealed record DemoEnterprise(Guid Id, string CreditCode, string Name, string LegalRepName, string LegalRepIdNumber, IReadOnlyList<DemoSeal> Seals);

    public sealed record DemoSeal(Guid Id, string SealCode, string SealType, string Name, DemoState State);

    public enum DemoState
    {
        Unbound,
        UsbKey,
        Mobile,
    }

    public static readonly DemoEnterprise Hangzhou = Make(
        "6d1f0a52-8f43-4c1e-9a51-1a7d3e0c1001", "91330106MA2B3C4D5", "杭州云印信息技术有限公司", "王建国", "33010619780512123",
        ("单位公章", DemoState.Unbound), ("财务专用章", DemoState.UsbKey), ("合同专用章", DemoState.Unbound), ("发票专用章", DemoState.Mobile));

    public static readonly DemoEnterprise Beijing = Make(
        "6d1f0a52-8f43-4c1e-9a51-1a7d3e0c2002", "91110108MA01K2L3P", "北京中关村数据服务有限公司", "李慧敏", "11010819850923242",
        ("单位公章", DemoState.UsbKey), ("财务专用章", DemoState.Unbound), ("合同专用章", DemoState.Mobile), ("法定代表人名章", DemoState.Unbound));

    public static readonly DemoEnterprise Shenzhen = Make(
        "6d1f0a52-8f43-4c1e-9a51-1a7d3e0c3003", "91440300MA5F6G7H8", "深圳前海跨境贸易有限公司", "陈志强", "44030519720316351",
        ("单位公章", DemoState.Unbound), ("财务专用章", DemoState.Unbound), ("合同专用章", DemoState.UsbKey), ("发票专用章", DemoState.Unbound));

    public static IReadOnlyList<DemoEnterprise> Enterprises { get; } = [Hangzhou, Beijing, Shenzhen];

    /// <summary>Token serials of the demo's pre-bound keys: not the demo's own SoftHSM key, which starts unbound.</summary>
    public static string PreboundTokenSerial(DemoEnterprise e, int sealIndex) => $"DEMO{e.CreditCode[^6..]}{sealIndex}";

    /// <summary>Inserts what is missing; running it again adds nothing.</summary>
    public static async Task<int> SeedAsync(Database database, TimeProvider clock, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        var added = 0;
        var commands = new MediumChangeCommands(database, clock);
        foreach (var e in Enterprises)
        {
            var exists = await database.InTransactionAsync(s => new EnterpriseRepository(s).GetAsync(e.Id, ct), ct);
            if (exists is not null)
            {
                continue;
            }

            var now = clock.GetUtcNow();
            await database.InTransactionAsync(
                async s =>
                {
                    await new EnterpriseRepository(s).InsertAsync(
                        new Enterprise { Id = e.Id, CreditCode = e.CreditCode, Name = e.Name, LegalRepName = e.LegalRepName, LegalRepIdNumber = e.LegalRepIdNumber, CreatedAt = now },
                        ct);
                    foreach (var seal in e.Seals)
                    {
                        await new SealRepository(s).InsertAsync(
                            new Seal
                            {
                                Id = seal.Id, EnterpriseId = e.Id, SealCode = seal.SealCode, SealType = seal.SealType, Name = seal.Name,
                                ImpressionSvg = SealImpression.Svg(e.Name, seal.SealType), Status = SealStatus.Unbound, CreatedAt = now, UpdatedAt = now,
                            },
                            ct);
                    }

                    return 0;
                },
                ct);

            for (var i = 0; i < e.Seals.Count; i++)
            {
                var seal = e.Seals[i];
                var operation = DeterministicGuid(seal.Id, "demo-state");
                var outcome = seal.State switch
                {
                    DemoState.UsbKey => await commands.BindUsbKeyAsync(
                        new BindUsbKeyCommand(
                            operation, null, e.Id, seal.Id, PreboundTokenSerial(e, i),
                            // Made-up certificate and key ids: no real key can ever prove these.
                            new UsbKeyCertificate(new string('0', 56) + e.CreditCode[^8..], MadeUpKeyId(PreboundTokenSerial(e, i)), "01", "CN=ESeal Demo CA", $"CN={e.Name}"),
                            new SealHolder(e.LegalRepName, IdDocument.Label(IdDocumentType.ResidentId), e.LegalRepIdNumber, "13800138000"),
                            "Kiosk", null, "demo-seed"),
                        ct),
                    DemoState.Mobile => await commands.ClaimOnMobileAsync(
                        new ClaimOnMobileCommand(operation, null, e.Id, seal.Id, $"demo-phone-{e.CreditCode[^6..]}-{i}", "demo-seed"), ct),
                    _ => null,
                };
                if (outcome is { Succeeded: false })
                {
                    throw new InvalidOperationException($"Demo seed could not set {seal.Name}: {outcome.Message}");
                }
            }

            added++;
        }

        return added;
    }

    private static DemoEnterprise Make(string id, string credit17, string name, string rep, string repId17, params (string Type, DemoState State)[] seals)
    {
        var enterpriseId = Guid.Parse(id);
        var credit = credit17 + CreditCode.CheckCharacter(credit17);
        var repId = repId17 + ResidentId.CheckCharacter(repId17);
        var list = seals.Select((s, i) => new DemoSeal(
            DeterministicGuid(enterpriseId, s.Type),
            $"{credit[^6..]}{i + 1:00}",
            s.Type,
            s.Type == "法定代表人名章" ? $"{rep}印" : $"{name}{s.Type}",
            s.State)).ToList();
        return new DemoEnterprise(enterpriseId, credit, name, rep, repId, list);
    }

    private static string MadeUpKeyId(string serial) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("demo-key:" + serial)));

    private static Guid DeterministicGuid(Guid scope, string name)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{scope:N}/{name}"));
        return new Guid(bytes.AsSpan(0, 16));
    }
}
