using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ESeal.Workflows.Activities.ChooseCertificate;
using ESeal.Workflows.Activities.ChooseSeal;
using ESeal.Workflows.Activities.DetectKey;
using ESeal.Workflows.Activities.HolderForm;
using ESeal.Workflows.Activities.LegalRepFaceVerification;
using ESeal.Workflows.Activities.PinProof;

namespace ESeal.Resilience.Tests.Infrastructure;

/// <summary>One response of a flow page as the browser got it.</summary>
public sealed partial record FlowPage(string Url, HttpStatusCode Status, string Html)
{
    public const string BoundElsewhereDialog = "该印章已绑定其他介质";

    /// <summary>The screen the user sees, told by what only that screen renders.</summary>
    public string Step =>
        Html.Contains("result success", StringComparison.Ordinal) ? "Success"
        : Html.Contains("result failure", StringComparison.Ordinal) ? "Failure"
        : Html.Contains("class=\"step refusal\"", StringComparison.Ordinal) ? "Refused" // not the words: the helper's texts say 无法继续办理 too
        : Html.Contains("data-pin-proof", StringComparison.Ordinal) ? "PinProof"
        : Html.Contains("data-detect-key", StringComparison.Ordinal) ? "DetectKey"
        : Html.Contains("name=\"certificateId\"", StringComparison.Ordinal) ? "ChooseCertificate"
        : Html.Contains("name=\"holderName\"", StringComparison.Ordinal) ? "HolderForm"
        : Html.Contains("name=\"sealId\"", StringComparison.Ordinal) ? "ChooseSeal"
        : Html.Contains("notice-title", StringComparison.Ordinal) ? "ReadingNotice"
        : Html.Contains("本业务需企业法定代表人本人确认同意", StringComparison.Ordinal) ? "Face"
        : "Unknown";

    public bool IsResult => Step is "Success" or "Failure";

    public string? Antiforgery => Hidden("__RequestVerificationToken");

    public string? StepToken => Hidden("stepToken");

    /// <summary>The failure page's reason (or the refusal's message).</summary>
    public string? Reason => ErrorText().Match(Html) is { Success: true } m ? Text(m.Groups[1].Value)
        : RefusalText().Match(Html) is { Success: true } r ? Text(r.Groups[1].Value) : null;

    public string? FacePhoneUrl => PhoneLink().Match(Html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    /// <summary>The face step says the phone passed: its form posts action=check at once, and that request commits.</summary>
    public bool FacePassedDialog => Html.Contains("id=\"face-success\"", StringComparison.Ordinal);

    /// <summary>A form the page posts by itself (hx-trigger="load …"): its delay and its action field.</summary>
    public (TimeSpan Delay, string? Action)? AutoPost
    {
        get
        {
            var m = LoadTrigger().Match(Html);
            if (!m.Success)
            {
                return null;
            }

            var delay = TimeSpan.Zero;
            if (m.Groups[1].Success)
            {
                var n = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                delay = m.Groups[3].Value == "ms" ? TimeSpan.FromMilliseconds(n) : TimeSpan.FromSeconds(n);
            }

            return (delay, Hidden(LegalRepFaceVerificationFields.Action));
        }
    }

    public IReadOnlyList<string> Values(string name) =>
        [.. InputTag().Matches(Html).Select(t => t.Value).Where(t => t.Contains($"name=\"{name}\"", StringComparison.Ordinal)).Select(t => ValueAttribute().Match(t)).Where(v => v.Success).Select(v => WebUtility.HtmlDecode(v.Groups[1].Value))];

    public string? Hidden(string name) => Values(name).FirstOrDefault();

    /// <summary>A short, readable excerpt of what the screen says (for failure messages).</summary>
    public string Summary
    {
        get
        {
            var text = Text(Html);
            return $"{Step} HTTP {(int)Status}: {(text.Length > 300 ? text[..300] : text)}";
        }
    }

    public static string Text(string html) => Spaces().Replace(WebUtility.HtmlDecode(Tags().Replace(Scripts().Replace(html, " "), " ")), " ").Trim();

    [GeneratedRegex("<p class=\"error-text\">(.*?)</p>", RegexOptions.Singleline)]
    private static partial Regex ErrorText();

    [GeneratedRegex("<h1>无法继续办理</h1>\\s*<p>(.*?)</p>", RegexOptions.Singleline)]
    private static partial Regex RefusalText();

    [GeneratedRegex("href=\"([^\"]*/m/face/[^\"]*)\"[^>]*data-face-phone-link")]
    private static partial Regex PhoneLink();

    [GeneratedRegex("hx-trigger=\"load(\\s+delay:(\\d+(?:\\.\\d+)?)(ms|s))?\"")]
    private static partial Regex LoadTrigger();

    [GeneratedRegex("<input\\b[^>]*>")]
    private static partial Regex InputTag();

    [GeneratedRegex("\\bvalue=\"([^\"]*)\"")]
    private static partial Regex ValueAttribute();

    [GeneratedRegex("<(script|style)\\b.*?</\\1>", RegexOptions.Singleline)]
    private static partial Regex Scripts();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex("\\s+")]
    private static partial Regex Spaces();
}

