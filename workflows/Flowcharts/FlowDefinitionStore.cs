using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ESeal.Db.Flows;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;

namespace ESeal.Workflows.Flowcharts;

public sealed record PublishOutcome(ValidationReport Report, int? Version, bool Changed, string Message);

public sealed record FlowDraftStatus(int Version, string Author, DateTimeOffset CreatedAt);

/// <summary>One definition for `flows status`; ShippedDiffers is null when no file of that id ships.</summary>
public sealed record FlowDefinitionStatus(string DefinitionId, int? PublishedVersion, IReadOnlyList<FlowDraftStatus> Drafts, bool? ShippedDiffers);

/// <summary>
/// Drafts and published versions in the database. Publishing validates; a published version is
/// never changed (a change becomes a new version), so an instance can always finish on the version
/// it started with. Every change is audited (FlowDefinitionChanged).
/// </summary>
public sealed class FlowDefinitionStore(Database database, TimeProvider clock)
{
    // Published versions are immutable, so caching them forever is safe.
    private readonly ConcurrentDictionary<(string, int), FlowDefinition> published = new();

    public async Task<FlowDefinition?> GetPublishedAsync(string definitionId, int version, CancellationToken ct = default)
    {
        if (published.TryGetValue((definitionId, version), out var cached))
        {
            return cached;
        }

        var row = await database.ReadAsync(s => new FlowDefinitionRepository(s).GetAsync(definitionId, version, ct), ct);
        return row is { IsPublished: true } ? Cache(row) : null;
    }

    public async Task<FlowDefinition?> GetLatestPublishedAsync(string definitionId, CancellationToken ct = default)
    {
        var row = await database.ReadAsync(s => new FlowDefinitionRepository(s).LatestPublishedAsync(definitionId, ct), ct);
        return row is null ? null : Cache(row);
    }

    /// <summary>Any stored version, draft or published (for export and preview); null when there is none or it no longer parses.</summary>
    public async Task<FlowDefinition?> GetVersionAsync(string definitionId, int version, CancellationToken ct = default)
    {
        var row = await database.ReadAsync(s => new FlowDefinitionRepository(s).GetAsync(definitionId, version, ct), ct);
        return row is null ? null : row.IsPublished ? Cache(row) : DefinitionValidator.Validate(row.Json).Definition;
    }

    public Task<IReadOnlyList<FlowDefinitionRow>> ListVersionsAsync(string definitionId, CancellationToken ct = default) =>
        database.ReadAsync(s => new FlowDefinitionRepository(s).ListVersionsAsync(definitionId, ct), ct);

    /// <summary>Every definition with a stored version (for the back office's flow list).</summary>
    public Task<IReadOnlyList<string>> ListDefinitionIdsAsync(CancellationToken ct = default) =>
        database.ReadAsync(s => new FlowDefinitionRepository(s).DefinitionIdsAsync(ct), ct);

    /// <summary>One stored version, draft or published, as its parsed definition (null when missing or no longer parses).</summary>
    public async Task<(FlowDefinitionRow Row, FlowDefinition? Definition)?> GetVersionWithRowAsync(string definitionId, int version, CancellationToken ct = default)
    {
        var row = await database.ReadAsync(s => new FlowDefinitionRepository(s).GetAsync(definitionId, version, ct), ct);
        return row is null ? null : (row, row.IsPublished ? Cache(row) : DefinitionValidator.Validate(row.Json).Definition);
    }

    /// <summary>Stores a draft (shape checked; the full rules are applied on publish).</summary>
    public async Task<PublishOutcome> SaveDraftAsync(string json, string actor, CancellationToken ct = default)
    {
        var report = DefinitionValidator.Validate(json);
        if (report.Definition is null)
        {
            return new PublishOutcome(report, null, false, "草稿未保存：流程定义的结构有误。");
        }

        var d = report.Definition;
        return await database.InTransactionAsync(async s =>
        {
            var repo = new FlowDefinitionRepository(s);
            var latest = await repo.LatestAsync(d.DefinitionId, ct);
            var now = clock.GetUtcNow();
            int version;
            if (latest is { IsPublished: false })
            {
                version = latest.Version;
                await repo.UpdateDraftAsync(d.DefinitionId, version, d.Name, FlowDefinitionJson.WithVersion(d.Json, version, false), ct);
            }
            else
            {
                version = (latest?.Version ?? 0) + 1;
                await repo.InsertAsync(Row(d, version, false, actor, now), ct);
            }

            await AuditAsync(s, actor, now, d, version, "draft", ct);
            return new PublishOutcome(report, version, true, $"已保存草稿 {d.DefinitionId} 第{version}版。");
        }, ct);
    }

