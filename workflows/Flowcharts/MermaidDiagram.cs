using System.Text;

namespace ESeal.Workflows.Flowcharts;

/// <summary>A Mermaid flowchart of a definition, for analysts and reviews.</summary>
public static class MermaidDiagram
{
    public static string Render(FlowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var sb = new StringBuilder();
        sb.AppendLine("flowchart TD");
        foreach (var a in definition.Activities)
        {
            var spec = ActivityCatalog.Find(a.Type);
            var title = a.Inputs["title"]?.GetValue<string>();
            var label = Escape($"{spec?.Label ?? a.Type}{(string.IsNullOrEmpty(title) ? string.Empty : "：" + title)}<br/>{a.Id}");
            var node = spec?.Role switch
            {
                ActivityRole.Result => $"([\"{label}\"])",
                ActivityRole.Commit => $"[[\"{label}\"]]",
                ActivityRole.PinProof or ActivityRole.FaceVerification => $"{{{{\"{label}\"}}}}",
                _ => $"[\"{label}\"]",
            };
            sb.Append("    ").Append(a.Id).Append(node).AppendLine();
        }

        foreach (var c in definition.Connections)
        {
            sb.Append("    ").Append(c.SourceActivity).Append(" -->|").Append(c.SourcePort).Append("| ").Append(c.TargetActivity).AppendLine();
        }

        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("\"", "#quot;", StringComparison.Ordinal);
}
