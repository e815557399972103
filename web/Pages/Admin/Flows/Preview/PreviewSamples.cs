using System.Text.Json;
using ESeal.Db.Domain;
using ESeal.Db.Repositories;
using ESeal.Web.Pages.Flow;
using ESeal.Web.Pages.Flow.Progress;
using ESeal.Workflows.Activities.ChooseCertificate;
using ESeal.Workflows.Activities.ChooseSeal;
using ESeal.Workflows.Activities.DetectKey;
using ESeal.Workflows.Activities.HolderForm;
using ESeal.Workflows.Activities.LegalRepFaceVerification;
using ESeal.Workflows.Activities.PinProof;
using ESeal.Workflows.Activities.Result;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Proof;
using ESeal.Workflows.Runtime;

namespace ESeal.Web.Pages.Admin.Flows.Preview;

/// <summary>
/// The made-up enterprise, key, certificates, seals and holder a preview shows, and the step model
/// a state of a step needs — built from the definition's own inputs, with no flow instance and no
/// database: what the citizen's partials render from it is exactly what they render in a real flow.
/// </summary>
public static class PreviewSamples
{
    public const string EnterpriseName = "杭州示例印章科技有限公司";
    public const string CreditCode = "91330100MA2PREV1EW";
    public const string LegalRepName = "王示例";
    public const string TokenLabel = "示例USBKEY（SN: PREVIEW-0001）";
    public const string HolderName = "李示例";
    public const string CaName = "示例数字证书认证中心";
    public const string OtherCommonName = "示例个人证书";
    public const int SampleAttemptsLeft = 3;
    private const string TicketSample = "preview-ticket";

    /// <summary>A well-formed 业务流水号 that no receipt has (the preview issues none).</summary>
    private const string ReceiptCodeSample = "7K2MQX9D4HBT0RWE5YCN8GSA";

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly (Guid Id, string Type, SealStatus Status)[] Seals =
    [
        (Guid.Parse("00000000-0000-4000-8000-00000000a001"), "单位公章", SealStatus.Unbound),
        (Guid.Parse("00000000-0000-4000-8000-00000000a002"), "财务专用章", SealStatus.UsbKey),
        (Guid.Parse("00000000-0000-4000-8000-00000000a003"), "合同专用章", SealStatus.Mobile),
        (Guid.Parse("00000000-0000-4000-8000-00000000a004"), "发票专用章", SealStatus.Unbound),
    ];

    /// <summary>Wrong holder entries whose errors the shared field validators (db/Domain) word.</summary>
    public const string WrongIdNumber = "110101199003071230";
    public const string WrongPhone = "1380013800";

    /// <summary>
    /// Every piece of sample data a preview can show (names, codes, seal types and states, ID types):
    /// data, not copy — a test of "no text left in code" looks past these.
    /// </summary>
    public static IReadOnlyList<string> DataTexts { get; } =
    [
        EnterpriseName, CreditCode, LegalRepName, TokenLabel, HolderName, CaName, OtherCommonName,
        .. Seals.Select(s => s.Type), .. Seals.Select(s => SealName(s.Type)),
        .. Enum.GetValues<SealStatus>().Select(SealStatusText.Label),
        .. IdDocument.Types.Select(t => t.Label),
    ];

    /// <summary>
    /// The messages of the shared field validators (resident ID per GB 11643, phone) for the wrong
    /// sample entries: they stay in db/Domain, shared with the back office (workflows/README.md).
    /// </summary>
    public static IReadOnlyList<string> SharedValidatorTexts { get; } =
    [
        IdDocument.Validate(IdDocumentType.ResidentId, WrongIdNumber) ?? string.Empty,
        MobilePhone.Validate(WrongPhone) ?? string.Empty,
    ];

    private static string SealName(string type) => $"{EnterpriseName}{type}";

    /// <summary>The step model for one state of one step, or null when the state is not one of that type's.</summary>
    public static StepModel? Build(FlowDefinition definition, FlowActivity activity, string state, Type inputsType, DateTimeOffset now, string postUrl)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(activity);
        if (!StepPreviewStates.For(activity.Type).Any(s => s.Code == state))
        {
            return null;
        }

