using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ESeal.Db.Demo;
using ESeal.Workflows.Activities.ChooseCertificate;
using ESeal.Workflows.Activities.ChooseSeal;
using ESeal.Workflows.Activities.DetectKey;
using ESeal.Workflows.Activities.HolderForm;
using ESeal.Workflows.Activities.PinProof;

namespace ESeal.Tests.FlowSecurity;

/// <summary>One response of a flow page, with the hidden fields its form carries.</summary>
public sealed partial record FlowPage(HttpStatusCode Status, string Html, string? Location)
{
    public const string AntiforgeryField = "__RequestVerificationToken";
    public const string StepTokenField = "stepToken";

    public string? Antiforgery => HiddenValue(AntiforgeryField);

    public string? StepToken => HiddenValue(StepTokenField);

    /// <summary>The step partial on screen, told by what only that step renders.</summary>
    public string Step =>
        Html.Contains("data-pin-proof", StringComparison.Ordinal) ? "PinProof"
        : Html.Contains("data-detect-key", StringComparison.Ordinal) ? "DetectKey"
        : Html.Contains("name=\"certificateId\"", StringComparison.Ordinal) ? "ChooseCertificate"
        : Html.Contains("name=\"holderName\"", StringComparison.Ordinal) ? "HolderForm"
        : Html.Contains("name=\"sealId\"", StringComparison.Ordinal) ? "ChooseSeal"
        : Html.Contains("notice-title", StringComparison.Ordinal) ? "ReadingNotice"
        : Html.Contains("本业务需企业法定代表人本人确认同意", StringComparison.Ordinal) ? "LegalRepFaceVerification"
        : Html.Contains("无法继续办理", StringComparison.Ordinal) ? "Refused"
        : "Unknown";

    public string? HiddenValue(string name)
    {
        foreach (Match input in InputTag().Matches(Html))
        {
            var tag = input.Value;
            if (tag.Contains($"name=\"{name}\"", StringComparison.Ordinal))
            {
                var value = ValueAttribute().Match(tag);
                return value.Success ? WebUtility.HtmlDecode(value.Groups[1].Value) : string.Empty;
            }
        }

        return null;
    }

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex InputTag();

    [GeneratedRegex("\\bvalue=\"([^\"]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex ValueAttribute();
}

/// <summary>The PIN step's challenge as the page receives it from POST ?handler=Challenge.</summary>
public sealed record Challenge(HttpStatusCode Status, JsonElement Json)
{
    public string Nonce => Json.GetProperty("nonce").GetString()!;

    public string Context => Json.GetProperty("context").GetString()!;

    public bool Refused => Json.TryGetProperty("refused", out var r) && r.GetBoolean();

    public string? Message => Json.TryGetProperty("message", out var m) ? m.GetString() : null;
}

/// <summary>
/// Drives the bind flow as the page does: plain form posts carrying the antiforgery token and the
/// step token from the last page, the key helper's answers made in-process.
/// </summary>
public sealed class FlowBrowser(FlowSecurityFactory factory, HttpClient http) : IDisposable
{
    public const string HolderName = "王建国";
    public const string HolderIdType = "ResidentId";
    public const string HolderIdNumber = "330106197805121232";
    public const string HolderPhone = "13800138000";

    public HttpClient Http { get; } = http;

    public Guid InstanceId { get; private set; }

    public string FlowUrl => $"/flow/{InstanceId:D}";

    /// <summary>Takes up a flow this browser's session already owns (e.g. after the web restarted).</summary>
    public FlowBrowser Continue(Guid instanceId)
    {
        InstanceId = instanceId;
        return this;
    }

    /// <summary>The face step's poll as htmx sends it: 204 while pending, else HX-Location.</summary>
    public async Task<(HttpStatusCode Status, string? HxLocation)> PollFaceAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(FlowUrl + "?handler=FaceState", UriKind.Relative));
        request.Headers.Add("HX-Request", "true");
        using var response = await Http.SendAsync(request);
        Assert.True(response.StatusCode != HttpStatusCode.InternalServerError, "the poll answered 500");
        return (response.StatusCode, response.Headers.TryGetValues("HX-Location", out var values) ? values.First() : null);
    }

