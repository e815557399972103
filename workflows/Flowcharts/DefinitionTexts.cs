using System.Text.Json.Nodes;
using ESeal.Workflows.Proof;
using ESeal.Workflows.Runtime;

namespace ESeal.Workflows.Flowcharts;

/// <summary>
/// The definition's "texts" block: citizen-visible wording that no single step owns — refusals of
/// the runtime, the frame around the steps, the key helper's error texts and the reasons a
/// certificate or a signature is refused — and the few numbers the frame needs (the idle limits of
/// a kiosk's session, SPEC §9). Validated, defaulted and versioned like activity inputs.
/// </summary>
public static class DefinitionTexts
{
    public const string Property = "texts";

    private static InputSpec T(string name, string label, string value, params string[] placeholders) => new(name, InputKind.Text, label, value) { Placeholders = placeholders };

    private static InputSpec N(string name, string label, int value, int min, int max) => new(name, InputKind.Integer, label, value, min, max);

    /// <summary>Seconds without input before a kiosk asks "您还在办理吗？" (SPEC §9).</summary>
    public const string KioskIdleSeconds = "kioskIdleSeconds";

    /// <summary>The same for other browsers (desktops keep a longer limit with the same warning).</summary>
    public const string DesktopIdleSeconds = "desktopIdleSeconds";

    /// <summary>How long the warning counts down before the flow ends.</summary>
    public const string IdleWarningSeconds = "idleWarningSeconds";

    public static IReadOnlyList<InputSpec> All { get; } =
    [
        N(KioskIdleSeconds, "自助终端无操作多少秒后提醒", 120, 30, 900),
        N(DesktopIdleSeconds, "其他浏览器无操作多少秒后提醒", 900, 120, 3600),
        N(IdleWarningSeconds, "提醒后倒计时秒数（无应答则结束办理）", 30, 10, 120),
        T("idleTitle", "无操作提醒的标题", "您还在办理吗？"),
        T("idleCountdownText", "无操作提醒的倒计时（{seconds}为剩余秒数）", "{seconds}秒后将结束本次办理并返回首页，已填写的信息将被清除。", "seconds"),
        T("idleContinueText", "无操作提醒的“继续办理”按钮", "继续办理"),
        T("idleEndText", "无操作提醒的“结束办理”按钮", "结束办理"),
        T("cancelFlowText", "每一步的“取消办理”按钮", "取消办理"),
        T("cancelConfirmTitle", "取消办理确认框的标题", "确定取消办理吗？"),
        T("cancelConfirmText", "取消办理确认框的说明", "取消后本次办理结束，已填写的信息将被清除，需要从首页重新开始。"),
        T("cancelConfirmButtonText", "取消办理确认框的确认按钮", "确定取消办理"),
        T("dialogCancelText", "对话框的“取消”按钮", "取消"),
        T("backText", "“上一步”按钮", "上一步"),
        T("keypadDeleteText", "屏幕键盘的“删除”键", "删除"),
        T("keypadClearText", "屏幕键盘的“清空”键", "清空"),
        T("keypadDoneText", "屏幕键盘的“完成”键", "完成"),
        T("idleExpiredText", "超时未操作后再提交", "您长时间未操作，本次办理已结束，已填写的信息已清除，请从首页重新开始。"),
        T("refusalTitle", "无法继续时的标题", "无法继续办理"),
        T("refusalContinueText", "无法继续时的“继续办理”按钮", "继续办理"),
        T("refusalHomeText", "无法继续时的“返回首页”按钮", "返回首页"),
        T("notFoundText", "找不到业务流程", "找不到该业务流程，请从首页重新开始。"),
        T("otherOwnerText", "业务流程属于另一个会话", "该业务流程属于另一个浏览器会话，不能在此继续。"),
        T("staleStepText", "页面已过期", "页面已过期（该步骤已经提交过，或已在其他页面继续），请刷新页面后继续。"),
        T("tooEarlyText", "倒计时未结束", "请在倒计时结束后再继续。"),
        T("finishedText", "业务流程已结束", "该业务流程已结束，请从首页重新开始。"),
        T("concurrentChangeText", "被另一个请求推进", "该业务流程刚刚被另一个请求推进，本次提交未生效，请刷新页面后继续。"),
        T("notThisStepText", "当前步骤不是这个操作", "当前步骤不是这个操作，请刷新页面后继续。"),
        T("formTooLargeText", "提交内容过大", "提交的内容过大或格式不正确，本次提交未生效，请刷新页面后重试。"),
        T("formWrongFormatText", "提交内容格式不正确", "提交的内容格式不正确，本次提交未生效，请刷新页面后重试。"),
        T("progressLabel", "进度条的说明文字（读屏）", "办理进度"),
        T("workingText", "提交办理中的文字", "正在办理，请稍候…"),
        T("helperTokenNotPresentText", "PC客户端：未检测到USBKEY", "未检测到USBKEY，请重新插入后重试。"),
        T("helperCertificateNotFoundText", "PC客户端：找不到所选证书", "未在USBKEY中找到所选证书，请重新插入USBKEY后重试。"),
        T("helperBadRequestText", "PC客户端：PIN码格式不正确", "PIN码格式不正确，请重新输入。"),
        T("helperForbiddenText", "PC客户端：拒绝请求", "电子印章PC客户端拒绝了本页面的请求，请联系大厅工作人员。"),
        T("helperUnreachableText", "PC客户端：无法连接", "无法连接电子印章PC客户端，请确认客户端已启动后重试。"),
        T("helperUnreachableKioskText", "PC客户端：无法连接（自助终端，代替下载链接）", "请联系大厅工作人员协助处理。"),
        T("helperLocalNetworkDeniedText", "PC客户端：浏览器阻止访问", "浏览器阻止了本页面访问本机的电子印章PC客户端，请允许“本地网络访问”后重试。"),
        T("helperOutdatedText", "PC客户端：版本过低", "请升级电子印章PC客户端：本机的版本过低，无法继续办理。"),
        T("helperOutdatedDownloadText", "PC客户端版本过低时的下载链接", "下载新版电子印章PC客户端"),
        T("helperOutdatedKioskText", "PC客户端版本过低时（自助终端）", "请联系大厅工作人员升级本机的电子印章PC客户端。"),
        T("helperDriverMissingText", "PC客户端：USBKEY驱动未安装", "USBKEY驱动未安装：电子印章PC客户端无法加载USBKEY驱动，请安装驱动后点击刷新。"),
        T("reasonFormat", "文字后附原因的格式（{text}为文字，{reason}为原因）", "{text}（{reason}）", "text", "reason"),
        T("proofMalformedText", "签名或证书格式不正确", "签名或证书不是有效的Base64/DER数据。"),
        T("proofWrongCertificateText", "签名所用证书不是所选证书", "签名所用证书不是此前选择的证书。"),
        T("proofBadSignatureText", "签名校验未通过", "签名校验未通过（挑战、来源或业务信息不一致，或签名已被使用）。"),
        T("proofUntrustedChainText", "证书不是受信任的CA签发", "证书不是由受信任的CA签发。"),
        T("proofNotValidNowText", "证书不在有效期内", "证书不在有效期内。"),
        T("proofNoDigitalSignatureUsageText", "证书不允许数字签名", "证书不允许用于数字签名。"),
        T("proofWrongEnterpriseText", "证书企业与业务企业不一致", "证书所属企业与本次业务的企业不一致。"),
        T("proofRevokedText", "证书已被吊销", CertificateTrust.RevokedText),
        T("proofRevocationUnknownText", "无法确认是否吊销", CertificateTrust.RevocationUnknownText),
    ];

