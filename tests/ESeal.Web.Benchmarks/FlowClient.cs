using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using ESeal.Workflows.Activities.ChooseCertificate;
using ESeal.Workflows.Activities.ChooseSeal;
using ESeal.Workflows.Activities.DetectKey;
using ESeal.Workflows.Activities.HolderForm;
using ESeal.Workflows.Activities.LegalRepFaceVerification;
using ESeal.Workflows.Activities.PinProof;
using ESeal.Workflows.Face;
using ESeal.Workflows.Proof;

namespace ESeal.Web.Benchmarks;

/// <summary>An enterprise made for the benchmark: one unbound seal to bind, a token serial and a certificate.</summary>
internal sealed record BenchEnterprise(Guid Id, string CreditCode, string Name, Guid SealId, string TokenSerial, X509Certificate2 Leaf);

/// <summary>One response as the client saw it.</summary>
internal sealed record Seen(string Label, HttpStatusCode Status, string Body, int BodyBytes, int HeaderBytes, string? ContentEncoding, string? HxLocation, string? Location);

/// <summary>
/// One browser (its own cookies: session and antiforgery) doing what the pages do: htmx posts with
/// HX-Request and follows HX-Location with an htmx GET; flow.js's plain fetch for the PIN challenge.
/// </summary>
internal sealed partial class FlowClient : IDisposable
{
    private readonly HttpClient http;
    private readonly BenchFactory factory;
    private readonly IFaceVerificationProvider faces;
    private readonly Stats stats;

    public FlowClient(BenchFactory factory, IFaceVerificationProvider faces, Stats stats, CookieContainer? cookies = null)
    {
        this.factory = factory;
        this.faces = faces;
        this.stats = stats;
        Cookies = cookies ?? new CookieContainer();
        http = new HttpClient(new SocketsHttpHandler
        {
            UseCookies = true,
            CookieContainer = Cookies,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = 8,
        })
        { BaseAddress = new Uri(factory.Origin) };
    }

    public CookieContainer Cookies { get; }

    /// <summary>When set, every response of a flow is kept here (for the bytes section).</summary>
    public List<Seen>? Record { get; set; }

    public string SessionId => Cookies.GetCookies(new Uri(factory.Origin))["eseal.session"]?.Value ?? string.Empty;

    /// <summary>A whole bind flow, start to the success page. Returns the flow URL.</summary>
    public async Task<string> BindAsync(BenchEnterprise e, CancellationToken ct = default)
    {
        var page = await ToChooseSealAsync(e, ct);
        return await FinishAsync(e, page, ct);
    }

    /// <summary>Start → reading notice → USBKEY → certificate → holder form; returns the ChooseSeal step.</summary>
    public async Task<Step> ToChooseSealAsync(BenchEnterprise e, CancellationToken ct = default)
    {
        var start = await SendAsync("GET /medium-change/bind", HttpMethod.Get, "/medium-change/bind", null, htmx: false, ct);
        Expect(start.Status == HttpStatusCode.Redirect && start.Location is not null, "start", start);
        var url = start.Location!;
        var first = await SendAsync("GET full page: reading notice", HttpMethod.Get, url, null, htmx: false, ct);
        Expect(first.Body.Contains("notice-title", StringComparison.Ordinal), "reading notice", first);
        var step = new Step(url, first.Body);

        factory.Clock.Advance(TimeSpan.FromSeconds(5)); // the page's countdown, checked by the server against notBefore
        step = await StepAsync("reading notice ack", step, [], "detect key", ct);
        step = await StepAsync("detect key (tokens)", step, [(DetectKeyFields.Tokens, TokensJson(e))], "choose certificate", ct);
        step = await StepAsync("choose certificate", step, [(ChooseCertificateFields.CertificateId, "01")], "holder form", ct);
        step = await StepAsync(
            "holder form",
            step,
            [(HolderFormFields.Name, "张三"), (HolderFormFields.IdType, "ResidentId"), (HolderFormFields.IdNumber, "11010519491231002X"), (HolderFormFields.Phone, "13800138000")],
            "choose seal",
            ct);
        Expect(step.Html.Contains(e.SealId.ToString(), StringComparison.OrdinalIgnoreCase), "choose seal lists the seal", null);
        return step;
    }

