using System.Net;
using System.Text;
using ESeal.TestPki;

namespace ESeal.KeyHelper.Tests;

[Collection(HelperCollection.Name)]
public sealed class SecurityTests(HelperFixture fixture)
{
    private TokenInfo Token => fixture.Pki.Token(TestPkiSetup.DemoToken);

    private HttpRequestMessage SignRequest(string body, string contentType = "application/json", string? origin = HelperProcess.Origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/sign") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return request;
    }

    private string ValidBody => $$"""{"tokenSerial":"{{Token.Serial}}","certificateId":"{{Token.Certificates[0].Id}}","pin":"123456","nonce":"n","context":"{{Api.Context(Token, Token.Certificates[0])}}"}""";

    [Theory]
    [InlineData("/v1/info")]
    [InlineData("/v1/tokens")]
    public async Task A_foreign_Host_is_refused_against_DNS_rebinding(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = $"evil.example:{fixture.Helper.Port}";
        request.Headers.Add("Origin", HelperProcess.Origin);

        var reply = await Api.SendAsync(fixture.Client, request);

        Assert.Equal((HttpStatusCode.Forbidden, "FORBIDDEN"), (reply.Status, reply.Error));
        Assert.False(reply.Body.TryGetProperty("tokens", out _));
    }

    [Fact]
    public async Task Localhost_as_Host_is_accepted()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/info");
        request.Headers.Host = $"localhost:{fixture.Helper.Port}";

        var reply = await Api.SendAsync(fixture.Client, request);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Fact]
    public async Task A_foreign_Origin_is_refused_for_listing_and_signing()
    {
        var list = await Api.GetTokensAsync(fixture.Client, origin: "https://evil.example");
        var sign = await Api.SignAsync(fixture.Client, Token, Token.Certificates[0], TestPkiSetup.UserPin, origin: "https://evil.example");

        Assert.Equal((HttpStatusCode.Forbidden, "FORBIDDEN"), (list.Status, list.Error));
        Assert.Equal((HttpStatusCode.Forbidden, "FORBIDDEN"), (sign.Status, sign.Error));
        Assert.False(list.Response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(sign.Response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Sign_without_Origin_is_refused()
    {
        var reply = await Api.SignAsync(fixture.Client, Token, Token.Certificates[0], TestPkiSetup.UserPin, origin: null);

        Assert.Equal((HttpStatusCode.Forbidden, "FORBIDDEN"), (reply.Status, reply.Error));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Sign_accepts_only_application_json(string contentType)
    {
        var reply = await Api.SendAsync(fixture.Client, SignRequest(ValidBody, contentType));

        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "BAD_REQUEST"), (reply.Status, reply.Error));
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413()
    {
        var big = $$"""{"tokenSerial":"{{Token.Serial}}","certificateId":"{{Token.Certificates[0].Id}}","pin":"123456","nonce":"n","context":"{{new string('x', 20_000)}}"}""";

        var reply = await Api.SendAsync(fixture.Client, SignRequest(big));

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "BAD_REQUEST"), (reply.Status, reply.Error));
    }

    [Theory]
    [InlineData("{\"tokenSerial\":")]
    [InlineData("not json")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"tokenSerial\":\"x\",\"certificateId\":\"zz\",\"pin\":\"1\",\"nonce\":\"n\",\"context\":\"c\"}")]
    [InlineData("{\"certificateId\":\"00\",\"pin\":\"1\",\"nonce\":\"n\",\"context\":\"c\"}")]
    [InlineData("{\"tokenSerial\":\"x\",\"certificateId\":\"00\",\"pin\":\"\",\"nonce\":\"n\",\"context\":\"c\"}")]
    public async Task Malformed_or_incomplete_json_is_a_BAD_REQUEST(string body)
    {
        var reply = await Api.SendAsync(fixture.Client, SignRequest(body));

        Assert.Equal((HttpStatusCode.BadRequest, "BAD_REQUEST"), (reply.Status, reply.Error));
    }

    [Fact]
    public async Task Sign_is_POST_only()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sign");
        request.Headers.Add("Origin", HelperProcess.Origin);

        var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Cors_echoes_only_an_allowed_origin_and_never_a_wildcard()
    {
        var list = await Api.GetTokensAsync(fixture.Client, origin: HelperProcess.OtherAllowedOrigin);

        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Equal([HelperProcess.OtherAllowedOrigin], list.Response.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.Contains("Origin", list.Response.Headers.Vary);
    }

    [Fact]
    public async Task Preflight_from_an_allowed_origin_allows_json_post_and_private_network_access()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/sign");
        request.Headers.Add("Origin", HelperProcess.Origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        request.Headers.Add("Access-Control-Request-Private-Network", "true");

        var response = await fixture.Client.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal([HelperProcess.Origin], response.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.Contains("POST", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        Assert.Contains("content-type", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["true"], response.Headers.GetValues("Access-Control-Allow-Private-Network"));
    }

    [Fact]
    public async Task Preflight_from_a_foreign_origin_gets_no_cors_headers()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/sign");
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        request.Headers.Add("Access-Control-Request-Private-Network", "true");

        var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Private-Network"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
    }
}
