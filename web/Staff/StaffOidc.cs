namespace ESeal.Web.Staff;

/// <summary>Single sign-on for staff through an OpenID Connect provider (Staff:Oidc:*), beside local accounts.</summary>
public static class StaffOidc
{
    public const string Scheme = "StaffOidc";
}