    /// <summary>ChooseSeal → PIN (challenge, signed in-process) → face (simulator passes) → commit → success page.</summary>
    public async Task<string> FinishAsync(BenchEnterprise e, Step step, CancellationToken ct = default)
    {
        step = await StepAsync("choose seal", step, [(ChooseSealFields.SealId, e.SealId.ToString())], "PIN", ct);

        var challenge = await SendAsync("POST ?handler=Challenge", HttpMethod.Post, step.Url + "?handler=Challenge", Form(step, []), htmx: false, ct);
        Expect(challenge.Status == HttpStatusCode.OK, "challenge", challenge);
        using var json = JsonDocument.Parse(challenge.Body);
        var nonce = json.RootElement.GetProperty("nonce").GetString()!;
        var context = json.RootElement.GetProperty("context").GetString()!;
        string signature;
        using (var key = e.Leaf.GetECDsaPrivateKey()!)
        {
            signature = Convert.ToBase64String(key.SignData(ProofVerifier.ToBeSigned(factory.Origin, nonce, context), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        }

        step = await StepAsync(
            "PIN proof",
            step,
            [(PinProofFields.Result, "signed"), (PinProofFields.Nonce, nonce), (PinProofFields.Algorithm, "ES256"), (PinProofFields.Signature, signature), (PinProofFields.Certificate, Convert.ToBase64String(e.Leaf.RawData))],
            "face verification",
            ct);

        var ticket = TicketRegex().Match(step.Html);
        Expect(ticket.Success, "face ticket on the page", null);
        Expect(await faces.CompleteAsync(ticket.Groups[1].Value, passed: true, ct), "simulated phone passes", null);

        // The page's poll (hx-get ?handler=FaceState every 2 s) learns the answer: HX-Location → the step again, now with
        // the success dialog whose form posts action=check at once (load delay:300ms); that POST commits.
        var poll = await SendAsync("GET ?handler=FaceState (poll)", HttpMethod.Get, step.Url + "?handler=FaceState", null, htmx: true, ct);
        Expect(poll.Status == HttpStatusCode.NoContent && poll.HxLocation is not null, "face poll", poll);
        var passed = await SendAsync("GET partial: face passed dialog", HttpMethod.Get, step.Url, null, htmx: true, ct);
        Expect(passed.Status == HttpStatusCode.OK, "face passed", passed);
        step = await StepAsync("face check + commit", new Step(step.Url, passed.Body), [(LegalRepFaceVerificationFields.Action, "check")], "result", ct);
        Expect(step.Html.Contains("result success", StringComparison.Ordinal), "success page", null);
        return step.Url;
    }

    /// <summary>One step as htmx does it: POST the form with HX-Request → 204 + HX-Location → htmx GET of the partial.</summary>
    public async Task<Step> StepAsync(string label, Step step, (string Name, string Value)[] fields, string next, CancellationToken ct = default)
    {
        var post = await SendAsync("POST " + label, HttpMethod.Post, step.Url, Form(step, fields), htmx: true, ct);
        Expect(post.Status == HttpStatusCode.NoContent && post.HxLocation is not null, label, post);
        using var location = JsonDocument.Parse(post.HxLocation!);
        var url = location.RootElement.GetProperty("path").GetString()!;
        var get = await SendAsync("GET partial: " + next, HttpMethod.Get, url, null, htmx: true, ct);
        Expect(get.Status == HttpStatusCode.OK, next, get);
        return new Step(url, get.Body);
    }

    public async Task<Seen> SendAsync(string label, HttpMethod method, string url, FormUrlEncodedContent? form, bool htmx, CancellationToken ct = default, string? acceptEncoding = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = form };
        request.Headers.TryAddWithoutValidation(BenchFactory.StepHeader, label);
        if (htmx)
        {
            request.Headers.TryAddWithoutValidation("HX-Request", "true");
            request.Headers.TryAddWithoutValidation("HX-Target", "flow");
        }

        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        var t = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        stats.Add(label, Stopwatch.GetElapsedTime(t).TotalMicroseconds);
        var encoding = response.Content.Headers.ContentEncoding.FirstOrDefault();
        var seen = new Seen(
            label,
            response.StatusCode,
            encoding is null ? System.Text.Encoding.UTF8.GetString(bytes) : string.Empty,
            bytes.Length,
            HeaderBytes(response),
            encoding,
            response.Headers.TryGetValues("HX-Location", out var hx) ? hx.First() : null,
            response.Headers.Location?.OriginalString);
        Record?.Add(seen);
        return seen;
    }

    public void Dispose() => http.Dispose();

    /// <summary>The form the page posts: antiforgery + step token + the step's fields.</summary>
    public static FormUrlEncodedContent Form(Step step, (string Name, string Value)[] fields)
    {
        var antiforgery = AntiforgeryRegex().Match(step.Html);
        var token = StepTokenRegex().Match(step.Html);
        Expect(antiforgery.Success && token.Success, "form tokens on the page", null);
        var all = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", WebUtility.HtmlDecode(antiforgery.Groups[1].Value)),
            new("stepToken", WebUtility.HtmlDecode(token.Groups[1].Value)),
        };
        all.AddRange(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        return new FormUrlEncodedContent(all);
    }

    /// <summary>The key helper's GET /v1/tokens answer for this enterprise's key.</summary>
    public static string TokensJson(BenchEnterprise e) => JsonSerializer.Serialize(new
    {
        tokens = new[]
        {
            new
            {
                serial = e.TokenSerial,
                label = "ESeal Bench Key",
                manufacturer = "SoftHSM project",
                model = "SoftHSM v2",
                pinLocked = false,
                pinCountLow = false,
                pinFinalTry = false,
                certificates = new[] { new { id = "01", der = Convert.ToBase64String(e.Leaf.RawData) } },
            },
        },
    });

    private static int HeaderBytes(HttpResponseMessage r)
    {
        // Status line + "Name: value\r\n" per header + the blank line, as Kestrel writes them (HTTP/1.1).
        var n = $"HTTP/1.1 {(int)r.StatusCode} {r.ReasonPhrase}\r\n".Length + 2;
        foreach (var h in r.Headers.Concat(r.Content.Headers))
        {
            foreach (var v in h.Value)
            {
                n += System.Text.Encoding.UTF8.GetByteCount($"{h.Key}: {v}\r\n");
            }
        }

        return n;
    }

    private static void Expect(bool condition, string what, Seen? seen)
    {
        if (!condition)
        {
            var detail = seen is null ? string.Empty : $" (HTTP {(int)seen.Status}, {seen.Body[..Math.Min(400, seen.Body.Length)]})";
            throw new InvalidOperationException($"Unexpected answer at {what}{detail}");
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryRegex();

    [GeneratedRegex("name=\"stepToken\" value=\"([^\"]+)\"")]
    private static partial Regex StepTokenRegex();

    [GeneratedRegex("/m/face/([A-Za-z0-9_\\-]+)")]
    private static partial Regex TicketRegex();
}

/// <summary>Where a flow is: its URL and the HTML of its current step.</summary>
internal sealed record Step(string Url, string Html);
