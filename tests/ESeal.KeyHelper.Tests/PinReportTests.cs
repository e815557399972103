using System.Net;
using System.Security.Cryptography;
using ESeal.TestPki;

namespace ESeal.KeyHelper.Tests;

/// <summary>
/// The helper's signed word on wrong PINs (the portal counts those per key only from enrolled helpers),
/// and its check that a context names the token and certificate it signs with.
/// </summary>
[Collection(HelperCollection.Name)]
public sealed class PinReportTests(HelperFixture fixture)
{
    private const string WrongPin = "987650";

    private TokenInfo Token => fixture.Pki.Token(TestPkiSetup.TwoCertsToken);

    [Fact]
    public async Task Info_shows_a_P256_report_key_kept_in_the_state_directory_and_unchanged_by_a_restart()
    {
        var before = await Api.ReportKeyAsync(fixture.Client);

        await fixture.RestartHelperAsync();
        var after = await Api.ReportKeyAsync(fixture.Client);

        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(before.Spki, out var read);
        Assert.Equal(before.Spki.Length, read);
        Assert.Equal(ECCurve.NamedCurves.nistP256.Oid.Value, ecdsa.ExportParameters(false).Curve.Oid.Value);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(before.Spki)), before.KeyId);
        Assert.Equal(before.KeyId, after.KeyId);
        Assert.Equal(before.Spki, after.Spki);

        var file = Path.Combine(fixture.Helper.StateDirectory, "report-key.pem");
        Assert.Contains("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task A_wrong_pin_answer_carries_a_report_that_verifies_only_for_its_own_origin_nonce_context_and_facts()
    {
        var cert = Token.Certificates.Single(c => c.Name == "beijing-rsa");
        var context = Api.Context(Token, cert);
        var otherContext = Api.Context(Token, cert, "unbind");
        var key = await Api.ReportKeyAsync(fixture.Client);
        await ResetCountAsync(cert);

        var reply = await Api.SignAsync(fixture.Client, Token, cert, WrongPin, "report-n1", context);
        var fromOtherOrigin = await Api.SignAsync(fixture.Client, Token, cert, WrongPin, "report-n2", context, HelperProcess.OtherAllowedOrigin);
        await ResetCountAsync(cert);

        Assert.Equal((HttpStatusCode.Unauthorized, "PIN_INCORRECT", 4), (reply.Status, reply.Error, reply.AttemptsLeft));
        Assert.Equal(
            ["attemptsLeft", "error", "report"],
            reply.Body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var report = reply.Body.GetProperty("report");
        Assert.Equal(key.KeyId, report.GetProperty("keyId").GetString());
        Assert.Equal(64, Convert.FromBase64String(report.GetProperty("signature").GetString()!).Length);

        Assert.True(Api.ReportVerifies(reply, key, HelperProcess.Origin, "report-n1", context, Token.Serial, "PIN_INCORRECT", "4"));
        Assert.False(Api.ReportVerifies(reply, key, HelperProcess.OtherAllowedOrigin, "report-n1", context, Token.Serial, "PIN_INCORRECT", "4"));
        Assert.False(Api.ReportVerifies(reply, key, HelperProcess.Origin, "report-n2", context, Token.Serial, "PIN_INCORRECT", "4"));
        Assert.False(Api.ReportVerifies(reply, key, HelperProcess.Origin, "report-n1", otherContext, Token.Serial, "PIN_INCORRECT", "4"));
        Assert.False(Api.ReportVerifies(reply, key, HelperProcess.Origin, "report-n1", context, fixture.Pki.Token(TestPkiSetup.DemoToken).Serial, "PIN_INCORRECT", "4"));
        Assert.False(Api.ReportVerifies(reply, key, HelperProcess.Origin, "report-n1", context, Token.Serial, "PIN_LOCKED", "4"));
        Assert.False(Api.ReportVerifies(reply, key, HelperProcess.Origin, "report-n1", context, Token.Serial, "PIN_INCORRECT", "3"));
        Assert.False(Api.ReportVerifies(reply, key, HelperProcess.Origin, "report-n1", context, Token.Serial, "PIN_INCORRECT", "-"));

        // The origin in the report is the Origin header the helper received, as for the proof.
        Assert.Equal((HttpStatusCode.Unauthorized, 3), (fromOtherOrigin.Status, fromOtherOrigin.AttemptsLeft));
        Assert.True(Api.ReportVerifies(fromOtherOrigin, key, HelperProcess.OtherAllowedOrigin, "report-n2", context, Token.Serial, "PIN_INCORRECT", "3"));
        Assert.False(Api.ReportVerifies(fromOtherOrigin, key, HelperProcess.Origin, "report-n2", context, Token.Serial, "PIN_INCORRECT", "3"));
    }

    [Fact]
    public async Task Other_refusals_and_signatures_carry_no_report()
    {
        var cert = Token.Certificates[0];

        var signed = await Api.SignAsync(fixture.Client, Token, cert, TestPkiSetup.UserPin);
        var noCert = await Api.SignRawAsync(fixture.Client, Token.Serial, "00112233", WrongPin, "n", Api.Context(Token, cert));

        Assert.Equal(HttpStatusCode.OK, signed.Status);
        Assert.False(signed.Body.TryGetProperty("report", out _));
        Assert.Equal((HttpStatusCode.NotFound, "CERTIFICATE_NOT_FOUND"), (noCert.Status, noCert.Error));
        Assert.False(noCert.Body.TryGetProperty("report", out _));
    }

    public static TheoryData<string> BadContexts => new()
    {
        "another-token",
        "another-certificate-on-the-token",
        "a-certificate-of-another-token",
        "uppercase-certificate-hash",
        "no-token",
        "no-cert",
        "token-twice",
        "not-the-portal-format",
        "empty-part",
    };

    [Theory]
    [MemberData(nameof(BadContexts))]
    public async Task A_context_not_naming_this_token_and_certificate_is_refused_before_login_and_counts_no_attempt(string kind)
    {
        var cert = Token.Certificates.Single(c => c.Name == "beijing-rsa");
        var otherCert = Token.Certificates.Single(c => c.Name == "shenzhen-ec");
        var other = fixture.Pki.Token(TestPkiSetup.DemoToken);
        var good = Api.Context(Token, cert);
        var context = kind switch
        {
            "another-token" => Api.Context(other.Serial, cert.Sha256),
            "another-certificate-on-the-token" => Api.Context(Token, otherCert),
            "a-certificate-of-another-token" => Api.Context(Token.Serial, other.Certificates[0].Sha256),
            "uppercase-certificate-hash" => Api.Context(Token.Serial, cert.Sha256.ToUpperInvariant()),
            "no-token" => good.Replace($";token={Token.Serial}", "", StringComparison.Ordinal),
            "no-cert" => good.Replace($";cert={cert.Sha256}", "", StringComparison.Ordinal),
            "token-twice" => Api.Context(other.Serial, cert.Sha256) + $";token={Token.Serial}",
            "not-the-portal-format" => "bind|instance-1",
            "empty-part" => good + ";",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        await ResetCountAsync(cert);

        // Neither a wrong PIN (no attempt counted, no report) nor the right one (no signature) gets through.
        var wrong = new List<Api.Reply>();
        for (var i = 0; i < 6; i++)
        {
            wrong.Add(await Api.SignAsync(fixture.Client, Token, cert, WrongPin, "n", context));
        }

        var right = await Api.SignAsync(fixture.Client, Token, cert, TestPkiSetup.UserPin, "n", context);
        var list = await Api.GetTokensAsync(fixture.Client);
        var wrongWithGoodContext = await Api.SignAsync(fixture.Client, Token, cert, WrongPin, "n", good);
        await ResetCountAsync(cert);

        Assert.All(wrong.Append(right), r =>
        {
            Assert.Equal((HttpStatusCode.BadRequest, "BAD_REQUEST"), (r.Status, r.Error));
            Assert.Equal(["error"], r.Body.EnumerateObject().Select(p => p.Name));
        });
        Assert.False(Api.Token(list, Token.Serial).GetProperty("pinCountLow").GetBoolean());
        Assert.Equal((HttpStatusCode.Unauthorized, 4), (wrongWithGoodContext.Status, wrongWithGoodContext.AttemptsLeft));
    }

    [Fact]
    public async Task The_report_key_verb_prints_the_key_of_info_without_starting_a_server()
    {
        var info = await Api.ReportKeyAsync(fixture.Client);

        var (exit, stdout, _) = await HelperProcess.RunToEndAsync(["report-key", $"--KeyHelper:StateDirectory={fixture.Helper.StateDirectory}"], TimeSpan.FromSeconds(60));

        Assert.Equal(0, exit);
        Assert.Equal(
            [$"reportKeyId: {info.KeyId}", $"reportKey: {Convert.ToBase64String(info.Spki)}"],
            stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task A_corrupt_report_key_stops_the_start_and_is_kept()
    {
        var state = Path.Combine(fixture.Directory, "corrupt-state-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(state);
        var file = Path.Combine(state, "report-key.pem");
        const string garbage = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n";
        await File.WriteAllTextAsync(file, garbage);

        var verb = await HelperProcess.RunToEndAsync(["report-key", $"--KeyHelper:StateDirectory={state}"], TimeSpan.FromSeconds(60));
        var server = await HelperProcess.RunToEndAsync(
            [$"--KeyHelper:Port={FreePort()}", $"--KeyHelper:StateDirectory={state}"],
            TimeSpan.FromSeconds(60));

        Assert.Equal(1, verb.ExitCode);
        Assert.Equal(1, server.ExitCode);
        Assert.Contains(file, verb.Stderr, StringComparison.Ordinal);
        Assert.Contains(file, server.Stderr, StringComparison.Ordinal);
        Assert.Equal("", verb.Stdout);
        Assert.Equal(garbage, await File.ReadAllTextAsync(file));
    }

    private async Task ResetCountAsync(CertificateInfo cert)
    {
        var reply = await Api.SignAsync(fixture.Client, Token, cert, TestPkiSetup.UserPin, "reset");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
