using System.Net;
using System.Security.Cryptography;
using ESeal.Db.Infrastructure;
using ESeal.Db.Repositories;
using ESeal.Workflows.Activities.PinProof;
using ESeal.Workflows.Proof;

namespace ESeal.Tests.FlowSecurity;

/// <summary>
/// Issue 9, defect 3: anyone could PIN-lock anyone's USBKEY with five forged "wrong PIN" posts. A
/// wrong PIN yields no signature by the user's key, so the page's word binds only its own browser
/// session; only a report signed by a key helper staff enrolled counts for the key everywhere.
/// </summary>
public sealed class PinCountAttackTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    internal const string LockedText = "PIN码连续5次输入错误，请联系CA重置密码。";
    internal const string WrongPinText = "PIN码输入错误，请重试，连续5次输入错误将锁定USBKEY";

    private static FlowSecurityPki Pki => FlowSecurityPki.Instance;

    [Fact]
    public async Task Five_forged_wrong_pin_answers_for_someone_elses_real_certificate_lock_only_the_forgers_own_session()
    {
        // Tried: an attacker who has 杭州云印's certificate (certificates are public) but not its key
        // posts "pinIncorrect" five times, as a hostile page would, naming the holder's token serial.
        using var holder = factory.NewBrowser();
        using var attacker = factory.NewBrowser();
        attacker.TokenSerial = holder.TokenSerial;
        var pin = await attacker.ToPinAsync(Pki.SecondGood);
        FlowPage answer = pin;
        for (var i = 0; i < 5; i++)
        {
            var challenge = await attacker.ChallengeAsync(answer);
            answer = await attacker.PostStepAsync(answer, new Dictionary<string, string> { [PinProofFields.Result] = "pinIncorrect", [PinProofFields.Nonce] = challenge.Nonce });
            Assert.Contains(i == 4 ? LockedText : WrongPinText, answer.Html, StringComparison.Ordinal);
        }

        // The forger's own refresh and new flow stay locked (the count belongs to the key in that session)…
        Assert.Contains(LockedText, (await attacker.GetAsync()).Html, StringComparison.Ordinal);
        Assert.Contains(LockedText, (await attacker.ToPinAsync(Pki.SecondGood)).Html, StringComparison.Ordinal);

        // …while the real holder, in another browser, is not locked and proves as usual.
        var holderPin = await holder.ToPinAsync(Pki.SecondGood);
        Assert.DoesNotContain(LockedText, holderPin.Html, StringComparison.Ordinal);
        var holderChallenge = await holder.ChallengeAsync(holderPin);
        Assert.False(holderChallenge.Json.GetProperty("locked").GetBoolean());
        var next = await holder.AdvanceAsync(holderPin, FlowBrowser.ProofFields(holderChallenge.Nonce, FlowSecurityPki.Sign(Pki.SecondGood, FlowSecurityFactory.Origin, holderChallenge.Nonce, holderChallenge.Context)));
        Assert.Equal("LegalRepFaceVerification", next.Step);

        var counters = await Database().ReadAsync(s => s.QueryAsync<PinCounter>("SELECT counter_key, key_id, scope, token_serial, failed_attempts, locked_at FROM pin_counters"));
        Assert.All(counters, c => Assert.Equal(PinCounterScope.Session, c.Scope));
    }

    [Fact]
    public async Task A_report_signed_by_a_helper_nobody_enrolled_or_for_another_challenge_counts_only_in_its_session()
    {
        using var unenrolled = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync(Pki.Good);
        var first = await browser.ChallengeAsync(pin);

        // Tried: a well-formed report from a helper key the portal never enrolled.
        var answer = await browser.PostStepAsync(pin, ReportFields(unenrolled, browser, first.Nonce, first.Context, "4"));
        Assert.Contains(WrongPinText, answer.Html, StringComparison.Ordinal);

        var counters = await Database().ReadAsync(s => s.QueryAsync<PinCounter>("SELECT counter_key, key_id, scope, token_serial, failed_attempts, locked_at FROM pin_counters WHERE key_id = @keyId", new { keyId = ProofVerifier.KeyIdOf(Pki.Good) }));
        var counter = Assert.Single(counters);
        Assert.Equal(PinCounterScope.Session, counter.Scope);
        Assert.Equal(1, counter.FailedAttempts);
    }

    internal static Dictionary<string, string> ReportFields(ECDsa helperKey, FlowBrowser browser, string nonce, string context, string attemptsLeft, string result = "pinIncorrect")
    {
        var error = result == "pinLocked" ? PinReport.PinLocked : PinReport.PinIncorrect;
        var signed = PinReport.ToBeSigned(FlowSecurityFactory.Origin, nonce, context, browser.TokenSerial, error, attemptsLeft);
        return new Dictionary<string, string>
        {
            [PinProofFields.Result] = result,
            [PinProofFields.Nonce] = nonce,
            [PinProofFields.AttemptsLeft] = attemptsLeft,
            [PinProofFields.ReportKeyId] = PinReport.KeyIdOf(helperKey.ExportSubjectPublicKeyInfo()),
            [PinProofFields.ReportSignature] = Convert.ToBase64String(helperKey.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
        };
    }

    private Database Database() => new(new() { ConnectionString = $"Data Source={factory.DatabasePath};Pooling=False" });
}

