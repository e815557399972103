using System.Globalization;

namespace ESeal.Web.Pages.Admin.Enterprises;

/// <summary>How the operator's pages (enterprises, PIN locks, outbox) show instants and codes.</summary>
public static class OperatorFormat
{
    /// <summary>Said once per page, next to the first time shown.</summary>
    public const string ZoneNote = "页面中的时间均为北京时间（UTC+8）。";

    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    public static string Time(DateTimeOffset? at) =>
        at is { } t ? t.ToOffset(Beijing).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "—";

    /// <summary>A long identifier cut for a table cell: the start and the end, the full value in the title.</summary>
    public static string Short(string? value, int head = 8, int tail = 4) =>
        value is null ? "—" : value.Length <= head + tail + 1 ? value : $"{value[..head]}…{value[^tail..]}";
}
