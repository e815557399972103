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

/// <summary>One typed input: its default is the verbatim copy of SPEC.md (or ours, see README).</summary>
public sealed record InputSpec(string Name, InputKind Kind, string Label, object Default, int? Min = null, int? Max = null, IReadOnlyList<string>? Choices = null)
{
    public JsonNode? DefaultNode() => Default switch
    {
        string s => JsonValue.Create(s),
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
}

/// <summary>Port names shared by the activities.</summary>
public static class Ports
{
    public const string Done = "Done";
    public const string Failed = "Failed";
    public const string Back = "Back";
}

/// <summary>
/// Every ESeal.* activity type: its ports, its inputs with defaults and safe ranges. The JSON
/// schema of each type is generated from here (see <see cref="DefinitionSchemas"/>).
/// </summary>
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

    private static InputSpec T(string name, string label, string value) => new(name, InputKind.Text, label, value);

    private static InputSpec Seconds(string name, string label, int value, int min, int max) => new(name, InputKind.Integer, label, value, min, max);

    public static IReadOnlyList<ActivitySpec> All { get; } =
    [
        new(ReadingNotice, "强制阅读说明", ActivityRole.UserStep, [Ports.Done],
        [
            Seconds("seconds", "强制阅读秒数", 5, 3, 300),
            T("title", "标题", "绑定说明"),
            T("body", "说明正文", "绑定后，所选电子印章将仅能通过当前USBKEY签章。办理前请准备好企业USBKEY及其PIN码，并请企业法定代表人使用手机完成身份验证。"),
            T("buttonText", "按钮文字", "我知道了"),
        ]),
        new(DetectKey, "插入USBKEY", ActivityRole.UserStep, [Ports.Done],
        [
            new("purpose", InputKind.Choice, "用途", "bind", Choices: ["bind", "unbind"]),
            T("title", "标题", "插入USBKEY"),
            T("noKeyText", "未检测到USBKEY时的文字", "未检测到USBKEY，请插入USBKEY后点击刷新。"),
            T("refreshText", "刷新按钮文字", "刷新"),
            T("noCertificateText", "无证书时的红色文字", "未检测到证书，请重新插入USBKEY或检查驱动是否正确安装"),
            T("untrustedCertificateText", "证书不受信任时的文字", "USBKEY中的证书不是由受信任的CA签发，或已过期、已吊销，不能用于办理。请更换USBKEY或联系CA。"),
            T("keyBoundToOtherSealText", "USBKEY已绑定其他印章时的文字", "该USBKEY已绑定其他印章，无法继续绑定。"),
            T("keyNotBoundText", "USBKEY未绑定印章时的文字", "该USBKEY未绑定印章，无需解绑。"),
            new("showHelpLines", InputKind.Boolean, "未检测到USBKEY时显示四条提示", false),
            T("helpLine1", "提示1", "请使用win7以上操作系统，IE10或以上版本浏览器。"),
            T("helpLine2", "提示2（其后接下载链接）", "请确保您的电脑已安装电子印章PC客户端，并已启动客户端程序。"),
            T("downloadLinkText", "下载链接文字", "点此下载"),
            T("helpLine3", "提示3", "请确认是否运行加载项。查看页面顶部或者底部有无运行加载项的提示栏，若有提示请选择“允许”；若无显示提示栏请刷新页面。"),
            T("helpLine4", "提示4", "如无法显示所需企业USBKEY，请刷新重试。"),
        ]),
        new(ChooseCertificate, "选择证书", ActivityRole.UserStep, [Ports.Done, Ports.Back],
        [
            T("title", "标题", "插入USBKEY"),
            T("buttonText", "按钮文字", "确认并进入下一步"),
            T("chooseRequiredText", "未选择证书时的文字", "请选择一张证书。"),
            T("unknownEnterpriseText", "证书企业未登记时的文字", "该证书所属企业未在本系统登记电子印章，请更换USBKEY。"),
            T("enterpriseNameLabel", "企业名称标签", "企业名称"),
            T("creditCodeLabel", "信用代码标签", "企业统一社会信用代码"),
            T("legalRepLabel", "法定代表人标签", "法定代表人"),
        ]),
        new(HolderForm, "持章人信息", ActivityRole.UserStep, [Ports.Done],
        [
            T("title", "标题", "印章绑定确认"),
            T("nameLabel", "姓名标签", "持章人姓名"),
            T("idTypeLabel", "证件类型标签", "证件类型"),
            T("idNumberLabel", "证件号码标签", "证件号码"),
            T("phoneLabel", "联系电话标签", "联系电话"),
            T("nameRequiredText", "未填姓名时的文字", "请输入持章人姓名"),
            T("buttonText", "按钮文字", "确认并进入下一步"),
        ]),
        new(ChooseSeal, "选择印章", ActivityRole.UserStep, [Ports.Done],
        [
            new("purpose", InputKind.Choice, "用途", "bind", Choices: Purposes),
            T("title", "标题", "印章绑定确认"),
            T("chooseRequiredText", "未选择印章时的文字", "请选择一枚印章。"),
            T("boundElsewhereText", "印章已绑定其他介质时的对话框文字", "该印章已绑定其他介质，是否继续与当前USBKEY绑定，绑定后，将仅能通过USBKEY签章"),
            T("cancelText", "对话框取消按钮", "取消"),
            T("continueText", "对话框继续按钮", "确认并进入下一步"),
            T("sealNotUnboundText", "领取时印章已绑定的文字", "该印章已绑定介质，请先解绑后再在手机端领取。"),
            T("keyNotBoundText", "解绑时USBKEY未绑定印章的文字", "该USBKEY未绑定印章，无需解绑。"),
            T("buttonText", "按钮文字", "确认并进入下一步"),
        ]),
        new(PinProof, "PIN码验证", ActivityRole.PinProof, [Ports.Done],
        [
            new("action", InputKind.Choice, "签名用途", "bind", Choices: ["bind", "unbind"]),
            new("limit", InputKind.Integer, "PIN码连续错误上限", 5, 1, 5),
            new("nonceSeconds", InputKind.Integer, "一次性挑战有效秒数", 300, 30, 300),
            T("title", "标题", "电子印章PIN码"),
            T("placeholder", "输入框提示", "请输入电子印章PIN码"),
            T("wrongPinText", "PIN码错误时的红色文字", "PIN码输入错误，请重试，连续5次输入错误将锁定USBKEY"),
            T("lockedText", "锁定时的文字", "PIN码连续5次输入错误，请联系CA重置密码。"),
            T("proofFailedText", "签名校验未通过时的文字", "PIN码验证未通过，请重新输入。"),
            T("buttonText", "按钮文字", "确认并进入下一步"),
        ]),
        new(LegalRepFaceVerification, "法定代表人身份验证", ActivityRole.FaceVerification, [Ports.Done],
        [
            T("title", "标题", "法定代表人身份验证"),
            T("consentText", "说明1", "本业务需企业法定代表人本人确认同意，并完成身份验证；"),
            T("stayText", "说明2", "验证过程中请不要离开本页面。"),
            T("successText", "验证成功对话框文字", "身份验证成功，正在绑定，请稍候…"),
            T("failureText", "验证失败文字", "验证失败，请稍后重试。"),
            Seconds("failureRedirectSeconds", "失败后自动返回秒数", 5, 0, 30),
            Seconds("timeoutSeconds", "验证超时秒数", 300, 60, 1800),
        ]),
        new(CommitBind, "绑定（提交）", ActivityRole.Commit, [Ports.Done, Ports.Failed],
        [
            new("channel", InputKind.Choice, "渠道", "Kiosk", Choices: Channels),
        ], RequiresPinProof: true),
        new(CommitUnbind, "解绑（提交）", ActivityRole.Commit, [Ports.Done, Ports.Failed],
        [
            new("channel", InputKind.Choice, "渠道", "Kiosk", Choices: Channels),
        ], RequiresPinProof: true),
        new(ClaimOnMobile, "手机端领取（提交）", ActivityRole.Commit, [Ports.Done, Ports.Failed],
        [
            new("channel", InputKind.Choice, "渠道", "Mobile", Choices: Channels),
        ], RequiresPinProof: false),
        new(Result, "结果页", ActivityRole.Result, [],
        [
            new("kind", InputKind.Choice, "结果", "success", Choices: ["success", "failure"]),
            T("title", "标题", "绑定成功"),
            T("message", "说明（失败页为空时显示失败原因）", string.Empty),
            T("enterpriseNameLabel", "企业名称标签", "企业名称"),
            T("creditCodeLabel", "信用代码标签", "企业统一社会信用代码"),
            T("legalRepLabel", "法定代表人标签", "法定代表人"),
            T("sealTypeLabel", "印章类型标签", "印章类型（此次绑定）"),
            T("timeLabel", "时间标签", "绑定时间"),
            T("buttonText", "按钮文字", "返回首页"),
            Seconds("autoReturnSeconds", "自动返回秒数（0为不自动返回）", 5, 0, 30),
            new("offerNextSteps", InputKind.Boolean, "显示“重新绑定USBKEY / 手机端直接领取印章”", false),
            T("bindAgainText", "重新绑定按钮文字", "重新绑定USBKEY"),
            T("claimOnMobileText", "手机领取按钮文字", "手机端直接领取印章"),
        ]),
    ];

    public static ActivitySpec? Find(string type) => All.FirstOrDefault(s => s.Type == type);
}
