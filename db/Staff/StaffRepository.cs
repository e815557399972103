using ESeal.Db.Infrastructure;

namespace ESeal.Db.Staff;

/// <summary>The back office's roles (SPEC §7). Stored by these names; shown by <see cref="Label"/>.</summary>
public static class StaffRoles
{
    public const string Operator = "Operator";
    public const string Analyst = "Analyst";
    public const string Approver = "Approver";
    public const string Auditor = "Auditor";
    public const string Admin = "Admin";

    public static IReadOnlyList<string> All { get; } = [Operator, Analyst, Approver, Auditor, Admin];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);

    /// <summary>The role's name as staff read it (SPEC §7).</summary>
    public static string Label(string role) => role switch
    {
        Operator => "受理员",
        Analyst => "流程分析员",
        Approver => "流程审批员",
        Auditor => "审计员",
        Admin => "系统管理员",
        _ => role,
    };

    /// <summary>Accepts the stored name in any case, or the Chinese label.</summary>
    public static string? Parse(string text) =>
        All.FirstOrDefault(r => string.Equals(r, text, StringComparison.OrdinalIgnoreCase) || Label(r) == text);
}

public sealed record StaffAccount
{
    public Guid Id { get; init; }

    public required string Username { get; init; }

    public required string UsernameNormalized { get; init; }

    public required string DisplayName { get; init; }

    /// <summary>PasswordHasher&lt;T&gt; output; null for single-sign-on-only accounts.</summary>
    public string? PasswordHash { get; init; }

    public required string SecurityStamp { get; init; }

    public bool IsDisabled { get; init; }

    public int FailedSignIns { get; init; }

    public DateTimeOffset? LockedUntil { get; init; }

    public DateTimeOffset? LastSignInAt { get; init; }

    public DateTimeOffset? PasswordChangedAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }

    public int Version { get; init; }

    public IReadOnlyList<string> Roles { get; init; } = [];

    public bool IsLockedOut(DateTimeOffset now) => LockedUntil is { } until && until > now;

    public static string Normalize(string username) => username.Trim().ToLowerInvariant();
}

/// <summary>Staff accounts, their roles and their sign-in lockout (Dapper, SQL inline).</summary>
public sealed class StaffRepository(ISqlSession db)
{
    private const string Columns =
        "id, username, username_normalized, display_name, password_hash, security_stamp, is_disabled, failed_sign_ins, " +
        "locked_until, last_sign_in_at, password_changed_at, created_at, created_by, version";

    public async Task<StaffAccount?> FindByUsernameAsync(string username, CancellationToken ct = default)
    {
        var account = await db.QuerySingleOrDefaultAsync<StaffAccount>(
            $"SELECT {Columns} FROM staff_accounts WHERE username_normalized = @normalized",
            new { normalized = StaffAccount.Normalize(username) },
            ct);
        return account is null ? null : account with { Roles = await RolesAsync(account.Id, ct) };
    }

    public async Task<StaffAccount?> GetAsync(Guid id, CancellationToken ct = default)
    {
        var account = await db.QuerySingleOrDefaultAsync<StaffAccount>($"SELECT {Columns} FROM staff_accounts WHERE id = @id", new { id }, ct);
        return account is null ? null : account with { Roles = await RolesAsync(account.Id, ct) };
    }

    public async Task<IReadOnlyList<StaffAccount>> ListAsync(CancellationToken ct = default)
    {
        var accounts = await db.QueryAsync<StaffAccount>($"SELECT {Columns} FROM staff_accounts ORDER BY username_normalized", ct: ct);
        var roles = await db.QueryAsync<StaffRoleRow>("SELECT staff_id, role FROM staff_roles", ct: ct);
        var byAccount = roles.ToLookup(r => r.StaffId, r => r.Role);
        return accounts.Select(a => a with { Roles = Ordered(byAccount[a.Id]) }).ToList();
    }

    /// <summary>False when the username is taken (compared case-insensitively).</summary>
    public async Task<bool> AddAsync(StaffAccount account, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        var taken = await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM staff_accounts WHERE username_normalized = @UsernameNormalized", account, ct);
        if (taken > 0)
        {
            return false;
        }

        await db.ExecuteAsync(
            """
            INSERT INTO staff_accounts (id, username, username_normalized, display_name, password_hash, security_stamp, is_disabled,
                                        failed_sign_ins, password_changed_at, created_at, created_by, version)
            VALUES (@Id, @Username, @UsernameNormalized, @DisplayName, @PasswordHash, @SecurityStamp, 0,
                    0, @PasswordChangedAt, @CreatedAt, @CreatedBy, 1)
            """,
            account,
            ct);
        await SetRolesAsync(account.Id, account.Roles, ct);
        return true;
    }

