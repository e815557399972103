using System.Globalization;
using ESeal.Db.Admin;
using ESeal.Db.Repositories;
using Microsoft.AspNetCore.Http;

namespace ESeal.Web.Pages.Admin.Audit;

/// <summary>
/// The audit filters as typed (query string of /admin/audit and /admin/audit/export), read into an
/// <see cref="AuditFilter"/>. A bad value gets a message for its own field; the typed values are kept
/// for the form and the links either way.
/// </summary>
public sealed class AuditFilterForm
{
    public const string FromField = "from";
    public const string ToField = "to";
    public const string KindField = "kind";
    public const string EnterpriseField = "enterprise";
    public const string SealField = "seal";
    public const string StaffField = "staff";

    public static IReadOnlyList<string> Fields { get; } = [FromField, ToField, KindField, EnterpriseField, SealField, StaffField];

    private static readonly Dictionary<string, int> MaxLengths = new(StringComparer.Ordinal)
    {
        [FromField] = 32,
        [ToField] = 32,
        [KindField] = 40,
        [EnterpriseField] = 100,
        [SealField] = 64,
        [StaffField] = 100,
    };

    // A date alone, or a date with minutes, or with seconds; "T" as a datetime-local input sends it, or a space as people type it.
    private static readonly (string[] Formats, TimeSpan Step)[] TimeFormats =
    [
        (["yyyy-M-d", "yyyy/M/d"], TimeSpan.FromDays(1)),
        (["yyyy-M-d H:mm", "yyyy-M-d'T'H:mm", "yyyy/M/d H:mm"], TimeSpan.FromMinutes(1)),
        (["yyyy-M-d H:mm:ss", "yyyy-M-d'T'H:mm:ss", "yyyy/M/d H:mm:ss"], TimeSpan.FromSeconds(1)),
    ];

    private AuditFilterForm()
    {
    }

    /// <summary>The typed values by field name (empty when not given).</summary>
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    /// <summary>Remarks that are not errors (e.g. no enterprise matches the text).</summary>
    public Dictionary<string, string> Notes { get; } = new(StringComparer.Ordinal);

    public AuditFilter Filter { get; private set; } = new();

    public bool IsValid => Errors.Count == 0;

    public bool IsEmpty => Values.Values.All(string.IsNullOrEmpty);

    public string Value(string field) => Values.GetValueOrDefault(field, string.Empty);

    public static AuditFilterForm Read(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var form = new AuditFilterForm();
        foreach (var field in Fields)
        {
            var values = query[field];
            var text = values.Count > 0 ? values[0] ?? string.Empty : string.Empty;
            form.Values[field] = text.Trim();
            if (values.Count > 1)
            {
                form.Errors[field] = "该条件只能填写一个值。";
            }
            else if (text.Length > MaxLengths[field])
            {
                form.Errors[field] = $"不能超过{MaxLengths[field]}个字符。";
            }
            else if (text.Any(char.IsControl))
            {
                form.Errors[field] = "含有不可见的控制字符，请删除后重试。";
                form.Values[field] = new string(text.Where(c => !char.IsControl(c)).ToArray()).Trim();
            }
        }

        form.Filter = form.Parse();
        return form;
    }

    /// <summary>The filters as query-string pairs (only those given), for links that keep them.</summary>
    public IEnumerable<KeyValuePair<string, string?>> QueryPairs() =>
        Fields.Where(f => !string.IsNullOrEmpty(Value(f))).Select(f => new KeyValuePair<string, string?>(f, Value(f)));

    public string Url(string path, params (string Key, string Value)[] extra) =>
        path + QueryString.Create(QueryPairs().Concat(extra.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)))).ToUriComponent();

    /// <summary>What the export's audit event records of the filters.</summary>
    public Dictionary<string, string> Described() => QueryPairs().ToDictionary(p => p.Key, p => p.Value ?? string.Empty, StringComparer.Ordinal);

    private AuditFilter Parse()
    {
        var filter = new AuditFilter();
        if (Usable(FromField) is { } fromText)
        {
            if (ParseTime(fromText, FromField) is { } from)
            {
                filter = filter with { From = from.Start };
            }
        }

        if (Usable(ToField) is { } toText)
        {
            if (ParseTime(toText, ToField) is { } to)
            {
                filter = filter with { Until = to.Start + to.Step };
            }
        }

        if (filter.From is { } start && filter.Until is { } end && end <= start)
        {
            Errors[ToField] = "结束时间不能早于开始时间。";
            filter = filter with { Until = null };
        }

        if (Usable(KindField) is { } kind)
        {
            if (AuditKinds.All.Contains(kind, StringComparer.Ordinal))
            {
                filter = filter with { Kind = kind };
            }
            else
            {
                Errors[KindField] = "未知的事件类型，请从列表中选择。";
            }
        }

        if (Usable(EnterpriseField) is { } enterprise)
        {
            filter = Guid.TryParse(enterprise, out var enterpriseId)
                ? filter with { EnterpriseId = enterpriseId }
                : filter with { EnterpriseText = enterprise };
        }

        if (Usable(SealField) is { } seal)
        {
            filter = Guid.TryParse(seal, out var sealId) ? filter with { SealId = sealId } : filter with { SealCode = seal };
        }

        if (Usable(StaffField) is { } staff)
        {
            filter = filter with { Actors = ActorsOf(staff) };
        }

        return filter;
    }

    /// <summary>
    /// A full actor ("flow:bind-usbkey") is matched as it is; a bare name as the back office
    /// ("staff:"), the ops CLI's operator options ("operator:") and the CLI's OS user ("cli:") write it.
    /// </summary>
    private static List<string> ActorsOf(string staff)
    {
        if (staff.Contains(':', StringComparison.Ordinal))
        {
            return [staff];
        }

        var names = new[] { staff, staff.ToLowerInvariant() }.Distinct(StringComparer.Ordinal);
        return names.SelectMany(n => new[] { "staff:" + n, "operator:" + n, "cli:" + n }).ToList();
    }

    private string? Usable(string field) => Errors.ContainsKey(field) || string.IsNullOrEmpty(Value(field)) ? null : Value(field);

    private (DateTimeOffset Start, TimeSpan Step)? ParseTime(string text, string field)
    {
        foreach (var (formats, step) in TimeFormats)
        {
            if (DateTime.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                if (local.Year is < 2000 or > 2100)
                {
                    Errors[field] = "时间超出可查询的范围（2000年至2100年）。";
                    return null;
                }

                return (new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), AuditText.BeijingOffset), step);
            }
        }

        Errors[field] = "请按“2026-03-01”或“2026-03-01 08:30”的格式填写（北京时间）。";
        return null;
    }
}
