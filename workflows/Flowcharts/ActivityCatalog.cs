using System.Text.Json.Nodes;

namespace ESeal.Workflows.Flowcharts;

public enum InputKind
{
    Text,
    Integer,
    Boolean,
    Choice,
}

/// <summary>What an activity means to the graph and security rules.</summary>
public enum ActivityRole
{
    /// <summary>A page the user acts on.</summary>
    UserStep,

    /// <summary>Proves the PIN by a signature of the chosen certificate (a user step).</summary>
    PinProof,

    /// <summary>The legal representative's face verification (a user step).</summary>
    FaceVerification,

    /// <summary>Changes a binding; runs without the user and needs the proofs before it.</summary>
    Commit,

    /// <summary>The last page; the flow ends here.</summary>
    Result,
}

/// <summary>
/// One typed input: its default is the verbatim copy of SPEC.md (or ours, see README). A text may
/// name <see cref="Placeholders"/> as {name}; the page fills them with the flow's data. Where the
/// right wording depends on what the step does, <see cref="PurposeDefaults"/> gives the default per
/// value of the activity's purpose/action input (used when an input is missing, e.g. in a version
/// stored before the input existed).
/// </summary>
public sealed record InputSpec(string Name, InputKind Kind, string Label, object Default, int? Min = null, int? Max = null, IReadOnlyList<string>? Choices = null)
{
    public IReadOnlyList<string> Placeholders { get; init; } = [];

    public IReadOnlyDictionary<string, string>? PurposeDefaults { get; init; }

    public JsonNode? DefaultNode(string? purpose = null) => Default switch
    {
        string s => JsonValue.Create(purpose is not null && PurposeDefaults?.TryGetValue(purpose, out var byPurpose) == true ? byPurpose : s),
        int i => JsonValue.Create(i),
        bool b => JsonValue.Create(b),
        _ => null,
    };
}

public sealed record ActivitySpec(string Type, string Label, ActivityRole Role, IReadOnlyList<string> Ports, IReadOnlyList<InputSpec> Inputs, bool RequiresPinProof = false)
{
    /// <summary>A user step waits for a request; other activities run on at once.</summary>
    public bool IsUserStep => Role is ActivityRole.UserStep or ActivityRole.PinProof or ActivityRole.FaceVerification or ActivityRole.Result;

    public InputSpec? Input(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    /// <summary>Ports the definition may leave unconnected (上一步: the page offers it only where it is connected).</summary>
    public IReadOnlyList<string> OptionalPorts { get; init; } = [];
}

/// <summary>Port names shared by the activities.</summary>
public static class Ports
{
    public const string Done = "Done";
    public const string Failed = "Failed";
    /// <summary>上一步 (and, for the certificate list, a changed key): back to an earlier user step.</summary>
    public const string Back = "Back";
}

/// <summary>
/// Every ESeal.* activity type: its ports, its inputs with defaults and safe ranges. The JSON
/// schema of each type is generated from here (see <see cref="DefinitionSchemas"/>).
/// </summary>
/// <summary>Commit-time wording shared by several commit types' defaults.</summary>
internal static class CommitTexts
{
    public const string NotProved = "安全校验未通过：请重新完成PIN码验证和法定代表人身份验证。";
    public const string Conflict = "印章或介质刚刚被其他操作修改，请返回重试。";
}

public static class ActivityCatalog
{
    public const string ReadingNotice = "ESeal.ReadingNotice";
    public const string DetectKey = "ESeal.DetectKey";
    public const string ChooseCertificate = "ESeal.ChooseCertificate";
    public const string HolderForm = "ESeal.HolderForm";
    public const string ChooseSeal = "ESeal.ChooseSeal";
    public const string PinProof = "ESeal.PinProof";
    public const string LegalRepFaceVerification = "ESeal.LegalRepFaceVerification";
    public const string CommitBind = "ESeal.CommitBind";
    public const string CommitUnbind = "ESeal.CommitUnbind";
    public const string ClaimOnMobile = "ESeal.ClaimOnMobile";
    public const string Result = "ESeal.Result";

    private static readonly string[] Purposes = ["bind", "unbind", "claim"];
    private static readonly string[] Channels = ["Kiosk", "Web", "Mobile"];

