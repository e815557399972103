using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ESeal.KeyHelper.Infrastructure;

namespace ESeal.KeyHelper.Security;

/// <summary>
/// StateDirectory/pin-lock-audit.log: one JSON object per line for every operator clear of the
/// helper's own PIN lock. Appended only, flushed to disk before the count is cleared (an audited
/// clear that then fails shows on the operator's screen; an unaudited clear would show nowhere).
/// Holds who, what, when and why, never a PIN (the verb never sees one).
/// </summary>
internal static class PinLockAudit
{
    public const string FileName = "pin-lock-audit.log";

    public static string PathIn(string stateDirectory) => Path.Combine(stateDirectory, FileName);

    /// <summary>Called under the PIN state's lock file, so two clears never interleave their lines.</summary>
    public static void Append(string stateDirectory, PinLockAuditEntry entry)
    {
        // The serializer escapes control characters, so a reason with a line break stays on one line.
        var line = JsonSerializer.Serialize(entry, KeyHelperJsonContext.Web.PinLockAuditEntry) + "\n";
        using var stream = new FileStream(PathIn(stateDirectory), FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(Encoding.UTF8.GetBytes(line));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The account that ran the verb (DOMAIN\user on Windows).</summary>
    public static string MachineUser() =>
        OperatingSystem.IsWindows() ? $@"{Environment.UserDomainName}\{Environment.UserName}" : Environment.UserName;
}

/// <summary>One line of pin-lock-audit.log; <c>reason</c> is written as null when none was given.</summary>
internal sealed record PinLockAuditEntry(
    DateTime Time,
    string Event,
    string Operator,
    string Serial,
    int PreviousCount,
    bool WasLocked,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Reason,
    string MachineUser,
    string Machine);
