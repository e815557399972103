using ESeal.Db.Infrastructure;
using ESeal.Db.Staff;
using ESeal.Web.Staff;

namespace ESeal.Web.Cli;

/// <summary>
/// `staff add|list|disable|enable|reset-password`: back-office accounts from the server's shell,
/// for the first administrator and for recovery. A password is read from standard input (one
/// line; typed without echo at a terminal), never from an argument, where it would stay in the
/// shell history and in the process list. Changes are audited as "cli:OSUSER".
/// </summary>
internal sealed class StaffVerb : IOpsVerb
{
    public string Name => "staff";

    public string Summary => "back-office accounts: staff add USERNAME --role ROLE [--role ROLE…] [--display 名称] (password on stdin) | list | disable USERNAME | enable USERNAME | reset-password USERNAME";

    private string Usage =>
        $"""
        Usage: {Name} add USERNAME --role ROLE [--role ROLE…] [--display 名称]   (password from standard input)
               {Name} list
               {Name} disable USERNAME | {Name} enable USERNAME
               {Name} reset-password USERNAME                                  (new password from standard input)
        Roles: {string.Join(", ", StaffRoles.All.Select(r => $"{r} ({StaffRoles.Label(r)})"))}
        """;

    public async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error)
    {
        var directory = new StaffDirectory(services.GetRequiredService<Database>(), services.GetRequiredService<TimeProvider>(), new StaffOptions());
        var input = services.GetService<CliInput>()?.Reader ?? Console.In;
        var actor = "cli:" + Environment.UserName;
        var words = args.Where(a => !(a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal))).ToArray();
        switch (words)
        {
            case ["list"]:
                foreach (var a in await directory.ListAsync())
                {
                    var state = a.IsDisabled ? "disabled" : a.LockedUntil is { } until && until > DateTimeOffset.UtcNow ? $"locked until {until:yyyy-MM-dd HH:mm}Z" : "active";
                    await output.WriteLineAsync($"{a.Username}\t{a.DisplayName}\t{string.Join(",", a.Roles)}\t{state}\tlast sign-in {a.LastSignInAt?.ToString("yyyy-MM-dd HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "never"}");
                }

                return 0;

            case ["add", var username, .. var rest] when !username.StartsWith('-'):
                if (!TryRoles(rest, out var roles, out var display, out var problem))
                {
                    await error.WriteLineAsync(problem);
                    await error.WriteLineAsync(Usage);
                    return 64;
                }

                var password = await ReadPasswordAsync(input, error, "Password for " + username);
                var created = await directory.CreateAsync(username, display ?? username, roles, password, actor);
                return await ReportAsync(created, $"Account {username} created with roles {string.Join(", ", roles)}.", output, error);

            case ["disable" or "enable", var username]:
                if (await directory.FindAsync(username) is not { } account)
                {
                    await error.WriteLineAsync($"No account named {username}.");
                    return 1;
                }

                var disable = words[0] == "disable";
                var changed = await directory.SetDisabledAsync(account.Id, disable, actor);
                return await ReportAsync(changed, $"Account {account.Username} {(disable ? "disabled; its sessions have ended" : "enabled")}.", output, error);

            case ["reset-password", var username]:
                if (await directory.FindAsync(username) is not { } target)
                {
                    await error.WriteLineAsync($"No account named {username}.");
                    return 1;
                }

                var newPassword = await ReadPasswordAsync(input, error, "New password for " + username);
                var reset = await directory.ResetPasswordAsync(target.Id, newPassword, actor);
                return await ReportAsync(reset, $"Password of {target.Username} reset; its sessions have ended and any sign-in lock is lifted.", output, error);

            default:
                await error.WriteLineAsync(Usage);
                return 64;
        }
    }

    private static bool TryRoles(string[] rest, out List<string> roles, out string? display, out string problem)
    {
        roles = [];
        display = null;
        problem = string.Empty;
        for (var i = 0; i < rest.Length; i++)
        {
            switch (rest[i])
            {
                case "--role" when i + 1 < rest.Length:
                    if (StaffRoles.Parse(rest[++i]) is not { } role)
                    {
                        problem = $"Unknown role '{rest[i]}'.";
                        return false;
                    }

                    roles.Add(role);
                    break;
                case "--display" when i + 1 < rest.Length:
                    display = rest[++i];
                    break;
                default:
                    problem = $"Unexpected argument '{rest[i]}'.";
                    return false;
            }
        }

        if (roles.Count == 0)
        {
            problem = "At least one --role is required.";
            return false;
        }

        return true;
    }

    private static async Task<int> ReportAsync(StaffChangeResult result, string success, TextWriter output, TextWriter error)
    {
        if (result.Succeeded)
        {
            await output.WriteLineAsync(success);
            return 0;
        }

        await error.WriteLineAsync(result.Message);
        return 65; // EX_DATAERR: the request was understood and refused
    }

    /// <summary>One line from standard input; at a terminal it is typed without echo.</summary>
    private static async Task<string?> ReadPasswordAsync(TextReader input, TextWriter error, string prompt)
    {
        if (input != Console.In || Console.IsInputRedirected)
        {
            return (await input.ReadLineAsync())?.TrimEnd('\r');
        }

        await error.WriteAsync(prompt + ": ");
        var typed = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                typed.Length = Math.Max(0, typed.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }

        await error.WriteLineAsync();
        return typed.ToString();
    }
}

/// <summary>Standard input for the verbs, replaceable in tests.</summary>
public sealed record CliInput(TextReader Reader);