    /// <summary>Validates and publishes: a new version unless the newest published one says exactly the same.</summary>
    public async Task<PublishOutcome> PublishAsync(string json, string actor, CancellationToken ct = default)
    {
        var report = DefinitionValidator.Validate(json);
        if (!report.IsValid)
        {
            return new PublishOutcome(report, null, false, "未发布：流程定义未通过检查。");
        }

        var d = report.Definition!;
        return await database.InTransactionAsync(async s =>
        {
            var repo = new FlowDefinitionRepository(s);
            var latest = await repo.LatestAsync(d.DefinitionId, ct);
            var latestPublished = latest is { IsPublished: true } ? latest : await repo.LatestPublishedAsync(d.DefinitionId, ct);
            if (latestPublished is not null && Same(latestPublished.Json, d.Json))
            {
                return new PublishOutcome(report, latestPublished.Version, false, $"{d.DefinitionId} 第{latestPublished.Version}版与文件内容相同，无需发布。");
            }

            var now = clock.GetUtcNow();
            int version;
            if (latest is { IsPublished: false })
            {
                version = latest.Version;
                await repo.PublishAsync(d.DefinitionId, version, FlowDefinitionJson.WithVersion(d.Json, version, true), now, ct);
            }
            else
            {
                version = Math.Max(d.Version, (latest?.Version ?? 0) + 1);
                await repo.InsertAsync(Row(d, version, true, actor, now), ct);
            }

            await AuditAsync(s, actor, now, d, version, "published", ct);
            return new PublishOutcome(report, version, true, $"已发布 {d.DefinitionId} 第{version}版。");
        }, ct);
    }

    /// <summary>The author of drafts that come from a changed shipped file.</summary>
    public const string ShippedAuthor = "shipped";

    /// <summary>
    /// Shipped files seed an empty database: a definition with no stored version is published as
    /// shipped. Afterwards a shipped file never replaces what analysts published: when it says
    /// something no stored version says, it arrives as a draft authored <see cref="ShippedAuthor"/>
    /// for review (replacing an older shipped draft, never an analyst's draft).
    /// </summary>
    public async Task<IReadOnlyList<string>> ImportShippedAsync(string actor = "system", CancellationToken ct = default)
    {
        var messages = new List<string>();
        foreach (var (name, json) in ShippedDefinitions.All())
        {
            var report = DefinitionValidator.Validate(json);
            if (!report.IsValid)
            {
                throw new InvalidOperationException($"Shipped definition {name} is invalid: {string.Join(" ", report.Problems)}");
            }

            var d = report.Definition!;
            var message = await database.InTransactionAsync(async s =>
            {
                var repo = new FlowDefinitionRepository(s);
                var versions = await repo.ListVersionsAsync(d.DefinitionId, ct);
                var now = clock.GetUtcNow();
                if (versions.Count == 0)
                {
                    await repo.InsertAsync(Row(d, d.Version, true, actor, now), ct);
                    await AuditAsync(s, actor, now, d, d.Version, "imported", ct);
                    return $"已导入 {d.DefinitionId} 第{d.Version}版（{name}）。";
                }

                if (versions.Any(v => Same(v.Json, d.Json)))
                {
                    return null; // already stored (published, rolled back or offered before)
                }

                var latest = versions[^1];
                if (latest is { IsPublished: false } && latest.CreatedBy != ShippedAuthor)
                {
                    return $"{d.DefinitionId}：随程序发布的定义（{name}）有变化，但已有 {latest.CreatedBy} 的草稿第{latest.Version}版，未改动草稿；请用 flows status 查看。";
                }

                int version;
                if (latest is { IsPublished: false })
                {
                    version = latest.Version;
                    await repo.UpdateDraftAsync(d.DefinitionId, version, d.Name, FlowDefinitionJson.WithVersion(d.Json, version, false), ct);
                }
                else
                {
                    version = latest.Version + 1;
                    await repo.InsertAsync(Row(d, version, false, ShippedAuthor, now), ct);
                }

                await AuditAsync(s, ShippedAuthor, now, d, version, "shipped-draft", ct);
                return $"{d.DefinitionId}：随程序发布的定义（{name}）与已发布版本不同，已保存为草稿第{version}版，待审核后发布。";
            }, ct);
            if (message is not null)
            {
                messages.Add(message);
            }
        }

        return messages;
    }

