using System.Globalization;
using System.Text.Json.Nodes;
using NJsonSchema.Validation;

namespace ESeal.Workflows.Flowcharts;

/// <summary>One reason a definition is refused, in words an analyst understands.</summary>
public sealed record ValidationProblem(string? ActivityId, string Message)
{
    public override string ToString() => Message;
}

public sealed record ValidationReport(FlowDefinition? Definition, IReadOnlyList<ValidationProblem> Problems)
{
    public bool IsValid => Definition is not null && Problems.Count == 0;
}

/// <summary>
/// Schema (NJsonSchema) for the shape and input ranges, then C# for the graph and the security
/// invariants of ARCHITECTURE §3. Messages are Chinese: the analysts who edit flows read them.
/// </summary>
public static class DefinitionValidator
{
    public static ValidationReport Validate(string json)
    {
        var problems = new List<ValidationProblem>();
        var root = FlowDefinitionJson.Normalise(json, out var parseError);
        if (root is null)
        {
            return new ValidationReport(null, [new ValidationProblem(null, parseError!)]);
        }

        foreach (var e in DefinitionSchemas.ValidateEnvelope(root))
        {
            problems.Add(new ValidationProblem(null, $"流程定义的结构不正确：{Describe(e)}"));
        }

        if (problems.Count > 0)
        {
            return new ValidationReport(null, problems);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in root["root"]!["activities"]!.AsArray().OfType<JsonObject>())
        {
            var id = a["id"]!.GetValue<string>();
            var type = a["type"]!.GetValue<string>();
            if (!seen.Add(id))
            {
                problems.Add(new ValidationProblem(id, $"活动「{id}」：有两个活动使用了同一个编号，每个活动的编号必须不同。"));
            }

            var spec = ActivityCatalog.Find(type);
            if (spec is null)
            {
                problems.Add(new ValidationProblem(id, $"活动「{id}」：类型「{type}」不存在。可用的类型有：{string.Join("、", ActivityCatalog.All.Select(s => s.Type))}。"));
                continue;
            }

            foreach (var e in DefinitionSchemas.ValidateActivity(spec, a))
            {
                problems.Add(new ValidationProblem(id, $"活动「{id}」（{spec.Label}）：{DescribeInput(spec, a, e)}"));
            }
        }

        foreach (var e in DefinitionSchemas.ValidateTexts(root[DefinitionTexts.Property]))
        {
            problems.Add(new ValidationProblem(null, $"全流程文字（{DefinitionTexts.Property}）：{DescribeText(root[DefinitionTexts.Property], e)}"));
        }

        if (problems.Count > 0)
        {
            return new ValidationReport(null, problems);
        }

        var definition = FlowDefinitionJson.ToModel(root);
        problems.AddRange(TextRules.Check(definition));
        problems.AddRange(CheckGraph(definition));
        return new ValidationReport(definition, problems);
    }

    private static string Name(FlowDefinition d, string id) =>
        d.Activity(id) is { } a && ActivityCatalog.Find(a.Type) is { } s ? $"活动「{id}」（{s.Label}）" : $"活动「{id}」";

