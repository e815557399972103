using ESeal.Workflows.Flowcharts;

namespace ESeal.Web.Pages.Admin.Flows.Preview;

/// <summary>One state of a step the preview can show (code for the URL, label for the analyst).</summary>
public sealed record StepPreviewState(string Code, string Label);

/// <summary>
/// The states each activity type can be previewed in — the one list the editor offers. The first
/// state of a type is what a citizen sees on arriving at the step.
/// </summary>
public static class StepPreviewStates
{
    private static readonly Dictionary<string, IReadOnlyList<StepPreviewState>> States = new(StringComparer.Ordinal)
    {
        [ActivityCatalog.ReadingNotice] = [new("counting", "倒计时中"), new("ready", "可以关闭")],
        [ActivityCatalog.DetectKey] =
        [
            new("reading", "正在读取USBKEY"), new("noKey", "未检测到USBKEY"), new("unreachable", "无法连接PC客户端"),
            new("localNetworkDenied", "浏览器阻止访问本机客户端"), new("keyBoundToOtherSeal", "USBKEY已绑定其他印章"),
            new("keyNotBound", "USBKEY未绑定印章（解绑）"), new("noCertificate", "无证书"), new("untrustedCertificate", "证书不受信任"),
        ],
        [ActivityCatalog.ChooseCertificate] = [new("choice", "证书列表"), new("required", "未选择证书"), new("unknownEnterprise", "证书企业未登记")],
        [ActivityCatalog.HolderForm] = [new("empty", "空表单"), new("errors", "填写有误")],
        [ActivityCatalog.ChooseSeal] = [new("choice", "印章列表"), new("required", "未选择印章"), new("boundElsewhere", "印章已绑定其他介质（对话框）"), new("keyNotBound", "USBKEY未绑定印章（解绑）")],
        [ActivityCatalog.PinProof] = [new("entry", "输入PIN码"), new("wrongPin", "PIN码错误"), new("locked", "已锁定"), new("proofFailed", "签名校验未通过"), new("challengeInvalid", "本次验证已失效")],
        [ActivityCatalog.LegalRepFaceVerification] =
        [
            new("pending", "等待扫码"), new("success", "验证成功"), new("failed", "验证失败（倒计时返回）"),
            new("renewed", "二维码已更新"), new("ticketDead", "二维码失效"), new("onPhone", "在手机上办理"),
        ],
        [ActivityCatalog.CommitBind] = [new("working", "正在办理")],
        [ActivityCatalog.CommitUnbind] = [new("working", "正在办理")],
        [ActivityCatalog.ClaimOnMobile] = [new("working", "正在办理")],
        [ActivityCatalog.Result] = [new("success", "成功"), new("failure", "失败")],
    };

    public static IReadOnlyList<StepPreviewState> For(string activityType) =>
        States.TryGetValue(activityType, out var states) ? states : [];

    public static IReadOnlyDictionary<string, IReadOnlyList<StepPreviewState>> All => States;
}
