namespace ESeal.Web.Staff;

/// <summary>Configuration section "Staff": sign-in lockout, idle expiry, single sign-on.</summary>
public sealed class StaffOptions
{
    public const string Section = "Staff";

    /// <summary>Wrong passwords in a row before the account is locked.</summary>
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>How long a locked account stays locked.</summary>
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>A back-office session ends after this long without a request (sliding).</summary>
    public int IdleMinutes { get; set; } = 20;

    public OidcOptions Oidc { get; set; } = new();

    public sealed class OidcOptions
    {
        /// <summary>The provider's issuer URL; single sign-on is off while it is empty.</summary>
        public string? Authority { get; set; }

        public string? ClientId { get; set; }

        public string? ClientSecret { get; set; }

        /// <summary>What the sign-in page's button says, e.g. "政务外网统一身份认证".</summary>
        public string DisplayName { get; set; } = "统一身份认证登录";

        /// <summary>The claim that carries roles (values: Operator… or 受理员…; others are ignored).</summary>
        public string RoleClaim { get; set; } = "roles";

        /// <summary>The claim that names the user (becomes the staff username "sso:&lt;value&gt;", see StaffOidc.UsernameFor).</summary>
        public string UsernameClaim { get; set; } = "preferred_username";

        public bool RequireHttpsMetadata { get; set; } = true;

        /// <summary>Scopes asked for besides openid and profile (e.g. one the provider needs before it releases the role claim).</summary>
        public IList<string> Scopes { get; set; } = [];

        public bool Enabled => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
    }
}
