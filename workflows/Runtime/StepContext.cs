using ESeal.Db.Infrastructure;
using ESeal.Workflows.Flowcharts;

namespace ESeal.Workflows.Runtime;

/// <summary>What a step did: follow a port, or stay on the same activity (with reasons).</summary>
public sealed record StepResult(string? Port, string? StayCode, string? Message, IReadOnlyDictionary<string, string> FieldErrors)
{
    private static readonly Dictionary<string, string> None = new();

    public static StepResult Next(string port) => new(port, null, null, None);

    public static StepResult Stay(string code, string? message = null, IReadOnlyDictionary<string, string>? fieldErrors = null) =>
        new(null, code, message, fieldErrors ?? None);

    public static StepResult Invalid(IReadOnlyDictionary<string, string> fieldErrors) => new(null, "Invalid", null, fieldErrors);
}

/// <summary>
/// Flow variables: strings only, never a PIN. Keys starting with "_" are internal (nonce, ticket
/// state) and are not shown to pages.
/// </summary>
public sealed class FlowVariables
{
    private static readonly HashSet<string> ForbiddenKeys = new(["pin", "pinCode", "pin_code", "password"], StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> values;

    public FlowVariables(Dictionary<string, string> values) => this.values = values;

    /// <summary>True for a name that would hold a PIN.</summary>
    public static bool IsForbiddenKey(string key) => ForbiddenKeys.Contains(key);

    public bool Changed { get; private set; }

    public IReadOnlyDictionary<string, string> All => values;

    public string? this[string key]
    {
        get => values.TryGetValue(key, out var v) ? v : null;
        set
        {
            if (ForbiddenKeys.Contains(key))
            {
                throw new InvalidOperationException($"Variable '{key}' would hold a PIN; a PIN is never stored.");
            }

            if (value is null)
            {
                Changed |= values.Remove(key);
            }
            else if (!values.TryGetValue(key, out var old) || old != value)
            {
                values[key] = value;
                Changed = true;
            }
        }
    }

    public Guid? Guid(string key) => System.Guid.TryParse(this[key], out var g) ? g : null;

    public string Required(string key) => this[key] ?? throw new InvalidOperationException($"Flow variable '{key}' is missing: the definition skipped the step that sets it.");
}

/// <summary>Everything a handler may use. Writes that must be atomic with the step go through <see cref="OnSave"/>.</summary>
public sealed class StepContext
{
    private readonly List<Func<DbSession, Task>> deferred = [];

    internal StepContext(Guid instanceId, string ownerSession, FlowDefinition definition, FlowActivity activity, object inputs, IReadOnlyDictionary<string, string> input, FlowVariables variables, DateTimeOffset now, DateTimeOffset? notBefore, Database database, CancellationToken ct)
    {
        InstanceId = instanceId;
        OwnerSession = ownerSession;
        Definition = definition;
        Activity = activity;
        Inputs = inputs;
        Input = input;
        Variables = variables;
        Now = now;
        NotBefore = notBefore;
        Database = database;
        CancellationToken = ct;
    }

    public Guid InstanceId { get; }

    public string OwnerSession { get; }

    public FlowDefinition Definition { get; }

    public FlowActivity Activity { get; }

    public object Inputs { get; }

    /// <summary>What the page posted for this step (empty for activities that run on their own).</summary>
    public IReadOnlyDictionary<string, string> Input { get; }

    public FlowVariables Variables { get; }

    public DateTimeOffset Now { get; }

    private DateTimeOffset? notBefore;

    /// <summary>Server-checked timer: a resume earlier than this is refused.</summary>
    public DateTimeOffset? NotBefore
    {
        get => notBefore;
        set
        {
            NotBeforeChanged |= notBefore != value;
            notBefore = value;
        }
    }

    internal bool NotBeforeChanged { get; private set; }

    public Database Database { get; }

    public CancellationToken CancellationToken { get; }

    internal IReadOnlyList<Func<DbSession, Task>> Deferred => deferred;

    internal bool Changed => Variables.Changed || NotBeforeChanged || deferred.Count > 0;

    public T InputsAs<T>() => (T)Inputs;

    public string? Posted(string field) => Input.TryGetValue(field, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    public bool PostedFlag(string field) => string.Equals(Posted(field), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs inside the transaction that saves this step, only if the save wins.</summary>
    public void OnSave(Func<DbSession, Task> write) => deferred.Add(write);

    /// <summary>A short read in its own transaction.</summary>
    public Task<T> ReadAsync<T>(Func<DbSession, Task<T>> read) => Database.ReadAsync(read, CancellationToken);
}

/// <summary>One activity type's behaviour. Lives in Activities/&lt;Type&gt;/; knows nothing of HTTP.</summary>
public interface IActivityHandler
{
    string Type { get; }

    Type InputsType { get; }

    /// <summary>Runs when the activity becomes current (set timers, issue tickets).</summary>
    Task EnterAsync(StepContext context);

    /// <summary>A user step handles the posted input; other activities run on at once.</summary>
    Task<StepResult> RunAsync(StepContext context);

    /// <summary>Data the page needs beyond the inputs and variables (lists, states), or null.</summary>
    Task<object?> DescribeAsync(StepContext context);
}

public abstract class ActivityHandler<TInputs> : IActivityHandler
{
    public abstract string Type { get; }

    public Type InputsType => typeof(TInputs);

    public virtual Task EnterAsync(StepContext context) => Task.CompletedTask;

    public abstract Task<StepResult> RunAsync(StepContext context);

    public virtual Task<object?> DescribeAsync(StepContext context) => Task.FromResult<object?>(null);
}
