using System.Net;
using ESeal.Workflows.Activities.DetectKey;

namespace ESeal.Tests.FlowSecurity;

/// <summary>SPEC §5: a request from another browser session, or without a valid antiforgery token, changes nothing.</summary>
public sealed class SessionTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    private const string OtherOwnerText = "该业务流程属于另一个浏览器会话，不能在此继续。";

    [Fact]
    public async Task Another_browser_session_gets_403_on_the_flow_page_its_posts_and_its_challenge_and_changes_nothing()
    {
        // Tried: a second browser (its own session cookie, its own valid antiforgery token) that learnt the first
        // browser's flow URL, step token and challenge: GET the page, ask for a challenge, post the first browser's
        // valid proof, post a step.
        using var owner = factory.NewBrowser();
        var pin = await owner.ToPinAsync();
        var challenge = await owner.ChallengeAsync(pin);
        var proof = FlowBrowser.ProofFields(challenge.Nonce, FlowSecurityPki.Sign(FlowSecurityPki.Instance.Good, FlowSecurityFactory.Origin, challenge.Nonce, challenge.Context));
        using var intruder = factory.NewBrowser();
        var intruderOwnPage = await intruder.StartAsync(); // its own flow: a valid antiforgery token for its own session
        var before = owner.Snapshot();

        var get = await intruder.GetAsync(owner.FlowUrl);
        var intruderChallenge = await intruder.ChallengeAsync(owner.FlowUrl, intruderOwnPage.Antiforgery, pin.StepToken);
        var post = await intruder.PostAsync(owner.FlowUrl, FlowBrowser.Form(intruderOwnPage.Antiforgery, pin.StepToken, proof));

        Assert.Equal(HttpStatusCode.Forbidden, get.Status);
        Assert.Contains(OtherOwnerText, get.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(FlowBrowser.HolderName, get.Html, StringComparison.Ordinal);
        Assert.Null(get.StepToken);
        Assert.Equal(HttpStatusCode.Forbidden, intruderChallenge.Status);
        Assert.Equal(OtherOwnerText, intruderChallenge.Message);
        Assert.Equal(HttpStatusCode.Forbidden, post.Status);
        Assert.Contains(OtherOwnerText, post.Html, StringComparison.Ordinal);
        before.AssertUnchanged(owner.Snapshot());

        // The owner is not disturbed: same step, and its challenge is still the valid one.
        var mine = await owner.GetAsync();
        Assert.Equal("PinProof", mine.Step);
        Assert.Equal("LegalRepFaceVerification", (await owner.AdvanceAsync(pin, proof)).Step);
    }

    [Fact]
    public async Task Only_the_owner_can_end_or_keep_alive_a_flow_and_only_with_its_antiforgery_token()
    {
        // Tried: another session posts End and KeepAlive for the owner's flow (with its own valid
        // antiforgery token), the owner posts End without a token; then the owner ends it for real.
        using var owner = factory.NewBrowser();
        var pin = await owner.ToPinAsync();
        using var intruder = factory.NewBrowser();
        var own = await intruder.StartAsync();
        var before = owner.Snapshot();

        var foreignEnd = await intruder.PostAsync(owner.FlowUrl + "?handler=End", FlowBrowser.Form(own.Antiforgery, null, null));
        var foreignKeepAlive = await intruder.PostAsync(owner.FlowUrl + "?handler=KeepAlive", FlowBrowser.Form(own.Antiforgery, null, null));
        var tokenless = await owner.PostAsync(owner.FlowUrl + "?handler=End", FlowBrowser.Form(null, null, null));

        Assert.Equal("/", foreignEnd.Location); // sent home like anyone who ends, having ended nothing
        Assert.Equal(HttpStatusCode.Gone, foreignKeepAlive.Status);
        Assert.Equal(HttpStatusCode.BadRequest, tokenless.Status);
        before.AssertUnchanged(owner.Snapshot());
        Assert.Equal("PinProof", (await owner.GetAsync()).Step);

        var ended = await owner.PostAsync(owner.FlowUrl + "?handler=End", FlowBrowser.Form(pin.Antiforgery, null, null));
        var after = await owner.GetAsync();

        Assert.Equal("/", ended.Location);
        Assert.Equal(HttpStatusCode.Gone, after.Status);
        Assert.DoesNotContain(FlowBrowser.HolderName, after.Html, StringComparison.Ordinal);
        Assert.Null(after.StepToken);
        Assert.Equal(HttpStatusCode.Gone, (await owner.PostAsync(owner.FlowUrl + "?handler=KeepAlive", FlowBrowser.Form(pin.Antiforgery, null, null))).Status);
    }

    [Fact]
    public async Task Another_browser_session_cannot_feed_its_key_into_a_flow_at_the_key_step()
    {
        // Tried: the intruder posts its own token list into the owner's flow at 插入USBKEY.
        using var owner = factory.NewBrowser();
        var detect = await owner.ToDetectKeyAsync();
        using var intruder = factory.NewBrowser();
        var own = await intruder.StartAsync();
        var before = owner.Snapshot();

        var post = await intruder.PostAsync(owner.FlowUrl, FlowBrowser.Form(own.Antiforgery, detect.StepToken, new Dictionary<string, string>
        {
            [DetectKeyFields.Tokens] = FlowSecurityPki.TokensJson("INTRUDERKEY1", FlowSecurityPki.Instance.Good),
        }));

        Assert.Equal(HttpStatusCode.Forbidden, post.Status);
        Assert.Contains(OtherOwnerText, post.Html, StringComparison.Ordinal);
        before.AssertUnchanged(owner.Snapshot());
        Assert.Equal("DetectKey", (await owner.GetAsync()).Step);
    }

    [Fact]
    public async Task A_step_post_without_an_antiforgery_token_gets_400_not_500_and_changes_nothing()
    {
        // Tried: the reading-notice acknowledgement, the holder form and a PIN challenge posted without __RequestVerificationToken.
        using var browser = factory.NewBrowser();
        var notice = await browser.StartAsync();
        factory.Clock.Advance(TimeSpan.FromSeconds(6));
        var before = browser.Snapshot();

        var ack = await browser.PostAsync(browser.FlowUrl, FlowBrowser.Form(null, notice.StepToken, null));
        var holder = await browser.PostAsync(browser.FlowUrl, FlowBrowser.Form(null, notice.StepToken, FlowBrowser.HolderFields()));
        var challenge = await browser.PostAsync(browser.FlowUrl + "?handler=Challenge", FlowBrowser.Form(null, notice.StepToken, null));

        Assert.Equal(HttpStatusCode.BadRequest, ack.Status);
        Assert.Equal(HttpStatusCode.BadRequest, holder.Status);
        Assert.Equal(HttpStatusCode.BadRequest, challenge.Status);
        Assert.Contains("请求无法处理", ack.Html, StringComparison.Ordinal);
        before.AssertUnchanged(browser.Snapshot());
        Assert.Equal("ReadingNotice", (await browser.GetAsync()).Step);
    }

    [Fact]
    public async Task A_step_post_with_an_antiforgery_token_taken_from_another_session_gets_400_and_changes_nothing()
    {
        // Tried: a cross-site style post: the owner's cookies, but the form carries a token issued to another browser.
        using var browser = factory.NewBrowser();
        var notice = await browser.StartAsync();
        factory.Clock.Advance(TimeSpan.FromSeconds(6));
        using var other = factory.NewBrowser();
        var foreign = (await other.StartAsync()).Antiforgery;
        Assert.NotNull(foreign);
        Assert.NotEqual(notice.Antiforgery, foreign);
        var before = browser.Snapshot();

        var ack = await browser.PostAsync(browser.FlowUrl, FlowBrowser.Form(foreign, notice.StepToken, null));
        var challenge = await browser.PostAsync(browser.FlowUrl + "?handler=Challenge", FlowBrowser.Form(foreign, notice.StepToken, null));
        var garbage = await browser.PostAsync(browser.FlowUrl, FlowBrowser.Form("CfDJ8-not-a-token", notice.StepToken, null));

        Assert.Equal(HttpStatusCode.BadRequest, ack.Status);
        Assert.Equal(HttpStatusCode.BadRequest, challenge.Status);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.Status);
        before.AssertUnchanged(browser.Snapshot());
        Assert.Equal("ReadingNotice", (await browser.GetAsync()).Step);
    }

    [Fact]
    public async Task An_unknown_flow_id_gets_404_with_a_message_and_a_malformed_one_never_a_500()
    {
        // Tried: GET and POST /flow/{random guid}, GET /flow/not-a-guid.
        using var browser = factory.NewBrowser();
        var page = await browser.StartAsync();

        var unknown = await browser.GetAsync($"/flow/{Guid.NewGuid():D}");
        var post = await browser.PostAsync($"/flow/{Guid.NewGuid():D}", FlowBrowser.Form(page.Antiforgery, page.StepToken, null));
        var malformed = await browser.GetAsync("/flow/not-a-guid");

        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Contains("找不到该业务流程，请从首页重新开始。", unknown.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, post.Status);
        Assert.Equal(HttpStatusCode.NotFound, malformed.Status);
    }
}