/// <summary>
/// The seed's rule for the real holder (SPEC §3): five wrong PINs lock the key across refresh, a new
/// flow and another kiosk — proved by reports that enrolled kiosk helpers sign. Its own class: the
/// key it locks would otherwise be locked for the other tests sharing a factory.
/// </summary>
public sealed class EnrolledHelperPinTests(FlowSecurityFactory factory) : IClassFixture<FlowSecurityFactory>
{
    private static FlowSecurityPki Pki => FlowSecurityPki.Instance;

    [Fact]
    public async Task Five_wrong_pins_reported_by_enrolled_kiosk_helpers_lock_the_key_at_every_kiosk_until_an_operator_clears_it()
    {
        using var kioskHelper = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = kioskHelper.ExportSubjectPublicKeyInfo();

        // Kiosk 1: the holder types five wrong PINs; the kiosk's helper signs each answer.
        using var kiosk1 = factory.NewBrowser();
        FlowPage answer = await kiosk1.ToPinAsync(Pki.Good);
        var db = new Database(new() { ConnectionString = $"Data Source={factory.DatabasePath};Pooling=False" });
        await db.InTransactionAsync(s => new EnrolledHelperRepository(s).EnrollAsync(PinReport.KeyIdOf(spki), Convert.ToBase64String(spki), "西湖区市民中心", "K-01", "test", DateTimeOffset.UtcNow));
        for (var i = 0; i < 5; i++)
        {
            var challenge = await kiosk1.ChallengeAsync(answer);
            answer = await kiosk1.PostStepAsync(answer, PinCountAttackTests.ReportFields(kioskHelper, kiosk1, challenge.Nonce, challenge.Context, (4 - i).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Contains(PinCountAttackTests.LockedText, answer.Html, StringComparison.Ordinal);

        // Kiosk 2, another browser session and a new flow: still locked, no challenge is issued.
        using var kiosk2 = factory.NewBrowser();
        var elsewhere = await kiosk2.ToPinAsync(Pki.Good);
        Assert.Contains(PinCountAttackTests.LockedText, elsewhere.Html, StringComparison.Ordinal);
        var refused = await kiosk2.ChallengeAsync(elsewhere);
        Assert.True(refused.Json.GetProperty("locked").GetBoolean());
        Assert.Equal(JsonValueKindNull, refused.Json.GetProperty("nonce").ValueKind);

        // After the CA reset the key, an operator clears the lock; then the key proves again.
        Assert.True(await db.InTransactionAsync(s => new PinCounterRepository(s).ClearAsync(ProofVerifier.KeyIdOf(Pki.Good), "operator-1", DateTimeOffset.UtcNow)));
        using var kiosk3 = factory.NewBrowser();
        var cleared = await kiosk3.ToPinAsync(Pki.Good);
        Assert.DoesNotContain(PinCountAttackTests.LockedText, cleared.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, cleared.Status);
    }

    [Fact]
    public async Task A_revoked_helpers_report_and_a_report_replayed_for_another_challenge_do_not_count_for_the_key()
    {
        using var kioskHelper = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = kioskHelper.ExportSubjectPublicKeyInfo();
        var helperId = PinReport.KeyIdOf(spki);
        using var browser = factory.NewBrowser();
        var pin = await browser.ToPinAsync(Pki.SecondGood);
        var db = new Database(new() { ConnectionString = $"Data Source={factory.DatabasePath};Pooling=False" });
        await db.InTransactionAsync(s => new EnrolledHelperRepository(s).EnrollAsync(helperId, Convert.ToBase64String(spki), "滨江区政务服务中心", "K-02", "test", DateTimeOffset.UtcNow));
        var first = await browser.ChallengeAsync(pin);
        var report = PinCountAttackTests.ReportFields(kioskHelper, browser, first.Nonce, first.Context, "4");
        var counted = await browser.PostStepAsync(pin, report);
        Assert.Contains(PinCountAttackTests.WrongPinText, counted.Html, StringComparison.Ordinal);

        // Tried: the same signed report again, for the next challenge (replay).
        var second = await browser.ChallengeAsync(counted);
        var replay = new Dictionary<string, string>(report) { [PinProofFields.Nonce] = second.Nonce };
        await browser.PostStepAsync(counted, replay);

        // Tried: a report from the helper after staff revoked it.
        await db.InTransactionAsync(s => new EnrolledHelperRepository(s).RevokeAsync(helperId, "test", DateTimeOffset.UtcNow));
        var afterReplay = await browser.GetAsync();
        var third = await browser.ChallengeAsync(afterReplay);
        await browser.PostStepAsync(afterReplay, PinCountAttackTests.ReportFields(kioskHelper, browser, third.Nonce, third.Context, "2"));

        var keyId = ProofVerifier.KeyIdOf(Pki.SecondGood);
        var keyWide = await db.ReadAsync(s => new PinCounterRepository(s).GetAsync(PinCounterRepository.KeyCounter(keyId)));
        Assert.Equal(1, keyWide!.FailedAttempts); // only the first, genuine report
        var state = await db.ReadAsync(s => new PinCounterRepository(s).StateAsync(keyId, "some-other-session", 5));
        Assert.Equal(1, state.FailedAttempts);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
