using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ESeal.Db.Domain;
using ESeal.Db.Flows;
using ESeal.Db.Infrastructure;
using ESeal.Workflows.Activities;
using ESeal.Workflows.Flowcharts;

namespace ESeal.Workflows.Runtime;

/// <summary>
/// Runs Elsa-shaped flowcharts one step per request: load → check owner, step token, timer →
/// run the activity's handler → follow the outcome port, running non-user activities (commits)
/// on until the next user step → save with an optimistic-concurrency check (row version), with the
/// handlers' deferred writes, in one transaction. Handlers run outside that transaction so that a
/// commit (its own transaction, idempotent by instance id) never waits on the instance row.
/// </summary>
public sealed class FlowRuntime : IFlowRuntime
{
    private const int MaxAutomaticSteps = 50;
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private readonly Database database;
    private readonly FlowDefinitionStore definitions;
    private readonly TimeProvider clock;
    private readonly FlowSettings settings;
    private readonly Dictionary<string, IActivityHandler> handlers;
    private readonly ConditionalWeakTable<FlowActivity, object> typedInputs = new();
    private readonly ConditionalWeakTable<FlowDefinition, FlowStageMap> stages = new();

    public FlowRuntime(Database database, FlowDefinitionStore definitions, TimeProvider clock, FlowSettings settings, IEnumerable<IActivityHandler> handlers)
    {
        this.database = database;
        this.definitions = definitions;
        this.clock = clock;
        this.settings = settings;
        this.handlers = handlers.ToDictionary(h => h.Type, StringComparer.Ordinal);
        var missing = ActivityCatalog.All.Where(s => !this.handlers.ContainsKey(s.Type)).Select(s => s.Type).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"No handler for {string.Join(", ", missing)}.");
        }
    }

    /// <summary>Keys the web may set at start (from server-side facts, never from a form).</summary>
    public static readonly IReadOnlySet<string> InitialKeys = new HashSet<string>(["enterpriseId", "sealId", "deviceId", "channel", "kioskId", "kioskHall", "kioskName", "returnUrl"], StringComparer.Ordinal);

    public async Task<FlowView> StartAsync(string definitionId, string ownerSession, IReadOnlyDictionary<string, string>? initial = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ownerSession);
        var definition = await definitions.GetLatestPublishedAsync(definitionId, ct)
            ?? throw new InvalidOperationException($"No published version of flow '{definitionId}'.");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in initial ?? new Dictionary<string, string>())
        {
            if (!InitialKeys.Contains(key))
            {
                throw new ArgumentException($"'{key}' cannot be set when a flow starts; allowed: {string.Join(", ", InitialKeys)}.", nameof(initial));
            }

            values[key] = value;
        }

        var id = Guid.NewGuid();
        var now = clock.GetUtcNow();
        var variables = new FlowVariables(values);
        var state = new State(definition.Start, null, variables, new List<Func<DbSession, Task>>());
        await EnterAsync(id, ownerSession, definition, state, now, ct);
        var status = await RunOnAsync(id, ownerSession, definition, state, now, ct);
        ForgetPersonalDataIfEnded(status, variables);
        var row = new FlowInstanceRow
        {
            Id = id,
            DefinitionId = definition.DefinitionId,
            DefinitionVersion = definition.Version,
            Status = status,
            CurrentActivityId = state.Activity.Id,
            StepToken = NewToken(),
            OwnerSession = ownerSession,
            Variables = JsonSerializer.Serialize(values),
            NotBefore = state.NotBefore,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = IdleLimit(definition, variables, now),
        };
        await database.InTransactionAsync(
            async s =>
            {
                await new FlowInstanceRepository(s).InsertAsync(row, ct);
                foreach (var write in state.Deferred)
                {
                    await write(s);
                }

                return 0;
            },
            ct);
        return await ViewAsync(row with { Version = 1 }, definition, ct);
    }

    public async Task<FlowRead> GetAsync(Guid instanceId, string ownerSession, CancellationToken ct = default)
    {
        var row = await LoadAsync(instanceId, ct);
        if (row is null || !SameOwner(row, ownerSession))
        {
            var reason = row is null ? RefusalReason.NotFound : RefusalReason.OtherOwner;
            var texts = row is null ? DefinitionTexts.Defaults : (await DefinitionOf(row, ct)).Texts;
            return new FlowRead(null, reason, DefinitionTexts.For(texts, reason)) { Texts = texts };
        }

        var definition = await DefinitionOf(row, ct);
        if (IsIdlePastLimit(row, clock.GetUtcNow()))
        {
            await EndRowAsync(row, FlowStatus.Expired, ct);
            row = row with { Status = FlowStatus.Expired };
        }

        if (row.Status is FlowStatus.Expired or FlowStatus.Abandoned)
        {
            // A flow left alone or ended by its visitor shows nothing of itself, only that it has ended
            // (a finished one keeps its result page, which shows the masked facts of what was done).
            var reason = row.Status == FlowStatus.Expired ? RefusalReason.IdleExpired : RefusalReason.Finished;
            return new FlowRead(null, reason, DefinitionTexts.For(definition.Texts, reason)) { Texts = definition.Texts };
        }

        return new FlowRead(await ViewAsync(row, definition, ct), RefusalReason.None, null);
    }

    public async Task<ResumeResult> ResumeAsync(Guid instanceId, string ownerSession, string stepToken, IReadOnlyDictionary<string, string> input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var row = await LoadAsync(instanceId, ct);
        var now = clock.GetUtcNow();
        var refusal = Check(row, ownerSession, stepToken, now);
        if (refusal == RefusalReason.IdleExpired)
        {
            await EndRowAsync(row!, FlowStatus.Expired, ct);
        }

        if (refusal != RefusalReason.None)
        {
            return ResumeResult.Refuse(refusal, row is null ? null : (await DefinitionOf(row, ct)).Texts);
        }

        var definition = await DefinitionOf(row!, ct);
        var activity = definition.Activity(row!.CurrentActivityId!)!;
        var values = Parse(row.Variables);
        var variables = new FlowVariables(values);
        var context = Context(row.Id, ownerSession, definition, activity, input, variables, now, row.NotBefore, ct);

        // 上一步 follows the step's Back port where the definition connects one; the step's own
        // handler does not run (nothing of this step is taken), the step it leads to is entered anew.
        var result = FlowNavigation.IsBack(input) && definition.Next(activity.Id, Ports.Back) is not null
            ? StepResult.Next(Ports.Back)
            : await handlers[activity.Type].RunAsync(context);

        if (result.Port is null)
        {
            // Stay on this step. Save only what the handler changed (a consumed nonce, a wrong-PIN
            // count, a face retry); the step token stays so the page can go on.
            if (context.Changed)
            {
                var stayRow = row with { Variables = JsonSerializer.Serialize(values), NotBefore = context.NotBefore, UpdatedAt = now, ExpiresAt = IdleLimit(definition, variables, now) };
                if (!await SaveAsync(stayRow, row.Version, context.Deferred, ct))
                {
                    return ResumeResult.Refuse(RefusalReason.ConcurrentChange, definition.Texts);
                }

                row = stayRow with { Version = row.Version + 1 };
            }

            return new ResumeResult(ResumeKind.Stay, RefusalReason.None, result.Message, result.StayCode, result.FieldErrors, await ViewAsync(row, definition, ct));
        }

        var state = new State(activity, context.NotBefore, variables, context.Deferred.ToList());
        var status = await FollowAsync(row.Id, ownerSession, definition, state, result.Port, now, ct);
        var ended = ForgetPersonalDataIfEnded(status, variables);
        var next = row with
        {
            Status = status,
            CurrentActivityId = state.Activity.Id,
            StepToken = NewToken(),
            Variables = JsonSerializer.Serialize(values),
            NotBefore = state.NotBefore,
            UpdatedAt = now,
            ExpiresAt = IdleLimit(definition, variables, now),
        };
        if (!await SaveAsync(next, row.Version, state.Deferred, ct))
        {
            return ResumeResult.Refuse(RefusalReason.ConcurrentChange, definition.Texts);
        }

        if (ended)
        {
            // The erased values are still in earlier WAL frames; best effort now, the minutely job retries.
            await database.TruncateWriteAheadLogAsync(ct);
        }

        return new ResumeResult(ResumeKind.Advanced, RefusalReason.None, null, null, new Dictionary<string, string>(), await ViewAsync(next with { Version = row.Version + 1 }, definition, ct));
    }

    public async Task<PinChallengeResult> IssuePinChallengeAsync(Guid instanceId, string ownerSession, string stepToken, CancellationToken ct = default)
    {
        var row = await LoadAsync(instanceId, ct);
        var now = clock.GetUtcNow();
        var refusal = Check(row, ownerSession, stepToken, now);
        if (refusal == RefusalReason.IdleExpired)
        {
            await EndRowAsync(row!, FlowStatus.Expired, ct);
        }

        var definition = refusal == RefusalReason.None ? await DefinitionOf(row!, ct) : null;
        var activity = definition?.Activity(row!.CurrentActivityId!);
        if (refusal == RefusalReason.None && activity?.Type != ActivityCatalog.PinProof)
        {
            refusal = RefusalReason.NotThisStep;
        }

        if (refusal != RefusalReason.None)
        {
            var texts = definition?.Texts ?? (row is null ? DefinitionTexts.Defaults : (await DefinitionOf(row, ct)).Texts);
            return new PinChallengeResult(refusal, DefinitionTexts.For(texts, refusal), null, null, null, null, null, 0, false);
        }

        var values = Parse(row!.Variables);
        var variables = new FlowVariables(values);
        var context = Context(row.Id, ownerSession, definition!, activity!, new Dictionary<string, string>(), variables, now, row.NotBefore, ct);
        var challenge = await Activities.PinProof.PinProofHandler.IssueAsync(context);
        if (context.Changed && !await SaveAsync(row with { Variables = JsonSerializer.Serialize(values), UpdatedAt = now, ExpiresAt = IdleLimit(definition!, variables, now) }, row.Version, context.Deferred, ct))
        {
            return new PinChallengeResult(RefusalReason.ConcurrentChange, DefinitionTexts.For(definition!.Texts, RefusalReason.ConcurrentChange), null, null, null, null, null, 0, false);
        }

        return challenge;
    }

    public async Task<bool> EndAsync(Guid instanceId, string ownerSession, CancellationToken ct = default)
    {
        var row = await LoadAsync(instanceId, ct);
        if (row is null || !SameOwner(row, ownerSession) || row.Status != FlowStatus.Running)
        {
            return false;
        }

        return await EndRowAsync(row, IsIdlePastLimit(row, clock.GetUtcNow()) ? FlowStatus.Expired : FlowStatus.Abandoned, ct);
    }

    public async Task<bool> KeepAliveAsync(Guid instanceId, string ownerSession, CancellationToken ct = default)
    {
        var row = await LoadAsync(instanceId, ct);
        var now = clock.GetUtcNow();
        if (row is null || !SameOwner(row, ownerSession) || row.Status != FlowStatus.Running)
        {
            return false;
        }

        if (IsIdlePastLimit(row, now))
        {
            await EndRowAsync(row, FlowStatus.Expired, ct);
            return false;
        }

        var definition = await DefinitionOf(row, ct);
        return await database.InTransactionAsync(s => new FlowInstanceRepository(s).KeepAliveAsync(row.Id, now, IdleLimit(definition, new FlowVariables(Parse(row.Variables)), now), ct), ct);
    }

    /// <summary>
    /// When the server stops accepting steps: the definition's idle seconds for this channel (a
    /// kiosk's are short, SPEC §9), the warning's countdown and a little grace. Every save and every
    /// 继续办理 moves it on; the minutely job expires what is past it.
    /// </summary>
    private DateTimeOffset IdleLimit(FlowDefinition definition, FlowVariables variables, DateTimeOffset now)
    {
        var idle = DefinitionTexts.Number(definition.Texts, variables["channel"] == "Kiosk" ? DefinitionTexts.KioskIdleSeconds : DefinitionTexts.DesktopIdleSeconds);
        return now.AddSeconds(idle + DefinitionTexts.Number(definition.Texts, DefinitionTexts.IdleWarningSeconds) + settings.IdleGraceSeconds);
    }

    private static bool IsIdlePastLimit(FlowInstanceRow row, DateTimeOffset now) => row.Status == FlowStatus.Running && row.ExpiresAt <= now;

    /// <summary>Ends a running instance (Abandoned or Expired), erasing its personal data in the same statement.</summary>
    private async Task<bool> EndRowAsync(FlowInstanceRow row, string status, CancellationToken ct)
    {
        var ended = await database.InTransactionAsync(s => new FlowInstanceRepository(s).EndAsync(row.Id, status, clock.GetUtcNow(), FlowVars.ForgetPersonal(row.Variables), row.Version, ct), ct);
        if (ended)
        {
            // As at any end: the erased values are still in earlier WAL frames; best effort now, the minutely job retries.
            await database.TruncateWriteAheadLogAsync(ct);
        }

        return ended;
    }

    /// <summary>
    /// An instance that ends forgets the holder's personal data in the same save (same transaction)
    /// that records its end; see <see cref="FlowVars.Personal"/>.
    /// </summary>
    private static bool ForgetPersonalDataIfEnded(string status, FlowVariables variables) =>
        status != FlowStatus.Running && FlowVars.ForgetPersonal(variables);

    private static RefusalReason Check(FlowInstanceRow? row, string ownerSession, string stepToken, DateTimeOffset now)
    {
        if (row is null)
        {
            return RefusalReason.NotFound;
        }

        if (!SameOwner(row, ownerSession))
        {
            return RefusalReason.OtherOwner;
        }

        if (row.Status != FlowStatus.Running)
        {
            return RefusalReason.Finished;
        }

        if (IsIdlePastLimit(row, now))
        {
            return RefusalReason.IdleExpired;
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(row.StepToken), Encoding.ASCII.GetBytes(stepToken ?? string.Empty)))
        {
            return RefusalReason.StaleStep;
        }

        return row.NotBefore is { } notBefore && now < notBefore ? RefusalReason.TooEarly : RefusalReason.None;
    }

    private static bool SameOwner(FlowInstanceRow row, string ownerSession) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(row.OwnerSession), Encoding.UTF8.GetBytes(ownerSession ?? string.Empty));

    private sealed class State(FlowActivity activity, DateTimeOffset? notBefore, FlowVariables variables, List<Func<DbSession, Task>> deferred)
    {
        public FlowActivity Activity { get; set; } = activity;

        public DateTimeOffset? NotBefore { get; set; } = notBefore;

        public FlowVariables Variables { get; } = variables;

        public List<Func<DbSession, Task>> Deferred { get; } = deferred;
    }

    private async Task<string> FollowAsync(Guid id, string owner, FlowDefinition definition, State state, string port, DateTimeOffset now, CancellationToken ct)
    {
        var connection = definition.Next(state.Activity.Id, port)
            ?? throw new InvalidOperationException($"Activity '{state.Activity.Id}' has no connection for port '{port}'.");
        state.Activity = definition.Activity(connection.TargetActivity)!;
        state.NotBefore = null;
        await EnterAsync(id, owner, definition, state, now, ct);
        return await RunOnAsync(id, owner, definition, state, now, ct);
    }

    private async Task EnterAsync(Guid id, string owner, FlowDefinition definition, State state, DateTimeOffset now, CancellationToken ct)
    {
        var context = Context(id, owner, definition, state.Activity, new Dictionary<string, string>(), state.Variables, now, state.NotBefore, ct);
        await handlers[state.Activity.Type].EnterAsync(context);
        state.NotBefore = context.NotBefore;
        state.Deferred.AddRange(context.Deferred);
    }

    /// <summary>Runs activities that need no user until a user step; returns the instance status.</summary>
    private async Task<string> RunOnAsync(Guid id, string owner, FlowDefinition definition, State state, DateTimeOffset now, CancellationToken ct)
    {
        for (var i = 0; i < MaxAutomaticSteps; i++)
        {
            var spec = ActivityCatalog.Find(state.Activity.Type)!;
            if (spec.Role == ActivityRole.Result)
            {
                return state.Activity.Text("kind") == "failure" ? FlowStatus.Failed : FlowStatus.Completed;
            }

            if (spec.IsUserStep)
            {
                return FlowStatus.Running;
            }

            var context = Context(id, owner, definition, state.Activity, new Dictionary<string, string>(), state.Variables, now, state.NotBefore, ct);
            var result = await handlers[state.Activity.Type].RunAsync(context);
            state.Deferred.AddRange(context.Deferred);
            var connection = definition.Next(state.Activity.Id, result.Port ?? Ports.Failed)
                ?? throw new InvalidOperationException($"Activity '{state.Activity.Id}' has no connection for port '{result.Port}'.");
            state.Activity = definition.Activity(connection.TargetActivity)!;
            state.NotBefore = null;
            await EnterAsync(id, owner, definition, state, now, ct);
        }

        throw new InvalidOperationException($"Flow {definition.DefinitionId} ran {MaxAutomaticSteps} activities without a user step.");
    }

    private StepContext Context(Guid id, string owner, FlowDefinition definition, FlowActivity activity, IReadOnlyDictionary<string, string> input, FlowVariables variables, DateTimeOffset now, DateTimeOffset? notBefore, CancellationToken ct) =>
        new(id, owner, definition, activity, InputsOf(activity), input, variables, now, notBefore, database, ct);

    private object InputsOf(FlowActivity activity) =>
        typedInputs.GetValue(activity, a => a.Inputs.Deserialize(handlers[a.Type].InputsType, Web)!);

    private async Task<FlowView> ViewAsync(FlowInstanceRow row, FlowDefinition definition, CancellationToken ct)
    {
        var activity = definition.Activity(row.CurrentActivityId!)!;
        var values = Parse(row.Variables);
        var context = Context(row.Id, row.OwnerSession, definition, activity, new Dictionary<string, string>(), new FlowVariables(values), clock.GetUtcNow(), row.NotBefore, ct);
        var data = await handlers[activity.Type].DescribeAsync(context);
        var safe = values.Where(kv => !kv.Key.StartsWith('_')).ToDictionary(kv => kv.Key, kv => kv.Key switch
        {
            "holderIdNumber" => Masking.IdNumber(kv.Value),
            "holderPhone" => Masking.Phone(kv.Value),
            _ => kv.Value,
        });
        return new FlowView(row.Id, row.DefinitionId, row.DefinitionVersion, row.Status, activity.Id, activity.Type, InputsOf(activity), safe, row.StepToken, row.NotBefore, data)
        {
            Texts = definition.Texts,
            Stages = stages.GetValue(definition, FlowStages.Of),
            CanGoBack = row.Status == FlowStatus.Running && FlowNavigation.CanGoBack(definition, activity.Id),
        };
    }

    private async Task<FlowDefinition> DefinitionOf(FlowInstanceRow row, CancellationToken ct) =>
        await definitions.GetPublishedAsync(row.DefinitionId, row.DefinitionVersion, ct)
        ?? throw new InvalidOperationException($"Flow {row.DefinitionId} v{row.DefinitionVersion} is missing.");

    private Task<FlowInstanceRow?> LoadAsync(Guid id, CancellationToken ct) =>
        database.ReadAsync(s => new FlowInstanceRepository(s).GetAsync(id, ct), ct);

    private async Task<bool> SaveAsync(FlowInstanceRow row, int expectedVersion, IReadOnlyList<Func<DbSession, Task>> deferred, CancellationToken ct)
    {
        // Defence in depth behind FlowVariables: no variable may be named like a PIN. Only the keys
        // are checked; a holder or key label that happens to read "PIN" is ordinary data.
        using (var variables = System.Text.Json.JsonDocument.Parse(row.Variables))
        {
            if (variables.RootElement.EnumerateObject().Any(p => FlowVariables.IsForbiddenKey(p.Name)))
            {
                throw new InvalidOperationException("Refusing to store a PIN in flow variables.");
            }
        }

        await using var session = await database.BeginAsync(ct);
        if (!await new FlowInstanceRepository(session).UpdateAsync(row, expectedVersion, ct))
        {
            return false; // disposing rolls back
        }

        foreach (var write in deferred)
        {
            await write(session);
        }

        await session.CommitAsync(ct);
        return true;
    }

    private static Dictionary<string, string> Parse(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? new Dictionary<string, string>(StringComparer.Ordinal);

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
}