    public static InputSpec? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>The block with every default, for pages that know no definition (an unknown instance). Numbers as invariant text.</summary>
    public static IReadOnlyDictionary<string, string> Defaults { get; } = All.ToDictionary(t => t.Name, t => Convert.ToString(t.Default, System.Globalization.CultureInfo.InvariantCulture)!, StringComparer.Ordinal);

    /// <summary>A number of the block (the idle limits); its default when missing or not a number.</summary>
    public static int Number(IReadOnlyDictionary<string, string> texts, string key)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return int.TryParse(Get(texts, key), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : (int)Find(key)!.Default;
    }

    /// <summary>Fills missing texts with their defaults; leaves unknown or mistyped ones for the schema to report.</summary>
    internal static void FillDefaults(JsonObject root)
    {
        if (root[Property] is null)
        {
            root[Property] = new JsonObject();
        }

        if (root[Property] is JsonObject texts)
        {
            foreach (var t in All.Where(t => !texts.ContainsKey(t.Name)))
            {
                texts[t.Name] = t.DefaultNode();
            }
        }
    }

    public static string For(IReadOnlyDictionary<string, string> texts, RefusalReason reason)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var key = reason switch
        {
            RefusalReason.NotFound => "notFoundText",
            RefusalReason.OtherOwner => "otherOwnerText",
            RefusalReason.StaleStep => "staleStepText",
            RefusalReason.TooEarly => "tooEarlyText",
            RefusalReason.Finished => "finishedText",
            RefusalReason.ConcurrentChange => "concurrentChangeText",
            RefusalReason.NotThisStep => "notThisStepText",
            RefusalReason.IdleExpired => "idleExpiredText",
            _ => null,
        };
        return key is null ? string.Empty : Get(texts, key);
    }

    public static string For(IReadOnlyDictionary<string, string> texts, ProofFailure failure) =>
        failure == ProofFailure.None ? string.Empty : Get(texts, $"proof{failure}Text");

    /// <summary>A step's text followed by why (e.g. why a certificate is refused), in the definition's format.</summary>
    public static string WithReason(IReadOnlyDictionary<string, string> texts, string text, ProofFailure failure) =>
        TextTemplate.Fill(Get(texts, "reasonFormat"), ("text", text), ("reason", For(texts, failure)));

    public static string Get(IReadOnlyDictionary<string, string> texts, string key)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return texts.TryGetValue(key, out var v) ? v : Defaults.TryGetValue(key, out var d) ? d : string.Empty;
    }
}

/// <summary>Fills {name} placeholders of a definition text with the flow's data.</summary>
public static class TextTemplate
{
    public static string Fill(string template, params (string Name, string? Value)[] values)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (name, value) in values)
        {
            template = template.Replace("{" + name + "}", value ?? string.Empty, StringComparison.Ordinal);
        }

        return template;
    }

    /// <summary>The text before and after {name}, e.g. around a live countdown; (text, "") without it.</summary>
    public static (string Before, string After) Around(string template, string name)
    {
        ArgumentNullException.ThrowIfNull(template);
        var marker = "{" + name + "}";
        var at = template.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? (template, string.Empty) : (template[..at], template[(at + marker.Length)..]);
    }
}
