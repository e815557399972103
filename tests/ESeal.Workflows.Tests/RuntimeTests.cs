using System.Security.Cryptography;
using System.Text.Json;
using ESeal.Db.Demo;
using ESeal.Db.Flows;
using ESeal.Db.MediumChange;
using ESeal.Db.Repositories;
using ESeal.Workflows.Activities.ChooseSeal;
using ESeal.Workflows.Activities.DetectKey;
using ESeal.Workflows.Activities.PinProof;
using ESeal.Workflows.Activities.Result;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Proof;
using ESeal.Workflows.Runtime;
using static ESeal.Workflows.Tests.FlowHarness;

namespace ESeal.Workflows.Tests;

public sealed class RuntimeTests
{
    private static readonly Guid UnboundSeal = DemoData.Hangzhou.Seals[0].Id;
    private static readonly Guid SealOnUsbKey = DemoData.Hangzhou.Seals[1].Id;
    private static readonly Guid OtherUnboundSeal = DemoData.Hangzhou.Seals[2].Id;

    private static async Task<FlowInstanceRow> RowAsync(FlowHarness h, Guid id) =>
        (await h.Database.InTransactionAsync(s => new FlowInstanceRepository(s).GetAsync(id)))!;

    private static async Task<Seal> SealAsync(FlowHarness h, Guid id) =>
        (await h.Database.InTransactionAsync(s => new SealRepository(s).GetAsync(id)))!;

    private static async Task<IReadOnlyList<AuditEvent>> AuditAsync(FlowHarness h) =>
        await h.Database.InTransactionAsync(s => new AuditLog(s).ListAsync());

