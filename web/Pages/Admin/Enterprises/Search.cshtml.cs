using ESeal.Db.Admin;
using ESeal.Db.Domain;
using ESeal.Db.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Admin.Enterprises;

/// <summary>
/// 受理员 look an enterprise up by its unified social credit code (exact, any case) or by part of
/// its name. A GET form: the query is in the address, so a result can be bookmarked or reloaded.
/// </summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class SearchModel(Database database) : PageModel
{
    public const int MaxQueryLength = 50;
    public const int MaxResults = 50;
    public const string FieldLabel = "企业名称或统一社会信用代码";

    /// <summary>What was typed, as typed (shown back in the field even when refused).</summary>
    public string? Query { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Null until a valid query was run.</summary>
    public IReadOnlyList<EnterpriseSearchRow>? Results { get; private set; }

    public async Task OnGetAsync(string? q)
    {
        Query = q;
        if (string.IsNullOrWhiteSpace(q))
        {
            return; // an empty query is the page's first state: the hint says what to type
        }

        Error = Validate(q);
        if (Error is not null)
        {
            return;
        }

        var text = q.Trim();
        Results = await database.ReadAsync(s => new OperatorQueries(s).SearchEnterprisesAsync(
            text.ToUpperInvariant(), OperatorQueries.ContainsPattern(text), MaxResults, HttpContext.RequestAborted));
    }

    private static string? Validate(string q)
    {
        if (FreeText.HasHiddenCharacters(q))
        {
            return FieldLabel + FreeText.HiddenCharactersText + "。";
        }

        return new System.Globalization.StringInfo(q.Trim()).LengthInTextElements > MaxQueryLength
            ? $"查询内容不能超过{MaxQueryLength}个字。"
            : null;
    }
}
