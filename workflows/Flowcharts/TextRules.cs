using System.Globalization;
using System.Text.RegularExpressions;

namespace ESeal.Workflows.Flowcharts;

/// <summary>
/// Texts that describe an input must say what the input does: "连续5次" in a PIN text is the
/// limit, "5秒"/"5s"/"5分钟" in a step's text is one of that step's seconds. And a text may use only
/// the {placeholders} its input declares (anything else would reach the citizen verbatim).
/// </summary>
internal static partial class TextRules
{
    private static readonly Dictionary<char, int> ChineseDigits = new()
    {
        ['一'] = 1, ['二'] = 2, ['两'] = 2, ['三'] = 3, ['四'] = 4, ['五'] = 5, ['六'] = 6, ['七'] = 7, ['八'] = 8, ['九'] = 9, ['十'] = 10,
    };

    public static IEnumerable<ValidationProblem> Check(FlowDefinition d)
    {
        foreach (var a in d.Activities)
        {
            var spec = ActivityCatalog.Find(a.Type)!;
            var name = $"活动「{a.Id}」（{spec.Label}）";
            var seconds = spec.Inputs.Where(i => i.Kind == InputKind.Integer && i.Name.EndsWith("econds", StringComparison.Ordinal)).ToList();
            var limit = spec.Input("limit");
            foreach (var input in spec.Inputs.Where(i => i.Kind == InputKind.Text))
            {
                var text = a.Text(input.Name);
                var field = $"「{input.Label}」（{input.Name}）";
                foreach (var problem in Placeholders(text, input.Placeholders, field))
                {
                    yield return new ValidationProblem(a.Id, $"{name}：{problem}");
                }

                if (limit is not null)
                {
                    foreach (Match m in Consecutive().Matches(text))
                    {
                        var n = Number(m.Groups[1].Value);
                        if (n != a.Integer(limit.Name))
                        {
                            yield return new ValidationProblem(a.Id, $"{name}：{field}写的是“{m.Value}”，但「{limit.Label}」（{limit.Name}）是 {a.Integer(limit.Name)}。请让文字与上限一致。");
                        }
                    }
                }

                if (seconds.Count == 0)
                {
                    continue;
                }

                var values = seconds.Select(i => a.Integer(i.Name)).ToList();
                foreach (Match m in Duration().Matches(text))
                {
                    var n = Number(m.Groups[1].Value);
                    var inSeconds = m.Groups[2].Value == "分钟" ? n * 60 : n;
                    if (!values.Contains(inSeconds))
                    {
                        var inputs = string.Join("、", seconds.Select(i => $"「{i.Label}」（{i.Name}）是 {a.Integer(i.Name)}"));
                        yield return new ValidationProblem(a.Id, $"{name}：{field}写的是“{m.Value}”，但{inputs}。请让文字中的时间与秒数一致，或用占位符代替数字。");
                    }
                }
            }
        }

        foreach (var t in DefinitionTexts.All)
        {
            foreach (var problem in Placeholders(d.Texts.TryGetValue(t.Name, out var v) ? v : string.Empty, t.Placeholders, $"「{t.Label}」（{t.Name}）"))
            {
                yield return new ValidationProblem(null, $"全流程文字：{problem}");
            }
        }
    }

    private static IEnumerable<string> Placeholders(string text, IReadOnlyList<string> allowed, string field)
    {
        foreach (var unknown in Placeholder().Matches(text).Select(m => m.Groups[1].Value).Where(p => !allowed.Contains(p)).Distinct())
        {
            yield return allowed.Count == 0
                ? $"{field}里的“{{{unknown}}}”不是可用的占位符，这段文字不能使用占位符。"
                : $"{field}里的“{{{unknown}}}”不是可用的占位符，可用的有：{string.Join("、", allowed.Select(p => "{" + p + "}"))}。";
        }
    }

    private static int Number(string digits) =>
        digits.Length == 1 && ChineseDigits.TryGetValue(digits[0], out var n) ? n : int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"连续\s*(?<![一二两三四五六七八九十百])(\d{1,4}|[一二两三四五六七八九十])\s*次")]
    private static partial Regex Consecutive();

    [GeneratedRegex(@"(?<![一二两三四五六七八九十百\d])(\d{1,5}|[一二两三四五六七八九十])\s*(秒|分钟|s(?![A-Za-z]))", RegexOptions.IgnoreCase)]
    private static partial Regex Duration();

    [GeneratedRegex(@"\{([A-Za-z][A-Za-z0-9]*)\}")]
    private static partial Regex Placeholder();
}
