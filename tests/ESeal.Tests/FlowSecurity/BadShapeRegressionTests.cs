using System.Net;
using ESeal.Workflows.Activities.DetectKey;

namespace ESeal.Tests.FlowSecurity;

/// <summary>
/// Inputs that once gave a 500: token lists of the wrong JSON shape, and the word "PIN" as a value
/// (a holder name, a key label), which the PIN guard mistook for a PIN variable.
/// </summary>
public sealed class BadShapeRegressionTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    [Theory]
    [InlineData("null")]
    [InlineData("\"tokens\"")]
    [InlineData("42")]
    [InlineData("{\"tokens\":[[1,2,3]]}")]
    [InlineData("{\"tokens\":[\"TOKEN\"]}")]
    [InlineData("{\"tokens\":[{\"serial\":\"GARBAGE4\",\"certificates\":[\"x\"]}]}")]
    public async Task A_token_list_whose_elements_are_not_objects_gets_the_no_key_text_not_a_500(string tokens)
    {
        // Tried: JSON that parses but has a non-object where the helper's answer has an object.
        using var browser = factory.NewBrowser();
        var detect = await browser.ToDetectKeyAsync();
        var before = browser.Snapshot();

        var answer = await browser.PostStepAsync(detect, new Dictionary<string, string> { [DetectKeyFields.Tokens] = tokens });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("DetectKey", answer.Step);
        before.AssertUnchanged(browser.Snapshot());
    }

    [Theory]
    [InlineData("Pin")]
    [InlineData("PIN")]
    public async Task A_holder_whose_name_is_pin_is_accepted_not_a_500(string name)
    {
        // Tried: 持章人姓名 "Pin" (a valid name of ≤ 50 characters).
        using var browser = factory.NewBrowser();
        var holder = await browser.ToHolderFormAsync();

        var answer = await browser.PostStepAsync(holder, FlowBrowser.HolderFields(name: name));

        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        Assert.Equal("ChooseSeal", (await browser.GetAsync()).Step);
    }

    [Fact]
    public async Task A_key_whose_label_is_pin_is_read_not_a_500()
    {
        // Tried: the helper reports a token labelled "PIN" (the label is free text set when the token was initialised).
        using var browser = factory.NewBrowser();
        var detect = await browser.ToDetectKeyAsync();
        var tokens = FlowSecurityPki.TokensJson(browser.TokenSerial, "PIN", FlowSecurityPki.Instance.Good);

        var answer = await browser.PostStepAsync(detect, new Dictionary<string, string> { [DetectKeyFields.Tokens] = tokens });

        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
    }

    [Fact]
    public async Task Another_session_polling_the_face_state_gets_403_and_learns_nothing()
    {
        // Tried: a second browser polls the owner's ?handler=FaceState (which answers 204 while pending).
        using var owner = factory.NewBrowser();
        await owner.ToDetectKeyAsync();
        using var intruder = factory.NewBrowser();
        await intruder.StartAsync();

        var poll = await intruder.GetAsync(owner.FlowUrl + "?handler=FaceState");

        Assert.Equal(HttpStatusCode.Forbidden, poll.Status);
        Assert.Null(poll.Location);
    }

    [Fact]
    public async Task A_posted_pin_locked_answer_shows_the_lock_to_that_session_only()
    {
        // Tried: a page that claims the helper answered PIN_LOCKED with no enrolled helper's report
        // (the server cannot verify it): it locks that browser session, never the key for every kiosk.
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync();
        var challenge = await browser.ChallengeAsync(pin);

        var answer = await browser.PostStepAsync(pin, new Dictionary<string, string> { ["result"] = "pinLocked", ["nonce"] = challenge.Nonce });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Contains("PIN码连续5次输入错误，请联系CA重置密码。", answer.Html, StringComparison.Ordinal);
        var counters = await new ESeal.Db.Infrastructure.Database(new() { ConnectionString = $"Data Source={factory.DatabasePath};Pooling=False" })
            .ReadAsync(s => s.QueryAsync<ESeal.Db.Repositories.PinCounter>("SELECT counter_key, key_id, scope, token_serial, failed_attempts, locked_at FROM pin_counters"));
        var counter = Assert.Single(counters);
        Assert.Equal(ESeal.Db.Repositories.PinCounterScope.Session, counter.Scope); // no enrolled helper vouched for it
    }
}
