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

        var reply = await Api.SignAsync(fixture.Client, token.Serial, token.Certificates[0].Id, TestPkiSetup.UserPin, "n-rsa", "bind|i-1|91330106MA2B3C4D5D");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("RS256", reply.Body.GetProperty("algorithm").GetString());
        Assert.Equal(
            ["algorithm", "certificate", "signature"],
            reply.Body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.True(Api.Verifies(reply.Body, HelperProcess.Origin, "n-rsa", "bind|i-1|91330106MA2B3C4D5D"));
    }

    [Fact]
    public async Task Ec_certificate_gives_an_ES256_proof_as_raw_r_s()
    {
        var token = fixture.Pki.Token(TestPkiSetup.TwoCertsToken);
        var ec = token.Certificates.Single(c => c.Name == "shenzhen-ec");

        var reply = await Api.SignAsync(fixture.Client, token.Serial, ec.Id, TestPkiSetup.UserPin, "n-ec", "unbind|i-2");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("ES256", reply.Body.GetProperty("algorithm").GetString());
        Assert.Equal(64, Convert.FromBase64String(reply.Body.GetProperty("signature").GetString()!).Length);
        Assert.True(Api.Verifies(reply.Body, HelperProcess.Origin, "n-ec", "unbind|i-2"));
    }

    [Fact]
    public async Task Signs_with_the_key_of_the_chosen_certificate_on_a_token_with_two()
    {
        var token = fixture.Pki.Token(TestPkiSetup.TwoCertsToken);
        var rsa = token.Certificates.Single(c => c.Name == "beijing-rsa");

        var reply = await Api.SignAsync(fixture.Client, token.Serial, rsa.Id, TestPkiSetup.UserPin, "n", "c");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("RS256", reply.Body.GetProperty("algorithm").GetString());
        Assert.Equal(
            rsa.Sha256,
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Convert.FromBase64String(reply.Body.GetProperty("certificate").GetString()!))));
        Assert.True(Api.Verifies(reply.Body, HelperProcess.Origin, "n", "c"));
    }

    [Fact]
    public async Task A_proof_is_bound_to_its_origin_nonce_and_context()
    {
        var token = fixture.Pki.Token(TestPkiSetup.EcOnlyToken);
        var id = token.Certificates[0].Id;

        var reply = await Api.SignAsync(fixture.Client, token.Serial, id, TestPkiSetup.UserPin, "nonce-A", "context-A");
        var fromOtherOrigin = await Api.SignAsync(fixture.Client, token.Serial, id, TestPkiSetup.UserPin, "nonce-A", "context-A", HelperProcess.OtherAllowedOrigin);

        Assert.True(Api.Verifies(reply.Body, HelperProcess.Origin, "nonce-A", "context-A"));
        Assert.False(Api.Verifies(reply.Body, HelperProcess.OtherAllowedOrigin, "nonce-A", "context-A"));
        Assert.False(Api.Verifies(reply.Body, HelperProcess.Origin, "nonce-B", "context-A"));
        Assert.False(Api.Verifies(reply.Body, HelperProcess.Origin, "nonce-A", "context-B"));

        // The origin in the proof is the Origin header the helper received, not something the page chose.
        Assert.True(Api.Verifies(fromOtherOrigin.Body, HelperProcess.OtherAllowedOrigin, "nonce-A", "context-A"));
        Assert.False(Api.Verifies(fromOtherOrigin.Body, HelperProcess.Origin, "nonce-A", "context-A"));
    }

    [Fact]
    public async Task Unknown_certificate_id_gives_CERTIFICATE_NOT_FOUND_and_unknown_serial_TOKEN_NOT_PRESENT()
    {
        var token = fixture.Pki.Token(TestPkiSetup.DemoToken);

        var noCert = await Api.SignAsync(fixture.Client, token.Serial, "00112233", TestPkiSetup.UserPin);
        var noToken = await Api.SignAsync(fixture.Client, "0000000000000000", token.Certificates[0].Id, TestPkiSetup.UserPin);

        Assert.Equal((HttpStatusCode.NotFound, "CERTIFICATE_NOT_FOUND"), (noCert.Status, noCert.Error));
        Assert.Equal((HttpStatusCode.NotFound, "TOKEN_NOT_PRESENT"), (noToken.Status, noToken.Error));
    }

    [Fact]
    public async Task Two_signatures_on_two_tokens_run_in_parallel_and_both_verify()
    {
        var a = fixture.Pki.Token(TestPkiSetup.TwoCertsToken);
        var b = fixture.Pki.Token(TestPkiSetup.EcOnlyToken);

        for (var round = 0; round < 5; round++)
        {
            var replies = await Task.WhenAll(
                Api.SignAsync(fixture.Client, a.Serial, a.Certificates[0].Id, TestPkiSetup.UserPin, $"pa{round}", "ctx-a"),
                Api.SignAsync(fixture.Client, b.Serial, b.Certificates[0].Id, TestPkiSetup.UserPin, $"pb{round}", "ctx-b"),
                Api.SignAsync(fixture.Client, a.Serial, a.Certificates[1].Id, TestPkiSetup.UserPin, $"pc{round}", "ctx-c"));

            Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
            Assert.True(Api.Verifies(replies[0].Body, HelperProcess.Origin, $"pa{round}", "ctx-a"));
            Assert.True(Api.Verifies(replies[1].Body, HelperProcess.Origin, $"pb{round}", "ctx-b"));
            Assert.True(Api.Verifies(replies[2].Body, HelperProcess.Origin, $"pc{round}", "ctx-c"));
        }
    }
}
