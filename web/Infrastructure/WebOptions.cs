namespace ESeal.Web.Infrastructure;

/// <summary>Bound from the "Web" configuration section.</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>Where pages reach the key helper on the user's PC (loopback only).</summary>
    public string KeyHelperOrigin { get; set; } = "http://127.0.0.1:18848";

    /// <summary>
    /// The oldest key helper the pages accept (major.minor.patch; a pre-release counts as its
    /// numbers). Below it the page says to upgrade instead of using the helper. Empty: no check.
    /// </summary>
    public string? MinKeyHelperVersion { get; set; }
}
