using ESeal.KeyHelper.Configuration;
using ESeal.KeyHelper.Infrastructure;
using ESeal.KeyHelper.Security;
using Microsoft.Extensions.Logging.Console;

namespace ESeal.KeyHelper.Cli;

/// <summary>
/// <c>ESeal.KeyHelper pin-lock list</c> and <c>pin-lock clear SERIAL --operator NAME [--reason TEXT]</c>:
/// an operator clears the helper's own wrong-PIN count of a token after the CA has reset its PIN
/// (the portal's count is cleared separately, by the web's <c>pin-lock clear</c>). Same configuration
/// as the service, so the same StateDirectory; no server is started. A running service sees the clear
/// at its next check (<see cref="PinAttemptStore"/>). Each clear is appended to
/// StateDirectory/pin-lock-audit.log (<see cref="PinLockAudit"/>).
/// </summary>
internal static partial class PinLockVerb
{
    public const int UsageExitCode = 64;

    private const string Usage = """
        usage:
          ESeal.KeyHelper pin-lock list  [--KeyHelper:StateDirectory=DIR]
          ESeal.KeyHelper pin-lock clear SERIAL --operator NAME [--reason TEXT] [--KeyHelper:StateDirectory=DIR]
        list: each token serial with its count of wrong PINs and whether this helper locks it.
        clear: after the CA has reset the key's PIN, clears this helper's count for SERIAL (audited in
        StateDirectory/pin-lock-audit.log). Same configuration as the service (appsettings.json,
        KeyHelper__* environment, --KeyHelper:X=... arguments).
        """;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (Parse(args) is not { } command)
        {
            error.WriteLine(Usage);
            return UsageExitCode;
        }

        var configuration = KeyHelperRegistration.CreateBuilder([.. command.ConfigurationArgs]).Configuration;
        var options = KeyHelperOptions.From(configuration);