/// <summary>The web process went away under a request (connection refused or reset).</summary>
public sealed class WebDownException(string message, Exception inner) : Exception(message, inner);

/// <summary>What a kiosk does where the user decides.</summary>
public sealed class KioskPlan
{
    /// <summary>The seal to choose (bind): from the seals the page lists.</summary>
    public Func<IReadOnlyList<string>, string> ChooseSeal { get; set; } = seals => seals[0];

    /// <summary>Answer the "该印章已绑定其他介质" dialog with 确认并进入下一步 (true) or 取消 (false: the run stops).</summary>
    public bool ConfirmRelease { get; set; }

    /// <summary>Awaited right before the commit-triggering request (the face step's automatic check after success).</summary>
    public Func<Kiosk, Task>? BeforeCommit { get; set; }

    /// <summary>Awaited once the commit-triggering request is on its way (not yet answered).</summary>
    public Action<Kiosk>? CommitSent { get; set; }

    /// <summary>The user's pause before each action (spreads the crash points over every step).</summary>
    public Func<TimeSpan>? Think { get; set; }

    /// <summary>Asked when the QR code is on screen: false = the legal representative has not scanned yet (the run returns, parked).</summary>
    public Func<Kiosk, bool> ScanQrNow { get; set; } = _ => true;
}

/// <summary>
/// One browser at a kiosk, with its own cookies (session, antiforgery) and its own USBKEY, doing
/// what the pages do: htmx posts (HX-Request → 204 + HX-Location → htmx GET of the step), flow.js's
/// calls to the key helper (token list, POST /v1/sign with the portal's Origin) and its challenge
/// request, the face step's poll; the legal representative's phone opens the simulator's page from
/// the QR code's link and presses 模拟：验证通过.
/// </summary>
public sealed partial class Kiosk : IDisposable
{
    public const string HolderName = "王建国";
    public const string HolderIdNumber = "330106197805121232";
    public const string HolderPhone = "13800138000";

    private static readonly string[] KeyRefusals = [ESeal.Db.MediumChange.MediumChangeCommands.KeyBoundToOtherSealText, ESeal.Db.MediumChange.MediumChangeCommands.KeyNotBoundText];
    private static readonly HttpClient Helper = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly HttpClient http;
    private readonly Uri helperUri;
    private DateTime noticeShownAt = DateTime.MinValue;
    private string? lastDeadTicket;
    private int deadTicketRounds;

    public Kiosk(string name, WebNode web, Uri keyHelper, Key key)
    {
        Name = name;
        Web = web;
        Key = key;
        helperUri = keyHelper;
        http = NewBrowser(web);
    }

