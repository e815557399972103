using System.Text.Json;
using ESeal.Db.Flows;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Benchmarks.Pages.Bench;

/// <summary>
/// A bare Razor page hosted (benchmark only) in the same web app: it runs exactly the reads of the
/// ChooseSeal step's load — the flow_instances row by id, then the enterprise's seals — through
/// the same repositories, each in its own transaction as the runtime does, and renders a list.
/// No owner check, no definition, no antiforgery, no layout, no progress indicator.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class BareModel(Database database) : PageModel
{
    public FlowInstanceRow? Instance { get; private set; }

    public IReadOnlyList<Seal> Seals { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        Instance = await database.InTransactionAsync(s => new FlowInstanceRepository(s).GetAsync(id, ct), ct);
        if (Instance is null)
        {
            return NotFound();
        }

        var variables = JsonSerializer.Deserialize<Dictionary<string, string>>(Instance.Variables) ?? [];
        if (variables.TryGetValue("enterpriseId", out var e) && Guid.TryParse(e, out var enterpriseId))
        {
            Seals = await database.InTransactionAsync(s => new SealRepository(s).ListByEnterpriseAsync(enterpriseId, ct), ct);
        }

        return Page();
    }
}
