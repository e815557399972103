namespace ESeal.Workflows;

/// <summary>Replaced by the flow runtime (issue: flows as data).</summary>
internal static class FlowsPlaceholder
{
}
