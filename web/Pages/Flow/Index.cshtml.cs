using ESeal.Web.Infrastructure;
using ESeal.Web.Infrastructure.Security;
using ESeal.Web.Pages.Flow.Progress;
using ESeal.Workflows.Activities.LegalRepFaceVerification;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ESeal.Web.Pages.Flow;

/// <summary>
/// One URL per flow instance. What it shows is the current activity's folder under Steps/, chosen
/// by the activity type, so reordering a definition changes the pages without code. A normal
/// request gets the whole page, an htmx request the step alone (Vary: HX-Request). Every POST is
/// a resume of the runtime, which checks owner, step token and timers on the server.
/// </summary>
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class IndexModel(IFlowRuntime runtime, WebOptions web, ESeal.Web.Kiosk.KioskIdentity kiosks) : PageModel
{
    private const int MaxFormBytes = 256 * 1024;

    public string KeyHelperOrigin => web.KeyHelperOrigin;

    /// <summary>Form fields that belong to the page machinery, not to the step's input.</summary>
    private static readonly HashSet<string> MachineryFields = new(StringComparer.OrdinalIgnoreCase) { "__RequestVerificationToken", StepForm.StepTokenField };

    public StepModel? Step { get; private set; }

    public string? RefusalMessage { get; private set; }

    /// <summary>The instance's definition texts (the frame around the steps, refusals); defaults when the instance is unknown.</summary>
    public IReadOnlyDictionary<string, string> Texts { get; private set; } = DefinitionTexts.Defaults;

    /// <summary>A double tap, a second tab or an early click: the flow itself is fine, so offer the way back to it.</summary>
    public bool CanContinue { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var read = await runtime.GetAsync(id, HttpContext.SessionId(), ct);
        Texts = read.Texts;
        if (read.View is null)
        {
            return Refused(read.Reason, read.Message);
        }

        if (await RenewDeadFaceTicketAsync(read.View, ct) is { Kind: ResumeKind.Stay, View: { } renewedView } renewed)
        {
            Step = StepFor(renewedView, renewed);
            return Render();
        }

        if (read.View.Data is FaceVerificationData { State: not ("Pending" or "Passed" or "Failed") })
        {
            // The renewal lost a race with another request (or it advanced the flow): show what is current now.
            read = await runtime.GetAsync(id, HttpContext.SessionId(), ct);
            if (read.View is null)
            {
                return Refused(read.Reason, read.Message);
            }
        }

        Step = StepFor(read.View, null);
        return Render();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        var (form, problem) = await ReadBoundedFormAsync(ct);
        if (form is null)
        {
            Texts = (await runtime.GetAsync(id, HttpContext.SessionId(), ct)).Texts;
            return Refused(RefusalReason.None, DefinitionTexts.Get(Texts, problem.TextKey), problem.Status);
        }

        var stepToken = form[StepForm.StepTokenField].ToString();
        var input = form.Where(f => !MachineryFields.Contains(f.Key)).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);

        var result = await runtime.ResumeAsync(id, HttpContext.SessionId(), stepToken, input, ct);
        Texts = result.Texts;
        switch (result.Kind)
        {
            case ResumeKind.Advanced:
                return StepDone(id);
            case ResumeKind.Stay when result.View is not null:
                Step = StepFor(result.View, result) with { Posted = input };
                return Render();
            default:
                return Refused(result.Reason, result.Message);
        }
    }

    /// <summary>
    /// 取消办理, 结束办理, an unanswered idle warning and the 返回 (or auto-return) of a finished flow
    /// all post here (SPEC §9): the flow ends on the server as abandoned with its personal data erased
    /// (a finished one already is), a kiosk's browser gets a new session, and the visitor is sent to
    /// the start — the home page, or for a failed result the flow's own start page (next=restart).
    /// Ending someone else's flow or an unknown one changes nothing and goes home all the same.
    /// </summary>
    public async Task<IActionResult> OnPostEndAsync(Guid id, string? next, CancellationToken ct)
    {
        var read = await runtime.GetAsync(id, HttpContext.SessionId(), ct);
        await runtime.EndAsync(id, HttpContext.SessionId(), ct);
        if (await kiosks.CurrentAsync(HttpContext) is not null || read.View?.IsKiosk == true)
        {
            BrowserSession.Renew(HttpContext);
            // The next visitor starts in the standard view, not in this one's 长辈版.
            ElderMode.Set(HttpContext, on: false);
        }

        var definitionId = read.View?.DefinitionId;
        var url = next == "restart" && definitionId is not null
            ? ESeal.Web.Pages.MediumChange.StartModel.UrlFor(definitionId)
            : definitionId == "mobile-claim" ? "/m/claim" : "/";
        if (IsHtmx)
        {
            Response.Headers["HX-Redirect"] = url;
            return new NoContentResult();
        }

        return new RedirectResult(url, permanent: false, preserveMethod: false);
    }

    /// <summary>
    /// 继续办理, and input on a page that does not post (typing in a form): the server's idle limit
    /// starts again. 204, or 410 when the flow has already ended (the page then goes home).
    /// </summary>
    public async Task<IActionResult> OnPostKeepAliveAsync(Guid id, CancellationToken ct) =>
        await runtime.KeepAliveAsync(id, HttpContext.SessionId(), ct) ? new NoContentResult() : StatusCode(StatusCodes.Status410Gone);

    /// <summary>The PIN dialog asks for its one-time nonce and context here, then signs them with the key helper.</summary>
    public async Task<IActionResult> OnPostChallengeAsync(Guid id, CancellationToken ct)
    {
        var (form, problem) = await ReadBoundedFormAsync(ct);
        if (form is null)
        {
            var texts = (await runtime.GetAsync(id, HttpContext.SessionId(), ct)).Texts;
            return new JsonResult(new { refused = true, message = DefinitionTexts.Get(texts, problem.TextKey) }) { StatusCode = problem.Status };
        }

        var challenge = await runtime.IssuePinChallengeAsync(id, HttpContext.SessionId(), form[StepForm.StepTokenField].ToString(), ct);
        if (challenge.Reason != RefusalReason.None)
        {
            return new JsonResult(new { refused = true, message = challenge.Message }) { StatusCode = StatusFor(challenge.Reason) };
        }

        return new JsonResult(new
        {
            refused = false,
            locked = challenge.Locked,
            message = challenge.Message,
            nonce = challenge.Nonce,
            context = challenge.Context,
            tokenSerial = challenge.TokenSerial,
            certificateId = challenge.CertificateId,
            attemptsLeft = challenge.AttemptsLeft,
        });
    }

    /// <summary>
    /// The face step's poll: 204 while the phone has not answered, otherwise an HX-Location that
    /// reloads the step (which then shows success and commits, the failure and its timer, or — for a
    /// lost or expired ticket — a fresh QR code, see <see cref="RenewDeadFaceTicketAsync"/>).
    /// </summary>
    public async Task<IActionResult> OnGetFaceStateAsync(Guid id, CancellationToken ct)
    {
        var read = await runtime.GetAsync(id, HttpContext.SessionId(), ct);
        if (read.View is null)
        {
            // Another session learns nothing, not even whether a verification is pending.
            return StatusCode(StatusFor(read.Reason));
        }

        if (read.View.Data is FaceVerificationData { State: "Pending" })
        {
            return new NoContentResult();
        }

        return StepDone(id);
    }

    /// <summary>
    /// A face ticket that can never be answered — unknown to the provider (the web restarted and the
    /// simulator keeps tickets in memory), expired, or consumed without the flow moving on — would
    /// leave a dead QR code on screen and the poll spinning forever. The page is reloaded by the
    /// poll as soon as the ticket is no longer pending, and this load renews it: the step's own
    /// "check" issues a fresh ticket and says "二维码已过期…". Null when nothing needed renewing.
    /// </summary>
    private async Task<ResumeResult?> RenewDeadFaceTicketAsync(FlowView view, CancellationToken ct)
    {
        if (view.IsFinished || view.Data is not FaceVerificationData { State: not ("Pending" or "Passed" or "Failed") })
        {
            return null;
        }

        var check = new Dictionary<string, string>(StringComparer.Ordinal) { [LegalRepFaceVerificationFields.Action] = "check" };
        return await runtime.ResumeAsync(view.InstanceId, HttpContext.SessionId(), view.StepToken, check, ct);
    }

    private StepModel StepFor(FlowView view, ResumeResult? stay) => new(
        view,
        FlowProgress.For(view),
        stay?.StayCode,
        stay?.Message,
        stay?.FieldErrors ?? new Dictionary<string, string>(),
        new Dictionary<string, string>(),
        Url.Page("/Flow/Index", new { id = view.InstanceId })!);

    private IActionResult Render()
    {
        Response.Headers.Vary = "HX-Request";
        return IsHtmx ? Partial("_Flow", this) : Page();
    }

    private IActionResult StepDone(Guid id)
    {
        var url = Url.Page("/Flow/Index", new { id })!;
        if (!IsHtmx)
        {
            return new RedirectResult(url, permanent: false, preserveMethod: false);
        }

        // htmx fetches the next step into the same frame; history is not cached for flow pages.
        Response.Headers["HX-Location"] = $$"""{"path":"{{url}}","target":"#flow","swap":"outerHTML"}""";
        return new NoContentResult();
    }

    private IActionResult Refused(RefusalReason reason, string? message, int? status = null)
    {
        RefusalMessage = message ?? DefinitionTexts.For(Texts, reason);
        CanContinue = reason is RefusalReason.TooEarly or RefusalReason.StaleStep or RefusalReason.ConcurrentChange or RefusalReason.NotThisStep or RefusalReason.None;
        Response.StatusCode = status ?? StatusFor(reason);
        return Render();
    }

    /// <summary>
    /// A step's form is small (the largest is the key helper's token list, a few KB per
    /// certificate); anything far bigger is refused with a message instead of a server error, and
    /// so is a body that is not a form at all (JSON, XML, text: ReadFormAsync would throw) or a
    /// form cut short (a truncated multipart body). Nothing is read into the flow in those cases.
    /// </summary>
    private async Task<(IFormCollection? Form, (int Status, string TextKey) Problem)> ReadBoundedFormAsync(CancellationToken ct)
    {
        if (Request.ContentLength > MaxFormBytes)
        {
            return (null, (StatusCodes.Status413PayloadTooLarge, "formTooLargeText"));
        }

        // A POST with neither a Content-Type nor a body reads as an empty form: the step then says what is
        // missing. Any other body that is not a form (JSON, XML, text) is refused before it is parsed.
        if (!Request.HasFormContentType && !(Request.ContentType is null && Request.ContentLength is null or 0))
        {
            return (null, (StatusCodes.Status415UnsupportedMediaType, "formWrongFormatText"));
        }

        if (!Request.HasFormContentType)
        {
            return (FormCollection.Empty, default);
        }

        try
        {
            return (await Request.ReadFormAsync(new FormOptions { ValueLengthLimit = MaxFormBytes, MultipartBodyLengthLimit = MaxFormBytes, BufferBodyLengthLimit = MaxFormBytes }, ct), default);
        }
        catch (InvalidDataException)
        {
            // Over a limit while streaming (no Content-Length), or a multipart body without a usable boundary.
            return (null, (StatusCodes.Status413PayloadTooLarge, "formTooLargeText"));
        }
        catch (IOException)
        {
            // The body ended before the form did (a truncated multipart section).
            return (null, (StatusCodes.Status400BadRequest, "formWrongFormatText"));
        }
    }

    private static int StatusFor(RefusalReason reason) => reason switch
    {
        RefusalReason.NotFound => StatusCodes.Status404NotFound,
        RefusalReason.OtherOwner => StatusCodes.Status403Forbidden,
        RefusalReason.Finished or RefusalReason.IdleExpired => StatusCodes.Status410Gone,
        _ => StatusCodes.Status409Conflict,
    };

    private bool IsHtmx => Request.Headers.ContainsKey("HX-Request");
}