        var inputs = activity.Inputs.Deserialize(inputsType, Web)!;
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["enterpriseName"] = EnterpriseName,
            ["creditCode"] = CreditCode,
            ["legalRepName"] = LegalRepName,
            ["tokenLabel"] = TokenLabel,
            ["channel"] = state == "onPhone" ? "Mobile" : "Kiosk",
        };
        var (data, stayCode, stayMessage, notBefore, errors, posted, helperState) = ForState(definition, activity, inputs, state, now);
        var view = new FlowView(Guid.Empty, definition.DefinitionId, definition.Version, Db.Flows.FlowStatus.Running, activity.Id, activity.Type, inputs, variables, "preview", notBefore, data)
        {
            Texts = definition.Texts,
            Stages = FlowStages.Of(definition),
        };
        return new StepModel(view, FlowProgress.For(view), stayCode, stayMessage, errors, posted, postUrl) { PreviewHelperState = helperState };
    }

    private static (object? Data, string? StayCode, string? StayMessage, DateTimeOffset? NotBefore, IReadOnlyDictionary<string, string> Errors, IReadOnlyDictionary<string, string> Posted, string? HelperState)
        ForState(FlowDefinition definition, FlowActivity activity, object inputs, string state, DateTimeOffset now)
    {
        var none = new Dictionary<string, string>();
        switch (inputs)
        {
            case Workflows.Activities.ReadingNotice.ReadingNoticeInputs r:
                return (null, null, null, state == "counting" ? now.AddSeconds(r.Seconds) : null, none, none, null);
            case DetectKeyInputs d:
                return state switch
                {
                    "noKey" => (null, DetectKeyStay.NoKey, d.NoKeyText, null, none, none, null),
                    "unreachable" => (null, null, null, null, none, none, "unreachable"),
                    "localNetworkDenied" => (null, null, null, null, none, none, "lna-denied"),
                    "keyBoundToOtherSeal" => (null, DetectKeyStay.KeyBoundToOtherSeal, d.KeyBoundToOtherSealText, null, none, none, null),
                    "keyNotBound" => (null, DetectKeyStay.KeyNotBound, d.KeyNotBoundText, null, none, none, null),
                    "noCertificate" => (null, DetectKeyStay.NoCertificate, d.NoCertificateText, null, none, none, null),
                    "untrustedCertificate" => (null, DetectKeyStay.UntrustedCertificate, DefinitionTexts.WithReason(definition.Texts, d.UntrustedCertificateText, ProofFailure.UntrustedChain), null, none, none, null),
                    _ => (null, null, null, null, none, none, null),
                };
            case ChooseCertificateInputs c:
            {
                var certificates = Certificates(now, state == "unknownEnterprise");
                var errors = state switch
                {
                    "required" => new Dictionary<string, string> { [ChooseCertificateFields.CertificateId] = c.ChooseRequiredText },
                    "unknownEnterprise" => new Dictionary<string, string> { [ChooseCertificateFields.CertificateId] = c.UnknownEnterpriseText },
                    _ => none,
                };
                return (new ChooseCertificateData(certificates, state == "choice" ? certificates[0].Id : null), errors.Count > 0 ? "Invalid" : null, null, null, errors, state == "choice" ? none : new Dictionary<string, string> { [ChooseCertificateFields.CertificateId] = string.Empty }, null);
            }

            case HolderFormInputs h:
            {
                var data = new HolderFormData(IdDocument.Types.Select(t => new IdTypeChoice(t.Type.ToString(), t.Label)).ToList());
                if (state != "errors")
                {
                    return (data, null, null, null, none, none, null);
                }

                var errors = new Dictionary<string, string>
                {
                    [HolderFormFields.Name] = h.NameRequiredText,
                    [HolderFormFields.IdNumber] = SharedValidatorTexts[0],
                    [HolderFormFields.Phone] = SharedValidatorTexts[1],
                };
                var posted = new Dictionary<string, string>
                {
                    [HolderFormFields.Name] = string.Empty,
                    [HolderFormFields.IdType] = nameof(IdDocumentType.ResidentId),
                    [HolderFormFields.IdNumber] = WrongIdNumber,
                    [HolderFormFields.Phone] = WrongPhone,
                };
                return (data, "Invalid", null, null, errors, posted, null);
            }

            case ChooseSealInputs s:
            {
                var seals = Seals.Where(x => s.Purpose != "unbind" || x.Status == SealStatus.UsbKey)
                    .Select(x => new SealChoice(x.Id, $"PREVIEW-{x.Id.ToString("N")[^4..]}", x.Type, SealName(x.Type), x.Status.ToString(), SealStatusText.Label(x.Status), null)).ToList();
                var data = new ChooseSealData(s.Purpose, state == "keyNotBound" ? [] : seals);
                var chosen = new Dictionary<string, string> { [ChooseSealFields.SealId] = seals.FirstOrDefault(x => x.Status != nameof(SealStatus.Unbound))?.Id.ToString() ?? string.Empty };
                return state switch
                {
                    "required" => (data, "Invalid", null, null, new Dictionary<string, string> { [ChooseSealFields.SealId] = s.ChooseRequiredText }, new Dictionary<string, string> { [ChooseSealFields.SealId] = string.Empty }, null),
                    "boundElsewhere" => (data, ChooseSealStay.SealBoundToOtherMedium, s.BoundElsewhereText, null, none, chosen, null),
                    "keyNotBound" => (data, ChooseSealStay.KeyNotBound, s.KeyNotBoundText, null, none, none, null),
                    _ => (data, null, null, null, none, none, null),
                };
            }

            case PinProofInputs p:
            {
                var locked = state == "locked";
                var failed = locked ? p.Limit : state == "wrongPin" ? Math.Max(0, p.Limit - SampleAttemptsLeft) : 0;
                var data = new PinProofData(p.Limit, failed, Math.Max(0, p.Limit - failed), locked, "PREVIEW-0001", "01");
                return state switch
                {
                    "wrongPin" => (data, PinProofStay.PinIncorrect, p.WrongPinText, null, none, none, null),
                    "locked" => (data, PinProofStay.PinLocked, p.LockedText, null, none, none, null),
                    "proofFailed" => (data, PinProofStay.ProofFailed, DefinitionTexts.WithReason(definition.Texts, p.ProofFailedText, ProofFailure.BadSignature), null, none, none, null),
                    "challengeInvalid" => (data, PinProofStay.ChallengeInvalid, p.ChallengeInvalidText, null, none, none, null),
                    _ => (data, null, null, null, none, none, null),
                };
            }

            case LegalRepFaceVerificationInputs f:
                return state switch
                {
                    "success" => (new FaceVerificationData(TicketSample, "Passed", now.AddSeconds(f.TimeoutSeconds), false), null, null, null, none, none, null),
                    "failed" => (new FaceVerificationData(TicketSample, "Failed", null, false), LegalRepFaceVerificationStay.Failed, f.FailureText, now.AddSeconds(Math.Max(1, f.FailureRedirectSeconds)), none, none, null),
                    "renewed" => (new FaceVerificationData(TicketSample, "Pending", now.AddSeconds(f.TimeoutSeconds), false), LegalRepFaceVerificationStay.Renewed, f.RenewedText, null, none, none, null),
                    "ticketDead" => (new FaceVerificationData(TicketSample, "Expired", null, false), null, null, null, none, none, null),
                    _ => (new FaceVerificationData(TicketSample, "Pending", now.AddSeconds(f.TimeoutSeconds), false), LegalRepFaceVerificationStay.Pending, null, null, none, none, null),
                };
            case ResultInputs:
            {
                var ok = state == "success";
                var reason = ok ? null : definition.Activities.Where(a => ActivityCatalog.Find(a.Type)?.Role == ActivityRole.Commit).Select(a => a.Text("conflictText")).FirstOrDefault();
                return (new ResultData(ok, reason, EnterpriseName, CreditCode, LegalRepName, Seals[0].Type, ok ? Seals[0].Id : null, now, ok ? ReceiptCodeSample : null), null, null, null, none, none, null);
            }

            default:
                return (null, null, null, null, none, none, null);
        }
    }

    private static List<CertificateChoice> Certificates(DateTimeOffset now, bool unknownFirst)
    {
        var until = now.AddYears(1);
        var company = new CertificateChoice("01", new string('a', 64), new string('b', 64), $"CN={EnterpriseName}", EnterpriseName, $"CN={CaName}", "01", until, CreditCode, EnterpriseName, LegalRepName);
        var other = new CertificateChoice("02", new string('c', 64), new string('d', 64), $"CN={OtherCommonName}", OtherCommonName, $"CN={CaName}", "02", until, null, null, null);
        return unknownFirst ? [other, company] : [company, other];
    }
}