    internal static List<ValidationProblem> CheckGraph(FlowDefinition d)
    {
        var problems = new List<ValidationProblem>();
        var specs = d.Activities.ToDictionary(a => a.Id, a => ActivityCatalog.Find(a.Type)!);

        foreach (var c in d.Connections)
        {
            if (!specs.TryGetValue(c.SourceActivity, out var source))
            {
                problems.Add(new ValidationProblem(c.SourceActivity, $"有一条连线从「{c.SourceActivity}」出发，但流程中没有这个活动。"));
            }
            else if (!source.Ports.Contains(c.SourcePort))
            {
                var ports = source.Ports.Count == 0 ? "它是终点，没有出口" : $"它的出口只有：{string.Join("、", source.Ports)}";
                problems.Add(new ValidationProblem(c.SourceActivity, $"{Name(d, c.SourceActivity)}：没有名为「{c.SourcePort}」的出口，{ports}。"));
            }

            if (!specs.ContainsKey(c.TargetActivity))
            {
                problems.Add(new ValidationProblem(c.SourceActivity, $"{Name(d, c.SourceActivity)}：出口「{c.SourcePort}」连到了「{c.TargetActivity}」，但流程中没有这个活动。"));
            }

            if (c.TargetPort is not (null or "" or "In"))
            {
                problems.Add(new ValidationProblem(c.TargetActivity, $"{Name(d, c.TargetActivity)}：连线的目标入口应为「In」（或不写），现在是「{c.TargetPort}」。"));
            }
        }

        foreach (var group in d.Connections.GroupBy(c => (c.SourceActivity, c.SourcePort)).Where(g => g.Count() > 1))
        {
            problems.Add(new ValidationProblem(group.Key.SourceActivity, $"{Name(d, group.Key.SourceActivity)}：出口「{group.Key.SourcePort}」连到了多个下一步（{string.Join("、", group.Select(c => c.TargetActivity))}），每个出口只能有一个下一步。"));
        }

        foreach (var a in d.Activities)
        {
            foreach (var port in specs[a.Id].Ports.Where(p => d.Next(a.Id, p) is null && !specs[a.Id].OptionalPorts.Contains(p)))
            {
                problems.Add(new ValidationProblem(a.Id, $"{Name(d, a.Id)}：出口「{port}」没有连到任何下一步。"));
            }
        }

        if (problems.Count > 0)
        {
            return problems; // the remaining checks need a sound graph
        }

        var next = d.Activities.ToDictionary(a => a.Id, a => d.Connections.Where(c => c.SourceActivity == a.Id).Select(c => c.TargetActivity).Distinct().ToList());
        var starts = d.Activities.Where(a => d.Connections.All(c => c.TargetActivity != a.Id)).Select(a => a.Id).ToList();
        if (starts.Count != 1)
        {
            problems.Add(new ValidationProblem(null, starts.Count == 0
                ? "流程没有起点：每个活动都有连线指向它。必须恰好有一个没有任何连线指向的活动作为第一步。"
                : $"流程有 {starts.Count} 个起点（{string.Join("、", starts.Select(s => $"「{s}」"))}都没有连线指向它们）。必须恰好有一个起点，请把多余的活动连入流程或删除。"));
            return problems;
        }

        var start = starts[0];
        var reachable = Reach(start, next, _ => true);
        foreach (var a in d.Activities.Where(a => !reachable.Contains(a.Id)))
        {
            problems.Add(new ValidationProblem(a.Id, $"{Name(d, a.Id)}：从起点「{start}」无法到达这个活动，用户永远不会经过它。"));
        }

        var results = d.Activities.Where(a => specs[a.Id].Role == ActivityRole.Result).Select(a => a.Id).ToHashSet();
        if (results.Count == 0)
        {
            problems.Add(new ValidationProblem(null, "流程中没有结果页（ESeal.Result），每条路径都必须以结果页结束。"));
        }
        else
        {
            var previous = d.Activities.ToDictionary(a => a.Id, a => d.Connections.Where(c => c.TargetActivity == a.Id).Select(c => c.SourceActivity).ToList());
            var reachesResult = new HashSet<string>(results);
            var queue = new Queue<string>(results);
            while (queue.Count > 0)
            {
                foreach (var p in previous[queue.Dequeue()].Where(reachesResult.Add))
                {
                    queue.Enqueue(p);
                }
            }

            foreach (var a in d.Activities.Where(a => reachable.Contains(a.Id) && !reachesResult.Contains(a.Id)))
            {
                problems.Add(new ValidationProblem(a.Id, $"{Name(d, a.Id)}：从这里出发的路径到不了任何结果页（ESeal.Result），用户会被困在流程中。"));
            }
        }

        // 上一步 goes back to a page the visitor has already passed: a user step (not a proof, a
        // commit or a result) from which the flow leads forward to this one again.
        foreach (var back in d.Connections.Where(c => c.SourcePort == Ports.Back))
        {
            if (specs[back.TargetActivity].Role != ActivityRole.UserStep || !Reach(back.TargetActivity, next, _ => true).Contains(back.SourceActivity) || back.TargetActivity == back.SourceActivity)
            {
                problems.Add(new ValidationProblem(back.SourceActivity, $"{Name(d, back.SourceActivity)}：出口「{Ports.Back}」（上一步）连到了{Name(d, back.TargetActivity)}，但上一步只能回到此前经过的普通页面（不能是PIN码验证、身份验证、提交或结果页，也不能是自己）。"));
            }
        }

        foreach (var cycle in AutomaticCycles(d, specs, next))
        {
            problems.Add(new ValidationProblem(cycle[0], $"{Name(d, cycle[0])}：{string.Join(" → ", cycle.Append(cycle[0]).Select(id => $"「{id}」"))} 构成一个没有任何用户操作的循环，流程会原地空转。请在循环中加入一个需要用户操作的步骤，或去掉这个循环。"));
        }

        foreach (var commit in d.Activities.Where(a => specs[a.Id].Role == ActivityRole.Commit))
        {
            var guards = new List<(ActivityRole Role, string What)>();
            if (specs[commit.Id].RequiresPinProof)
            {
                guards.Add((ActivityRole.PinProof, "PIN码验证（ESeal.PinProof）"));
            }

            guards.Add((ActivityRole.FaceVerification, "法定代表人身份验证（ESeal.LegalRepFaceVerification）"));
            foreach (var (role, what) in guards)
            {
                var path = PathAvoiding(start, commit.Id, next, id => specs[id].Role != role);
                if (path is not null)
                {
                    problems.Add(new ValidationProblem(commit.Id, $"{Name(d, commit.Id)}：存在一条不经过{what}就能到达这里的路径（{string.Join(" → ", path.Select(id => $"「{id}」"))}）。每条通往提交的路径都必须先通过{what}。"));
                }
            }
        }

        problems.AddRange(OrderOfProofs(d, start, specs, next));
        return problems;
    }

