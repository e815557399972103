using System.Security.Cryptography;
using System.Text.Json;
using ESeal.Db.Admin;
using ESeal.Db.Domain;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Enterprises;

/// <summary>
/// One enterprise for 受理员: its facts, each seal with its current medium, and each seal's whole
/// binding history with the holder masked. "查看完整证件号码" reveals one binding's holder to this
/// operator, in this response only, and audits who looked (HolderRevealed, no personal data in it).
/// </summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class DetailModel(Database database, TimeProvider clock) : PageModel
{
    public DateTimeOffset Now => clock.GetUtcNow();

    public Enterprise Enterprise { get; private set; } = null!;

    public IReadOnlyList<SealView> Seals { get; private set; } = [];

    /// <summary>The binding whose holder was revealed in this response, and the holder in full.</summary>
    public (Guid BindingId, SealHolder Holder)? Revealed { get; private set; }

    public string? RevealError { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? id) =>
        await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostRevealAsync(string? id, string? bindingId)
    {
        if (!await LoadAsync(id))
        {
            return NotFound();
        }

        var row = Guid.TryParse(bindingId, out var b) ? Seals.SelectMany(s => s.History).FirstOrDefault(h => h.Id == b) : null;
        if (row is null)
        {
            RevealError = "未找到该绑定记录，请刷新页面后重试。";
            return Page();
        }

        var actor = User.StaffActor();
        var ct = HttpContext.RequestAborted;
        try
        {
            var holder = await database.InTransactionAsync(
                async s =>
                {
                    var binding = await new BindingRepository(s).GetAsync(row.Id, ct);
                    var revealed = binding is null ? null : BindingRepository.RevealHolder(binding, database.PersonalData);
                    if (revealed is null)
                    {
                        return null;
                    }

                    await new AuditLog(s).AppendAsync(
                        new AuditEvent
                        {
                            Id = Guid.NewGuid(),
                            OccurredAt = clock.GetUtcNow(),
                            Kind = AuditKinds.HolderRevealed,
                            Actor = actor,
                            EnterpriseId = Enterprise.Id,
                            SealId = row.SealId,
                            MediumId = row.MediumId,
                            InstanceId = row.BoundByInstanceId,
                            Data = JsonSerializer.Serialize(new { bindingId = row.Id }),
                        },
                        ct);
                    return revealed;
                },
                ct);
            if (holder is null)
            {
                RevealError = "该绑定记录没有登记持章人信息。";
            }
            else
            {
                Revealed = (row.Id, holder);
            }
        }
        catch (CryptographicException)
        {
            // Nothing was audited (the transaction did not commit): nothing was shown.
            RevealError = "该绑定记录的持章人信息无法解密（可能已被篡改），请联系系统管理员。";
        }

        return Page();
    }

    private async Task<bool> LoadAsync(string? id)
    {
        if (!Guid.TryParse(id, out var enterpriseId))
        {
            return false;
        }

        var ct = HttpContext.RequestAborted;
        var (enterprise, seals, history) = await database.ReadAsync(async s => (
            await new EnterpriseRepository(s).GetAsync(enterpriseId, ct),
            await new SealRepository(s).ListByEnterpriseAsync(enterpriseId, ct),
            await new OperatorQueries(s).BindingHistoryAsync(enterpriseId, ct)));
        if (enterprise is null)
        {
            return false;
        }

        Enterprise = enterprise;
        Seals = seals.Select(seal =>
        {
            var own = history.Where(h => h.SealId == seal.Id).ToList();
            return new SealView(seal, own.FirstOrDefault(h => h.Active), own);
        }).ToList();
        return true;
    }

    public static string ChannelLabel(string channel) => channel switch
    {
        "Kiosk" => "自助终端（Kiosk）",
        "Web" => "网上办理（Web）",
        "Mobile" => "手机端",
        _ => channel,
    };

    public static string UnbindReasonLabel(string? reason) => reason switch
    {
        null => "—",
        "Unbind" => "解绑",
        "ReleasedForRebind" => "改绑其他介质时解除",
        _ => reason,
    };

    /// <summary>A phone's device id, cut so the table shows which phone without spelling the whole id.</summary>
    public static string ShortDeviceId(string deviceId) => OperatorFormat.Short(deviceId, 6, 4);

    public sealed record SealView(Seal Seal, BindingHistoryRow? Current, IReadOnlyList<BindingHistoryRow> History);
}
