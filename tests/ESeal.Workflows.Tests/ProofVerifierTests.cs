using ESeal.Workflows.Proof;

namespace ESeal.Workflows.Tests;

public sealed class ProofVerifierTests
{
    private const string Origin = "https://eseal.test";
    private static readonly TestPki Pki = TestPki.Instance;
    private readonly ProofVerifier verifier = Pki.Verifier(Origin, TimeProvider.System);

    private static string Context(string certSha) => ProofVerifier.Context("bind", Guid.Parse("11111111-2222-3333-4444-555555555555"), TestPki.HangzhouCode, Guid.Parse("66666666-2222-3333-4444-555555555555"), "TESTKEY-0001", certSha);

    private static ProofExpectation Expect(System.Security.Cryptography.X509Certificates.X509Certificate2 leaf, string nonce, string? context = null, string? creditCode = null) =>
        new(nonce, context ?? Context(TestPki.Sha256(leaf)), creditCode ?? TestPki.HangzhouCode, TestPki.Sha256(leaf));

    [Fact]
    public void Valid_rsa_proof_passes()
    {
        var nonce = ProofVerifier.NewNonce();
        var proof = TestPki.Sign(Pki.RsaLeaf, Origin, nonce, Context(TestPki.Sha256(Pki.RsaLeaf)));
        Assert.Equal("RS256", proof.Algorithm);
        Assert.Equal(ProofFailure.None, verifier.Verify(proof, Expect(Pki.RsaLeaf, nonce)).Failure);
    }

    [Fact]
    public void Valid_ec_proof_passes()
    {
        var nonce = ProofVerifier.NewNonce();
        var proof = TestPki.Sign(Pki.EcLeaf, Origin, nonce, Context(TestPki.Sha256(Pki.EcLeaf)));
        Assert.Equal("ES256", proof.Algorithm);
        Assert.Equal(ProofFailure.None, verifier.Verify(proof, Expect(Pki.EcLeaf, nonce)).Failure);
    }

    [Fact]
    public void Replayed_proof_for_an_old_nonce_fails()
    {
        var old = ProofVerifier.NewNonce();
        var proof = TestPki.Sign(Pki.RsaLeaf, Origin, old, Context(TestPki.Sha256(Pki.RsaLeaf)));
        Assert.Equal(ProofFailure.BadSignature, verifier.Verify(proof, Expect(Pki.RsaLeaf, ProofVerifier.NewNonce())).Failure);
    }

    [Fact]
    public void Proof_signed_for_another_origin_fails()
    {
        var nonce = ProofVerifier.NewNonce();
        var proof = TestPki.Sign(Pki.EcLeaf, "https://evil.example", nonce, Context(TestPki.Sha256(Pki.EcLeaf)));
        Assert.Equal(ProofFailure.BadSignature, verifier.Verify(proof, Expect(Pki.EcLeaf, nonce)).Failure);
    }

    [Fact]
    public void Proof_signed_for_another_context_fails()
    {
        var nonce = ProofVerifier.NewNonce();
        var otherContext = ProofVerifier.Context("unbind", Guid.NewGuid(), TestPki.HangzhouCode, null, "TESTKEY-0001", TestPki.Sha256(Pki.RsaLeaf));
        var proof = TestPki.Sign(Pki.RsaLeaf, Origin, nonce, otherContext);
        Assert.Equal(ProofFailure.BadSignature, verifier.Verify(proof, Expect(Pki.RsaLeaf, nonce)).Failure);
    }

    [Fact]
    public void Certificate_from_an_untrusted_ca_fails()
    {
        var nonce = ProofVerifier.NewNonce();
        var proof = TestPki.Sign(Pki.UntrustedLeaf, Origin, nonce, Context(TestPki.Sha256(Pki.UntrustedLeaf)));
        Assert.Equal(ProofFailure.UntrustedChain, verifier.Verify(proof, Expect(Pki.UntrustedLeaf, nonce)).Failure);
    }

    [Fact]
    public void Expired_certificate_fails()
    {
        var nonce = ProofVerifier.NewNonce();
        var proof = TestPki.Sign(Pki.ExpiredLeaf, Origin, nonce, Context(TestPki.Sha256(Pki.ExpiredLeaf)));
        Assert.Equal(ProofFailure.NotValidNow, verifier.Verify(proof, Expect(Pki.ExpiredLeaf, nonce)).Failure);
    }

    [Fact]
    public void Certificate_of_another_enterprise_fails()
    {
        var nonce = ProofVerifier.NewNonce();
        var proof = TestPki.Sign(Pki.BeijingLeaf, Origin, nonce, Context(TestPki.Sha256(Pki.BeijingLeaf)));
        Assert.Equal(ProofFailure.WrongEnterprise, verifier.Verify(proof, Expect(Pki.BeijingLeaf, nonce, creditCode: TestPki.HangzhouCode)).Failure);
    }

    [Fact]
    public void A_certificate_other_than_the_chosen_one_fails()
    {
        var nonce = ProofVerifier.NewNonce();
        var proof = TestPki.Sign(Pki.EcLeaf, Origin, nonce, Context(TestPki.Sha256(Pki.RsaLeaf)));
        Assert.Equal(ProofFailure.WrongCertificate, verifier.Verify(proof, Expect(Pki.RsaLeaf, nonce)).Failure);
    }

    [Fact]
    public void Bytes_to_sign_follow_the_protocol()
    {
        var bytes = ProofVerifier.ToBeSigned("o", "n", "c");
        Assert.Equal(14 + 32 * 3, bytes.Length);
        Assert.Equal("ESEAL-PROOF-V1", System.Text.Encoding.ASCII.GetString(bytes, 0, 14));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData("n"u8), bytes[46..78]);
    }

    [Fact]
    public void Credit_code_is_read_from_the_subject()
    {
        Assert.Equal(TestPki.HangzhouCode, CertificateReader.CreditCodeOf(Pki.RsaLeaf));
        Assert.Equal(43, ProofVerifier.NewNonce().Length); // 32 random bytes, base64url without padding
    }
}
