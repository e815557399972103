using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Db.Staff;
using Microsoft.AspNetCore.Identity;

namespace ESeal.Web.Staff;

public enum SignInOutcome
{
    Succeeded,

    /// <summary>Unknown user or wrong password: the page says the same for both.</summary>
    WrongCredentials,

    LockedOut,
    Disabled,

    /// <summary>Single sign-on vouched for the person, but none of their roles is one of ours.</summary>
    NoRole,
}

public sealed record SignInResult(SignInOutcome Outcome, StaffAccount? Account = null, DateTimeOffset? LockedUntil = null);

/// <summary>A change the directory refused, with the field it concerns and a message for staff.</summary>
public sealed record StaffChangeResult(bool Succeeded, string? Field = null, string? Message = null)
{
    public static readonly StaffChangeResult Ok = new(true);

    public static StaffChangeResult Refused(string field, string message) => new(false, field, message);
}

/// <summary>
/// Staff accounts: sign-in with lockout, creation, roles, passwords, disabling. Every change and
/// every sign-in attempt is audited in the same transaction as the change, with the acting staff
/// account as actor ("staff:NAME", or "cli:OSUSER" from the ops CLI). Passwords are hashed with
/// ASP.NET Core's PasswordHasher (PBKDF2, salted) and never written anywhere else, audit included.
/// </summary>
public sealed partial class StaffDirectory(Database database, TimeProvider clock, StaffOptions options)
{
    private static readonly PasswordHasher<StaffAccount> Hasher = new();

