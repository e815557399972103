using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace ESeal.Tests.Web;

public sealed partial class WebHygieneTests(ESealWebFactory factory) : IClassFixture<ESealWebFactory>
{
    [Fact]
    public async Task Pages_carry_a_CSP_without_inline_script_or_eval_that_reaches_only_the_server_and_the_helper()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/");
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));

        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Matches("connect-src 'self' http://127\\.0\\.0\\.1:18848(;|$)", csp);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Htmx_is_served_from_this_site_with_an_integrity_hash_that_matches_the_file()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync("/");

        var tag = HtmxScript().Match(html);
        Assert.True(tag.Success, "the layout loads htmx from /lib with an integrity attribute");
        var file = await client.GetByteArrayAsync(tag.Groups["src"].Value);
        var expected = "sha384-" + Convert.ToBase64String(SHA384.HashData(file));

        Assert.Equal(expected, tag.Groups["sri"].Value);
        Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)[^>]*>", html); // no inline script at all
        Assert.Contains("\"allowEval\":false", html, StringComparison.Ordinal);
        Assert.Contains("\"includeIndicatorStyles\":false", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_browser_gets_an_httponly_strict_session_cookie()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/");
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("eseal.session=", StringComparison.Ordinal));

        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Flow_pages_are_never_cached_and_vary_on_htmx()
    {
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });

        var start = await client.GetAsync("/medium-change/bind");
        var flowUrl = start.Headers.Location!.ToString();
        var full = await client.GetAsync(flowUrl);
        using var htmx = new HttpRequestMessage(HttpMethod.Get, flowUrl);
        htmx.Headers.Add("HX-Request", "true");
        var partial = await client.SendAsync(htmx);
        var fullHtml = await full.Content.ReadAsStringAsync();
        var partialHtml = await partial.Content.ReadAsStringAsync();

        Assert.StartsWith("/flow/", flowUrl, StringComparison.Ordinal);
        Assert.Contains("no-store", full.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Contains("HX-Request", full.Headers.Vary);
        Assert.Contains("<html", fullHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("<html", partialHtml, StringComparison.Ordinal);
        Assert.Contains("id=\"flow\"", partialHtml, StringComparison.Ordinal);
        Assert.Contains("绑定说明", partialHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_step_post_is_refused_with_a_message_and_the_step_stays()
    {
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        var flowUrl = (await client.GetAsync("/medium-change/bind")).Headers.Location!.ToString();
        var html = await client.GetStringAsync(flowUrl);
        string Hidden(string name) => Regex.Match(html, $"name=\"{name}\" type=\"hidden\" value=\"([^\"]+)\"|name=\"{name}\" value=\"([^\"]+)\"") is { Success: true } m
            ? (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value) : throw new InvalidOperationException(name + " not found");

        // What was tried: 300 KB in one field of the reading step's form.
        using var body = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Hidden("__RequestVerificationToken"),
            ["stepToken"] = Hidden("stepToken"),
            ["tokens"] = new string('x', 300 * 1024),
        });
        var response = await client.PostAsync(flowUrl, body);
        var text = await response.Content.ReadAsStringAsync();
        var after = await client.GetStringAsync(flowUrl);

        Assert.Equal(System.Net.HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("提交的内容过大或格式不正确", text, StringComparison.Ordinal);
        Assert.Contains("绑定说明", after, StringComparison.Ordinal); // still at the reading notice
    }

    [Fact]
    public async Task The_jobs_dashboard_does_not_exist_outside_development()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/jobs");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [GeneratedRegex("<script src=\"(?<src>/lib/htmx/dist/htmx\\.min\\.js)\" integrity=\"(?<sri>sha384-[A-Za-z0-9+/=]+)\"")]
    private static partial Regex HtmxScript();
}
