using System.Text.Json;
using ESeal.Db.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ESeal.Web.Infrastructure;

/// <summary>/health: is the database reachable, and which one is it.</summary>
internal sealed class DatabaseHealthCheck(Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["provider"] = database.Dialect.Provider.ToString() };
        try
        {
            return await database.PingAsync(cancellationToken)
                ? HealthCheckResult.Healthy("database reachable", data)
                : HealthCheckResult.Unhealthy("database gave an unexpected answer", data: data);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("database unreachable", ex, data);
        }
    }

    public static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
