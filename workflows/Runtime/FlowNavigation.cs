using ESeal.Workflows.Flowcharts;

namespace ESeal.Workflows.Runtime;

/// <summary>
/// 上一步: a step form posts <see cref="Field"/>=<see cref="Back"/> and the runtime follows the
/// step's <see cref="Ports.Back"/> connection instead of running the step (SPEC §9). The page offers
/// the button only where the definition connects that port.
/// </summary>
public static class FlowNavigation
{
    public const string Field = "navigate";
    public const string Back = "back";

    public static bool IsBack(IReadOnlyDictionary<string, string> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.TryGetValue(Field, out var value) && value == Back;
    }

    /// <summary>Whether the current step of <paramref name="definition"/> has somewhere to go back to.</summary>
    public static bool CanGoBack(FlowDefinition definition, string activityId)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Next(activityId, Ports.Back) is not null;
    }
}
