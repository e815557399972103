using ESeal.Db.Admin;
using ESeal.Db.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Audit;

/// <summary>One audit event with every column, its data readable, and its neighbours in the chain.</summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class AuditEventModel(Database database) : PageModel
{
    public AuditRow Event { get; private set; } = new();

    public long? PreviousSeq { get; private set; }

    public long? NextSeq { get; private set; }

    /// <summary>A seq as it appears in a URL: 1 to 19 ASCII digits, positive.</summary>
    public static bool TryParseSeq(string? text, out long seq)
    {
        seq = 0;
        return text is { Length: > 0 and <= 19 } && text.All(char.IsAsciiDigit)
            && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out seq) && seq > 0;
    }

    public async Task<IActionResult> OnGetAsync(string? seq)
    {
        if (!TryParseSeq(seq, out var number))
        {
            return NotFound();
        }

        var ct = HttpContext.RequestAborted;
        var found = await database.ReadAsync(
            async s =>
            {
                var queries = new AuditQueries(s);
                var row = await queries.GetAsync(number, ct);
                if (row is null)
                {
                    return false;
                }

                Event = row;
                PreviousSeq = await queries.PreviousSeqAsync(number, ct);
                NextSeq = await queries.NextSeqAsync(number, ct);
                return true;
            },
            ct);
        return found ? Page() : NotFound();
    }
}