    public string Name { get; }

    public WebNode Web { get; }

    public Key Key { get; }

    public string? FlowUrl { get; private set; }

    public Guid? InstanceId => FlowUrl is null ? null : Guid.Parse(FlowUrl.AsSpan(FlowUrl.LastIndexOf('/') + 1));

    public FlowPage? Current { get; private set; }

    /// <summary>Every response this browser (and its phone) got with status 500.</summary>
    public List<string> ServerErrors { get; } = [];

    /// <summary>What happened, one line per request (printed on failure).</summary>
    public List<string> Log { get; } = [];

    /// <summary>Set when the flow cannot be finished by this browser (e.g. a QR code whose phone page is dead).</summary>
    public string? Stuck { get; private set; }

    public bool CommitRequested { get; private set; }

    /// <summary>A screen the user cannot get past and would cancel (e.g. the key turned out bound to another seal).</summary>
    public string? DeadEnd { get; private set; }

    /// <summary>The "该印章已绑定其他介质" dialog was shown to this user and answered 确认并进入下一步.</summary>
    public bool ConfirmedRelease { get; private set; }

    public string Trace => $"--- {Name} ({Key.Label} {Key.Serial}) flow {FlowUrl}:\n  " + string.Join("\n  ", Log.TakeLast(40));

    public async Task StartAsync(string action)
    {
        FlowUrl = null;
        Current = null;
        Stuck = null;
        DeadEnd = null;
        CommitRequested = false;
        ConfirmedRelease = false;
        noticeShownAt = DateTime.MinValue;
        lastDeadTicket = null;
        deadTicketRounds = 0;
        using var start = await SendAsync(HttpMethod.Get, "/medium-change/" + action, null, htmx: false);
        var location = start.Headers.Location?.OriginalString;
        if (start.StatusCode != HttpStatusCode.Redirect || location is null)
        {
            throw new InvalidOperationException($"{Name}: starting {action} answered {(int)start.StatusCode}");
        }

        FlowUrl = location;
        await ReloadAsync();
    }

    /// <summary>The browser reloads the flow's URL (a full page, as after a restart of the web).</summary>
    public async Task<FlowPage> ReloadAsync()
    {
        using var response = await SendAsync(HttpMethod.Get, FlowUrl!, null, htmx: false);
        return Current = await PageAsync(FlowUrl!, response);
    }

    /// <summary>
    /// Goes on from the current screen until a result page, a parked face step (QR not scanned by
    /// plan), a stuck flow or a dead end the plan chose (dialog cancelled). Bounded in steps and time.
    /// </summary>
    public async Task<FlowPage> RunAsync(KioskPlan plan, TimeSpan limit, CancellationToken ct = default)
    {
        var deadline = Stopwatch.StartNew();
        Current ??= await ReloadAsync();
        for (var i = 0; i < 60 && deadline.Elapsed < limit; i++)
        {
            ct.ThrowIfCancellationRequested();
            var page = Current!;
            if (page.IsResult || Stuck is not null || DeadEnd is not null)
            {
                return page;
            }

            if (plan.Think?.Invoke() is { } pause && pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, ct);
            }

            var advanced = await ActAsync(page, plan, ct);
            if (!advanced)
            {
                return Current!;
            }
        }

        if (!Current!.IsResult && Stuck is null && DeadEnd is null)
        {
            Stuck = $"no result page after {deadline.Elapsed.TotalSeconds:F0} s; the screen: {Current.Summary}";
        }

