using ESeal.Db.Infrastructure;
using ESeal.Db.Receipts;

namespace ESeal.Web.Pages.Receipts;

/// <summary>Finds a receipt by what a URL or a person typed; anything that is not a stored code is simply not found.</summary>
public sealed class ReceiptLookup(Database database)
{
    public async Task<Receipt?> FindAsync(string? typed, CancellationToken ct)
    {
        if (ReceiptCode.Normalize(typed) is not { } code)
        {
            return null;
        }

        return await database.ReadAsync(s => new ReceiptRepository(s).FindAsync(code, ct), ct);
    }
}
