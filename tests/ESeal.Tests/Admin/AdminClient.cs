using System.Net;
using System.Text.RegularExpressions;
using ESeal.Tests.Web;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ESeal.Tests.Admin;

/// <summary>
/// A staff member's browser against the in-process web: HTTPS (the staff cookie is __Host-, so
/// Secure), cookies kept, redirects not followed so tests see them. The demo data seeds one
/// account per role (<see cref="DemoStaff"/>).
/// </summary>
public sealed partial class AdminClient : IDisposable
{
    private AdminClient(HttpClient http) => Http = http;

    public HttpClient Http { get; }

    public static AdminClient Anonymous(WebApplicationFactory<Program> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new AdminClient(factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://localhost"),
            AllowAutoRedirect = false,
            HandleCookies = true,
        }));
    }

    /// <summary>Signs in as a demo account (operator, analyst, approver, auditor, admin) and asserts it worked.</summary>
    public static async Task<AdminClient> SignedInAsync(WebApplicationFactory<Program> factory, string username, string password = DemoStaff.Password)
    {
        var client = Anonymous(factory);
        var response = await client.SignInAsync(username, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public async Task<HttpResponseMessage> SignInAsync(string username, string password)
    {
        var token = await AntiforgeryAsync("/admin/login");
        return await Http.PostAsync(new Uri("/admin/login", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = username,
            ["password"] = password,
            ["__RequestVerificationToken"] = token,
        }));
    }

    public async Task<string> GetHtmlAsync(string url)
    {
        using var response = await Http.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The antiforgery token of the first form on <paramref name="url"/>.</summary>
    public async Task<string> AntiforgeryAsync(string url) => TokenOf(await GetHtmlAsync(url));

    /// <summary>Posts a form the way the page's own form would (antiforgery token from <paramref name="pageUrl"/>).</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string pageUrl, string actionUrl, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var token = await AntiforgeryAsync(pageUrl);
        return await Http.PostAsync(new Uri(actionUrl, UriKind.Relative), new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", token))));
    }

    public static string TokenOf(string html) =>
        AntiforgeryInput().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("No antiforgery token on the page.");

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryInput();
}

/// <summary>One web with the demo data for a test class (xunit class fixture).</summary>
public sealed class AdminWebFixture : IDisposable
{
    public ESealWebFactory Factory { get; } = new();

    public void Dispose() => Factory.Dispose();
}
