using System.Security.Claims;
using ESeal.Db.Staff;
using ESeal.Web.Infrastructure;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ESeal.Tests.Admin;

/// <summary>How the provider's claims become a staff account name, roles and display name.</summary>
public sealed class OidcMappingTests
{
    [Theory]
    [InlineData("zhang.wei", "sso:zhang.wei")]
    [InlineData("  Zhang.Wei@gov ", "sso:Zhang.Wei@gov")]
    [InlineData("张伟", "sso:张伟")]
    public void A_plain_provider_username_keeps_its_name_behind_the_sso_prefix(string claim, string expected)
    {
        Assert.Equal(expected, StaffOidc.UsernameFor(claim));
    }

    [Theory]
    [InlineData("zhang wei")]
    [InlineData("zhang\u0000wei")]
    [InlineData("<script>")]
    [InlineData("../../admin")]
    [InlineData("ááááááááááááááááááááááááááááááááááááááááááááááááááááááááááááááááááááááááá")]
    public void An_odd_provider_username_becomes_a_hash_that_fits_the_column_and_names_one_person(string claim)
    {
        // Tried: spaces, a NUL, markup, a path, 73 letters (longer than the 64 of the column).
        var username = StaffOidc.UsernameFor(claim)!;

        Assert.StartsWith("sso:#", username, StringComparison.Ordinal);
        Assert.True(username.Length <= 64);
        Assert.NotEqual(username, StaffOidc.UsernameFor(claim + "x"));
        Assert.Equal(username, StaffOidc.UsernameFor(claim));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void No_provider_username_gives_no_account(string? claim)
    {
        Assert.Null(StaffOidc.UsernameFor(claim));
    }

    [Theory]
    [InlineData("operator")]
    [InlineData("admin")]
    [InlineData("zhang.wei")]
    public void No_SSO_username_can_ever_be_a_local_username(string claim)
    {
        // Tried: provider names equal to the demo accounts: the result must fail the local username rule.
        Assert.NotNull(StaffDirectory.UsernameProblem(StaffOidc.UsernameFor(claim)));
    }

    [Fact]
    public void Roles_are_read_by_name_in_any_case_or_by_Chinese_label_and_unknown_values_are_ignored()
    {
        // Tried: OPERATOR, 审计员, " Admin ", root, 超级管理员, empty, a duplicate.
        var principal = Principal(("roles", "OPERATOR"), ("roles", "审计员"), ("roles", " Admin "), ("roles", "root"), ("roles", "超级管理员"), ("roles", ""), ("roles", "operator"), ("groups", "Approver"));

        Assert.Equal([StaffRoles.Operator, StaffRoles.Auditor, StaffRoles.Admin], StaffOidc.RolesFrom(principal, "roles"));
        Assert.Equal([StaffRoles.Approver], StaffOidc.RolesFrom(principal, "groups"));
        Assert.Empty(StaffOidc.RolesFrom(principal, "role"));
    }

    [Fact]
    public void The_display_name_is_the_name_claim_cleaned_and_limited_else_the_username()
    {
        Assert.Equal("张伟", StaffOidc.DisplayNameFrom(Principal(("name", " 张\u0007伟 "), ("preferred_username", "zw")), "preferred_username"));
        Assert.Equal("zw", StaffOidc.DisplayNameFrom(Principal(("name", "  "), ("preferred_username", "zw")), "preferred_username"));
        Assert.Equal(50, StaffOidc.DisplayNameFrom(Principal(("name", new string('名', 80))), "preferred_username").Length);
    }

    private static ClaimsPrincipal Principal(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "test"));
}

/// <summary>Half a single-sign-on configuration is refused in production, naming the missing key.</summary>
public sealed class OidcStartupChecksTests
{
    [Theory]
    [InlineData("Staff:Oidc:Authority", "https://idp.example.gov.cn/", "Staff:Oidc:ClientId is not set while Staff:Oidc:Authority is")]
    [InlineData("Staff:Oidc:ClientId", "eseal-admin", "Staff:Oidc:Authority is not set while Staff:Oidc:ClientId is")]
    public void Production_with_only_one_of_authority_and_client_id_refuses_to_start_naming_the_other(string key, string value, string expected)
    {
        // Tried: Production with only Staff:Oidc:Authority, then only Staff:Oidc:ClientId.
        var directory = Path.Combine(Path.GetTempPath(), "eseal-tests", "prod-oidc-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("Database:ConnectionString", $"Data Source={Path.Combine(directory, "prod.db")};Pooling=False");
            b.UseSetting("Flows:Jobs:Enabled", "false");
            b.UseSetting(key, value);
        });

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var message = ex is InvalidOperationException ? ex.Message : ex.InnerException?.Message ?? ex.Message;

        Assert.Contains("ESeal cannot start in Production", message, StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_whole_configuration_or_none_is_fine_but_plain_HTTP_metadata_or_a_relative_authority_is_not()
    {
        Assert.Empty(StartupChecks.SingleSignOnProblems(new StaffOptions.OidcOptions()));
        Assert.Empty(StartupChecks.SingleSignOnProblems(new StaffOptions.OidcOptions { Authority = "https://idp.example.gov.cn/", ClientId = "eseal-admin" }));
        Assert.Contains(
            StartupChecks.SingleSignOnProblems(new StaffOptions.OidcOptions { Authority = "https://idp.example.gov.cn/", ClientId = "eseal-admin", RequireHttpsMetadata = false }),
            p => p.StartsWith("Staff:Oidc:RequireHttpsMetadata is false", StringComparison.Ordinal));
        Assert.Contains(
            StartupChecks.SingleSignOnProblems(new StaffOptions.OidcOptions { Authority = "idp.example.gov.cn", ClientId = "eseal-admin" }),
            p => p.StartsWith("Staff:Oidc:Authority is not an absolute URL", StringComparison.Ordinal));
    }
}
