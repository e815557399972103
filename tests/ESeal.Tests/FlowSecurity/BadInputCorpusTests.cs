using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using ESeal.Workflows.Activities.ChooseCertificate;
using ESeal.Workflows.Activities.ChooseSeal;
using ESeal.Workflows.Activities.DetectKey;
using ESeal.Workflows.Activities.HolderForm;
using ESeal.Workflows.Activities.LegalRepFaceVerification;
using ESeal.Workflows.Activities.PinProof;

namespace ESeal.Tests.FlowSecurity;

/// <summary>
/// Issue 9 (9): one corpus of bad values tried in every step field, query and route parameter of the
/// citizen-facing pages, and every odd content type on the flow's POSTs. Whatever was tried: no 5xx,
/// no stack trace on screen or in the log, a message in Chinese when refused, and no seal, binding,
/// audit event or PIN count changed. Each failure names the place and the value tried.
/// </summary>
public sealed partial class BadInputCorpusTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    private const string FormatText = "提交的内容格式不正确";

    /// <summary>What was tried, and the value as it goes on the wire (already percent-encoded).</summary>
    public static readonly IReadOnlyList<(string Tried, string Encoded)> Corpus =
    [
        ("empty", ""),
        ("whitespace", E("  \t  ")),
        ("10 KB of ASCII", E(new string('x', 10 * 1024))),
        ("10 KB of Chinese", E(new string('名', 10 * 1024 / 3))),
        ("NUL and control characters", "%00%01%1B%5B31m"),
        ("zero-width joiner only", E("\u200D")),
        ("BOM only", E("\uFEFF")),
        ("RTL override", E("\u202Eexe.txt")),
        ("SQL injection", E("' OR 1=1; DROP TABLE seals; --")),
        ("HTML and script", E("<script>alert(1)</script>\"><img src=x onerror=alert(1)>")),
        ("non-UTF-8 bytes and a lone surrogate", "%FF%FE%C0%80%ED%A0%80"),
        ("the empty GUID", E(Guid.Empty.ToString("D"))),
        ("an unknown GUID", E("6d1f0a52-8f43-4c1e-9a51-1a7d3e0c1fff")),
        ("a truncated GUID", E("6d1f0a52-8f43-4c1e-9a51-1a7d3e0c10")),
        ("a negative number", "-1"),
        ("a huge number", "99999999999999999999999999999999"),
        ("JSON", E("{\"tokens\":[{\"serial\":null}],\"__proto__\":{\"x\":1}}")),
        ("a path traversal", E("../../../etc/passwd")),
    ];

    /// <summary>Every field a step's form posts, plus the step token every step carries.</summary>
    public static TheoryData<string, string> StepFields => new()
    {
        { "DetectKey", DetectKeyFields.Tokens },
        { "DetectKey", DetectKeyFields.TokenSerial },
        { "DetectKey", FlowPage.StepTokenField },
        { "ChooseCertificate", ChooseCertificateFields.CertificateId },
        { "ChooseCertificate", ChooseCertificateFields.Refresh },
        { "HolderForm", HolderFormFields.Name },
        { "HolderForm", HolderFormFields.IdType },
        { "HolderForm", HolderFormFields.IdNumber },
        { "HolderForm", HolderFormFields.Phone },
        { "HolderForm", FlowPage.StepTokenField },
        { "ChooseSeal", ChooseSealFields.SealId },
        { "ChooseSeal", ChooseSealFields.ConfirmRelease },
        { "PinProof", PinProofFields.Result },
        { "PinProof", PinProofFields.Nonce },
        { "PinProof", PinProofFields.Algorithm },
        { "PinProof", PinProofFields.Signature },
        { "PinProof", PinProofFields.Certificate },
        { "PinProof", FlowPage.StepTokenField },
        { "LegalRepFaceVerification", LegalRepFaceVerificationFields.Action },
        { "LegalRepFaceVerification", FlowPage.StepTokenField },
    };

    [Theory]
    [MemberData(nameof(StepFields))]
    public async Task Every_corpus_value_in_a_step_field_gets_a_message_never_a_500_and_changes_no_business_data(string step, string field)
    {
        // Tried: each value of the corpus in this one field (the holder form's other fields valid).
        FlowBrowser? browser = null;
        try
        {
            foreach (var (tried, encoded) in Corpus)
            {
                var what = $"POST /flow/{{id}} at {step}, {field} = {tried}";
                var at = browser is null ? null : await browser.GetAsync();
                if (browser is null || at is null || at.Step != step && step != "LegalRepFaceVerification")
                {
                    browser?.Dispose();
                    browser = factory.NewBrowser();
                    await ToStepAsync(browser, step);
                }

                var before = browser.Snapshot();
                factory.Logs.Clear();
                var fields = new List<string> { $"{FlowPage.AntiforgeryField}={E(browser.LastAntiforgery!)}" };
                if (field != FlowPage.StepTokenField)
                {
                    fields.Add($"{FlowPage.StepTokenField}={E(before.StepToken)}");
                }

                if (step == "HolderForm")
                {
                    fields.AddRange(FlowBrowser.HolderFields().Where(f => f.Key != field).Select(f => $"{f.Key}={E(f.Value)}"));
                }

                fields.Add($"{field}={encoded}");
                var answer = await SendAsync(browser.Http, HttpMethod.Post, browser.FlowUrl, string.Join('&', fields), "application/x-www-form-urlencoded", null);

                AssertNoServerError(what, answer.Status, answer.Body);
                before.AssertSameBusiness(browser.Snapshot(), what);
                if (answer.Status == HttpStatusCode.Redirect)
                {
                    // Only a name can be odd and still valid (SQL text is a possible name; it is stored as text).
                    Assert.True(field == HolderFormFields.Name, $"{what}: the step was taken");
                    browser.Dispose();
                    browser = null;
                }
                else if (step != "LegalRepFaceVerification" || field == FlowPage.StepTokenField)
                {
                    Assert.True(HasChineseMessage(answer.Body), $"{what}: {(int)answer.Status} without a message in Chinese: {FlowBrowser.Excerpt(answer.Body)}");
                }
            }
        }
        finally
        {
            browser?.Dispose();
        }
    }

    [Fact]
    public async Task Every_corpus_value_as_the_step_token_of_the_PIN_challenge_is_refused_with_a_message_and_issues_no_nonce()
    {
        // Tried: POST ?handler=Challenge (what flow.js calls before the key helper signs) with each
        // corpus value as the step token; only the page's own token may get a nonce.
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync();
        var before = browser.Snapshot();
        foreach (var (tried, encoded) in Corpus)
        {
            var what = $"POST /flow/{{id}}?handler=Challenge, stepToken = {tried}";
            factory.Logs.Clear();

            var answer = await SendAsync(browser.Http, HttpMethod.Post, browser.FlowUrl + "?handler=Challenge", $"{FlowPage.AntiforgeryField}={E(pin.Antiforgery!)}&{FlowPage.StepTokenField}={encoded}", "application/x-www-form-urlencoded", null);

            AssertNoServerError(what, answer.Status, answer.Body);
            if (answer.Status == HttpStatusCode.BadRequest)
            {
                // A %00 makes ASP.NET's form reader refuse the whole body, so antiforgery answers before the page.
                Assert.Contains("提交的内容无法处理", answer.Body, StringComparison.Ordinal);
                Assert.Contains($"href=\"{browser.FlowUrl}\"", answer.Body, StringComparison.Ordinal);
            }
            else
            {
                Assert.True(answer.Status == HttpStatusCode.Conflict, $"{what}: {(int)answer.Status}");
                Assert.True(HasChineseMessage(answer.Body), $"{what}: no message in Chinese: {answer.Body}");
            }

            Assert.DoesNotContain("\"nonce\"", answer.Body, StringComparison.Ordinal);
        }

        before.AssertUnchanged(browser.Snapshot());
    }

    /// <summary>Each content type a client could send, for the step POST and the PIN challenge.</summary>
    public static TheoryData<string, string, string?, string> OddBodies => new()
    {
        { "JSON", "step", "application/json", "{\"stepToken\":\"x\",\"holderName\":\"王建国\"}" },
        { "JSON", "challenge", "application/json", "{\"stepToken\":\"x\"}" },
        { "plain text", "step", "text/plain", "stepToken=x&holderName=王建国" },
        { "plain text", "challenge", "text/plain; charset=utf-8", "stepToken=x" },
        { "XML", "step", "application/xml", "<form><stepToken>x</stepToken></form>" },
        { "XML", "challenge", "application/xml", "<form><stepToken>x</stepToken></form>" },
        { "octet stream", "step", "application/octet-stream", "\u0000\u0001binary" },
        { "no content type with a body", "step", null, "stepToken=x" },
        { "no content type with a body", "challenge", null, "stepToken=x" },
        { "multipart without a boundary", "step", "multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n" },
        { "multipart with a truncated body", "step", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"holderName\"\r\n\r\n王" },
        { "multipart with a truncated body", "challenge", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"stepToken\"\r\n\r\n" },
        { "a form with an unknown charset", "step", "application/x-www-form-urlencoded; charset=klingon", "holderName=x" },
        { "an empty form", "step", "application/x-www-form-urlencoded", "" },
        { "an empty form", "challenge", "application/x-www-form-urlencoded", "" },
        { "JSON", "claim", "application/json", "{\"CreditCode\":\"91330106MA2B3C4D5D\"}" },
        { "XML", "claim", "application/xml", "<CreditCode>91330106MA2B3C4D5D</CreditCode>" },
        { "multipart with a truncated body", "claim", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"CreditCode\"\r\n\r\n9133" },
        { "JSON", "phone", "application/json", "{\"decision\":\"pass\"}" },
        { "plain text", "phone", "text/plain", "decision=pass" },
        { "multipart with a truncated body", "phone", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"decision\"\r\n\r\npa" },
    };

    [Theory]
    [MemberData(nameof(OddBodies))]
    public async Task An_odd_body_on_a_flow_post_gets_a_4xx_with_a_message_and_changes_nothing(string tried, string endpoint, string? contentType, string body)
    {
        // Tried: the body named in `tried`, with a valid antiforgery token in the header as htmx sends it.
        // The mobile pages ("claim": /m/claim, "phone": the face simulator's /m/face/{ticket}) are tried from
        // the face step, whose live ticket the phone page would otherwise accept.
        using var browser = factory.NewBrowser();
        var page = endpoint switch
        {
            "step" => await browser.ToHolderFormAsync(),
            "challenge" => await browser.ToPinAsync(),
            _ => await browser.ToFaceAsync(),
        };
        var before = browser.Snapshot();
        factory.Logs.Clear();
        var url = endpoint switch
        {
            "challenge" => browser.FlowUrl + "?handler=Challenge",
            "claim" => "/m/claim",
            "phone" => "/m/face/" + FlowBrowser.FaceTicketOf(page),
            _ => browser.FlowUrl,
        };
        var antiforgery = page.Antiforgery ?? browser.LastAntiforgery; // the pending face page has no form of its own

        var answer = await SendAsync(browser.Http, HttpMethod.Post, url, body, contentType, antiforgery);

        var what = $"POST {url} with {tried}";
        AssertNoServerError(what, answer.Status, answer.Body);
        Assert.True((int)answer.Status is >= 400 and < 500 || answer.Status == HttpStatusCode.OK, $"{what}: {(int)answer.Status}");
        Assert.True(HasChineseMessage(answer.Body), $"{what}: no message in Chinese: {FlowBrowser.Excerpt(answer.Body)}");
        before.AssertSameStepAndBusiness(browser.Snapshot());
        if (endpoint == "phone")
        {
            // The phone's answer did not count: the ticket is still waiting for one.
            Assert.Equal(HttpStatusCode.NoContent, (await browser.PollFaceAsync()).Status);
        }

        if (endpoint is "claim" or "phone")
        {
            return;
        }

        if (contentType is null || !contentType.StartsWith("multipart", StringComparison.Ordinal) && !contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.Status);
            Assert.Contains(FormatText, MessageOf(answer.Body), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_well_formed_multipart_post_of_the_holder_form_works_like_the_form()
    {
        // Tried: the holder form sent as multipart/form-data (what a form with enctype=multipart sends), with a file part.
        using var browser = factory.NewBrowser();
        var holder = await browser.ToHolderFormAsync();
        using var content = new MultipartFormDataContent
        {
            { new StringContent(holder.Antiforgery!), FlowPage.AntiforgeryField },
            { new StringContent(holder.StepToken!), FlowPage.StepTokenField },
        };
        foreach (var (key, value) in FlowBrowser.HolderFields())
        {
            content.Add(new StringContent(value), key);
        }

        content.Add(new ByteArrayContent([1, 2, 3]), "upload", "x.bin");
        using var response = await browser.Http.PostAsync(new Uri(browser.FlowUrl, UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("ChooseSeal", (await browser.GetAsync()).Step);
    }

    /// <summary>Every route and query parameter of the citizen-facing pages; {v} is where the corpus value goes.</summary>
    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/flow/{v}" },
        { "GET", "/flow/{id}?handler={v}" },
        { "POST", "/flow/{id}?handler={v}" },
        { "POST", "/flow/{id}?handler=FaceState&x={v}" },
        { "GET", "/flow/{id}?handler=FaceState&id={v}" },
        { "GET", "/m/face/{v}" },
        { "POST", "/m/face/{v}" },
        { "GET", "/m/face/{v}?back={v}" },
        { "GET", "/m/claim?sealId={v}" },
        { "POST", "/m/claim" },
        { "GET", "/m/claim/qr?sealId={v}" },
        { "GET", "/seals/{v}/impression.svg" },
        { "GET", "/download/keyhelper/{v}" },
        { "GET", "/download/keyhelper/file/{v}" },
        { "GET", "/download/keyhelper/file/keyhelper/{v}" },
        { "GET", "/medium-change/{v}" },
        { "GET", "/medium-change/bind?sealId={v}" },
        { "GET", "/?handler={v}" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_corpus_value_in_a_route_or_query_parameter_gets_a_page_or_a_message_never_a_500(string method, string template)
    {
        // Tried: each value of the corpus where {v} stands; POSTs carry a valid antiforgery token and, for
        // /m/claim, the value as the credit code.
        using var browser = factory.NewBrowser();
        var holder = await browser.ToHolderFormAsync();
        var before = browser.Snapshot();
        foreach (var (tried, encoded) in Corpus)
        {
            // %00 in a path never reaches the app: Kestrel answers 400 itself (the in-process test server throws instead).
            var inPath = template.IndexOf("{v}", StringComparison.Ordinal) < Math.Max(template.IndexOf('?', StringComparison.Ordinal), 0) || !template.Contains('?', StringComparison.Ordinal)
                ? encoded.Replace("%00", "%01", StringComparison.Ordinal)
                : encoded;
            var url = template.Replace("{id}", browser.InstanceId.ToString("D"), StringComparison.Ordinal).Replace("{v}", inPath, StringComparison.Ordinal);
            var what = $"{method} {template} with {tried}";
            factory.Logs.Clear();
            var body = method == "POST"
                ? $"{FlowPage.AntiforgeryField}={E(holder.Antiforgery!)}&decision=pass&CreditCode={encoded}&stepToken={E(before.StepToken)}"
                : null;

            var answer = await SendAsync(browser.Http, new HttpMethod(method), url, body, body is null ? null : "application/x-www-form-urlencoded", null);

            AssertNoServerError(what, answer.Status, answer.Body);
            if ((int)answer.Status >= 400 && answer.Body.Length > 0)
            {
                Assert.True(HasChineseMessage(answer.Body), $"{what}: {(int)answer.Status} without a message in Chinese: {FlowBrowser.Excerpt(answer.Body)}");
            }

            before.AssertSameBusiness(browser.Snapshot(), what);
        }

        before.AssertSameStepAndBusiness(browser.Snapshot());
    }

    private async Task ToStepAsync(FlowBrowser browser, string step)
    {
        var page = step switch
        {
            "DetectKey" => await browser.ToDetectKeyAsync(),
            "ChooseCertificate" => await ToChooseCertificateAsync(browser),
            "HolderForm" => await browser.ToHolderFormAsync(),
            "ChooseSeal" => await browser.ToChooseSealAsync(),
            "PinProof" => await browser.ToPinAsync(),
            "LegalRepFaceVerification" => await browser.ToFaceAsync(),
            _ => throw new ArgumentOutOfRangeException(nameof(step)),
        };
        Assert.Equal(step, page.Step);
        Assert.NotNull(browser.LastAntiforgery);
    }

    private static async Task<FlowPage> ToChooseCertificateAsync(FlowBrowser browser)
    {
        var detect = await browser.ToDetectKeyAsync();
        // Two certificates, so that the choice is required and no odd value can fall back to the only one.
        return await browser.AdvanceAsync(detect, new Dictionary<string, string> { [DetectKeyFields.Tokens] = FlowSecurityPki.TokensJson(browser.TokenSerial, FlowSecurityPki.Instance.Good, FlowSecurityPki.Instance.SecondGood) });
    }

    private void AssertNoServerError(string what, HttpStatusCode status, string body)
    {
        Assert.True((int)status < 500, $"{what}: the server answered {(int)status}: {FlowBrowser.Excerpt(body)}");
        Assert.False(StackTrace().IsMatch(body), $"{what}: the answer shows server internals: {FlowBrowser.Excerpt(body)}");
        Assert.False((int)status >= 400 && body.Contains("服务暂时不可用", StringComparison.Ordinal), $"{what}: a refused request is told the service is down");
        var failures = factory.Logs.Failures;
        Assert.True(failures.Count == 0, $"{what}: the log holds an error or a stack trace:\n{string.Join('\n', failures)}");
    }

    /// <summary>A Chinese sentence in the page, or in the "message" of a JSON answer.</summary>
    private static bool HasChineseMessage(string body) => ChineseSentence().IsMatch(MessageOf(body));

    /// <summary>The page itself, or the "message" of a JSON answer (which escapes Chinese as \uXXXX).</summary>
    private static string MessageOf(string body)
    {
        if (!body.StartsWith('{'))
        {
            return body;
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : string.Empty;
        }
        catch (System.Text.Json.JsonException)
        {
            return string.Empty;
        }
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string url, string? body, string? contentType, string? antiforgeryHeader)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        if (antiforgeryHeader is not null)
        {
            request.Headers.Add("RequestVerificationToken", antiforgeryHeader);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string E(string value) => Uri.EscapeDataString(value);

    [GeneratedRegex("Exception|StackTrace|   at [A-Z]", RegexOptions.CultureInvariant)]
    private static partial Regex StackTrace();

    [GeneratedRegex("[\u4e00-\u9fff]{4,}", RegexOptions.CultureInvariant)]
    private static partial Regex ChineseSentence();
}