    /// <summary>The legal representative answers on the simulator's phone page.</summary>
    public async Task<FlowPage> AnswerOnPhoneAsync(string ticket, bool pass)
    {
        var phone = await GetAsync($"/m/face/{ticket}");
        Assert.Contains("模拟：验证通过", phone.Html, StringComparison.Ordinal);
        return await PostAsync($"/m/face/{ticket}", [new(FlowPage.AntiforgeryField, phone.Antiforgery!), new("decision", pass ? "pass" : "fail")]);
    }

    public string TokenSerial { get; set; } = "FS" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();

    public static Guid UnboundHangzhouSeal => DemoData.Hangzhou.Seals.First(s => s.State == DemoData.DemoState.Unbound).Id;

    public static Guid OtherUnboundHangzhouSeal => DemoData.Hangzhou.Seals.Last(s => s.State == DemoData.DemoState.Unbound).Id;

    public static Dictionary<string, string> HolderFields(string name = HolderName, string phone = HolderPhone) => new()
    {
        [HolderFormFields.Name] = name,
        [HolderFormFields.IdType] = HolderIdType,
        [HolderFormFields.IdNumber] = HolderIdNumber,
        [HolderFormFields.Phone] = phone,
    };

    public static Dictionary<string, string> ProofFields(string nonce, SignedProof proof) => new()
    {
        [PinProofFields.Result] = "signed",
        [PinProofFields.Nonce] = nonce,
        [PinProofFields.Algorithm] = proof.Algorithm,
        [PinProofFields.Signature] = proof.Signature,
        [PinProofFields.Certificate] = proof.Certificate,
    };

