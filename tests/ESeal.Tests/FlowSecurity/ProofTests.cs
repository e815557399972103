using System.Net;

namespace ESeal.Tests.FlowSecurity;

/// <summary>
/// SPEC §5 / ARCHITECTURE §4: the PIN step passes only on a signature over the server's own
/// origin, one-time nonce and context, by the chosen certificate, chaining to a configured root
/// and valid now. Everything else is refused, and a refusal never counts as a wrong PIN.
/// </summary>
public sealed class ProofTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    private const string Origin = FlowSecurityFactory.Origin;
    private const string ProofFailedText = "PIN码验证未通过，请重新输入。";
    private const string BadSignatureText = "签名校验未通过（挑战、来源或业务信息不一致，或签名已被使用）。";
    private const string ChallengeInvalidText = "本次验证已失效，请重新输入PIN码。";
    private const string StaleText = "页面已过期（该步骤已经提交过，或已在其他页面继续），请刷新页面后继续。";

    private static FlowSecurityPki Pki => FlowSecurityPki.Instance;

    [Fact]
    public async Task A_valid_proof_signed_for_the_portal_origin_passes_the_PIN_step()
    {
        // Control for the refusals below: the same driver with a correct proof does get through.
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync();
        var challenge = await browser.ChallengeAsync(pin);
        var proof = FlowSecurityPki.Sign(Pki.Good, Origin, challenge.Nonce, challenge.Context);

        var next = await browser.AdvanceAsync(pin, FlowBrowser.ProofFields(challenge.Nonce, proof));

        Assert.Equal("LegalRepFaceVerification", next.Step);
        Assert.Equal("face", browser.Snapshot().CurrentActivity);
    }

    [Fact]
    public async Task Replaying_an_accepted_proof_with_its_old_step_token_gets_409_and_changes_nothing()
    {
        // Tried: the exact POST that passed the PIN step, sent again (same step token, nonce, signature).
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync();
        var challenge = await browser.ChallengeAsync(pin);
        var fields = FlowBrowser.ProofFields(challenge.Nonce, FlowSecurityPki.Sign(Pki.Good, Origin, challenge.Nonce, challenge.Context));
        await browser.AdvanceAsync(pin, fields);
        var before = browser.Snapshot();

        var replay = await browser.PostStepAsync(pin, fields);

        Assert.Equal(HttpStatusCode.Conflict, replay.Status);
        Assert.Contains(StaleText, replay.Html, StringComparison.Ordinal);
        before.AssertUnchanged(browser.Snapshot());
        Assert.Equal("LegalRepFaceVerification", (await browser.GetAsync()).Step);
    }

    [Fact]
    public async Task Replaying_an_accepted_proof_on_the_next_page_does_not_pass_the_face_step_or_commit()
    {
        // Tried: the accepted proof re-posted with the current step token (the face step's).
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync();
        var challenge = await browser.ChallengeAsync(pin);
        var fields = FlowBrowser.ProofFields(challenge.Nonce, FlowSecurityPki.Sign(Pki.Good, Origin, challenge.Nonce, challenge.Context));
        var face = await browser.AdvanceAsync(pin, fields);
        Assert.Null(face.StepToken); // the pending face page has no form at all
        var before = browser.Snapshot();

        // The attacker knows the current step token (read from the database here) and reuses the session's antiforgery token.
        var replay = await browser.PostAsync(browser.FlowUrl, FlowBrowser.Form(pin.Antiforgery, before.StepToken, fields));

        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.Equal("LegalRepFaceVerification", replay.Step);
        before.AssertSameStepAndBusiness(browser.Snapshot());
    }

    [Fact]
    public async Task A_proof_for_an_earlier_nonce_posted_after_a_new_challenge_is_refused_and_the_new_one_still_works()
    {
        // Tried: sign challenge 1, ask for challenge 2 (e.g. a second tab), then post the proof of challenge 1.
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync();
        var first = await browser.ChallengeAsync(pin);
        var oldProof = FlowSecurityPki.Sign(Pki.Good, Origin, first.Nonce, first.Context);
        var second = await browser.ChallengeAsync(pin);
        Assert.NotEqual(first.Nonce, second.Nonce);
        var before = browser.Snapshot();

        var replay = await browser.PostStepAsync(pin, FlowBrowser.ProofFields(first.Nonce, oldProof));

        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.Equal("PinProof", replay.Step);
        Assert.Contains(ChallengeInvalidText, replay.Html, StringComparison.Ordinal);
        before.AssertUnchanged(browser.Snapshot());

        // Tried next: the old signature with the current nonce.
        var oldSignatureNewNonce = await browser.PostStepAsync(pin, FlowBrowser.ProofFields(second.Nonce, oldProof));
        Assert.Equal("PinProof", oldSignatureNewNonce.Step);
        Assert.Contains(ProofFailedText, oldSignatureNewNonce.Html, StringComparison.Ordinal);
        Assert.Contains(BadSignatureText, oldSignatureNewNonce.Html, StringComparison.Ordinal);
        before.AssertSameStepAndBusiness(browser.Snapshot());

        // The nonce of challenge 2 was spent on the forged post: a fresh challenge, correctly signed, passes.
        var third = await browser.ChallengeAsync(pin);
        var next = await browser.AdvanceAsync(pin, FlowBrowser.ProofFields(third.Nonce, FlowSecurityPki.Sign(Pki.Good, Origin, third.Nonce, third.Context)));
        Assert.Equal("LegalRepFaceVerification", next.Step);
    }

    [Fact]
    public async Task A_nonce_is_single_use_even_when_its_first_use_failed()
    {
        // Tried: a bad proof for nonce N (wrong origin), then the correct proof for the same N.
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync();
        var challenge = await browser.ChallengeAsync(pin);
        await browser.PostStepAsync(pin, FlowBrowser.ProofFields(challenge.Nonce, FlowSecurityPki.Sign(Pki.Good, "https://evil.example", challenge.Nonce, challenge.Context)));
        var before = browser.Snapshot();

        var second = await browser.PostStepAsync(pin, FlowBrowser.ProofFields(challenge.Nonce, FlowSecurityPki.Sign(Pki.Good, Origin, challenge.Nonce, challenge.Context)));

        Assert.Equal("PinProof", second.Step);
        Assert.Contains(ChallengeInvalidText, second.Html, StringComparison.Ordinal);
        before.AssertUnchanged(browser.Snapshot());
    }

    [Fact]
    public async Task A_nonce_older_than_five_minutes_is_refused()
    {
        // Tried: sign the challenge, wait 301 s (the definition's nonceSeconds is 300), then post.
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync();
        var challenge = await browser.ChallengeAsync(pin);
        var fields = FlowBrowser.ProofFields(challenge.Nonce, FlowSecurityPki.Sign(Pki.Good, Origin, challenge.Nonce, challenge.Context));
        factory.Clock.Advance(TimeSpan.FromSeconds(301));
        var before = browser.Snapshot();

        var late = await browser.PostStepAsync(pin, fields);

        Assert.Equal("PinProof", late.Step);
        Assert.Contains(ChallengeInvalidText, late.Html, StringComparison.Ordinal);
        before.AssertUnchanged(browser.Snapshot());
    }

    [Fact]
    public async Task A_proof_another_instance_got_is_refused_in_this_one()
    {
        // Tried: two flows of the same browser at the PIN step with the same key; flow X's proof posted to flow Y,
        // once with X's nonce and once with Y's nonce (X's signature, i.e. X's instance id in the signed context).
        using var x = factory.NewBrowser();
        var pinX = await x.ToPinAsync();
        var challengeX = await x.ChallengeAsync(pinX);
        var proofX = FlowSecurityPki.Sign(Pki.Good, Origin, challengeX.Nonce, challengeX.Context);

        using var y = factory.NewBrowser();
        var pinY = await y.ToPinAsync();
        var challengeY = await y.ChallengeAsync(pinY);
        var before = y.Snapshot();

        var withNonceX = await y.PostStepAsync(pinY, FlowBrowser.ProofFields(challengeX.Nonce, proofX));
        Assert.Contains(ChallengeInvalidText, withNonceX.Html, StringComparison.Ordinal);
        before.AssertUnchanged(y.Snapshot());

        var withNonceY = await y.PostStepAsync(pinY, FlowBrowser.ProofFields(challengeY.Nonce, proofX));
        Assert.Equal("PinProof", withNonceY.Step);
        Assert.Contains(BadSignatureText, withNonceY.Html, StringComparison.Ordinal);
        before.AssertSameStepAndBusiness(y.Snapshot());
    }

    [Fact]
    public async Task A_proof_signed_for_another_origin_is_refused_with_the_proof_failed_text_and_counts_no_wrong_PIN()
    {
        // Tried: the helper's signature obtained by a page on https://evil.example (its Origin in the signed bytes).
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync();
        var challenge = await browser.ChallengeAsync(pin);
        var before = browser.Snapshot();

        var answer = await browser.PostStepAsync(pin, FlowBrowser.ProofFields(challenge.Nonce, FlowSecurityPki.Sign(Pki.Good, "https://evil.example", challenge.Nonce, challenge.Context)));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("PinProof", answer.Step);
        Assert.Contains(ProofFailedText, answer.Html, StringComparison.Ordinal);
        Assert.Contains(BadSignatureText, answer.Html, StringComparison.Ordinal);
        before.AssertSameStepAndBusiness(browser.Snapshot());
        Assert.Equal("PinProof", (await browser.GetAsync()).Step);
    }

    [Theory]
    [InlineData("seal")]
    [InlineData("instance")]
    [InlineData("token")]
    public async Task A_proof_signed_over_another_context_is_refused(string changed)
    {
        // Tried: the right nonce and origin, but the signed context names another seal, another instance or another token.
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync();
        var challenge = await browser.ChallengeAsync(pin);
        var context = changed switch
        {
            "seal" => challenge.Context.Replace(FlowBrowser.UnboundHangzhouSeal.ToString("D"), FlowBrowser.OtherUnboundHangzhouSeal.ToString("D"), StringComparison.Ordinal),
            "instance" => challenge.Context.Replace(browser.InstanceId.ToString("D"), Guid.NewGuid().ToString("D"), StringComparison.Ordinal),
            _ => challenge.Context.Replace(browser.TokenSerial, "OTHERTOKEN01", StringComparison.Ordinal),
        };
        Assert.NotEqual(challenge.Context, context);
        var before = browser.Snapshot();

        var answer = await browser.PostStepAsync(pin, FlowBrowser.ProofFields(challenge.Nonce, FlowSecurityPki.Sign(Pki.Good, Origin, challenge.Nonce, context)));

        Assert.Equal("PinProof", answer.Step);
        Assert.Contains(ProofFailedText, answer.Html, StringComparison.Ordinal);
        Assert.Contains(BadSignatureText, answer.Html, StringComparison.Ordinal);
        before.AssertSameStepAndBusiness(browser.Snapshot());
    }

    [Theory]
    [InlineData("unknown CA")]
    [InlineData("expired")]
    public async Task A_key_whose_certificate_is_not_trusted_is_stopped_at_detection_and_reveals_no_enterprise(string which)
    {
        // Tried: a key whose only certificate names 杭州云印's credit code but was issued by a CA the
        // portal does not trust (or chains to the trusted root but expired yesterday). Before, the
        // certificate page showed the enterprise's name and legal representative, and the PIN step
        // counted wrong PINs against the key.
        var certificate = which == "expired" ? Pki.Expired : Pki.UnknownCa;
        using var browser = factory.NewBrowser();
        var page = await browser.ToDetectKeyAsync();
        var before = browser.Snapshot();

        var answer = await browser.PostStepAsync(page, new Dictionary<string, string> { [ESeal.Workflows.Activities.DetectKey.DetectKeyFields.Tokens] = FlowSecurityPki.TokensJson(browser.TokenSerial, certificate) });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("DetectKey", answer.Step);
        Assert.Contains("USBKEY中的证书不是由受信任的CA签发，或已过期、已吊销，不能用于办理。请更换USBKEY或联系CA。", answer.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(ESeal.Db.Demo.DemoData.Hangzhou.Name, answer.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(ESeal.Db.Demo.DemoData.Hangzhou.LegalRepName, answer.Html, StringComparison.Ordinal);
        before.AssertSameStepAndBusiness(browser.Snapshot());
    }

    [Fact]
    public async Task A_proof_by_a_trusted_certificate_other_than_the_chosen_one_is_refused()
    {
        // Tried: choose certificate 01 on a two-certificate key, then sign with certificate 02 (same enterprise, trusted).
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync(Pki.Good, Pki.SecondGood);
        var challenge = await browser.ChallengeAsync(pin);
        var before = browser.Snapshot();

        var answer = await browser.PostStepAsync(pin, FlowBrowser.ProofFields(challenge.Nonce, FlowSecurityPki.Sign(Pki.SecondGood, Origin, challenge.Nonce, challenge.Context)));

        Assert.Equal("PinProof", answer.Step);
        Assert.Contains("签名所用证书不是此前选择的证书。", answer.Html, StringComparison.Ordinal);
        before.AssertSameStepAndBusiness(browser.Snapshot());
    }
}
