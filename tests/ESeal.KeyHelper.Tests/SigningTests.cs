using System.Net;
using ESeal.TestPki;

namespace ESeal.KeyHelper.Tests;

[Collection(HelperCollection.Name)]
public sealed class SigningTests(HelperFixture fixture)
{
    [Fact]
    public async Task Rsa_certificate_gives_an_RS256_proof_over_the_exact_bytes_of_the_protocol()
    {
        var token = fixture.Pki.Token(TestPkiSetup.DemoToken);

        var context = Api.Context(token, token.Certificates[0]);
        var reply = await Api.SignAsync(fixture.Client, token, token.Certificates[0], TestPkiSetup.UserPin, "n-rsa", context);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("RS256", reply.Body.GetProperty("algorithm").GetString());
        Assert.Equal(
            ["algorithm", "certificate", "signature"],
            reply.Body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.True(Api.Verifies(reply.Body, HelperProcess.Origin, "n-rsa", context));
    }

    [Fact]
    public async Task Ec_certificate_gives_an_ES256_proof_as_raw_r_s()
    {
        var token = fixture.Pki.Token(TestPkiSetup.TwoCertsToken);
        var ec = token.Certificates.Single(c => c.Name == "shenzhen-ec");

        var context = Api.Context(token, ec, "unbind");
        var reply = await Api.SignAsync(fixture.Client, token, ec, TestPkiSetup.UserPin, "n-ec", context);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("ES256", reply.Body.GetProperty("algorithm").GetString());
        Assert.Equal(64, Convert.FromBase64String(reply.Body.GetProperty("signature").GetString()!).Length);
        Assert.True(Api.Verifies(reply.Body, HelperProcess.Origin, "n-ec", context));
    }

    [Fact]
    public async Task Signs_with_the_key_of_the_chosen_certificate_on_a_token_with_two()
    {
        var token = fixture.Pki.Token(TestPkiSetup.TwoCertsToken);
        var rsa = token.Certificates.Single(c => c.Name == "beijing-rsa");

        var context = Api.Context(token, rsa);
        var reply = await Api.SignAsync(fixture.Client, token, rsa, TestPkiSetup.UserPin, "n", context);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("RS256", reply.Body.GetProperty("algorithm").GetString());
        Assert.Equal(
            rsa.Sha256,
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Convert.FromBase64String(reply.Body.GetProperty("certificate").GetString()!))));
        Assert.True(Api.Verifies(reply.Body, HelperProcess.Origin, "n", context));
    }

    [Fact]
    public async Task A_proof_is_bound_to_its_origin_nonce_and_context()
    {
        var token = fixture.Pki.Token(TestPkiSetup.EcOnlyToken);
        var cert = token.Certificates[0];
        var contextA = Api.Context(token, cert, "bind");
        var contextB = Api.Context(token, cert, "unbind");

        var reply = await Api.SignAsync(fixture.Client, token, cert, TestPkiSetup.UserPin, "nonce-A", contextA);
        var fromOtherOrigin = await Api.SignAsync(fixture.Client, token, cert, TestPkiSetup.UserPin, "nonce-A", contextA, HelperProcess.OtherAllowedOrigin);

        Assert.True(Api.Verifies(reply.Body, HelperProcess.Origin, "nonce-A", contextA));
        Assert.False(Api.Verifies(reply.Body, HelperProcess.OtherAllowedOrigin, "nonce-A", contextA));
        Assert.False(Api.Verifies(reply.Body, HelperProcess.Origin, "nonce-B", contextA));
        Assert.False(Api.Verifies(reply.Body, HelperProcess.Origin, "nonce-A", contextB));

        // The origin in the proof is the Origin header the helper received, not something the page chose.
        Assert.True(Api.Verifies(fromOtherOrigin.Body, HelperProcess.OtherAllowedOrigin, "nonce-A", contextA));
        Assert.False(Api.Verifies(fromOtherOrigin.Body, HelperProcess.Origin, "nonce-A", contextA));
    }

    [Fact]
    public async Task Unknown_certificate_id_gives_CERTIFICATE_NOT_FOUND_and_unknown_serial_TOKEN_NOT_PRESENT()
    {
        var token = fixture.Pki.Token(TestPkiSetup.DemoToken);

        var sha256 = token.Certificates[0].Sha256;

        var noCert = await Api.SignRawAsync(fixture.Client, token.Serial, "00112233", TestPkiSetup.UserPin, "n", Api.Context(token.Serial, sha256));
        var noToken = await Api.SignRawAsync(fixture.Client, "0000000000000000", token.Certificates[0].Id, TestPkiSetup.UserPin, "n", Api.Context("0000000000000000", sha256));

        Assert.Equal((HttpStatusCode.NotFound, "CERTIFICATE_NOT_FOUND"), (noCert.Status, noCert.Error));
        Assert.Equal((HttpStatusCode.NotFound, "TOKEN_NOT_PRESENT"), (noToken.Status, noToken.Error));
    }

    [Fact]
    public async Task Two_signatures_on_two_tokens_run_in_parallel_and_both_verify()
    {
        var a = fixture.Pki.Token(TestPkiSetup.TwoCertsToken);
        var b = fixture.Pki.Token(TestPkiSetup.EcOnlyToken);
        string[] contexts = [Api.Context(a, a.Certificates[0]), Api.Context(b, b.Certificates[0]), Api.Context(a, a.Certificates[1], "unbind")];

        for (var round = 0; round < 5; round++)
        {
            var replies = await Task.WhenAll(
                Api.SignAsync(fixture.Client, a, a.Certificates[0], TestPkiSetup.UserPin, $"pa{round}", contexts[0]),
                Api.SignAsync(fixture.Client, b, b.Certificates[0], TestPkiSetup.UserPin, $"pb{round}", contexts[1]),
                Api.SignAsync(fixture.Client, a, a.Certificates[1], TestPkiSetup.UserPin, $"pc{round}", contexts[2]));

            Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
            Assert.True(Api.Verifies(replies[0].Body, HelperProcess.Origin, $"pa{round}", contexts[0]));
            Assert.True(Api.Verifies(replies[1].Body, HelperProcess.Origin, $"pb{round}", contexts[1]));
            Assert.True(Api.Verifies(replies[2].Body, HelperProcess.Origin, $"pc{round}", contexts[2]));
        }
    }
}
