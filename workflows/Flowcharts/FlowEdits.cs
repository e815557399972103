using System.Globalization;
using System.Text.Json.Nodes;

namespace ESeal.Workflows.Flowcharts;

/// <summary>
/// Changes an analyst makes to the order of a flow, on the definition JSON. They only rewire the
/// Done connections along the steps; whether the result is allowed is for
/// <see cref="DefinitionValidator"/> to say (removing the face step before a commit is refused there).
/// </summary>
public static class FlowEdits
{
    /// <summary>Types an analyst may insert: user steps with the single port Done, so the new step needs no further wiring.</summary>
    public static IReadOnlyList<ActivitySpec> Insertable =>
        ActivityCatalog.All.Where(s => s.IsUserStep && s.Role != ActivityRole.Result && s.Ports is [Ports.Done]).ToList();

    /// <summary>Sets one input (a JSON value) of one activity; false when the activity is missing.</summary>
    public static bool SetInput(JsonObject root, string activityId, string input, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (Activity(root, activityId) is not { } a)
        {
            return false;
        }

        a[input] = value;
        return true;
    }

    /// <summary>Swaps a step with the one before it (up) or after it (down) on the Done path.</summary>
    public static string? Move(JsonObject root, string activityId, bool up)
    {
        ArgumentNullException.ThrowIfNull(root);
        var connections = Connections(root);
        var first = up ? Predecessor(connections, activityId) : activityId;
        var second = up ? activityId : Target(connections, activityId, Ports.Done);
        if (first is null || second is null || Target(connections, first, Ports.Done) != second)
        {
            return up ? "这是第一步，不能再上移。" : "这是最后一步，不能再下移。";
        }

        // p → first → second → n   becomes   p → second → first → n
        var p = Predecessor(connections, first);
        var n = Target(connections, second, Ports.Done);
        foreach (var c in connections.OfType<JsonObject>())
        {
            var source = (string?)c["source"]?["activity"];
            var port = (string?)c["source"]?["port"];
            if (port != Ports.Done)
            {
                continue;
            }

            if (source == p && p is not null)
            {
                c["target"]!["activity"] = second;
            }
            else if (source == second)
            {
                c["target"]!["activity"] = first;
            }
        }

        var firstDone = connections.OfType<JsonObject>().First(c => (string?)c["source"]?["activity"] == first && (string?)c["source"]?["port"] == Ports.Done);
        if (n is null)
        {
            connections.Remove(firstDone);
        }
        else
        {
            firstDone["target"]!["activity"] = n;
        }

        if (n is null && Target(connections, second, Ports.Done) is null)
        {
            connections.Add(Connection(second, Ports.Done, first));
        }

        return null;
    }

    /// <summary>Removes a step; whatever pointed at it now points at its Done successor.</summary>
    public static string? Remove(JsonObject root, string activityId)
    {
        ArgumentNullException.ThrowIfNull(root);
        var activities = root["root"]?["activities"] as JsonArray;
        var a = Activity(root, activityId);
        if (activities is null || a is null)
        {
            return "没有这个步骤，可能已被删除。";
        }

        var connections = Connections(root);
        var next = Target(connections, activityId, Ports.Done);
        foreach (var c in connections.OfType<JsonObject>().ToList())
        {
            if ((string?)c["source"]?["activity"] == activityId)
            {
                connections.Remove(c);
            }
            else if ((string?)c["target"]?["activity"] == activityId)
            {
                if (next is null)
                {
                    connections.Remove(c);
                }
                else
                {
                    c["target"]!["activity"] = next;
                }
            }
        }

        activities.Remove(a);
        return null;
    }

    /// <summary>Inserts a new step of <paramref name="type"/> (catalog defaults) after <paramref name="afterId"/>.</summary>
    public static string? InsertAfter(JsonObject root, string afterId, string type, out string? newId)
    {
        ArgumentNullException.ThrowIfNull(root);
        newId = null;
        var spec = Insertable.FirstOrDefault(s => s.Type == type);
        if (spec is null)
        {
            return "请选择要添加的步骤类型。";
        }

        var activities = root["root"]?["activities"] as JsonArray;
        if (activities is null || Activity(root, afterId) is null)
        {
            return "没有这个步骤，可能已被删除。";
        }

        var baseName = char.ToLowerInvariant(type["ESeal.".Length]) + type["ESeal.".Length..][1..];
        var id = baseName;
        for (var i = 2; Activity(root, id) is not null; i++)
        {
            id = baseName + i.ToString(CultureInfo.InvariantCulture);
        }

        var activity = new JsonObject { ["id"] = id, ["type"] = type };
        foreach (var input in spec.Inputs)
        {
            activity[input.Name] = input.DefaultNode();
        }

        var index = activities.IndexOf(Activity(root, afterId));
        activities.Insert(index + 1, activity);
        var connections = Connections(root);
        var done = connections.OfType<JsonObject>().FirstOrDefault(c => (string?)c["source"]?["activity"] == afterId && (string?)c["source"]?["port"] == Ports.Done);
        if (done is null)
        {
            connections.Add(Connection(afterId, Ports.Done, id));
        }
        else
        {
            connections.Add(Connection(id, Ports.Done, (string)done["target"]!["activity"]!));
            done["target"]!["activity"] = id;
        }

        newId = id;
        return null;
    }

    private static JsonObject? Activity(JsonObject root, string id) =>
        (root["root"]?["activities"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(a => (string?)a["id"] == id);

    private static JsonArray Connections(JsonObject root)
    {
        var flow = root["root"]!.AsObject();
        if (flow["connections"] is not JsonArray connections)
        {
            connections = [];
            flow["connections"] = connections;
        }

        return connections;
    }

    private static string? Target(JsonArray connections, string source, string port) =>
        connections.OfType<JsonObject>().Where(c => (string?)c["source"]?["activity"] == source && (string?)c["source"]?["port"] == port)
            .Select(c => (string?)c["target"]?["activity"]).FirstOrDefault();

    private static string? Predecessor(JsonArray connections, string target) =>
        connections.OfType<JsonObject>().Where(c => (string?)c["target"]?["activity"] == target && (string?)c["source"]?["port"] == Ports.Done)
            .Select(c => (string?)c["source"]?["activity"]).FirstOrDefault();

    private static JsonObject Connection(string source, string port, string target) => new()
    {
        ["source"] = new JsonObject { ["activity"] = source, ["port"] = port },
        ["target"] = new JsonObject { ["activity"] = target, ["port"] = "In" },
    };
}
