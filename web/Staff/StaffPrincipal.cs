using System.Security.Claims;
using ESeal.Db.Staff;

namespace ESeal.Web.Staff;

/// <summary>What the back-office cookie says about the signed-in staff member.</summary>
public static class StaffPrincipal
{
    public const string Scheme = "Staff";
    public const string CookieName = "__Host-eseal.staff";
    public const string StampClaim = "eseal:stamp";
    public const string DisplayNameClaim = "eseal:display";

    public static ClaimsPrincipal Create(StaffAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, account.Id.ToString("D")),
            new(ClaimTypes.Name, account.Username),
            new(DisplayNameClaim, account.DisplayName),
            new(StampClaim, account.SecurityStamp),
        };
        claims.AddRange(account.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    public static Guid? StaffId(this ClaimsPrincipal user) =>
        Guid.TryParse(user?.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    /// <summary>The audit actor of the signed-in staff member ("staff:NAME").</summary>
    public static string StaffActor(this ClaimsPrincipal user) =>
        StaffDirectory.Actor(user?.Identity?.Name ?? throw new InvalidOperationException("No staff member is signed in."));

    public static string StaffDisplayName(this ClaimsPrincipal user) =>
        user?.FindFirstValue(DisplayNameClaim) ?? user?.Identity?.Name ?? string.Empty;
}
