using System.Net;
using ESeal.Db.Demo;
using ESeal.Db.Staff;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ESeal.Tests.Admin;

/// <summary>
/// Every back-office page, found from the web's own endpoints (so a new page is covered without
/// editing this test): anonymous → the sign-in page; each role the page's area does not allow →
/// 403; each role it allows → 200. A page under /Admin outside the areas of AdminAreas has no role
/// policy, and the first test fails for it.
/// </summary>
public sealed class AdminAuthorizationTests(AdminWebFixture web) : IClassFixture<AdminWebFixture>
{
    // Pages any signed-in staff member may open, and the pages anyone may open.
    private static readonly HashSet<string> AnyStaffPages = new(StringComparer.Ordinal) { "/Admin/Index", "/Admin/Account/Password" };
    private static readonly HashSet<string> AnonymousPages = new(StringComparer.Ordinal) { "/Admin/Account/Login", "/Admin/Account/Logout" };

    /// <summary>Values for route parameters of pages that need them (real ids from the demo data).</summary>
    private static readonly Dictionary<string, string> RouteSamples = new(StringComparer.OrdinalIgnoreCase)
    {
        ["enterpriseId"] = DemoData.Hangzhou.Id.ToString("D"),
        ["id"] = DemoData.Hangzhou.Id.ToString("D"),
        ["username"] = "admin",
        ["seq"] = "1", // the first audit event: signing in writes events before any page is opened
        ["definitionId"] = "usbkey-bind",
    };

    public static TheoryData<string> AdminPages()
    {
        using var factory = new Web.ESealWebFactory();
        var data = new TheoryData<string>();
        foreach (var page in Pages(factory.Services))
        {
            data.Add(page.ViewEnginePath);
        }

        return data;
    }

    [Fact]
    public void Every_admin_page_is_guarded_by_an_area_policy_or_is_listed_as_open_to_all_staff()
    {
        var pages = Pages(web.Factory.Services).ToList();
        Assert.Contains(pages, p => p.ViewEnginePath == "/Admin/Index");
        foreach (var page in pages.Where(p => !AnonymousPages.Contains(p.ViewEnginePath) && !AnyStaffPages.Contains(p.ViewEnginePath)))
        {
            Assert.True(AreaOf(page) is not null, $"{page.ViewEnginePath} has no role policy: put it in a folder of AdminAreas.All");
        }
    }

    [Theory]
    [MemberData(nameof(AdminPages))]
    public async Task Anonymous_is_sent_to_sign_in_each_wrong_role_gets_403_and_each_right_role_200(string viewEnginePath)
    {
        var page = Pages(web.Factory.Services).Single(p => p.ViewEnginePath == viewEnginePath);
        var url = UrlOf(page);
        using var anonymous = AdminClient.Anonymous(web.Factory);
        using var anonymousResponse = await anonymous.Http.GetAsync(new Uri(url, UriKind.Relative));
        if (AnonymousPages.Contains(viewEnginePath))
        {
            Assert.Equal(HttpStatusCode.OK, anonymousResponse.StatusCode);
            return;
        }

        Assert.Equal(HttpStatusCode.Redirect, anonymousResponse.StatusCode);
        Assert.StartsWith("https://localhost/admin/login?returnUrl=", anonymousResponse.Headers.Location!.ToString(), StringComparison.Ordinal);

        var allowed = (AreaOf(page)?.Roles ?? StaffRoles.All).Intersect(ActionRolesOf(page) ?? StaffRoles.All).ToList();
        foreach (var (username, _, role) in DemoStaff.Accounts)
        {
            using var staff = await AdminClient.SignedInAsync(web.Factory, username);
            using var response = await staff.Http.GetAsync(new Uri(url, UriKind.Relative));
            var html = await response.Content.ReadAsStringAsync();
            if (allowed.Contains(role))
            {
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{role} on {url}: {(int)response.StatusCode}");
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{role} on {url}: {(int)response.StatusCode}");
                Assert.Contains("没有权限", html, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task The_jobs_dashboard_is_for_admins_only()
    {
        using var anonymous = AdminClient.Anonymous(web.Factory);
        using var anonymousResponse = await anonymous.Http.GetAsync(new Uri("/admin/jobs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, anonymousResponse.StatusCode);
        Assert.Contains("/admin/login", anonymousResponse.Headers.Location!.ToString(), StringComparison.Ordinal);

        foreach (var (username, _, role) in DemoStaff.Accounts)
        {
            using var staff = await AdminClient.SignedInAsync(web.Factory, username);
            foreach (var path in new[] { "/admin/jobs", "/admin/jobs/recurring", "/admin/jobs/jobs/succeeded" })
            {
                using var response = await staff.Http.GetAsync(new Uri(path, UriKind.Relative));
                var expected = role == StaffRoles.Admin ? HttpStatusCode.OK : HttpStatusCode.Forbidden;
                Assert.True(response.StatusCode == expected, $"{role} on {path}: {(int)response.StatusCode}");
            }
        }
    }

    private static IEnumerable<PageActionDescriptor> Pages(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<PageActionDescriptor>())
            .OfType<PageActionDescriptor>()
            .Where(p => p.ViewEnginePath.StartsWith("/Admin/", StringComparison.Ordinal))
            .DistinctBy(p => p.ViewEnginePath);

    private static AdminArea? AreaOf(PageActionDescriptor page) =>
        AdminAreas.All.FirstOrDefault(a => page.EndpointMetadata.OfType<IAuthorizeData>().Any(d => d.Policy == a.Policy));

    // A page of one role inside an area (ActionPolicies: flows edit vs approve) narrows the area's roles.
    private static IReadOnlyList<string>? ActionRolesOf(PageActionDescriptor page) =>
        ActionPolicies.All.Where(p => page.EndpointMetadata.OfType<IAuthorizeData>().Any(d => d.Policy == p.Policy)).Select(p => p.Roles).FirstOrDefault();

    private static string UrlOf(PageActionDescriptor page)
    {
        var template = page.AttributeRouteInfo?.Template ?? page.ViewEnginePath.TrimStart('/');
        var segments = template.Split('/').Select(s => s.StartsWith('{') ? RouteSamples[s.Trim('{', '}', '?').Split(':')[0]] : s);
        return "/" + string.Join('/', segments).ToLowerInvariant().TrimEnd('/');
    }
}
