using System.Net;
using System.Text.Json;

namespace ESeal.Tests.Web;

public sealed class HomeAndHealthTests(ESealWebFactory factory) : IClassFixture<ESealWebFactory>
{
    [Fact]
    public async Task Home_page_shows_the_medium_change_menu_with_both_entries()
    {
        using var client = factory.CreateClient();

        var html = await client.GetStringAsync("/");

        Assert.Contains("介质变更", html, StringComparison.Ordinal);
        Assert.Contains(">绑定USBKEY<", html, StringComparison.Ordinal);
        Assert.Contains(">解绑USBKEY<", html, StringComparison.Ordinal);
        Assert.Contains("lang=\"zh-CN\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_reports_the_database()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/health");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var database = json.RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal("Healthy", database.GetProperty("status").GetString());
        Assert.Equal("Sqlite", database.GetProperty("data").GetProperty("provider").GetString());
    }

    [Fact]
    public async Task An_unknown_page_gets_a_plain_chinese_not_found_page_not_a_server_error()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/no-such-page");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("页面不存在", html, StringComparison.Ordinal);
    }
}
