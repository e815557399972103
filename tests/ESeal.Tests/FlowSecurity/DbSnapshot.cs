using System.Text;
using Microsoft.Data.Sqlite;

namespace ESeal.Tests.FlowSecurity;

/// <summary>
/// What an attack must not change, read straight from the SQLite file: the instance row (step,
/// step token, variables, timer, row version) and the business tables (seals, bindings, media,
/// audit events, PIN lockouts, outbox, committed operations).
/// </summary>
public sealed record DbSnapshot(
    string? CurrentActivity,
    string Status,
    string StepToken,
    string Variables,
    string? NotBefore,
    long RowVersion,
    string Business,
    long AuditCount,
    string PinLockouts)
{
    public static DbSnapshot Read(string databasePath, Guid instanceId)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        string? activity = null, status = "", token = "", variables = "", notBefore = null;
        long version = 0;
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT current_activity_id, status, step_token, variables, not_before, version FROM flow_instances WHERE lower(id) = lower($id)";
            cmd.Parameters.AddWithValue("$id", instanceId.ToString("D"));
            using var r = cmd.ExecuteReader();
            if (r.Read())
            {
                activity = r.IsDBNull(0) ? null : r.GetString(0);
                status = r.GetString(1);
                token = r.GetString(2);
                variables = r.GetString(3);
                notBefore = r.IsDBNull(4) ? null : r.GetString(4);
                version = r.GetInt64(5);
            }
        }

        var business = new StringBuilder();
        business.AppendLine(Rows(connection, "SELECT id, status, version FROM seals ORDER BY id"));
        business.AppendLine(Rows(connection, "SELECT id, seal_id, medium_id, active, version FROM seal_bindings ORDER BY id"));
        business.AppendLine(Rows(connection, "SELECT count(*) FROM media"));
        business.AppendLine(Rows(connection, "SELECT count(*) FROM outbox"));
        business.AppendLine(Rows(connection, "SELECT count(*) FROM committed_operations"));
        business.AppendLine(Rows(connection, "SELECT count(*) FROM receipts"));
        var audit = long.Parse(Rows(connection, "SELECT count(*) FROM audit_events"), System.Globalization.CultureInfo.InvariantCulture);
        var lockouts = Rows(connection, "SELECT counter_key, failed_attempts, locked_at, version FROM pin_counters ORDER BY counter_key");
        return new DbSnapshot(activity, status, token, variables, notBefore, version, business.ToString(), audit, lockouts);
    }

    /// <summary>The same step and business state; the instance's variables may differ (e.g. a consumed nonce).</summary>
    public void AssertSameStepAndBusiness(DbSnapshot after)
    {
        ArgumentNullException.ThrowIfNull(after);
        Assert.Equal(CurrentActivity, after.CurrentActivity);
        Assert.Equal(Status, after.Status);
        Assert.Equal(StepToken, after.StepToken);
        Assert.Equal(Business, after.Business);
        Assert.Equal(AuditCount, after.AuditCount);
        Assert.Equal(PinLockouts, after.PinLockouts);
    }

    /// <summary>No seal, binding, medium, audit event, outbox row or PIN count changed (the flow itself may have moved on).</summary>
    public void AssertSameBusiness(DbSnapshot after, string what)
    {
        ArgumentNullException.ThrowIfNull(after);
        Assert.True(Business == after.Business, $"{what}: seals, bindings, media or outbox changed");
        Assert.True(AuditCount == after.AuditCount, $"{what}: the audit trail grew");
        Assert.True(PinLockouts == after.PinLockouts, $"{what}: a PIN count changed");
    }

    /// <summary>Nothing at all changed: not even the instance row's version.</summary>
    public void AssertUnchanged(DbSnapshot after)
    {
        AssertSameStepAndBusiness(after);
        Assert.Equal(Variables, after.Variables);
        Assert.Equal(NotBefore, after.NotBefore);
        Assert.Equal(RowVersion, after.RowVersion);
    }

    private static string Rows(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var sb = new StringBuilder();
        while (r.Read())
        {
            for (var i = 0; i < r.FieldCount; i++)
            {
                if (i > 0)
                {
                    sb.Append('|');
                }

                sb.Append(r.IsDBNull(i) ? "null" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));
            }

            sb.Append('\n');
        }

        return sb.ToString().TrimEnd('\n');
    }
}
