using System.Net;
using System.Security.Cryptography.X509Certificates;
using ESeal.Workflows.Activities.ChooseCertificate;
using ESeal.Workflows.Activities.ChooseSeal;
using ESeal.Workflows.Activities.DetectKey;

namespace ESeal.Tests.FlowSecurity;

/// <summary>
/// Issue 9 ("Revoked keys") through the real web: a USBKEY whose certificate the CA revoked (a lost
/// key) cannot prove, and the citizen reads why; when the CA's CRL is too old, no key proves and the
/// citizen is asked to try later. The certificate is refused at key detection once that step checks
/// trust, and at the PIN proof in any case: these tests accept either, and require the sentence.
/// </summary>
public sealed class RevocationTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    private const string Origin = FlowSecurityFactory.Origin;
    private const string RevokedText = "该证书已被CA吊销，不能用于办理。如USBKEY遗失或已更换，请联系CA。";
    private const string RevocationUnknownText = "暂时无法确认该证书是否已被吊销，请稍后重试或联系工作人员。";

    private static FlowSecurityPki Pki => FlowSecurityPki.Instance;

    [Fact]
    public async Task A_revoked_key_does_not_prove_and_the_citizen_reads_that_the_CA_revoked_it()
    {
        using var browser = factory.NewBrowser();

        var refused = await Refusal.PageAsync(browser, Pki.Revoked);

        Assert.Contains(RevokedText, refused.Html, StringComparison.Ordinal);
        Assert.Contains(browser.Snapshot().CurrentActivity, new[] { "detectKey", "pin" });
    }

    [Fact]
    public async Task A_good_key_still_proves_with_the_current_CRL()
    {
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync(Pki.Good);
        var challenge = await browser.ChallengeAsync(pin);

        var next = await browser.AdvanceAsync(pin, FlowBrowser.ProofFields(challenge.Nonce, FlowSecurityPki.Sign(Pki.Good, Origin, challenge.Nonce, challenge.Context)));

        Assert.Equal("LegalRepFaceVerification", next.Step);
    }
}

/// <summary>The CA's CRL older than nextUpdate + MaxCrlAge (the hand-moved clock): no key proves, the citizen is told to retry later.</summary>
public sealed class StaleCrlTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    [Fact]
    public async Task With_a_stale_CRL_even_a_good_key_is_refused_as_revocation_unknown()
    {
        using var browser = factory.NewBrowser(); // starts the web, which writes its CRL: nextUpdate in 7 days
        factory.Clock.Advance(TimeSpan.FromDays(8) + TimeSpan.FromMinutes(1)); // MaxCrlAge defaults to 1 day

        var refused = await Refusal.PageAsync(browser, FlowSecurityPki.Instance.Good);

        Assert.Contains("暂时无法确认该证书是否已被吊销，请稍后重试或联系工作人员。", refused.Html, StringComparison.Ordinal);
    }
}

internal static class Refusal
{
    /// <summary>
    /// Posts the key with <paramref name="certificate"/> at detection; if the step lets it through,
    /// goes on to the PIN step and posts a correct signature by it. Returns the page that refused it.
    /// </summary>
    public static async Task<FlowPage> PageAsync(FlowBrowser browser, X509Certificate2 certificate)
    {
        var page = await browser.ToDetectKeyAsync();
        var detected = await browser.PostStepAsync(page, new Dictionary<string, string> { [DetectKeyFields.Tokens] = FlowSecurityPki.TokensJson(browser.TokenSerial, certificate) });
        if (detected.Status != HttpStatusCode.Redirect)
        {
            return detected;
        }

        page = await browser.GetAsync();
        Assert.Equal("ChooseCertificate", page.Step);
        page = await browser.AdvanceAsync(page, new Dictionary<string, string> { [ChooseCertificateFields.CertificateId] = "01" });
        page = await browser.AdvanceAsync(page, FlowBrowser.HolderFields());
        page = await browser.AdvanceAsync(page, new Dictionary<string, string> { [ChooseSealFields.SealId] = FlowBrowser.UnboundHangzhouSeal.ToString("D") });
        Assert.Equal("PinProof", page.Step);
        var challenge = await browser.ChallengeAsync(page);
        if (challenge.Refused)
        {
            return new FlowPage(challenge.Status, challenge.Message ?? string.Empty, null);
        }

        var posted = await browser.PostStepAsync(page, FlowBrowser.ProofFields(challenge.Nonce, FlowSecurityPki.Sign(certificate, FlowSecurityFactory.Origin, challenge.Nonce, challenge.Context)));
        Assert.NotEqual(HttpStatusCode.Redirect, posted.Status);
        return posted;
    }
}
