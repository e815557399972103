namespace ESeal.Web.Infrastructure;

/// <summary>Bound from the "Web" configuration section.</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>Where pages reach the key helper on the user's PC (loopback only).</summary>
    public string KeyHelperOrigin { get; set; } = "http://127.0.0.1:18848";
}