    [Fact]
    public async Task Bind_flow_runs_start_to_finish()
    {
        using var h = await CreateAsync();
        var view = await h.Runtime.StartAsync(ShippedDefinitions.UsbKeyBind, Owner);
        Assert.Equal(ActivityCatalog.ReadingNotice, view.ActivityType);
        Assert.Equal(h.Clock.GetUtcNow().AddSeconds(5), view.NotBefore);

        h.Clock.Advance(TimeSpan.FromSeconds(5));
        view = await h.AdvanceAsync(view, []);
        Assert.Equal(ActivityCatalog.DetectKey, view.ActivityType);

        var noKey = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input(("tokens", """{"tokens":[]}""")));
        Assert.Equal(DetectKeyStay.NoKey, noKey.StayCode);
        var noCert = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input(("tokens", TokensJson(TokenSerial))));
        Assert.Equal((ResumeKind.Stay, DetectKeyStay.NoCertificate, "未检测到证书，请重新插入USBKEY或检查驱动是否正确安装"), (noCert.Kind, noCert.StayCode, noCert.Message));

        view = await h.AdvanceAsync(view, Input(("tokens", TokensJson(TokenSerial, TestPki.Instance.RsaLeaf, TestPki.Instance.EcLeaf))));
        var certificates = Assert.IsType<Activities.ChooseCertificate.ChooseCertificateData>(view.Data);
        Assert.Equal(2, certificates.Certificates.Count);
        Assert.Equal("杭州云印信息技术有限公司", certificates.Certificates[0].EnterpriseName);
        var mustChoose = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Empty);
        Assert.Equal("请选择一张证书。", mustChoose.FieldErrors["certificateId"]);

        view = await h.AdvanceAsync(view, Input(("certificateId", "02")));
        Assert.Equal(ActivityCatalog.HolderForm, view.ActivityType);
        Assert.Equal(TestPki.HangzhouCode, view.Variables["creditCode"]);
        Assert.Equal(TestPki.Sha256(TestPki.Instance.EcLeaf), view.Variables["certSha256"]);

        var before = await RowAsync(h, view.InstanceId);
        var invalid = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input(("holderName", ""), ("holderIdType", "ResidentId"), ("holderIdNumber", "110105194912310021"), ("holderPhone", "123")));
        Assert.Equal(ResumeKind.Stay, invalid.Kind);
        Assert.Equal(["holderIdNumber", "holderName", "holderPhone"], invalid.FieldErrors.Keys.Order());
        Assert.Equal(before, await RowAsync(h, view.InstanceId)); // invalid input changes nothing

        view = await h.AdvanceAsync(view, Input(("holderName", "张三"), ("holderIdType", "ResidentId"), ("holderIdNumber", "11010519491231002X"), ("holderPhone", "13800138000")));
        Assert.Equal("110105********002X".Length, view.Variables["holderIdNumber"].Length);
        Assert.DoesNotContain("19491231", view.Variables["holderIdNumber"], StringComparison.Ordinal);
        var seals = Assert.IsType<ChooseSealData>(view.Data);
        Assert.Equal(4, seals.Seals.Count);

        view = await h.AdvanceAsync(view, Input(("sealId", UnboundSeal.ToString())));
        Assert.Equal(ActivityCatalog.PinProof, view.ActivityType);
        view = await h.AdvanceAsync(view, await h.SignedProofAsync(view, TestPki.Instance.EcLeaf));
        Assert.Equal(ActivityCatalog.LegalRepFaceVerification, view.ActivityType);

        var pending = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input(("action", "check")));
        Assert.Equal("FacePending", pending.StayCode);
        view = await h.PassFaceAsync(view);

        Assert.Equal(ActivityCatalog.Result, view.ActivityType);
        Assert.Equal(FlowStatus.Completed, view.Status);
        var result = Assert.IsType<ResultData>(view.Data);
        Assert.True(result.Succeeded);
        Assert.Equal(("杭州云印信息技术有限公司", TestPki.HangzhouCode, "王建国", "单位公章"), (result.EnterpriseName, result.CreditCode, result.LegalRepName, result.SealType));
        Assert.Equal(h.Clock.GetUtcNow(), result.At);
        Assert.Equal(SealStatus.UsbKey, (await SealAsync(h, UnboundSeal)).Status);
        Assert.Contains(await AuditAsync(h), e => e.Kind == AuditKinds.Bind && e.InstanceId == view.InstanceId);
        Assert.DoesNotContain("pin\"", (await RowAsync(h, view.InstanceId)).Variables, StringComparison.OrdinalIgnoreCase);

        var finished = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Empty);
        Assert.Equal((ResumeKind.Refused, RefusalReason.Finished), (finished.Kind, finished.Reason));
    }

    [Fact]
    public async Task Unbind_then_claim_on_mobile_run_start_to_finish()
    {
        using var h = await CreateAsync();
        var bind = await h.BindToPinAsync(UnboundSeal);
        bind = await h.AdvanceAsync(bind, await h.SignedProofAsync(bind, TestPki.Instance.RsaLeaf));
        bind = await h.PassFaceAsync(bind);
        Assert.Equal(FlowStatus.Completed, bind.Status);

        var view = await h.Runtime.StartAsync(ShippedDefinitions.UsbKeyUnbind, Owner);
        Assert.Equal("解绑说明", ((Activities.ReadingNotice.ReadingNoticeInputs)view.Inputs).Title);
        h.Clock.Advance(TimeSpan.FromSeconds(5));
        view = await h.AdvanceAsync(view, []);
        var unboundKey = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input(("tokens", TokensJson("NEVER-BOUND", TestPki.Instance.EcLeaf))));
        Assert.Equal((DetectKeyStay.KeyNotBound, "该USBKEY未绑定印章，无需解绑。"), (unboundKey.StayCode, unboundKey.Message));
        view = await h.AdvanceAsync(view, Input(("tokens", TokensJson(TokenSerial, TestPki.Instance.RsaLeaf))));
        view = await h.AdvanceAsync(view, []);
        var confirm = Assert.IsType<ChooseSealData>(view.Data);
        Assert.Equal(UnboundSeal, Assert.Single(confirm.Seals).Id);
        view = await h.AdvanceAsync(view, []);
        view = await h.AdvanceAsync(view, await h.SignedProofAsync(view, TestPki.Instance.RsaLeaf));
        view = await h.PassFaceAsync(view);
        Assert.Equal(FlowStatus.Completed, view.Status);
        Assert.True(((ResultInputs)view.Inputs).OfferNextSteps);
        Assert.Equal(SealStatus.Unbound, (await SealAsync(h, UnboundSeal)).Status);

        var claim = await h.Runtime.StartAsync(ShippedDefinitions.MobileClaim, "phone-session", new Dictionary<string, string> { ["enterpriseId"] = DemoData.Hangzhou.Id.ToString(), ["deviceId"] = "device-123" });
        var bound = await h.Runtime.ResumeAsync(claim.InstanceId, "phone-session", claim.StepToken, Input(("sealId", SealOnUsbKey.ToString())));
        Assert.Equal("该印章已绑定介质，请先解绑后再在手机端领取。", bound.FieldErrors["sealId"]);
        var r = await h.Runtime.ResumeAsync(claim.InstanceId, "phone-session", claim.StepToken, Input(("sealId", UnboundSeal.ToString())));
        Assert.Equal(ResumeKind.Advanced, r.Kind);
        claim = r.View!;
        await h.CompleteFaceAsync(claim, passed: true);
        r = await h.Runtime.ResumeAsync(claim.InstanceId, "phone-session", claim.StepToken, Input(("action", "check")));
        Assert.Equal(FlowStatus.Completed, r.View!.Status);
        Assert.Equal(SealStatus.Mobile, (await SealAsync(h, UnboundSeal)).Status);
    }

    [Fact]
    public async Task A_key_already_bound_is_stopped_and_a_seal_bound_elsewhere_needs_confirmation()
    {
        using var h = await CreateAsync();
        // The EC key was bound to a seal earlier (at another kiosk); whatever serial a page reports
        // for it now, the key is recognised by its public key.
        var ec = TestPki.Instance.EcLeaf;
        var earlier = await new MediumChangeCommands(h.Database, h.Clock).BindUsbKeyAsync(new BindUsbKeyCommand(
            Guid.NewGuid(), null, DemoData.Hangzhou.Id, OtherUnboundSeal, "EC-KEY", new UsbKeyCertificate(TestPki.Sha256(ec), ProofVerifier.KeyIdOf(ec), ec.SerialNumber, ec.Issuer, ec.Subject),
            new SealHolder("张三", "居民身份证", "11010519491231002X", "13800138000"), "Kiosk", null, "test"));
        Assert.True(earlier.Succeeded, earlier.Message);
        var view = await h.Runtime.StartAsync(ShippedDefinitions.UsbKeyBind, Owner);
        h.Clock.Advance(TimeSpan.FromSeconds(5));
        view = await h.AdvanceAsync(view, []);
        var bound = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input(("tokens", TokensJson("ANOTHER-SERIAL", ec))));
        Assert.Equal((DetectKeyStay.KeyBoundToOtherSeal, "该USBKEY已绑定其他印章，无法继续绑定。"), (bound.StayCode, bound.Message));

        var h2 = h;
        var v2 = await h2.Runtime.StartAsync(ShippedDefinitions.UsbKeyBind, Owner);
        h2.Clock.Advance(TimeSpan.FromSeconds(5));
        v2 = await h2.AdvanceAsync(v2, []);
        v2 = await h2.AdvanceAsync(v2, Input(("tokens", TokensJson(TokenSerial, TestPki.Instance.RsaLeaf))));
        v2 = await h2.AdvanceAsync(v2, []);
        v2 = await h2.AdvanceAsync(v2, Input(("holderName", "张三"), ("holderIdType", "ResidentId"), ("holderIdNumber", "11010519491231002X"), ("holderPhone", "13800138000")));
        var dialog = await h2.Runtime.ResumeAsync(v2.InstanceId, Owner, v2.StepToken, Input(("sealId", SealOnUsbKey.ToString())));
        Assert.Equal((ChooseSealStay.SealBoundToOtherMedium, "该印章已绑定其他介质，是否继续与当前USBKEY绑定，绑定后，将仅能通过USBKEY签章"), (dialog.StayCode, dialog.Message));
        v2 = await h2.AdvanceAsync(v2, Input(("sealId", SealOnUsbKey.ToString()), ("confirmRelease", "true")));
        v2 = await h2.AdvanceAsync(v2, await h2.SignedProofAsync(v2, TestPki.Instance.RsaLeaf));
        v2 = await h2.PassFaceAsync(v2);
        Assert.Equal(FlowStatus.Completed, v2.Status);
        Assert.Contains(await AuditAsync(h2), e => e.Kind == AuditKinds.ReleaseForRebind && e.SealId == SealOnUsbKey);
    }

    [Fact]
    public async Task Stale_token_other_owner_early_continue_and_double_submit_change_nothing()
    {
        using var h = await CreateAsync();
        var view = await h.Runtime.StartAsync(ShippedDefinitions.UsbKeyBind, Owner);
        var start = await RowAsync(h, view.InstanceId);

        h.Clock.Advance(TimeSpan.FromSeconds(4.9));
        var early = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Empty);
        Assert.Equal((ResumeKind.Refused, RefusalReason.TooEarly, "请在倒计时结束后再继续。"), (early.Kind, early.Reason, early.Message));
        var other = await h.Runtime.ResumeAsync(view.InstanceId, "session-B", view.StepToken, Empty);
        Assert.Equal(RefusalReason.OtherOwner, other.Reason);
        Assert.Equal(RefusalReason.OtherOwner, (await h.Runtime.GetAsync(view.InstanceId, "session-B")).Reason);
        var wrong = await h.Runtime.ResumeAsync(view.InstanceId, Owner, "not-the-token", Empty);
        Assert.Equal(RefusalReason.StaleStep, wrong.Reason);
        Assert.Equal(start, await RowAsync(h, view.InstanceId));

        h.Clock.Advance(TimeSpan.FromSeconds(0.1));
        var next = await h.AdvanceAsync(view, []);
        var afterFirst = await RowAsync(h, view.InstanceId);
        var again = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Empty);
        Assert.Equal((ResumeKind.Refused, RefusalReason.StaleStep), (again.Kind, again.Reason));
        Assert.Equal(afterFirst, await RowAsync(h, view.InstanceId));
        Assert.NotEqual(view.StepToken, next.StepToken);
        Assert.Equal(ActivityCatalog.DetectKey, (await h.Runtime.GetAsync(view.InstanceId, Owner)).View!.ActivityType);
        Assert.Equal(RefusalReason.NotFound, (await h.Runtime.ResumeAsync(Guid.NewGuid(), Owner, "x", Empty)).Reason);
    }

    [Fact]
    public async Task Two_concurrent_resumes_one_wins_the_other_is_told()
    {
        var gate = new Gate();
        using var h = await CreateAsync(handler => handler.Type == ActivityCatalog.HolderForm ? new GatedHandler(handler, gate) : handler);
        var view = await h.Runtime.StartAsync(ShippedDefinitions.UsbKeyBind, Owner);
        h.Clock.Advance(TimeSpan.FromSeconds(5));
        view = await h.AdvanceAsync(view, []);
        view = await h.AdvanceAsync(view, Input(("tokens", TokensJson(TokenSerial, TestPki.Instance.RsaLeaf))));
        view = await h.AdvanceAsync(view, []);
        var holder = Input(("holderName", "张三"), ("holderIdType", "ResidentId"), ("holderIdNumber", "11010519491231002X"), ("holderPhone", "13800138000"));

        var results = await Task.WhenAll(
            Task.Run(() => h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, holder)),
            Task.Run(() => h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, holder)));
        Assert.Single(results, r => r.Kind == ResumeKind.Advanced);
        var loser = Assert.Single(results, r => r.Kind == ResumeKind.Refused);
        Assert.Equal(RefusalReason.ConcurrentChange, loser.Reason);
        Assert.Equal("该业务流程刚刚被另一个请求推进，本次提交未生效，请刷新页面后继续。", loser.Message);
        Assert.Equal(ActivityCatalog.ChooseSeal, (await h.Runtime.GetAsync(view.InstanceId, Owner)).View!.ActivityType);
    }

    [Fact]
    public async Task An_instance_started_on_v1_finishes_on_v1_after_v2_is_published()
    {
        using var h = await CreateAsync();
        var old = await h.Runtime.StartAsync(ShippedDefinitions.UsbKeyBind, Owner);
        Assert.Equal(1, old.DefinitionVersion);

        var v2 = BindJson();
        var reading = v2["root"]!["activities"]!.AsArray().First(a => a!["id"]!.GetValue<string>() == "reading")!;
        reading["seconds"] = 20;
        reading["title"] = "绑定说明（第二版）";
        var published = await h.Store.PublishAsync(v2.ToJsonString(), "analyst");
        Assert.True(published.Changed, published.Message);
        Assert.Equal(2, published.Version);
        Assert.False((await h.Store.PublishAsync(v2.ToJsonString(), "analyst")).Changed); // same text: no new version
        Assert.Contains(await AuditAsync(h), e => e.Kind == AuditKinds.FlowDefinitionChanged && e.Data.Contains("\"version\":2", StringComparison.Ordinal));

        var fresh = await h.Runtime.StartAsync(ShippedDefinitions.UsbKeyBind, "session-new");
        Assert.Equal((2, "绑定说明（第二版）"), (fresh.DefinitionVersion, ((Activities.ReadingNotice.ReadingNoticeInputs)fresh.Inputs).Title));

        h.Clock.Advance(TimeSpan.FromSeconds(5)); // v1's 5 s, not v2's 20 s
        var next = await h.AdvanceAsync(old, []);
        Assert.Equal(1, next.DefinitionVersion);
        Assert.Equal(RefusalReason.TooEarly, (await h.Runtime.ResumeAsync(fresh.InstanceId, "session-new", fresh.StepToken, Empty)).Reason);

        var versions = await h.Store.ListVersionsAsync(ShippedDefinitions.UsbKeyBind);
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        Assert.All(versions, v => Assert.True(v.IsPublished));
        Assert.Empty(await h.Store.ImportShippedAsync()); // the shipped v1 is not newer than the stored v2
    }

    [Fact]
    public async Task Publishing_validates_and_drafts_do_not_run()
    {
        using var h = await CreateAsync();
        var broken = BindJson();
        broken["root"]!["activities"]!.AsArray().First(a => a!["id"]!.GetValue<string>() == "pin")!["limit"] = 9;
        var refused = await h.Store.PublishAsync(broken.ToJsonString(), "analyst");
        Assert.False(refused.Report.IsValid);
        Assert.Null(refused.Version);

        Assert.Contains("「PIN码连续错误上限」（limit）不能大于 5", refused.Report.Problems.Single().Message, StringComparison.Ordinal);
        Assert.Null((await h.Store.SaveDraftAsync(broken.ToJsonString(), "analyst")).Version); // not even a draft: the shape is wrong

        var noPin = BindJson();
        noPin["root"]!["connections"]!.AsArray().First(c => c!["source"]!["activity"]!.GetValue<string>() == "chooseSeal")!["target"]!["activity"] = "face";
        var draft = await h.Store.SaveDraftAsync(noPin.ToJsonString(), "analyst");
        Assert.Equal(2, draft.Version);
        var publishDraft = await h.Store.PublishAsync(noPin.ToJsonString(), "analyst");
        Assert.False(publishDraft.Report.IsValid);
        Assert.Equal(1, (await h.Runtime.StartAsync(ShippedDefinitions.UsbKeyBind, Owner)).DefinitionVersion);
        Assert.Null(await h.Store.GetPublishedAsync(ShippedDefinitions.UsbKeyBind, 2));
    }

    [Fact]
    public async Task A_flow_whose_commit_landed_before_a_crash_shows_its_result_without_verifying_again()
    {
        // The crash window: the commit (its own transaction, operation id = instance id) landed, the
        // save of the face step did not; after the restart the face ticket is gone too.
        using var h = await CreateAsync();
        var view = await h.BindToPinAsync(UnboundSeal);
        view = await h.AdvanceAsync(view, await h.SignedProofAsync(view, TestPki.Instance.RsaLeaf));
        Assert.Equal(ActivityCatalog.LegalRepFaceVerification, view.ActivityType);
        var rsa = TestPki.Instance.RsaLeaf;
        var landed = await new MediumChangeCommands(h.Database, h.Clock).BindUsbKeyAsync(new BindUsbKeyCommand(
            view.InstanceId, view.InstanceId, DemoData.Hangzhou.Id, UnboundSeal, TokenSerial,
            new UsbKeyCertificate(TestPki.Sha256(rsa), ProofVerifier.KeyIdOf(rsa), rsa.SerialNumber, rsa.Issuer, rsa.Subject),
            new SealHolder("张三", "居民身份证", "11010519491231002X", "13800138000"), "Kiosk", null, "flow"));
        Assert.True(landed.Succeeded, landed.Message);

        // Nobody scans the QR code again: the page's next poll finds the commit and shows the result.
        var after = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input(("action", "check")));

        Assert.Equal(ResumeKind.Advanced, after.Kind);
        Assert.Equal(FlowStatus.Completed, after.View!.Status);
        Assert.Equal(ActivityCatalog.Result, after.View.ActivityType);
        Assert.Null(after.View.Variables.GetValueOrDefault("failureReason"));
        var history = await h.Database.ReadAsync(s => new BindingRepository(s).HistoryForSealAsync(UnboundSeal));
        Assert.Single(history); // the repeated commit changed nothing
    }

    [Fact]
    public async Task Wrong_pins_reported_by_an_enrolled_helper_are_counted_per_key_and_lock_at_the_limit_everywhere()
    {
        using var h = await CreateAsync();
        using var helper = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = helper.ExportSubjectPublicKeyInfo();
        await h.Database.InTransactionAsync(s => new EnrolledHelperRepository(s).EnrollAsync(PinReport.KeyIdOf(spki), Convert.ToBase64String(spki), "大厅", "K-1", "test", h.Clock.GetUtcNow()));
        var view = await h.BindToPinAsync(UnboundSeal);
        for (var i = 1; i <= 4; i++)
        {
            var challenge = await h.Runtime.IssuePinChallengeAsync(view.InstanceId, Owner, view.StepToken);
            Assert.Equal(6 - i, challenge.AttemptsLeft);
            var wrong = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Report(helper, challenge, "pinIncorrect"));
            Assert.Equal((PinProofStay.PinIncorrect, "PIN码输入错误，请重试，连续5次输入错误将锁定USBKEY"), (wrong.StayCode, wrong.Message));
            Assert.Equal(5 - i, Assert.IsType<PinProofData>(wrong.View!.Data).AttemptsLeft);
        }

        // A report for a used nonce counts nothing.
        var replay = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input(("result", "pinIncorrect"), ("nonce", "used")));
        Assert.Equal(PinProofStay.ChallengeInvalid, replay.StayCode);

        var last = await h.Runtime.IssuePinChallengeAsync(view.InstanceId, Owner, view.StepToken);
        var locked = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Report(helper, last, "pinIncorrect"));
        Assert.Equal((PinProofStay.PinLocked, "PIN码连续5次输入错误，请联系CA重置密码。"), (locked.StayCode, locked.Message));

        // The lock belongs to the key: a new flow in another session (another kiosk) meets it too, and no challenge is issued.
        var other = await h.BindToPinAsync(OtherUnboundSeal, owner: "session-B");
        var refused = await h.Runtime.IssuePinChallengeAsync(other.InstanceId, "session-B", other.StepToken);
        Assert.True(refused.Locked);
        Assert.Null(refused.Nonce);
        Assert.True(Assert.IsType<PinProofData>(other.Data).Locked);

        var audit = await AuditAsync(h);
        Assert.Equal(5, audit.Count(e => e.Kind == AuditKinds.PinFailed));
        Assert.Single(audit, e => e.Kind == AuditKinds.PinLocked);
        Assert.Null(await h.Database.InTransactionAsync(s => new AuditLog(s).FirstBrokenLinkAsync()));
    }

    [Fact]
    public async Task Wrong_pins_nobody_vouches_for_lock_their_own_session_only()
    {
        using var h = await CreateAsync();
        var view = await h.BindToPinAsync(UnboundSeal);
        for (var i = 1; i <= 5; i++)
        {
            var challenge = await h.Runtime.IssuePinChallengeAsync(view.InstanceId, Owner, view.StepToken);
            await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input(("result", "pinIncorrect"), ("nonce", challenge.Nonce!)));
        }

        var again = await h.BindToPinAsync(OtherUnboundSeal);
        Assert.True(Assert.IsType<PinProofData>(again.Data).Locked); // same session, new flow: still locked
        var other = await h.BindToPinAsync(OtherUnboundSeal, owner: "session-B");
        Assert.False(Assert.IsType<PinProofData>(other.Data).Locked);
        Assert.Equal(5, (await h.Runtime.IssuePinChallengeAsync(other.InstanceId, "session-B", other.StepToken)).AttemptsLeft);
    }

    private static Dictionary<string, string> Report(ECDsa helper, PinChallengeResult challenge, string result)
    {
        var attemptsLeft = (challenge.AttemptsLeft - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var data = PinReport.ToBeSigned(Origin, challenge.Nonce!, challenge.Context!, challenge.TokenSerial!, result == "pinLocked" ? PinReport.PinLocked : PinReport.PinIncorrect, attemptsLeft);
        return Input(
            ("result", result),
            ("nonce", challenge.Nonce!),
            ("attemptsLeft", attemptsLeft),
            ("reportKeyId", PinReport.KeyIdOf(helper.ExportSubjectPublicKeyInfo())),
            ("reportSignature", Convert.ToBase64String(helper.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))));
    }

    [Fact]
    public async Task A_replayed_or_foreign_proof_is_refused()
    {
        using var h = await CreateAsync();
        var view = await h.BindToPinAsync(UnboundSeal);
        var proof = await h.SignedProofAsync(view, TestPki.Instance.RsaLeaf, origin: "https://evil.example");
        var foreign = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, proof);
        Assert.Equal(PinProofStay.ProofFailed, foreign.StayCode);

        var replay = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, proof);
        Assert.Equal(PinProofStay.ChallengeInvalid, replay.StayCode);

        var expired = await h.SignedProofAsync(view, TestPki.Instance.RsaLeaf);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(PinProofStay.ChallengeInvalid, (await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, expired)).StayCode);

        var good = await h.SignedProofAsync(view, TestPki.Instance.RsaLeaf);
        var passed = await h.AdvanceAsync(view, good);
        Assert.Equal(RefusalReason.StaleStep, (await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, good)).Reason);
        Assert.Equal(ActivityCatalog.LegalRepFaceVerification, passed.ActivityType);
        Assert.Equal(RefusalReason.NotThisStep, (await h.Runtime.IssuePinChallengeAsync(view.InstanceId, Owner, passed.StepToken)).Reason);
    }

    [Fact]
    public async Task Face_failure_returns_to_verification_only_after_the_redirect_seconds()
    {
        using var h = await CreateAsync();
        var view = await h.BindToPinAsync(UnboundSeal);
        view = await h.AdvanceAsync(view, await h.SignedProofAsync(view, TestPki.Instance.RsaLeaf));
        var firstTicket = view.Variables["faceTicket"];
        await h.CompleteFaceAsync(view, passed: false);
        Assert.False(await h.Faces.CompleteAsync(firstTicket, true)); // single use

        var failed = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input(("action", "check")));
        Assert.Equal(("FaceFailed", "验证失败，请稍后重试。"), (failed.StayCode, failed.Message));
        Assert.Equal(h.Clock.GetUtcNow().AddSeconds(5), failed.View!.NotBefore);

        h.Clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(RefusalReason.TooEarly, (await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input(("action", "retry")))).Reason);
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        var retry = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input(("action", "retry")));
        Assert.Equal(ResumeKind.Stay, retry.Kind);
        Assert.NotEqual(firstTicket, retry.View!.Variables["faceTicket"]);
        var done = await h.PassFaceAsync(retry.View);
        Assert.Equal(FlowStatus.Completed, done.Status);
    }

    [Fact]
    public async Task Start_refuses_variables_a_page_could_forge()
    {
        using var h = await CreateAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => h.Runtime.StartAsync(ShippedDefinitions.UsbKeyBind, Owner, new Dictionary<string, string> { ["pinProvedCertSha256"] = "x" }));
    }

    private sealed class Gate
    {
        private readonly TaskCompletionSource both = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int arrived;

        public async Task ArriveAsync()
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                both.SetResult();
            }

            await both.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    /// <summary>Holds both requests inside the handler so that both load the same row version.</summary>
    private sealed class GatedHandler(IActivityHandler inner, Gate gate) : IActivityHandler
    {
        public string Type => inner.Type;

        public Type InputsType => inner.InputsType;

        public Task EnterAsync(StepContext context) => inner.EnterAsync(context);

        public async Task<StepResult> RunAsync(StepContext context)
        {
            var result = await inner.RunAsync(context);
            if (result.Port is not null)
            {
                await gate.ArriveAsync();
            }

            return result;
        }

        public Task<object?> DescribeAsync(StepContext context) => inner.DescribeAsync(context);
    }
}
