using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ESeal.Db.Repositories;

namespace ESeal.Web.Pages.Admin.Audit;

/// <summary>How the auditor's pages and the CSV export write events: Chinese kind names, Beijing time, readable JSON.</summary>
public static class AuditText
{
    public static readonly TimeSpan BeijingOffset = TimeSpan.FromHours(8);

    // Chinese stays Chinese in what the auditor reads; the pages and the CSV encode for their own medium.
    private static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions ReadableCompact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Every kind of <see cref="AuditKinds.All"/> as staff read it (a test checks none is missing).</summary>
    public static IReadOnlyDictionary<string, string> KindLabels { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [AuditKinds.Bind] = "绑定USBKEY",
        [AuditKinds.Unbind] = "解绑USBKEY",
        [AuditKinds.Claim] = "手机端领取",
        [AuditKinds.ReleaseForRebind] = "解除原绑定以重新绑定",
        [AuditKinds.PinFailed] = "PIN码错误",
        [AuditKinds.PinLocked] = "PIN码锁定",
        [AuditKinds.PinLockCleared] = "解除PIN锁定",
        [AuditKinds.HelperEnrolled] = "登记PC客户端",
        [AuditKinds.HelperRevoked] = "吊销PC客户端",
        [AuditKinds.FlowDefinitionChanged] = "流程定义变更",
        [AuditKinds.FlowDraftSaved] = "保存流程草稿",
        [AuditKinds.FlowSubmitted] = "提交流程审核",
        [AuditKinds.FlowApproved] = "审批通过流程",
        [AuditKinds.FlowRejected] = "驳回流程",
        [AuditKinds.FlowPublishScheduled] = "安排定时发布流程",
        [AuditKinds.FlowPublished] = "发布流程",
        [AuditKinds.FlowRolledBack] = "回滚流程",
        [AuditKinds.FlowDraftDiscarded] = "放弃流程草稿",
        [AuditKinds.StaffSignedIn] = "工作人员登录",
        [AuditKinds.StaffSignInFailed] = "工作人员登录失败",
        [AuditKinds.StaffLockedOut] = "工作人员账号锁定",
        [AuditKinds.StaffSignedOut] = "工作人员退出登录",
        [AuditKinds.StaffAccountCreated] = "创建员工账号",
        [AuditKinds.StaffRolesChanged] = "修改员工角色",
        [AuditKinds.StaffDisabled] = "停用员工账号",
        [AuditKinds.StaffEnabled] = "启用员工账号",
        [AuditKinds.StaffPasswordChanged] = "修改本人密码",
        [AuditKinds.StaffPasswordReset] = "重置员工密码",
        [AuditKinds.OutboxRetried] = "重试消息投递",
        [AuditKinds.AuditExported] = "导出审计日志",
        [AuditKinds.AuditChainVerified] = "校验审计链",
        [AuditKinds.HolderRevealed] = "查看持章人完整证件号码",
        [AuditKinds.KioskEnrolled] = "登记大厅自助终端",
        [AuditKinds.KioskRevoked] = "注销大厅自助终端",
    };

    public static string KindLabel(string kind) => KindLabels.GetValueOrDefault(kind, kind);

    public static string Beijing(DateTimeOffset instant) =>
        instant.ToOffset(BeijingOffset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The data JSON indented, with \u escapes decoded; text that is not JSON comes back as it is.</summary>
    public static string PrettyJson(string data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            return JsonSerializer.Serialize(document.RootElement, Readable);
        }
        catch (JsonException)
        {
            return data;
        }
    }

    /// <summary>One line for the list: "key=value，…", cut at <paramref name="max"/> characters.</summary>
    public static string Summary(string data, int max = 100)
    {
        string line;
        try
        {
            using var document = JsonDocument.Parse(data);
            line = document.RootElement.ValueKind == JsonValueKind.Object
                ? string.Join("，", document.RootElement.EnumerateObject().Select(p => $"{p.Name}={Scalar(p.Value)}"))
                : Scalar(document.RootElement);
        }
        catch (JsonException)
        {
            line = data;
        }

        var flat = new string(line.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return flat.Length <= max ? flat : string.Concat(flat.AsSpan(0, max), "…");
    }

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? string.Empty,
        JsonValueKind.Null => "null",
        JsonValueKind.Object or JsonValueKind.Array => JsonSerializer.Serialize(value, ReadableCompact),
        _ => value.GetRawText(),
    };
}

/// <summary>RFC 4180 cells that a spreadsheet will not run as formulas.</summary>
public static class CsvCell
{
    public static string Of(string? value)
    {
        var text = value ?? string.Empty;

        // A leading = + - @ (or a tab or CR before one) makes Excel and LibreOffice evaluate the cell:
        // an event's data is partly typed by outsiders, so it must stay text.
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }

        return text.AsSpan().IndexOfAny("\",\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    public static string Row(IEnumerable<string?> values) => string.Join(',', values.Select(Of)) + "\r\n";

    public static Encoding Utf8 { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];
}