    /// <summary>
    /// The PIN proof signs a context naming the token, certificate and seal, and choosing a key,
    /// certificate or seal again forgets it: so the choices come before the proof, none of them
    /// between the proof and the commit, and every step agrees on what the flow does.
    /// </summary>
    private static IEnumerable<ValidationProblem> OrderOfProofs(FlowDefinition d, string start, IReadOnlyDictionary<string, ActivitySpec> specs, Dictionary<string, List<string>> next)
    {
        string[] choices = [ActivityCatalog.DetectKey, ActivityCatalog.ChooseCertificate, ActivityCatalog.ChooseSeal];
        var pins = d.Activities.Where(a => a.Type == ActivityCatalog.PinProof).ToList();
        foreach (var pin in pins)
        {
            foreach (var needed in new[] { (ActivityCatalog.ChooseCertificate, "选择证书（ESeal.ChooseCertificate）"), (ActivityCatalog.ChooseSeal, "选择印章（ESeal.ChooseSeal）") })
            {
                if (PathAvoiding(start, pin.Id, next, id => specs[id].Type != needed.Item1) is { } path)
                {
                    yield return new ValidationProblem(pin.Id, $"{Name(d, pin.Id)}：存在一条没有先经过{needed.Item2}就到达PIN码验证的路径（{string.Join(" → ", path.Select(id => $"「{id}」"))}）。PIN码验证签名的内容包含所选的USBKEY、证书和印章，必须在选择之后进行。");
                }
            }

            var afterPin = Reach(pin.Id, next, id => specs[id].Type != ActivityCatalog.PinProof);
            foreach (var choice in d.Activities.Where(a => choices.Contains(a.Type) && afterPin.Contains(a.Id)))
            {
                var toCommit = Reach(choice.Id, next, id => specs[id].Type != ActivityCatalog.PinProof);
                if (d.Activities.Any(c => specs[c.Id].Role == ActivityRole.Commit && toCommit.Contains(c.Id)))
                {
                    yield return new ValidationProblem(choice.Id, $"{Name(d, choice.Id)}：位于PIN码验证「{pin.Id}」与提交之间。重新选择USBKEY、证书或印章会使已完成的PIN码验证失效，提交必然失败；请把它移到PIN码验证之前。");
                }
            }
        }

        var commitPurpose = d.Activities.Select(a => a.Type switch
        {
            ActivityCatalog.CommitBind => "bind",
            ActivityCatalog.CommitUnbind => "unbind",
            ActivityCatalog.ClaimOnMobile => "claim",
            _ => null,
        }).OfType<string>().Distinct().ToList();
        if (commitPurpose is not [var purpose])
        {
            yield break; // none, or several kinds of commit: other rules speak of that
        }

        foreach (var a in d.Activities)
        {
            var declared = a.Type switch
            {
                ActivityCatalog.DetectKey or ActivityCatalog.ChooseSeal => a.Text("purpose"),
                ActivityCatalog.PinProof => a.Text("action"),
                _ => null,
            };
            if (declared is not null && declared != purpose)
            {
                yield return new ValidationProblem(a.Id, $"{Name(d, a.Id)}：用途是「{declared}」，但本流程提交的是「{purpose}」。同一流程中各步骤的用途（purpose/action）必须与提交一致。");
            }
        }
    }

    private static HashSet<string> Reach(string from, Dictionary<string, List<string>> next, Func<string, bool> allowed)
    {
        var seen = new HashSet<string> { from };
        var queue = new Queue<string>([from]);
        while (queue.Count > 0)
        {
            foreach (var n in next[queue.Dequeue()].Where(n => allowed(n) && seen.Add(n)))
            {
                queue.Enqueue(n);
            }
        }

        return seen;
    }

    /// <summary>A path from start to target through allowed activities only (BFS), or null.</summary>
    private static List<string>? PathAvoiding(string start, string target, Dictionary<string, List<string>> next, Func<string, bool> allowed)
    {
        if (!allowed(start))
        {
            return null;
        }

        var parent = new Dictionary<string, string?> { [start] = null };
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var at = queue.Dequeue();
            if (at == target)
            {
                var path = new List<string>();
                for (string? p = at; p is not null; p = parent[p])
                {
                    path.Add(p);
                }

                path.Reverse();
                return path;
            }

            foreach (var n in next[at].Where(n => (allowed(n) || n == target) && !parent.ContainsKey(n)))
            {
                parent[n] = at;
                queue.Enqueue(n);
            }
        }