    /// <summary>Replaces the account's roles (the caller changes the security stamp with it).</summary>
    public async Task SetRolesAsync(Guid staffId, IEnumerable<string> roles, CancellationToken ct = default)
    {
        await db.ExecuteAsync("DELETE FROM staff_roles WHERE staff_id = @staffId", new { staffId }, ct);
        foreach (var role in roles.Distinct(StringComparer.Ordinal))
        {
            await db.ExecuteAsync("INSERT INTO staff_roles (staff_id, role) VALUES (@staffId, @role)", new { staffId, role }, ct);
        }
    }

    /// <summary>A wrong password: counts it and, at <paramref name="maxFailures"/>, locks until <paramref name="lockUntil"/>.</summary>
    public async Task<int> RecordFailedSignInAsync(Guid id, int maxFailures, DateTimeOffset lockUntil, CancellationToken ct = default)
    {
        await db.ExecuteAsync(
            """
            UPDATE staff_accounts
            SET failed_sign_ins = failed_sign_ins + 1,
                locked_until = CASE WHEN failed_sign_ins + 1 >= @maxFailures THEN @lockUntil ELSE locked_until END,
                version = version + 1
            WHERE id = @id
            """,
            new { id, maxFailures, lockUntil },
            ct);
        return await db.ExecuteScalarAsync<int>("SELECT failed_sign_ins FROM staff_accounts WHERE id = @id", new { id }, ct);
    }

    /// <summary>A lock that ran out starts a fresh count (the next wrong password is the first again).</summary>
    public Task ResetExpiredLockoutAsync(Guid id, DateTimeOffset now, CancellationToken ct = default) =>
        db.ExecuteAsync(
            "UPDATE staff_accounts SET failed_sign_ins = 0, locked_until = NULL, version = version + 1 WHERE id = @id AND locked_until IS NOT NULL AND locked_until <= @now",
            new { id, now },
            ct);

    public Task RecordSignInAsync(Guid id, DateTimeOffset now, CancellationToken ct = default) =>
        db.ExecuteAsync(
            "UPDATE staff_accounts SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = @now, version = version + 1 WHERE id = @id",
            new { id, now },
            ct);

    /// <summary>New password and stamp (every earlier session ends); also lifts a sign-in lockout.</summary>
    public async Task<bool> SetPasswordAsync(Guid id, string passwordHash, string securityStamp, DateTimeOffset now, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            """
            UPDATE staff_accounts
            SET password_hash = @passwordHash, security_stamp = @securityStamp, password_changed_at = @now,
                failed_sign_ins = 0, locked_until = NULL, version = version + 1
            WHERE id = @id
            """,
            new { id, passwordHash, securityStamp, now },
            ct) == 1;

    public async Task<bool> SetDisabledAsync(Guid id, bool disabled, string securityStamp, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            "UPDATE staff_accounts SET is_disabled = @disabled, security_stamp = @securityStamp, version = version + 1 WHERE id = @id",
            new { id, disabled, securityStamp },
            ct) == 1;

    public async Task<bool> SetSecurityStampAsync(Guid id, string securityStamp, CancellationToken ct = default) =>
        await db.ExecuteAsync(
            "UPDATE staff_accounts SET security_stamp = @securityStamp, version = version + 1 WHERE id = @id",
            new { id, securityStamp },
            ct) == 1;

    public Task<int> CountActiveAdminsAsync(CancellationToken ct = default) =>
        db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM staff_accounts a JOIN staff_roles r ON r.staff_id = a.id WHERE r.role = 'Admin' AND a.is_disabled = 0",
            ct: ct);

    private async Task<IReadOnlyList<string>> RolesAsync(Guid staffId, CancellationToken ct) =>
        Ordered(await db.QueryAsync<string>("SELECT role FROM staff_roles WHERE staff_id = @staffId", new { staffId }, ct));

    private static List<string> Ordered(IEnumerable<string> roles) =>
        roles.OrderBy(r => StaffRoles.All.ToList().IndexOf(r)).ToList();

    private sealed class StaffRoleRow
    {
        public Guid StaffId { get; init; }

        public string Role { get; init; } = string.Empty;
    }
}