    // Verified against when the username is unknown, so both answers take as long.
    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(null!, "not-a-real-password-" + Guid.NewGuid()));

    /// <summary>Starts every single-sign-on username; a local one cannot contain ':' (<see cref="UsernameProblem"/>).</summary>
    public const string SingleSignOnPrefix = "sso:";

    /// <summary>The audit actor of what single sign-on does to an account (creating it, applying the provider's roles).</summary>
    public const string SingleSignOnActor = "oidc";

    public static string Actor(string username) => "staff:" + username;

    public static string NewSecurityStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Null when acceptable, else the message for the 用户名 field.</summary>
    public static string? UsernameProblem(string? username)
    {
        if (string.IsNullOrWhiteSpace(username))
        {
            return "请输入用户名。";
        }

        return UsernamePattern().IsMatch(username.Trim()) ? null : "用户名为3–32位字母、数字或 . _ -，以字母开头。";
    }

    public async Task<SignInResult> SignInAsync(string username, string password, string? remoteAddress, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        return await database.InTransactionAsync(
            async s =>
            {
                var staff = new StaffRepository(s);
                var account = UsernameProblem(username) is null ? await staff.FindByUsernameAsync(username, ct) : null;
                if (account?.PasswordHash is null)
                {
                    Hasher.VerifyHashedPassword(null!, DummyHash.Value, password ?? string.Empty);
                    await AuditAsync(s, AuditKinds.StaffSignInFailed, "anonymous", now, new { username = MaskUnknown(username), reason = "unknown", remoteAddress }, ct);
                    return new SignInResult(SignInOutcome.WrongCredentials);
                }

                if (account.IsLockedOut(now))
                {
                    // Not even checked while locked: a guesser learns nothing from trying on.
                    return new SignInResult(SignInOutcome.LockedOut, account, account.LockedUntil);
                }

                if (account.LockedUntil is not null)
                {
                    await staff.ResetExpiredLockoutAsync(account.Id, now, ct);
                }

                var verdict = Hasher.VerifyHashedPassword(account, account.PasswordHash, password ?? string.Empty);
                if (verdict == PasswordVerificationResult.Failed)
                {
                    var failures = await staff.RecordFailedSignInAsync(account.Id, options.MaxFailedSignIns, now.AddMinutes(options.LockoutMinutes), ct);
                    await AuditAsync(s, AuditKinds.StaffSignInFailed, Actor(account.Username), now, new { reason = "password", failures, remoteAddress }, ct);
                    if (failures >= options.MaxFailedSignIns)
                    {
                        var until = now.AddMinutes(options.LockoutMinutes);
                        await AuditAsync(s, AuditKinds.StaffLockedOut, Actor(account.Username), now, new { failures, lockedUntil = until }, ct);
                        return new SignInResult(SignInOutcome.LockedOut, account, until);
                    }

                    return new SignInResult(SignInOutcome.WrongCredentials);
                }

                if (account.IsDisabled)
                {
                    return new SignInResult(SignInOutcome.Disabled, account);
                }

                if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
                {
                    await staff.SetPasswordAsync(account.Id, Hasher.HashPassword(account, password!), account.SecurityStamp, account.PasswordChangedAt ?? now, ct);
                }

                await staff.RecordSignInAsync(account.Id, now, ct);
                await AuditAsync(s, AuditKinds.StaffSignedIn, Actor(account.Username), now, new { remoteAddress }, ct);
                return new SignInResult(SignInOutcome.Succeeded, account);
            },
            ct);
    }

    /// <summary>
    /// A staff member the single-sign-on provider vouched for (<see cref="StaffOidc"/>). The first
    /// sign-in creates the account without a password hash, so it can never sign in locally; every
    /// sign-in applies the roles the provider sent (the provider is the source of truth for them,
    /// so the last-administrator rule of <see cref="SetRolesAsync"/> does not apply) and changes the
    /// security stamp when they differ, which ends the person's earlier sessions. A disabled account
    /// stays refused whatever the provider says. <paramref name="username"/> must carry
    /// <see cref="SingleSignOnPrefix"/>, which no local username can.
    /// </summary>
    public async Task<SignInResult> SignInSingleSignOnAsync(string username, string displayName, IReadOnlyCollection<string> roles, string? remoteAddress, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(roles);
        if (string.IsNullOrEmpty(username) || !username.StartsWith(SingleSignOnPrefix, StringComparison.Ordinal) || username.Length > 64)
        {
            throw new ArgumentException("Not a single-sign-on username.", nameof(username));
        }

        var wanted = roles.Where(StaffRoles.IsKnown).Distinct(StringComparer.Ordinal).OrderBy(r => StaffRoles.All.ToList().IndexOf(r)).ToList();
        var now = clock.GetUtcNow();
        var actor = Actor(username);
        return await database.InTransactionAsync(
            async s =>
            {
                var staff = new StaffRepository(s);
                var account = await staff.FindByUsernameAsync(username, ct);
                if (account is null)
                {
                    if (wanted.Count == 0)
                    {
                        await AuditAsync(s, AuditKinds.StaffSignInFailed, actor, now, new { via = "oidc", reason = "no-role", remoteAddress }, ct);
                        return new SignInResult(SignInOutcome.NoRole);
                    }

                    account = new StaffAccount
                    {
                        Id = Guid.NewGuid(),
                        Username = username,
                        UsernameNormalized = StaffAccount.Normalize(username),
                        DisplayName = displayName,
                        SecurityStamp = NewSecurityStamp(),
                        CreatedAt = now,
                        CreatedBy = SingleSignOnActor,
                        Roles = wanted,
                    };
                    if (!await staff.AddAsync(account, ct))
                    {
                        // Two first sign-ins of one person at once: the other created it; this one tries again.
                        return new SignInResult(SignInOutcome.WrongCredentials);
                    }

                    await AuditAsync(s, AuditKinds.StaffAccountCreated, SingleSignOnActor, now, new { username, displayName, roles = wanted, via = "oidc" }, ct);
                }
                else
                {
                    if (account.PasswordHash is not null)
                    {
                        throw new InvalidOperationException("A local account carries the single-sign-on prefix.");
                    }

                    if (account.IsDisabled)
                    {
                        await AuditAsync(s, AuditKinds.StaffSignInFailed, actor, now, new { via = "oidc", reason = "disabled", remoteAddress }, ct);
                        return new SignInResult(SignInOutcome.Disabled, account);
                    }

                    if (!account.Roles.SequenceEqual(wanted, StringComparer.Ordinal))
                    {
                        var stamp = NewSecurityStamp();
                        await staff.SetRolesAsync(account.Id, wanted, ct);
                        await staff.SetSecurityStampAsync(account.Id, stamp, ct);
                        await AuditAsync(s, AuditKinds.StaffRolesChanged, SingleSignOnActor, now, new { username, before = account.Roles, after = wanted, via = "oidc" }, ct);
                        account = account with { Roles = wanted, SecurityStamp = stamp };
                    }

                    if (wanted.Count == 0)
                    {
                        // Committed with the role change above: the roles are gone, so are the sessions.
                        await AuditAsync(s, AuditKinds.StaffSignInFailed, actor, now, new { via = "oidc", reason = "no-role", remoteAddress }, ct);
                        return new SignInResult(SignInOutcome.NoRole, account);
                    }
                }

                await staff.RecordSignInAsync(account.Id, now, ct);
                await AuditAsync(s, AuditKinds.StaffSignedIn, actor, now, new { via = "oidc", remoteAddress }, ct);
                return new SignInResult(SignInOutcome.Succeeded, account);
            },
            ct);
    }

    public async Task<StaffChangeResult> CreateAsync(string username, string displayName, IReadOnlyCollection<string> roles, string? password, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(roles);
        if (UsernameProblem(username) is { } usernameProblem)
        {
            return StaffChangeResult.Refused("Username", usernameProblem);
        }

        if (string.IsNullOrWhiteSpace(displayName) || displayName.Trim().Length > 50 || displayName.Any(char.IsControl))
        {
            return StaffChangeResult.Refused("DisplayName", "请输入姓名（不超过50个字）。");
        }

        if (roles.Count == 0 || roles.Any(r => !StaffRoles.IsKnown(r)))
        {
            return StaffChangeResult.Refused("Roles", "请至少选择一个角色。");
        }

        if (PasswordPolicy.Problem(password, username) is { } passwordProblem)
        {
            return StaffChangeResult.Refused("Password", passwordProblem);
        }

        var now = clock.GetUtcNow();
        var account = new StaffAccount
        {
            Id = Guid.NewGuid(),
            Username = username.Trim(),
            UsernameNormalized = StaffAccount.Normalize(username),
            DisplayName = displayName.Trim(),
            SecurityStamp = NewSecurityStamp(),
            CreatedAt = now,
            CreatedBy = actor,
            PasswordChangedAt = now,
            Roles = roles.ToList(),
        };
        account = account with { PasswordHash = Hasher.HashPassword(account, password!) };
        return await database.InTransactionAsync(
            async s =>
            {
                if (!await new StaffRepository(s).AddAsync(account, ct))
                {
                    return StaffChangeResult.Refused("Username", "该用户名已存在。");
                }

                await AuditAsync(s, AuditKinds.StaffAccountCreated, actor, now, new { username = account.Username, displayName = account.DisplayName, roles = account.Roles }, ct);
                return StaffChangeResult.Ok;
            },
            ct);
    }

    public Task<StaffChangeResult> SetRolesAsync(Guid id, IReadOnlyCollection<string> roles, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(roles);
        if (roles.Count == 0 || roles.Any(r => !StaffRoles.IsKnown(r)))
        {
            return Task.FromResult(StaffChangeResult.Refused("Roles", "请至少选择一个角色。"));
        }

        return ChangeAsync(id, ct, async (s, account, now) =>
        {
            var before = account.Roles;
            if (before.Contains(StaffRoles.Admin) && !roles.Contains(StaffRoles.Admin) && !account.IsDisabled
                && await new StaffRepository(s).CountActiveAdminsAsync(ct) <= 1)
            {
                return StaffChangeResult.Refused("Roles", "这是唯一启用的系统管理员账号，不能移除其系统管理员角色。");
            }

            var staff = new StaffRepository(s);
            await staff.SetRolesAsync(id, roles, ct);
            await staff.SetSecurityStampAsync(id, NewSecurityStamp(), ct);
            await AuditAsync(s, AuditKinds.StaffRolesChanged, actor, now, new { username = account.Username, before, after = roles }, ct);
            return StaffChangeResult.Ok;
        });
    }

    public Task<StaffChangeResult> SetDisabledAsync(Guid id, bool disabled, string actor, CancellationToken ct = default) =>
        ChangeAsync(id, ct, async (s, account, now) =>
        {
            var staff = new StaffRepository(s);
            if (disabled && account.Roles.Contains(StaffRoles.Admin) && !account.IsDisabled && await staff.CountActiveAdminsAsync(ct) <= 1)
            {
                return StaffChangeResult.Refused("Disabled", "这是唯一启用的系统管理员账号，不能停用。");
            }

            await staff.SetDisabledAsync(id, disabled, NewSecurityStamp(), ct);
            await AuditAsync(s, disabled ? AuditKinds.StaffDisabled : AuditKinds.StaffEnabled, actor, now, new { username = account.Username }, ct);
            return StaffChangeResult.Ok;
        });

    /// <summary>An administrator (or the CLI) sets a new password; every session of the account ends.</summary>
    public Task<StaffChangeResult> ResetPasswordAsync(Guid id, string? newPassword, string actor, CancellationToken ct = default) =>
        ChangeAsync(id, ct, async (s, account, now) =>
        {
            if (PasswordPolicy.Problem(newPassword, account.Username) is { } problem)
            {
                return StaffChangeResult.Refused("NewPassword", problem);
            }

            await new StaffRepository(s).SetPasswordAsync(id, Hasher.HashPassword(account, newPassword!), NewSecurityStamp(), now, ct);
            await AuditAsync(s, AuditKinds.StaffPasswordReset, actor, now, new { username = account.Username }, ct);
            return StaffChangeResult.Ok;
        });

    /// <summary>Staff change their own password; the current one must be right. Returns the new stamp's account.</summary>
    public Task<StaffChangeResult> ChangeOwnPasswordAsync(Guid id, string? currentPassword, string? newPassword, CancellationToken ct = default) =>
        ChangeAsync(id, ct, async (s, account, now) =>
        {
            if (account.PasswordHash is null || Hasher.VerifyHashedPassword(account, account.PasswordHash, currentPassword ?? string.Empty) == PasswordVerificationResult.Failed)
            {
                return StaffChangeResult.Refused("CurrentPassword", "当前密码不正确。");
            }

            if (PasswordPolicy.Problem(newPassword, account.Username) is { } problem)
            {
                return StaffChangeResult.Refused("NewPassword", problem);
            }

            if (newPassword == currentPassword)
            {
                return StaffChangeResult.Refused("NewPassword", "新密码不能与当前密码相同。");
            }

            await new StaffRepository(s).SetPasswordAsync(id, Hasher.HashPassword(account, newPassword!), NewSecurityStamp(), now, ct);
            await AuditAsync(s, AuditKinds.StaffPasswordChanged, Actor(account.Username), now, new { }, ct);
            return StaffChangeResult.Ok;
        });

    public Task<StaffAccount?> GetAsync(Guid id, CancellationToken ct = default) =>
        database.ReadAsync(s => new StaffRepository(s).GetAsync(id, ct), ct);

    public Task<StaffAccount?> FindAsync(string username, CancellationToken ct = default) =>
        database.ReadAsync(s => new StaffRepository(s).FindByUsernameAsync(username, ct), ct);

    public Task<IReadOnlyList<StaffAccount>> ListAsync(CancellationToken ct = default) =>
        database.ReadAsync(s => new StaffRepository(s).ListAsync(ct), ct);

    /// <summary>Audits a staff action that changes nothing in the staff tables (sign-out, an export, …).</summary>
    public Task RecordAsync(string kind, string actor, object data, CancellationToken ct = default) =>
        database.InTransactionAsync(
            async s =>
            {
                await AuditAsync(s, kind, actor, clock.GetUtcNow(), data, ct);
                return true;
            },
            ct);

    /// <summary>Loads the account, runs <paramref name="change"/>, commits only if it succeeded (a refusal leaves nothing behind).</summary>
    private async Task<StaffChangeResult> ChangeAsync(Guid id, CancellationToken ct, Func<DbSession, StaffAccount, DateTimeOffset, Task<StaffChangeResult>> change)
    {
        await using var session = await database.BeginAsync(ct);
        var account = await new StaffRepository(session).GetAsync(id, ct);
        if (account is null)
        {
            return StaffChangeResult.Refused("Account", "该账号不存在。");
        }

        var result = await change(session, account, clock.GetUtcNow());
        if (result.Succeeded)
        {
            await session.CommitAsync(ct);
        }

        return result;
    }

    private static Task AuditAsync(ISqlSession s, string kind, string actor, DateTimeOffset now, object data, CancellationToken ct) =>
        new AuditLog(s).AppendAsync(new AuditEvent { Id = Guid.NewGuid(), OccurredAt = now, Kind = kind, Actor = actor, Data = JsonSerializer.Serialize(data) }, ct);

    // An unknown name may be a password typed into the wrong box: keep only enough to spot a pattern.
    private static string MaskUnknown(string? text) => string.IsNullOrEmpty(text) ? string.Empty : string.Concat(text.AsSpan(0, Math.Min(2, text.Length)), "***");

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9._-]{2,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex UsernamePattern();
}
