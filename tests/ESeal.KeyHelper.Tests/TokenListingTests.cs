using System.Net;
using System.Security.Cryptography;
using ESeal.TestPki;

namespace ESeal.KeyHelper.Tests;

[Collection(HelperCollection.Name)]
public sealed class TokenListingTests(HelperFixture fixture)
{
    [Fact]
    public async Task Info_names_the_protocol()
    {
        var reply = await Api.SendAsync(fixture.Client, new HttpRequestMessage(HttpMethod.Get, "/v1/info"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("eseal-keyhelper/1", reply.Body.GetProperty("protocol").GetString());
        Assert.False(string.IsNullOrEmpty(reply.Body.GetProperty("version").GetString()));
        Assert.Equal(
            ["modules", "protocol", "reportKey", "reportKeyId", "version"],
            reply.Body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Lists_every_token_with_the_fields_of_the_protocol_and_its_certificates()
    {
        var list = await Api.WaitForListAsync(fixture.Client, l => fixture.Pki.Tokens.All(t => Api.Lists(l, t.Serial)));

        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.True(list.Body.GetProperty("version").GetInt64() > 0);
        foreach (var expected in fixture.Pki.Tokens)
        {
            var token = Api.Token(list, expected.Serial);
            Assert.Equal(
                ["certificates", "label", "manufacturer", "model", "pinCountLow", "pinFinalTry", "pinLocked", "serial"],
                token.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal(expected.Label, token.GetProperty("label").GetString());
            Assert.Equal("SoftHSM project", token.GetProperty("manufacturer").GetString());
            Assert.Equal("SoftHSM v2", token.GetProperty("model").GetString());

            var certificates = token.GetProperty("certificates").EnumerateArray()
                .Select(c => (Id: c.GetProperty("id").GetString()!, Sha256: Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String(c.GetProperty("der").GetString()!)))))
                .OrderBy(c => c.Id, StringComparer.Ordinal)
                .ToList();
            Assert.Equal(
                expected.Certificates.Select(c => (c.Id, c.Sha256)).OrderBy(c => c.Id, StringComparer.Ordinal),
                certificates);
        }

        Assert.Equal(2, Api.Token(list, fixture.Pki.Token(TestPkiSetup.TwoCertsToken).Serial).GetProperty("certificates").GetArrayLength());
        Assert.Equal(0, Api.Token(list, fixture.Pki.Token(TestPkiSetup.EmptyToken).Serial).GetProperty("certificates").GetArrayLength());
    }

    [Fact]
    public async Task Certificates_carry_the_credit_code_as_organization_identifier_and_serial_number()
    {
        var list = await Api.GetTokensAsync(fixture.Client);
        var token = Api.Token(list, fixture.Pki.Token(TestPkiSetup.DemoToken).Serial);
        var der = Convert.FromBase64String(token.GetProperty("certificates")[0].GetProperty("der").GetString()!);
        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(der);
        var attributes = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .ToDictionary(r => r.GetSingleElementType().Value!, r => r.GetSingleElementValue());

        Assert.Equal("91330106MA2B3C4D5D", attributes["2.5.4.97"]);
        Assert.Equal("91330106MA2B3C4D5D", attributes["2.5.4.5"]);
        Assert.Equal("杭州云印信息技术有限公司", attributes["2.5.4.10"]);
        Assert.Equal("ESeal Test Root CA", certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, true));
    }
}
