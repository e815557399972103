using System.Net;
using ESeal.Workflows.Activities.PinProof;

namespace ESeal.Tests.FlowSecurity;

public sealed class ProofTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    private const string Origin = FlowSecurityFactory.Origin;
    private static FlowSecurityPki Pki => FlowSecurityPki.Instance;

    [Fact]
    public async Task A_valid_proof_signed_for_the_portal_origin_passes_the_PIN_step()
    {
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync();
        var challenge = await browser.ChallengeAsync(pin);
        var proof = FlowSecurityPki.Sign(Pki.Good, Origin, challenge.Nonce, challenge.Context);

        var next = await browser.AdvanceAsync(pin, FlowBrowser.ProofFields(challenge.Nonce, proof));

        Assert.Equal("LegalRepFaceVerification", next.Step);
        Assert.Equal("face", browser.Snapshot().CurrentActivity);
    }
}
