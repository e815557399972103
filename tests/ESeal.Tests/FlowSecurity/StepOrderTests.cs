using System.Net;
using ESeal.Workflows.Activities.ChooseCertificate;
using ESeal.Workflows.Activities.ChooseSeal;
using ESeal.Workflows.Activities.DetectKey;
using ESeal.Workflows.Activities.PinProof;

namespace ESeal.Tests.FlowSecurity;

/// <summary>SPEC §5: a request for a later step or a repeated request changes nothing and gets a clear message.</summary>
public sealed class StepOrderTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    private const string TooEarlyText = "请在倒计时结束后再继续。";
    private const string StaleText = "页面已过期（该步骤已经提交过，或已在其他页面继续），请刷新页面后继续。";
    private const string NotThisStepText = "当前步骤不是这个操作，请刷新页面后继续。";

    private static Dictionary<string, string> LaterStepFields()
    {
        var fields = FlowBrowser.HolderFields();
        fields[ChooseSealFields.SealId] = FlowBrowser.UnboundHangzhouSeal.ToString("D");
        fields[ChooseSealFields.ConfirmRelease] = "true";
        fields[ChooseCertificateFields.CertificateId] = "01";
        fields[PinProofFields.Result] = "signed";
        fields[PinProofFields.Nonce] = "AAAA";
        return fields;
    }

    [Fact]
    public async Task Holder_seal_and_proof_fields_posted_while_the_reading_notice_still_counts_down_are_refused_and_change_nothing()
    {
        // Tried: skip the 5 s notice by posting every later step's input at once, before the timer ran out.
        using var browser = factory.NewBrowser();
        var notice = await browser.StartAsync();
        var before = browser.Snapshot();

        var answer = await browser.PostStepAsync(notice, LaterStepFields());

        Assert.Equal(HttpStatusCode.Conflict, answer.Status);
        Assert.Contains(TooEarlyText, answer.Html, StringComparison.Ordinal);
        Assert.Contains($"href=\"{browser.FlowUrl}\">继续办理</a>", answer.Html, StringComparison.Ordinal); // the flow is fine: the way back is offered
        before.AssertUnchanged(browser.Snapshot());
        Assert.Equal("ReadingNotice", (await browser.GetAsync()).Step);
    }

    [Fact]
    public async Task Holder_and_seal_fields_posted_at_the_key_step_are_ignored_with_the_no_key_message_and_nothing_is_stored()
    {
        // Tried: at 插入USBKEY, post the holder form and a seal id instead of the helper's token list.
        using var browser = factory.NewBrowser();
        var detect = await browser.ToDetectKeyAsync();
        var before = browser.Snapshot();

        var answer = await browser.PostStepAsync(detect, LaterStepFields());

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("DetectKey", answer.Step);
        Assert.Contains("未检测到USBKEY，请插入USBKEY后点击刷新。", answer.Html, StringComparison.Ordinal);
        var after = browser.Snapshot();
        before.AssertUnchanged(after);
        Assert.DoesNotContain("sealId", after.Variables, StringComparison.Ordinal);
        Assert.DoesNotContain("holderName", after.Variables, StringComparison.Ordinal);
        Assert.DoesNotContain(FlowBrowser.HolderName, after.Variables, StringComparison.Ordinal);
        Assert.Equal("DetectKey", (await browser.GetAsync()).Step);
    }

    [Fact]
    public async Task Asking_for_a_PIN_challenge_before_the_PIN_step_is_refused_with_409_and_changes_nothing()
    {
        // Tried: POST ?handler=Challenge at 插入USBKEY and at the holder form, to get a nonce early.
        using var browser = factory.NewBrowser();
        var detect = await browser.ToDetectKeyAsync();
        var before = browser.Snapshot();

        var early = await browser.ChallengeAsync(detect);

        Assert.Equal(HttpStatusCode.Conflict, early.Status);
        Assert.True(early.Refused);
        Assert.Equal(NotThisStepText, early.Message);
        Assert.False(early.Json.TryGetProperty("nonce", out var nonce) && nonce.ValueKind == System.Text.Json.JsonValueKind.String);
        before.AssertUnchanged(browser.Snapshot());

        using var other = factory.NewBrowser();
        var holder = await other.ToHolderFormAsync();
        var holderBefore = other.Snapshot();
        var atHolder = await other.ChallengeAsync(holder);
        Assert.Equal(HttpStatusCode.Conflict, atHolder.Status);
        Assert.Equal(NotThisStepText, atHolder.Message);
        holderBefore.AssertUnchanged(other.Snapshot());
    }

    [Fact]
    public async Task A_seal_id_and_a_proof_posted_at_the_holder_form_get_the_field_errors_and_no_seal_is_chosen()
    {
        // Tried: at 印章绑定确认 (holder form), post only the next steps' input: a seal id and a "signed" PIN result.
        using var browser = factory.NewBrowser();
        var holder = await browser.ToHolderFormAsync();
        var before = browser.Snapshot();

        var answer = await browser.PostStepAsync(holder, new Dictionary<string, string>
        {
            [ChooseSealFields.SealId] = FlowBrowser.UnboundHangzhouSeal.ToString("D"),
            [PinProofFields.Result] = "signed",
        });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("HolderForm", answer.Step);
        Assert.Contains("请输入持章人姓名", answer.Html, StringComparison.Ordinal);
        Assert.Contains("请修改以下内容", answer.Html, StringComparison.Ordinal);
        var after = browser.Snapshot();
        before.AssertUnchanged(after);
        Assert.DoesNotContain("sealId", after.Variables, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proof_posted_at_the_seal_choice_does_not_skip_the_PIN_step()
    {
        // Tried: at the seal choice, post a seal plus a complete "signed" proof for a nonce of our own making.
        using var browser = factory.NewBrowser();
        var choose = await browser.ToChooseSealAsync();
        var fake = FlowSecurityPki.Sign(FlowSecurityPki.Instance.Good, FlowSecurityFactory.Origin, "made-up-nonce", "made-up-context");
        var fields = FlowBrowser.ProofFields("made-up-nonce", fake);
        fields[ChooseSealFields.SealId] = FlowBrowser.UnboundHangzhouSeal.ToString("D");

        var pin = await browser.AdvanceAsync(choose, fields);

        Assert.Equal("PinProof", pin.Step); // the seal is chosen, the PIN still has to be proved
        Assert.Equal("pin", browser.Snapshot().CurrentActivity);
        Assert.DoesNotContain("pinProvedCertSha256", browser.Snapshot().Variables, StringComparison.Ordinal);
        Assert.DoesNotContain("provedToken", browser.Snapshot().Variables, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submitting_the_reading_notice_form_twice_gets_409_page_expired_and_the_second_post_changes_nothing()
    {
        // Tried: double submit — the same 我知道了 form (same step token) posted again after it was accepted.
        using var browser = factory.NewBrowser();
        var notice = await browser.StartAsync();
        factory.Clock.Advance(TimeSpan.FromSeconds(6));
        var first = await browser.PostStepAsync(notice);
        Assert.Equal(HttpStatusCode.Redirect, first.Status);
        var before = browser.Snapshot();

        var second = await browser.PostStepAsync(notice);

        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Contains(StaleText, second.Html, StringComparison.Ordinal);
        Assert.Equal("detectKey", before.CurrentActivity);
        before.AssertUnchanged(browser.Snapshot());
        Assert.Equal("DetectKey", (await browser.GetAsync()).Step);
    }

    [Fact]
    public async Task Submitting_the_holder_form_twice_gets_409_and_the_seal_choice_stays_as_it_is()
    {
        // Tried: double submit of the holder form, the second time with another holder's name.
        using var browser = factory.NewBrowser();
        var holder = await browser.ToHolderFormAsync();
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostStepAsync(holder, FlowBrowser.HolderFields())).Status);
        var before = browser.Snapshot();

        var second = await browser.PostStepAsync(holder, FlowBrowser.HolderFields(name: "李四"));

        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Contains(StaleText, second.Html, StringComparison.Ordinal);
        before.AssertUnchanged(browser.Snapshot());
        Assert.DoesNotContain("李四", browser.Snapshot().Variables, StringComparison.Ordinal);
        Assert.Equal("ChooseSeal", (await browser.GetAsync()).Step);
    }

    [Fact]
    public async Task A_step_post_without_a_step_token_or_with_a_made_up_one_gets_409_and_changes_nothing()
    {
        // Tried: post the key step's token list with no stepToken field, then with a forged one.
        using var browser = factory.NewBrowser();
        var detect = await browser.ToDetectKeyAsync();
        var before = browser.Snapshot();
        var tokens = new Dictionary<string, string> { [DetectKeyFields.Tokens] = FlowSecurityPki.TokensJson(browser.TokenSerial, FlowSecurityPki.Instance.Good) };

        var missing = await browser.PostAsync(browser.FlowUrl, FlowBrowser.Form(detect.Antiforgery, null, tokens));
        var forged = await browser.PostAsync(browser.FlowUrl, FlowBrowser.Form(detect.Antiforgery, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", tokens));

        Assert.Equal(HttpStatusCode.Conflict, missing.Status);
        Assert.Equal(HttpStatusCode.Conflict, forged.Status);
        Assert.Contains(StaleText, missing.Html, StringComparison.Ordinal);
        Assert.Contains(StaleText, forged.Html, StringComparison.Ordinal);
        before.AssertUnchanged(browser.Snapshot());
    }
}