    /// <summary>GET /medium-change/bind → 302 to the new instance's page.</summary>
    public async Task<FlowPage> StartAsync()
    {
        var start = await Http.GetAsync(new Uri("/medium-change/bind", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var location = start.Headers.Location!.ToString();
        InstanceId = Guid.Parse(location["/flow/".Length..]);
        return await GetAsync();
    }

    public Task<FlowPage> GetAsync() => GetAsync(FlowUrl);

    public async Task<FlowPage> GetAsync(string url)
    {
        using var response = await Http.GetAsync(new Uri(url, UriKind.Relative));
        return await PageOf(response);
    }

    /// <summary>Posts a step form as the page would: antiforgery and step token from <paramref name="from"/>, plus <paramref name="fields"/>.</summary>
    public Task<FlowPage> PostStepAsync(FlowPage from, IReadOnlyDictionary<string, string>? fields = null) =>
        PostAsync(FlowUrl, Form(from.Antiforgery, from.StepToken, fields));

    public async Task<FlowPage> PostAsync(string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        using var content = new FormUrlEncodedContent(form);
        using var response = await Http.PostAsync(new Uri(url, UriKind.Relative), content);
        return await PageOf(response);
    }

    public Task<Challenge> ChallengeAsync(FlowPage from) => ChallengeAsync(FlowUrl, from.Antiforgery, from.StepToken);

    /// <summary>POST ?handler=Challenge as flow.js does, with the given hidden fields.</summary>
    public async Task<Challenge> ChallengeAsync(string flowUrl, string? antiforgery, string? stepToken)
    {
        using var content = new FormUrlEncodedContent(Form(antiforgery, stepToken, null));
        using var response = await Http.PostAsync(new Uri(flowUrl + "?handler=Challenge", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode != HttpStatusCode.InternalServerError, body);
        using var doc = JsonDocument.Parse(body);
        return new Challenge(response.StatusCode, doc.RootElement.Clone());
    }

    public static List<KeyValuePair<string, string>> Form(string? antiforgery, string? stepToken, IReadOnlyDictionary<string, string>? fields)
    {
        var form = new List<KeyValuePair<string, string>>();
        if (antiforgery is not null)
        {
            form.Add(new(FlowPage.AntiforgeryField, antiforgery));
        }

        if (stepToken is not null)
        {
            form.Add(new(FlowPage.StepTokenField, stepToken));
        }

        form.AddRange(fields ?? new Dictionary<string, string>());
        return form;
    }

    /// <summary>Expects the step to be taken: 302 back to the flow page, then reads the new step.</summary>
    public async Task<FlowPage> AdvanceAsync(FlowPage from, IReadOnlyDictionary<string, string>? fields = null)
    {
        var posted = await PostStepAsync(from, fields);
        Assert.True(posted.Status == HttpStatusCode.Redirect, $"expected the step {from.Step} to be taken, got {(int)posted.Status}: {Excerpt(posted.Html)}");
        return await GetAsync();
    }

    /// <summary>Start → reading notice acknowledged after the (fake) 5 s.</summary>
    public async Task<FlowPage> ToDetectKeyAsync()
    {
        var page = await StartAsync();
        Assert.Equal("ReadingNotice", page.Step);
        factory.Clock.Advance(TimeSpan.FromSeconds(6));
        page = await AdvanceAsync(page);
        Assert.Equal("DetectKey", page.Step);
        return page;
    }

    public async Task<FlowPage> ToHolderFormAsync(params System.Security.Cryptography.X509Certificates.X509Certificate2[] keyCertificates)
    {
        var page = await ToDetectKeyAsync();
        var certificates = keyCertificates.Length == 0 ? [FlowSecurityPki.Instance.Good] : keyCertificates;
        page = await AdvanceAsync(page, new Dictionary<string, string> { [DetectKeyFields.Tokens] = FlowSecurityPki.TokensJson(TokenSerial, certificates) });
        Assert.Equal("ChooseCertificate", page.Step);
        page = await AdvanceAsync(page, new Dictionary<string, string> { [ChooseCertificateFields.CertificateId] = "01" });
        Assert.Equal("HolderForm", page.Step);
        return page;
    }

    public async Task<FlowPage> ToChooseSealAsync(params System.Security.Cryptography.X509Certificates.X509Certificate2[] keyCertificates)
    {
        var page = await ToHolderFormAsync(keyCertificates);
        page = await AdvanceAsync(page, HolderFields());
        Assert.Equal("ChooseSeal", page.Step);
        return page;
    }

    /// <summary>The whole way to the PIN dialog, with an unbound Hangzhou seal chosen.</summary>
    public async Task<FlowPage> ToPinAsync(params System.Security.Cryptography.X509Certificates.X509Certificate2[] keyCertificates)
    {
        var page = await ToChooseSealAsync(keyCertificates);
        page = await AdvanceAsync(page, new Dictionary<string, string> { [ChooseSealFields.SealId] = UnboundHangzhouSeal.ToString("D") });
        Assert.Equal("PinProof", page.Step);
        return page;
    }

    /// <summary>The whole way to the legal representative's face step, with a correct PIN proof.</summary>
    public async Task<FlowPage> ToFaceAsync()
    {
        var pin = await ToPinAsync();
        var challenge = await ChallengeAsync(pin);
        var proof = FlowSecurityPki.Sign(FlowSecurityPki.Instance.Good, FlowSecurityFactory.Origin, challenge.Nonce, challenge.Context);
        var face = await AdvanceAsync(pin, ProofFields(challenge.Nonce, proof));
        Assert.Equal("LegalRepFaceVerification", face.Step);
        return face;
    }

    /// <summary>The antiforgery token of the last page that had a form (the pending face page has none).</summary>
    public string? LastAntiforgery { get; private set; }

    /// <summary>The face ticket the page shows (the simulator's phone link, /m/face/{ticket}).</summary>
    public static string? FaceTicketOf(FlowPage page)
    {
        var match = Regex.Match(page.Html, "/m/face/([A-Za-z0-9_-]{43})");
        return match.Success ? match.Groups[1].Value : null;
    }

    public DbSnapshot Snapshot() => factory.Snapshot(InstanceId);

    public static string Excerpt(string html) => html.Length > 2000 ? html[..2000] : html;

    public void Dispose() => Http.Dispose();

    private async Task<FlowPage> PageOf(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        if (new FlowPage(response.StatusCode, html, null).Antiforgery is { } token)
        {
            LastAntiforgery = token;
        }

        Assert.True(response.StatusCode != HttpStatusCode.InternalServerError, "the server answered 500: " + Excerpt(html));
        return new FlowPage(response.StatusCode, html, response.Headers.Location?.ToString());
    }
}
