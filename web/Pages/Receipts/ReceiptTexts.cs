using ESeal.Db.Receipts;

namespace ESeal.Web.Pages.Receipts;

/// <summary>
/// The wording of the printed receipt and of the check page. These pages are reached by a code,
/// not inside a running flow, so no flow definition is at hand: the labels follow the success
/// pages' defaults (ActivityCatalog, ESeal.Result) where they say the same thing.
/// </summary>
public static class ReceiptTexts
{
    public const string ReceiptTitle = "电子印章介质变更办理回执";
    public const string VerifyTitle = "办理回执核验";
    public const string Genuine = "回执真实有效";
    public const string GenuineLead = "该回执由电子印章服务平台出具，以下为平台记录的办理信息（个人信息已脱敏）。请与纸质回执核对。";
    public const string NotFoundTitle = "未找到该回执";
    public const string NotFoundLead = "回执无效：平台没有该业务流水号的办理记录。请核对回执上的业务流水号，或联系大厅工作人员。";
    public const string CodeLabel = "业务流水号";
    public const string ActionLabel = "办理事项";
    public const string EnterpriseNameLabel = "企业名称";
    public const string CreditCodeLabel = "企业统一社会信用代码";
    public const string LegalRepLabel = "法定代表人";
    public const string SealTypeLabel = "印章类型";
    public const string SealNameLabel = "印章名称";
    public const string TimeLabel = "办理时间";
    public const string PlaceLabel = "办理地点";
    public const string HolderNameLabel = "持章人";
    public const string HolderIdTypeLabel = "证件类型";
    public const string HolderIdNumberLabel = "证件号码";
    public const string HolderPhoneLabel = "联系电话";
    public const string QrCaption = "扫描二维码核验回执真伪";
    public const string QrAlt = "回执核验二维码";
    public const string Footer = "本回执由电子印章服务平台出具，个人信息已脱敏显示。";
    public const string PrintText = "打印回执";
    public const string HomeText = "返回首页";
    public const string CheckFormLabel = "请输入回执上的业务流水号";
    public const string CheckButtonText = "核验";
    public const string CodeInvalidText = "业务流水号应为24位字母和数字（可含“-”），请核对后重新输入。";

    public static string Action(string action) => action switch
    {
        ReceiptActions.Bind => "绑定USBKEY",
        ReceiptActions.Unbind => "解绑USBKEY",
        ReceiptActions.Claim => "手机端领取印章",
        _ => action,
    };

    public static string Place(Receipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return receipt.Channel switch
        {
            "Kiosk" when receipt.KioskHall is { } hall => $"{hall} · 自助终端 {receipt.KioskName}",
            "Kiosk" => "政务服务大厅自助终端",
            "Mobile" => "手机端",
            _ => "网上办理",
        };
    }

    /// <summary>Beijing time, as on the success page.</summary>
    public static string Time(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