    /// <summary>An Elsa 3 export (or our own JSON) stored as a draft: shape checked now, every rule on publish.</summary>
    public Task<PublishOutcome> ImportDraftAsync(string json, string actor, CancellationToken ct = default) =>
        SaveDraftAsync(ElsaJson.Import(json), actor, ct);

    /// <summary>Per definition (shipped or stored): the published version, the drafts, and whether the shipped file says something else.</summary>
    public async Task<IReadOnlyList<FlowDefinitionStatus>> StatusAsync(CancellationToken ct = default)
    {
        var shipped = ShippedDefinitions.All()
            .Select(f => DefinitionValidator.Validate(f.Json).Definition)
            .OfType<FlowDefinition>()
            .ToDictionary(d => d.DefinitionId, StringComparer.Ordinal);
        var ids = await database.ReadAsync(s => new FlowDefinitionRepository(s).DefinitionIdsAsync(ct), ct);
        var result = new List<FlowDefinitionStatus>();
        foreach (var id in ids.Union(shipped.Keys).Order(StringComparer.Ordinal))
        {
            var versions = await ListVersionsAsync(id, ct);
            var published = versions.LastOrDefault(v => v.IsPublished);
            var drafts = versions.Where(v => !v.IsPublished).Select(v => new FlowDraftStatus(v.Version, v.CreatedBy, v.CreatedAt)).ToList();
            bool? shippedDiffers = shipped.TryGetValue(id, out var file) ? published is null || !Same(published.Json, file.Json) : null;
            result.Add(new FlowDefinitionStatus(id, published?.Version, drafts, shippedDiffers));
        }

        return result;
    }

    private FlowDefinition Cache(FlowDefinitionRow row)
    {
        return published.GetOrAdd((row.DefinitionId, row.Version), _ =>
        {
            var report = DefinitionValidator.Validate(row.Json);
            return report.Definition ?? throw new InvalidOperationException($"Stored definition {row.DefinitionId} v{row.Version} no longer parses: {string.Join(" ", report.Problems)}");
        });
    }

    private static FlowDefinitionRow Row(FlowDefinition d, int version, bool isPublished, string actor, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid(),
        DefinitionId = d.DefinitionId,
        Version = version,
        Name = d.Name,
        IsPublished = isPublished,
        Json = FlowDefinitionJson.WithVersion(d.Json, version, isPublished),
        CreatedAt = now,
        CreatedBy = actor,
        PublishedAt = isPublished ? now : null,
    };

    // Compares what the flow does, not its version stamp. Both sides are normalised again, so a
    // version stored before an input existed equals a file that leaves that input at its default.
    private static bool Same(string storedJson, string json) => Canonical(storedJson) == Canonical(json);

    private static string? Canonical(string json) =>
        DefinitionValidator.Validate(json).Definition is { } d ? FlowDefinitionJson.WithVersion(d.Json, 1, true) : null;

    private static Task AuditAsync(DbSession s, string actor, DateTimeOffset now, FlowDefinition d, int version, string action, CancellationToken ct) =>
        new AuditLog(s).AppendAsync(
            new AuditEvent
            {
                Id = Guid.NewGuid(),
                OccurredAt = now,
                Kind = AuditKinds.FlowDefinitionChanged,
                Actor = actor,
                Data = JsonSerializer.Serialize(new { definitionId = d.DefinitionId, version, action, sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(d.Json))) }),
            },
            ct);
}

/// <summary>The definitions shipped in workflows/definitions (embedded in the assembly).</summary>
public static class ShippedDefinitions
{
    public const string UsbKeyBind = "usbkey-bind";
    public const string UsbKeyUnbind = "usbkey-unbind";
    public const string MobileClaim = "mobile-claim";

    public static IEnumerable<(string Name, string Json)> All()
    {
        var assembly = typeof(ShippedDefinitions).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("ESeal.Workflows.definitions.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (name["ESeal.Workflows.definitions.".Length..], reader.ReadToEnd());
        }
    }

    public static string Json(string definitionId) => All().First(d => d.Name == definitionId + ".json").Json;
}