        return null;
    }

    /// <summary>Cycles made only of activities that run without the user (they would spin).</summary>
    private static List<List<string>> AutomaticCycles(FlowDefinition d, Dictionary<string, ActivitySpec> specs, Dictionary<string, List<string>> next)
    {
        var cycles = new List<List<string>>();
        var state = new Dictionary<string, int>();
        var stack = new List<string>();
        foreach (var a in d.Activities.Where(a => !specs[a.Id].IsUserStep))
        {
            Visit(a.Id);
        }

        return cycles;

        void Visit(string id)
        {
            state[id] = 1;
            stack.Add(id);
            foreach (var n in next[id].Where(n => !specs[n].IsUserStep))
            {
                if (!state.TryGetValue(n, out var s))
                {
                    Visit(n);
                }
                else if (s == 1)
                {
                    cycles.Add(stack.Skip(stack.IndexOf(n)).ToList());
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[id] = 2;
        }
    }

    private static string Describe(ValidationError e)
    {
        var where = string.IsNullOrEmpty(e.Path) ? "文件顶层" : e.Path.TrimStart('#', '/');
        return e.Kind switch
        {
            ValidationErrorKind.PropertyRequired => $"「{where}」缺少必填项「{e.Property}」。",
            ValidationErrorKind.PatternMismatch => $"「{where}」的写法不符合要求（编号只能用字母、数字、下划线和短横线）。",
            ValidationErrorKind.NotInEnumeration => $"「{where}」的值不在允许的范围内（流程图类型应为 Elsa.Flowchart）。",
            ValidationErrorKind.TooFewItems => $"「{where}」至少要有一项。",
            _ => $"「{where}」不正确（{e.Kind}）。",
        };
    }

    private static string DescribeText(JsonNode? block, ValidationError e)
    {
        var name = e.Property ?? string.Empty;
        var text = DefinitionTexts.Find(name);
        var label = text is { } t ? $"「{t.Label}」（{name}）" : $"「{name}」";
        var value = (block as JsonObject)?[name]?.ToJsonString() ?? "空";
        return e.Kind switch
        {
            ValidationErrorKind.NumberTooSmall => $"{label}不能小于 {text?.Min?.ToString(CultureInfo.InvariantCulture)}，现在是 {value}。",
            ValidationErrorKind.NumberTooBig => $"{label}不能大于 {text?.Max?.ToString(CultureInfo.InvariantCulture)}，现在是 {value}。",
            ValidationErrorKind.IntegerExpected => $"{label}应是一个整数，现在是 {value}。",
            ValidationErrorKind.NoAdditionalPropertiesAllowed => $"没有名为「{name}」的文字，请检查拼写。可用的有：{string.Join("、", DefinitionTexts.All.Select(i => i.Name))}。",
            ValidationErrorKind.StringExpected => $"{label}应是一段文字（用双引号括起来）。",
            ValidationErrorKind.StringTooLong => $"{label}太长了（最多500个字）。",
            ValidationErrorKind.ObjectExpected => "应是一个对象（{ \"名称\": \"文字\" }）。",
            _ => $"{label}不正确（{e.Kind}）。",
        };
    }

    private static string DescribeInput(ActivitySpec spec, JsonObject activity, ValidationError e)
    {
        var name = e.Property ?? string.Empty;
        var input = spec.Input(name);
        var label = input is null ? $"「{name}」" : $"「{input.Label}」（{name}）";
        var value = activity[name]?.ToJsonString() ?? "空";
        return e.Kind switch
        {
            ValidationErrorKind.NoAdditionalPropertiesAllowed => $"没有名为「{name}」的输入，请检查拼写。这个类型的输入有：{string.Join("、", spec.Inputs.Select(i => i.Name))}。",
            ValidationErrorKind.NumberTooSmall => $"{label}不能小于 {input?.Min?.ToString(CultureInfo.InvariantCulture)}，现在是 {value}。",
            ValidationErrorKind.NumberTooBig => $"{label}不能大于 {input?.Max?.ToString(CultureInfo.InvariantCulture)}，现在是 {value}。",
            ValidationErrorKind.IntegerExpected => $"{label}应是一个整数，现在是 {value}。",
            ValidationErrorKind.StringExpected => $"{label}应是一段文字（用双引号括起来），现在是 {value}。",
            ValidationErrorKind.BooleanExpected => $"{label}应是 true 或 false，现在是 {value}。",
            ValidationErrorKind.NotInEnumeration => $"{label}只能是 {string.Join("、", input?.Choices ?? [])} 之一，现在是 {value}。",
            ValidationErrorKind.StringTooLong => $"{label}太长了（最多500个字）。",
            _ => $"{label}不正确（{e.Kind}）。",
        };
    }
}