    private static InputSpec T(string name, string label, string value, params string[] placeholders) => new(name, InputKind.Text, label, value) { Placeholders = placeholders };

    private static InputSpec Seconds(string name, string label, int value, int min, int max) => new(name, InputKind.Integer, label, value, min, max);

    /// <summary>
    /// The progress bar's stage this activity belongs to (SPEC §3/§4: 插入USBKEY → 印章绑定确认 →
    /// 法定代表人身份验证 → 完成). Every type has it; the runtime, not the activity, reads it. A version
    /// stored before the input existed gets the stage the old reader derived from the titles (see
    /// <see cref="FlowStages.Legacy"/>), so its progress bar does not change.
    /// </summary>
    public const string StageInput = "stage";

    /// <summary>Inputs every activity type has, read by the runtime and the pages rather than by the activity's own record.</summary>
    public static IReadOnlyList<string> CommonInputs { get; } = [StageInput];

    private static InputSpec Stage(string value) => T(StageInput, "进度条阶段名称", value);

    private static List<InputSpec> With(string stage, params InputSpec[] inputs) => [.. inputs, Stage(stage)];

    public static IReadOnlyList<ActivitySpec> All { get; } =
    [
        new(ReadingNotice, "强制阅读说明", ActivityRole.UserStep, [Ports.Done], With("插入USBKEY",
            Seconds("seconds", "强制阅读秒数", 5, 3, 300),
            T("title", "标题", "绑定说明"),
            T("body", "说明正文", "绑定后，所选电子印章将仅能通过当前USBKEY签章。办理前请准备好企业USBKEY及其PIN码，并请企业法定代表人使用手机完成身份验证。"),
            T("buttonText", "按钮文字", "我知道了"),
            T("countdownFormat", "倒计时按钮文字（{text}为按钮文字，{seconds}为剩余秒数）", "{text}（{seconds}秒）", "text", "seconds"))),
        new(DetectKey, "插入USBKEY", ActivityRole.UserStep, [Ports.Done], With("插入USBKEY",
            new("purpose", InputKind.Choice, "用途", "bind", Choices: ["bind", "unbind"]),
            T("title", "标题", "插入USBKEY"),
            T("readingText", "正在读取USBKEY时的文字", "正在读取USBKEY，请稍候…"),
            T("noKeyText", "未检测到USBKEY时的文字", "未检测到USBKEY，请插入USBKEY后点击刷新。"),
            T("noKeyImageAlt", "未检测到USBKEY图片的替代文字", "未检测到USBKEY"),
            T("refreshText", "刷新按钮文字", "刷新"),
            T("noCertificateText", "无证书时的红色文字", "未检测到证书，请重新插入USBKEY或检查驱动是否正确安装"),
            T("untrustedCertificateText", "证书不受信任时的文字", "USBKEY中的证书不是由受信任的CA签发，或已过期、已吊销，不能用于办理。请更换USBKEY或联系CA。"),
            T("keyBoundToOtherSealText", "USBKEY已绑定其他印章时的文字", "该USBKEY已绑定其他印章，无法继续绑定。"),
            T("keyNotBoundText", "USBKEY未绑定印章时的文字", "该USBKEY未绑定印章，无需解绑。"),
            T("changeKeyText", "不能继续时的提示", "请更换USBKEY后点击“刷新”，或返回首页。"),
            T("homeText", "返回首页按钮文字", "返回首页"),
            T("helperUnreachableText", "无法连接PC客户端时的文字", "无法连接电子印章PC客户端：请确认客户端已安装并已启动，然后点击“刷新”。"),
            T("downloadSuffixText", "下载链接后的文字", "电子印章PC客户端。"),
            T("localNetworkDeniedText", "浏览器阻止访问本机客户端时的文字", "浏览器阻止了本页面访问本机的电子印章PC客户端（本地网络访问权限被拒绝）。请在地址栏左侧的网站设置中允许“本地网络访问”后点击“刷新”；自助终端请联系大厅工作人员配置浏览器策略。"),
            T("browserPolicyLinkText", "浏览器策略说明链接文字", "查看浏览器策略配置说明"),
            new("showHelpLines", InputKind.Boolean, "未检测到USBKEY时显示四条提示", false),
            T("helpLine1", "提示1", "请使用win7以上操作系统，IE10或以上版本浏览器。"),
            T("helpLine2", "提示2（其后接下载链接）", "请确保您的电脑已安装电子印章PC客户端，并已启动客户端程序。"),
            T("downloadLinkText", "下载链接文字", "点此下载"),
            T("helpLine3", "提示3", "请确认是否运行加载项。查看页面顶部或者底部有无运行加载项的提示栏，若有提示请选择“允许”；若无显示提示栏请刷新页面。"),
            T("helpLine4", "提示4", "如无法显示所需企业USBKEY，请刷新重试。"))),
        new(ChooseCertificate, "选择证书", ActivityRole.UserStep, [Ports.Done, Ports.Back], With("插入USBKEY",
            T("title", "标题", "插入USBKEY"),
            T("legendText", "证书列表标题（{token}为USBKEY名称）", "请选择证书（当前USBKEY：{token}）", "token"),
            T("refreshLabel", "重新读取按钮的说明文字", "重新读取证书"),
            T("issuerLabel", "颁发者标签", "颁发者："),
            T("validUntilLabel", "有效期标签", "有效期至"),
            T("buttonText", "按钮文字", "确认并进入下一步"),
            T("chooseRequiredText", "未选择证书时的文字", "请选择一张证书。"),
            T("unknownEnterpriseText", "证书企业未登记时的文字", "该证书所属企业未在本系统登记电子印章，请更换USBKEY。"),
            T("enterpriseNameLabel", "企业名称标签", "企业名称"),
            T("creditCodeLabel", "信用代码标签", "企业统一社会信用代码"),
            T("legalRepLabel", "法定代表人标签", "法定代表人"))),
        new(HolderForm, "持章人信息", ActivityRole.UserStep, [Ports.Done, Ports.Back], With("印章绑定确认",
            T("title", "标题", "印章绑定确认"),
            T("enterpriseText", "企业说明（{enterprise}为企业名称）", "企业：{enterprise}", "enterprise"),
            T("legendText", "表单标题", "持章人信息"),
            T("errorSummaryTitle", "错误汇总标题", "请修改以下内容"),
            T("errorSummaryItem", "错误汇总的每一条（{label}为栏目名，{error}为错误）", "{label}：{error}", "label", "error"),
            T("nameLabel", "姓名标签", "持章人姓名"),
            T("idTypeLabel", "证件类型标签", "证件类型"),
            T("idNumberLabel", "证件号码标签", "证件号码"),
            T("phoneLabel", "联系电话标签", "联系电话"),
            T("nameRequiredText", "未填姓名时的文字", "请输入持章人姓名"),
            T("idTypeRequiredText", "未选证件类型时的文字", "请选择证件类型"),
            T("buttonText", "按钮文字", "确认并进入下一步"))) { OptionalPorts = [Ports.Back] },
        new(ChooseSeal, "选择印章", ActivityRole.UserStep, [Ports.Done, Ports.Back], With("印章绑定确认",
            new("purpose", InputKind.Choice, "用途", "bind", Choices: Purposes),
            T("title", "标题", "印章绑定确认"),
            T("enterpriseNameLabel", "企业名称标签", "企业名称"),
            T("creditCodeLabel", "信用代码标签", "企业统一社会信用代码"),
            T("legalRepLabel", "法定代表人标签", "法定代表人"),
            T("legendText", "印章列表标题", "请选择要绑定的印章（单选）") with
            {
                PurposeDefaults = new Dictionary<string, string> { ["unbind"] = "该USBKEY绑定的印章", ["claim"] = "请选择要领取的印章（单选）" },
            },
            T("impressionAltText", "印模图片的替代文字（{seal}为印章名称）", "{seal} 印模", "seal"),
            T("chooseRequiredText", "未选择印章时的文字", "请选择一枚印章。"),
            T("boundElsewhereText", "印章已绑定其他介质时的对话框文字", "该印章已绑定其他介质，是否继续与当前USBKEY绑定，绑定后，将仅能通过USBKEY签章"),
            T("cancelText", "对话框取消按钮", "取消"),
            T("continueText", "对话框继续按钮", "确认并进入下一步"),
            T("sealNotUnboundText", "领取时印章已绑定的文字", "该印章已绑定介质，请先解绑后再在手机端领取。"),
            T("keyNotBoundText", "解绑时USBKEY未绑定印章的文字", "该USBKEY未绑定印章，无需解绑。"),
            T("buttonText", "按钮文字", "确认并进入下一步"))) { OptionalPorts = [Ports.Back] },
        new(PinProof, "PIN码验证", ActivityRole.PinProof, [Ports.Done, Ports.Back], With("印章绑定确认",
            new("action", InputKind.Choice, "签名用途", "bind", Choices: ["bind", "unbind"]),
            new("limit", InputKind.Integer, "PIN码连续错误上限", 5, 1, 5),
            new("nonceSeconds", InputKind.Integer, "一次性挑战有效秒数", 300, 30, 300),
            T("title", "标题", "电子印章PIN码"),
            T("leadText", "说明（{token}为USBKEY名称，{enterprise}为企业名称）", "USBKEY：{token} · 企业：{enterprise}", "token", "enterprise"),
            T("placeholder", "输入框提示", "请输入电子印章PIN码"),
            T("showPinLabel", "显示PIN码按钮的说明文字", "显示PIN码"),
            T("hidePinLabel", "隐藏PIN码按钮的说明文字", "隐藏PIN码"),
            T("pinRequiredText", "未输入PIN码时的文字", "请输入电子印章PIN码"),
            T("wrongPinText", "PIN码错误时的红色文字", "PIN码输入错误，请重试，连续5次输入错误将锁定USBKEY"),
            T("attemptsLeftText", "剩余次数（{attempts}为剩余次数）", "（还可尝试{attempts}次）", "attempts"),
            T("lockedText", "锁定时的文字", "PIN码连续5次输入错误，请联系CA重置密码。"),
            T("proofFailedText", "签名校验未通过时的文字", "PIN码验证未通过，请重新输入。"),
            T("challengeInvalidText", "本次验证失效时的文字", "本次验证已失效，请重新输入PIN码。"),
            T("pageExpiredText", "页面过期时的文字", "页面已过期，请刷新页面后继续。"),
            T("networkErrorText", "网络异常时的文字", "网络异常，请稍后重试。"),
            T("buttonText", "按钮文字", "确认并进入下一步"))) { OptionalPorts = [Ports.Back] },
        new(LegalRepFaceVerification, "法定代表人身份验证", ActivityRole.FaceVerification, [Ports.Done], With("法定代表人身份验证",
            T("title", "标题", "法定代表人身份验证"),
            T("consentText", "说明1", "本业务需企业法定代表人本人确认同意，并完成身份验证；"),
            T("scanText", "扫码说明（{legalRep}为法定代表人姓名）", "请企业法定代表人（{legalRep}）使用手机扫描下方二维码，完成人脸识别身份验证。", "legalRep"),
            T("stayText", "说明2", "验证过程中请不要离开本页面。"),
            T("qrAltText", "二维码图片的替代文字", "法定代表人身份验证二维码"),
            T("simulationNoteText", "模拟环境提示", "模拟环境：手机页面地址"),
            T("startFaceText", "在手机上办理时的按钮文字", "开始人脸识别"),
            T("successText", "验证成功对话框文字", "身份验证成功，正在绑定，请稍候…"),
            T("continueText", "无脚本时的继续按钮", "继续"),
            T("failureText", "验证失败文字", "验证失败，请稍后重试。"),
            T("redirectText", "失败后倒计时（{seconds}为剩余秒数）", "{seconds}秒后自动返回身份验证页面。", "seconds"),
            T("returningText", "倒计时结束时的文字", "正在返回"),
            T("renewedText", "二维码过期已更新时的文字", "二维码已过期，已为您生成新的二维码，请重新扫码。"),
            T("ticketDeadText", "二维码失效时的文字", "二维码已失效，正在为您生成新的二维码…"),
            T("refreshQrText", "刷新二维码按钮文字", "刷新二维码"),
            Seconds("failureRedirectSeconds", "失败后自动返回秒数", 5, 0, 30),
            Seconds("timeoutSeconds", "验证超时秒数", 300, 60, 1800))),
        new(CommitBind, "绑定（提交）", ActivityRole.Commit, [Ports.Done, Ports.Failed], With("法定代表人身份验证",
            new("channel", InputKind.Choice, "渠道", "Kiosk", Choices: Channels),
            T("notProvedText", "安全校验未通过时的失败原因", CommitTexts.NotProved),
            T("sealNotFoundText", "印章不属于该企业时的失败原因", "所选印章不属于该企业，请返回重新选择。"),
            T("alreadyBoundText", "已绑定当前USBKEY时的失败原因", "该印章已绑定当前USBKEY，无需重复绑定。"),
            T("keyBoundToOtherSealText", "USBKEY已绑定其他印章时的失败原因", "该USBKEY已绑定其他印章，无法继续绑定。"),
            T("sealBoundToOtherMediumText", "办理期间印章被绑定时的失败原因", "该印章在您办理期间已绑定其他介质，本次绑定未生效。请返回重试，并在选择印章时确认是否改为绑定当前USBKEY。"),
            T("conflictText", "并发修改时的失败原因", CommitTexts.Conflict)), RequiresPinProof: true),
        new(CommitUnbind, "解绑（提交）", ActivityRole.Commit, [Ports.Done, Ports.Failed], With("法定代表人身份验证",
            new("channel", InputKind.Choice, "渠道", "Kiosk", Choices: Channels),
            T("notProvedText", "安全校验未通过时的失败原因", CommitTexts.NotProved),
            T("keyNotBoundText", "USBKEY未绑定印章时的失败原因", "该USBKEY未绑定印章，无需解绑。"),
            T("conflictText", "并发修改时的失败原因", CommitTexts.Conflict)), RequiresPinProof: true),
        new(ClaimOnMobile, "手机端领取（提交）", ActivityRole.Commit, [Ports.Done, Ports.Failed], With("法定代表人身份验证",
            new("channel", InputKind.Choice, "渠道", "Mobile", Choices: Channels),
            T("notProvedText", "安全校验未通过时的失败原因", CommitTexts.NotProved),
            T("deviceUnknownText", "无法识别手机时的失败原因", "未能识别本手机，请在手机上重新打开领取页面。"),
            T("sealNotFoundText", "印章不属于该企业时的失败原因", "所选印章不属于该企业，请返回重新选择。"),
            T("sealNotUnboundText", "印章已绑定介质时的失败原因", "该印章已绑定介质，请先解绑后再在手机端领取。"),
            T("phoneHoldsOtherSealText", "手机已领取其他印章时的失败原因", "该手机已领取其他印章，一部手机只能领取一枚印章。"),
            T("conflictText", "并发修改时的失败原因", CommitTexts.Conflict)), RequiresPinProof: false),
        new(Result, "结果页", ActivityRole.Result, [], With("完成",
            new("kind", InputKind.Choice, "结果", "success", Choices: ["success", "failure"]),
            T("title", "标题", "绑定成功"),
            T("message", "说明（失败页为空时显示失败原因）", string.Empty),
            T("failureFallbackText", "没有失败原因时的文字", "办理未完成。"),
            T("enterpriseNameLabel", "企业名称标签", "企业名称"),
            T("creditCodeLabel", "信用代码标签", "企业统一社会信用代码"),
            T("legalRepLabel", "法定代表人标签", "法定代表人"),
            T("sealTypeLabel", "印章类型标签", "印章类型（此次绑定）"),
            T("timeLabel", "时间标签", "绑定时间"),
            T("buttonText", "按钮文字", "返回首页"),
            Seconds("autoReturnSeconds", "自动返回秒数（0为不自动返回）", 5, 0, 30),
            T("autoReturnText", "自动返回倒计时（{seconds}为剩余秒数）", "{seconds}秒后自动返回首页", "seconds"),
            new("offerNextSteps", InputKind.Boolean, "显示“重新绑定USBKEY / 手机端直接领取印章”", false),
            T("nextStepsTitle", "后续办理的标题", "印章已恢复为“未绑定介质”，您可以："),
            T("bindAgainText", "重新绑定按钮文字", "重新绑定USBKEY"),
            T("claimOnMobileText", "手机领取按钮文字", "手机端直接领取印章"),
            T("receiptCodeLabel", "业务流水号标签（成功页）", "业务流水号"),
            T("printReceiptText", "打印回执按钮文字（成功页）", "打印回执"),
            T("printingText", "打印回执时自动返回暂停的提示", "正在打印回执，打印完成后继续倒计时。"))),
    ];

    public static ActivitySpec? Find(string type) => All.FirstOrDefault(s => s.Type == type);
}