        return Current;
    }

    /// <summary>One user action on the current screen. False when the run should stop here (parked or dead end).</summary>
    private async Task<bool> ActAsync(FlowPage page, KioskPlan plan, CancellationToken ct)
    {
        switch (page.Step)
        {
            case "ReadingNotice":
                {
                    // The button is grey for 5 s after the notice showed; the server checks it too.
                    if (noticeShownAt == DateTime.MinValue)
                    {
                        noticeShownAt = DateTime.UtcNow;
                    }

                    var wait = noticeShownAt.AddSeconds(5.3) - DateTime.UtcNow;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, ct);
                    }

                    var after = await PostStepAsync(page, []);
                    if (after.Step == "Refused")
                    {
                        // 太早 (e.g. the notice was shown again after a restart): wait and reload.
                        noticeShownAt = DateTime.UtcNow;
                        await ReloadAsync();
                    }

                    return true;
                }

            case "DetectKey":
                if (KeyRefusals.FirstOrDefault(t => page.Html.Contains(t, StringComparison.Ordinal)) is { } refusal)
                {
                    DeadEnd = refusal;
                    Log.Add("dead end at 插入USBKEY: " + refusal);
                    return false;
                }

                await PostStepAsync(page, [(DetectKeyFields.Tokens, await MyTokensAsync(ct))]);
                return true;

            case "ChooseCertificate":
                await PostStepAsync(page, [(ChooseCertificateFields.CertificateId, page.Values(ChooseCertificateFields.CertificateId).First())]);
                return true;

            case "HolderForm":
                await PostStepAsync(page, [(HolderFormFields.Name, HolderName), (HolderFormFields.IdType, "ResidentId"), (HolderFormFields.IdNumber, HolderIdNumber), (HolderFormFields.Phone, HolderPhone)]);
                return true;

            case "ChooseSeal":
                {
                    var seals = page.Values(ChooseSealFields.SealId);
                    var seal = seals.Count == 1 ? seals[0] : plan.ChooseSeal(seals);
                    if (page.Html.Contains(FlowPage.BoundElsewhereDialog, StringComparison.Ordinal) && page.Html.Contains("role=\"alertdialog\"", StringComparison.Ordinal))
                    {
                        if (!plan.ConfirmRelease)
                        {
                            Log.Add("dialog 该印章已绑定其他介质: 取消");
                            return false;
                        }

                        ConfirmedRelease = true;
                        Log.Add("dialog 该印章已绑定其他介质: 确认并进入下一步");
                        await PostStepAsync(page, [(ChooseSealFields.SealId, ChosenSeal(page) ?? seal), (ChooseSealFields.ConfirmRelease, "true")]);
                        return true;
                    }

                    await PostStepAsync(page, [(ChooseSealFields.SealId, seal)]);
                    return true;
                }

            case "PinProof":
                await PinAsync(page, ct);
                return true;

            case "Face":
                return await FaceAsync(page, plan, ct);

            case "Refused":
                {
                    // 无法继续办理: with 继续办理 (a stale step, a double tap) the user goes back to the flow.
                    if (page.Html.Contains(">继续办理<", StringComparison.Ordinal))
                    {
                        await Task.Delay(300, ct);
                        await ReloadAsync();
                        return true;
                    }

                    Stuck = "refused without a way back: " + page.Summary;
                    return false;
                }

            default:
                Stuck = "an unknown screen: " + page.Summary;
                return false;
        }
    }

    [GeneratedRegex("<button[^>]*type=\"submit\"[^>]*name=\"action\" value=\"([^\"]+)\"")]
    private static partial Regex ManualAction();

    private static string? ChosenSeal(FlowPage page)
    {
        var m = Regex.Match(page.Html, "<input type=\"radio\"[^>]*name=\"sealId\" value=\"([^\"]+)\" checked=\"checked\"");
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>flow.js: challenge from the server, signature from the key helper (correct PIN), the helper's answer to the server.</summary>
    private async Task PinAsync(FlowPage page, CancellationToken ct)
    {
        using var form = Form(page, [(PinProofFields.Result, string.Empty), (PinProofFields.Nonce, string.Empty), (PinProofFields.Algorithm, string.Empty), (PinProofFields.Signature, string.Empty), (PinProofFields.Certificate, string.Empty)]);
        using var challengeResponse = await SendAsync(HttpMethod.Post, FlowUrl + "?handler=Challenge", form, htmx: false, ct);
        var body = await challengeResponse.Content.ReadAsStringAsync(ct);
        using var challenge = JsonDocument.Parse(body);
        var root = challenge.RootElement;
        if (!challengeResponse.IsSuccessStatusCode || (root.TryGetProperty("refused", out var refused) && refused.GetBoolean()))
        {
            // The page says why (页面已过期…) and the user reloads.
            Log.Add("challenge refused: " + body);
            await Task.Delay(300, ct);
            await ReloadAsync();
            return;
        }

        using var sign = new HttpRequestMessage(HttpMethod.Post, new Uri(helperUri, "/v1/sign"))
        {
            Content = JsonContent.Create(new
            {
                tokenSerial = root.GetProperty("tokenSerial").GetString(),
                certificateId = root.GetProperty("certificateId").GetString(),
                pin = ESeal.TestPki.TestPkiSetup.UserPin,
                nonce = root.GetProperty("nonce").GetString(),
                context = root.GetProperty("context").GetString(),
            }),
        };
        sign.Headers.Add("Origin", Web.Origin);
        using var signed = await Helper.SendAsync(sign, ct);
        var signedBody = await signed.Content.ReadAsStringAsync(ct);
        Log.Add($"helper POST /v1/sign → {(int)signed.StatusCode}");
        if (!signed.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{Name}: the key helper refused to sign: {(int)signed.StatusCode} {signedBody}");
        }

        using var proof = JsonDocument.Parse(signedBody);
        await PostStepAsync(page, [
            (PinProofFields.Result, "signed"),
            (PinProofFields.Nonce, root.GetProperty("nonce").GetString()!),
            (PinProofFields.Algorithm, proof.RootElement.GetProperty("algorithm").GetString()!),
            (PinProofFields.Signature, proof.RootElement.GetProperty("signature").GetString()!),
            (PinProofFields.Certificate, proof.RootElement.GetProperty("certificate").GetString()!)]);
    }

    private async Task<bool> FaceAsync(FlowPage page, KioskPlan plan, CancellationToken ct)
    {
        if (page.AutoPost is { } auto)
        {
            // The page posts this form by itself after the delay: the success dialog's check (which
            // commits), the recorded failure's retry, or the recording of a failure.
            if (auto.Delay > TimeSpan.Zero)
            {
                await Task.Delay(auto.Delay, ct);
            }

            if (page.FacePassedDialog)
            {
                if (plan.BeforeCommit is { } before)
                {
                    await before(this);
                }

                CommitRequested = true;
                var post = PostStepAsync(page, [(LegalRepFaceVerificationFields.Action, auto.Action ?? "check")], onSent: () => plan.CommitSent?.Invoke(this));
                await post;
                return true;
            }

            await PostStepAsync(page, [(LegalRepFaceVerificationFields.Action, auto.Action ?? "check")]);
            return true;
        }

        var phoneUrl = page.FacePhoneUrl;
        if (phoneUrl is null)
        {
            Stuck = "the face step shows no QR code and no dialog: " + page.Summary;
            return false;
        }

        if (!plan.ScanQrNow(this))
        {
            Log.Add("QR on screen; the legal representative has not scanned yet");
            return false;
        }

        var phone = await PhonePassAsync(phoneUrl, ct);
        if (phone is not null)
        {
            // The phone's page is dead (restart lost the ticket, or it expired): the user waits for the page to renew it.
            var ticket = phoneUrl[(phoneUrl.LastIndexOf('/') + 1)..];
            deadTicketRounds = ticket == lastDeadTicket ? deadTicketRounds + 1 : 1;
            lastDeadTicket = ticket;
            if (ManualAction().Match(page.Html) is { Success: true } button)
            {
                // A button the user can press on the face step (e.g. a fresh QR code): press it.
                Log.Add("pressing the face step's button action=" + button.Groups[1].Value);
                await PostStepAsync(page, [(LegalRepFaceVerificationFields.Action, button.Groups[1].Value)]);
                return true;
            }

            if (deadTicketRounds >= 3)
            {
                Stuck = $"the face step keeps showing a QR code whose phone page says \"{phone}\" (ticket {ticket[..8]}…), no fresh QR code after {deadTicketRounds} rounds of the page's poll";
                return false;
            }
        }

        // The page's poll (every 2 s): 204 while pending, HX-Location when there is something to show.
        for (var i = 0; i < 10; i++)
        {
            using var poll = await SendAsync(HttpMethod.Get, FlowUrl + "?handler=FaceState", null, htmx: true, ct);
            if (poll.Headers.TryGetValues("HX-Location", out _))
            {
                break;
            }

            if (poll.StatusCode != HttpStatusCode.NoContent)
            {
                break;
            }

            await Task.Delay(phone is null ? 200 : 2000, ct);
        }

        using var get = await SendAsync(HttpMethod.Get, FlowUrl!, null, htmx: true, ct);
        Current = await PageAsync(FlowUrl!, get);
        return true;
    }

    /// <summary>The legal representative's phone: opens the QR code's link, presses 模拟：验证通过. Null when it passed, else what the phone page says.</summary>
    private async Task<string?> PhonePassAsync(string url, CancellationToken ct)
    {
        using var phone = NewBrowser(Web);
        var path = new Uri(url).PathAndQuery;
        using var get = await Send(phone, HttpMethod.Get, path, null, false, "phone", ct);
        var page = new FlowPage(path, get.StatusCode, await get.Content.ReadAsStringAsync(ct));
        if (!page.Html.Contains("value=\"pass\"", StringComparison.Ordinal))
        {
            var says = FlowPage.Text(Regex.Match(page.Html, "<h1>.*?</div>", RegexOptions.Singleline).Value);
            Log.Add("phone page offers no pass button: " + says);
            return says.Length > 120 ? says[..120] : says;
        }

        using var form = new FormUrlEncodedContent([new("__RequestVerificationToken", page.Antiforgery ?? string.Empty), new("back", "false"), new("decision", "pass")]);
        using var post = await Send(phone, HttpMethod.Post, path, form, false, "phone", ct);
        var answer = await post.Content.ReadAsStringAsync(ct);
        if (!answer.Contains("身份验证已通过", StringComparison.Ordinal))
        {
            var says = FlowPage.Text(answer);
            Log.Add("phone did not pass: " + says);
            return says.Length > 120 ? says[..120] : says;
        }

        return null;
    }

    /// <summary>flow.js's GET /v1/tokens, as if only this kiosk's key were in this PC's USB slot.</summary>
    private async Task<string> MyTokensAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(helperUri, "/v1/tokens"));
        request.Headers.Add("Origin", Web.Origin);
        using var response = await Helper.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{Name}: key helper /v1/tokens answered {(int)response.StatusCode}: {body}");
        }

        var answer = JsonNode.Parse(body)!.AsObject();
        var tokens = answer["tokens"]!.AsArray();
        var mine = tokens.Where(t => t!["serial"]!.GetValue<string>() == Key.Serial).Select(t => t!.DeepClone()).ToArray();
        if (mine.Length != 1)
        {
            throw new InvalidOperationException($"{Name}: the key helper does not list {Key.Serial}: {body[..Math.Min(body.Length, 300)]}");
        }

        answer["tokens"] = new JsonArray(mine);
        return answer.ToJsonString();
    }

    /// <summary>An htmx step post: 204 + HX-Location → htmx GET of the next step; 200 = the same step again; else the refusal.</summary>
    private async Task<FlowPage> PostStepAsync(FlowPage page, (string Name, string Value)[] fields, Action? onSent = null)
    {
        using var form = Form(page, fields);
        using var response = await SendAsync(HttpMethod.Post, FlowUrl!, form, htmx: true, onSent: onSent);
        if (response.StatusCode == HttpStatusCode.NoContent && response.Headers.TryGetValues("HX-Location", out var hx))
        {
            using var location = JsonDocument.Parse(hx.First());
            var url = location.RootElement.GetProperty("path").GetString()!;
            using var next = await SendAsync(HttpMethod.Get, url, null, htmx: true);
            return Current = await PageAsync(url, next);
        }

        return Current = await PageAsync(FlowUrl!, response);
    }

    private static FormUrlEncodedContent Form(FlowPage page, (string Name, string Value)[] fields)
    {
        var all = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", page.Antiforgery ?? string.Empty),
            new("stepToken", page.StepToken ?? string.Empty),
        };
        all.AddRange(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        return new FormUrlEncodedContent(all);
    }

    private async Task<FlowPage> PageAsync(string url, HttpResponseMessage response)
    {
        var page = new FlowPage(url, response.StatusCode, await response.Content.ReadAsStringAsync());
        Log.Add($"  screen: {page.Step}{(page.Reason is { } r ? " — " + r : string.Empty)}");
        return page;
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, HttpContent? content, bool htmx, CancellationToken ct = default, Action? onSent = null) =>
        Send(http, method, url, content, htmx, "browser", ct, onSent);

    private async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, HttpContent? content, bool htmx, string who, CancellationToken ct, Action? onSent = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (htmx)
        {
            request.Headers.TryAddWithoutValidation("HX-Request", "true");
            request.Headers.TryAddWithoutValidation("HX-Target", "flow");
        }

        HttpResponseMessage response;
        try
        {
            var sending = client.SendAsync(request, ct);
            onSent?.Invoke();
            response = await sending;
        }
        catch (HttpRequestException ex)
        {
            Log.Add($"{who} {method} {url} → web down ({ex.Message})");
            throw new WebDownException($"{Name}: {method} {url}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            Log.Add($"{who} {method} {url} → timed out");
            throw new WebDownException($"{Name}: {method} {url}: timed out", ex);
        }

        Log.Add($"{who} {method} {url}{(htmx ? " (htmx)" : string.Empty)} → {(int)response.StatusCode}");
        if (response.StatusCode == HttpStatusCode.InternalServerError)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            ServerErrors.Add($"{who} {method} {url} → 500: {FlowPage.Text(body)[..Math.Min(300, FlowPage.Text(body).Length)]}");
        }

        return response;
    }

    private static HttpClient NewBrowser(WebNode web) => new(new SocketsHttpHandler
    {
        UseCookies = true,
        CookieContainer = new CookieContainer(),
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.All,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
    })
    {
        BaseAddress = web.BaseUri,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public void Dispose() => http.Dispose();
}

/// <summary>An async barrier with a time limit: a kiosk that never arrives does not hang the others.</summary>
public sealed class CommitBarrier(int parties, TimeSpan limit)
{
    private readonly TaskCompletionSource all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int arrived;

    public int Arrived => Volatile.Read(ref arrived);

    public async Task ArriveAndWaitAsync()
    {
        if (Interlocked.Increment(ref arrived) == parties)
        {
            all.TrySetResult();
        }

        await Task.WhenAny(all.Task, Task.Delay(limit));
    }
}

internal static class Describe
{
    public static string Kiosks(IEnumerable<Kiosk> kiosks)
    {
        var sb = new StringBuilder();
        foreach (var k in kiosks)
        {
            sb.AppendLine($"{k.Name}: {(k.Current is null ? "no page" : k.Current.Summary)}{(k.Stuck is null ? string.Empty : " STUCK: " + k.Stuck)}");
            sb.AppendLine(k.Trace);
        }

        return sb.ToString();
    }
}