        // The operator's terminal is the "normal logger" here; stderr, so that stdout stays the answer.
        using var loggers = LoggerFactory.Create(logging => logging
            .AddConfiguration(configuration.GetSection("Logging"))
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(console => console.SingleLine = true));
        var logger = loggers.CreateLogger(typeof(PinLockVerb).FullName!);
        try
        {
            var store = new PinAttemptStore(options, loggers.CreateLogger<PinAttemptStore>());
            error.WriteLine($"(state: {store.FilePath}, locked at {store.MaxAttempts} wrong PINs)");
            if (!Directory.Exists(options.StateDirectory) || !Directory.EnumerateFileSystemEntries(options.StateDirectory!).Any())
            {
                error.WriteLine($"Note: {options.StateDirectory} holds no key helper state. Is this the service's StateDirectory? "
                    + "(Under systemd it is $STATE_DIRECTORY, e.g. ~/.local/state/eseal-keyhelper: pass --KeyHelper:StateDirectory=….)");
            }

            return command.Serial is null ? List(store, output, error, logger) : Clear(store, options, command, output, error, logger);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine("ESeal.KeyHelper: " + e.Message);
            return 1;
        }
    }

    private static int List(PinAttemptStore store, TextWriter output, TextWriter error, ILogger logger)
    {
        var counts = store.Snapshot();
        if (store.Unreadable)
        {
            error.WriteLine($"ESeal.KeyHelper: {store.FilePath} is not valid JSON; inspect it (the service keeps the counts it knew and moves the file aside at its next change).");
            return 1;
        }

        if (counts.Count == 0)
        {
            output.WriteLine("No wrong PINs counted: this key helper locks no token.");
        }

        foreach (var (serial, count) in counts)
        {
            var state = count >= store.MaxAttempts ? "locked" : $"not locked ({store.MaxAttempts - count} left)";
            output.WriteLine($"{serial}\t{count} wrong PINs\t{state}");
        }

        LogListed(logger, counts.Count, counts.Count(c => c.Value >= store.MaxAttempts));
        return 0;
    }

    private static int Clear(PinAttemptStore store, KeyHelperOptions options, Command command, TextWriter output, TextWriter error, ILogger logger)
    {
        var serial = command.Serial!;
        var previous = store.Clear(serial, count => PinLockAudit.Append(options.StateDirectory!, new PinLockAuditEntry(
            DateTime.UtcNow,
            "pin-lock-cleared",
            command.Operator!,
            serial,
            count,
            count >= store.MaxAttempts,
            command.Reason,
            PinLockAudit.MachineUser(),
            Environment.MachineName)));
        if (previous is null)
        {
            error.WriteLine($"No wrong-PIN count for token {serial} in {store.FilePath}: nothing to clear. `pin-lock list` shows the counted serials.");
            LogNothingToClear(logger, serial, command.Operator!);
            return 1;
        }

        output.WriteLine($"PIN lock of token {serial} cleared by {command.Operator} ({previous} wrong PINs before); audited in {PinLockAudit.PathIn(options.StateDirectory!)}.");
        LogCleared(logger, serial, command.Operator!, previous.Value, command.Reason ?? "");
        return 0;
    }

    /// <summary>
    /// Verb words and options; anything of the form <c>--Section:Key=value</c> (or <c>--Section:Key value</c>)
    /// goes to configuration, like the service's command line. Null = bad arguments.
    /// </summary>
    private static Command? Parse(string[] args)
    {
        var words = new List<string>();
        var configurationArgs = new List<string>();
        string? operatorName = null;
        string? reason = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (Option(arg, "operator") is { } operatorInline)
            {
                if (operatorName is not null || !TakeValue(args, ref i, operatorInline, out operatorName))
                {
                    return null;
                }
            }
            else if (Option(arg, "reason") is { } reasonInline)
            {
                if (reason is not null || !TakeValue(args, ref i, reasonInline, out reason))
                {
                    return null;
                }
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Split('=', 2)[0].Contains(':', StringComparison.Ordinal))
            {
                configurationArgs.Add(arg);
                if (!arg.Contains('=', StringComparison.Ordinal) && i + 1 < args.Length)
                {
                    configurationArgs.Add(args[++i]);
                }
            }
            else if (arg.StartsWith('-'))
            {
                return null;
            }
            else
            {
                words.Add(arg);
            }
        }

        operatorName = operatorName?.Trim();
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        return words switch
        {
            ["list"] when operatorName is null && reason is null => new Command(null, null, null, configurationArgs),
            ["clear", var serial] when !string.IsNullOrWhiteSpace(serial) && !string.IsNullOrEmpty(operatorName)
                => new Command(serial.Trim(), operatorName, reason, configurationArgs),
            _ => null,
        };
    }

    /// <summary>"" for <c>--name</c> (value follows), the value for <c>--name=value</c>, null for anything else.</summary>
    private static string? Option(string arg, string name)
    {
        var flag = "--" + name;
        return arg == flag ? "" : arg.StartsWith(flag + "=", StringComparison.Ordinal) ? arg[(flag.Length + 1)..] : null;
    }

    private static bool TakeValue(string[] args, ref int i, string inline, out string? value)
    {
        if (inline.Length > 0)
        {
            value = inline;
            return true;
        }

        if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            value = args[++i];
            return true;
        }

        value = null;
        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "pin-lock list: {Counted} token(s) with wrong PINs counted, {Locked} locked")]
    private static partial void LogListed(ILogger logger, int counted, int locked);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pin-lock clear of token {Serial} by {Operator}: no count to clear")]
    private static partial void LogNothingToClear(ILogger logger, string serial, string @operator);

    [LoggerMessage(Level = LogLevel.Information, Message = "pin-lock clear: token {Serial} cleared by {Operator} ({Previous} wrong PINs before), reason: {Reason}")]
    private static partial void LogCleared(ILogger logger, string serial, string @operator, int previous, string reason);

    private sealed record Command(string? Serial, string? Operator, string? Reason, IReadOnlyList<string> ConfigurationArgs);
}
