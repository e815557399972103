using System.Text.Json;
using ESeal.Db.Demo;
using ESeal.Db.Flows;
using ESeal.Workflows.Activities;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Runtime;
using static ESeal.Workflows.Tests.FlowHarness;

namespace ESeal.Workflows.Tests;

/// <summary>
/// SPEC §9: a flow left alone ends on the server, whatever the page's script does; the visitor can
/// end it (取消办理, 结束办理) and go back a step (上一步) where the definition connects one.
/// </summary>
public sealed class SessionEndTests
{
    private static readonly Guid UnboundSeal = DemoData.Hangzhou.Seals[0].Id;
    private static readonly Dictionary<string, string> KioskStart = new() { ["channel"] = "Kiosk", ["kioskId"] = Guid.NewGuid().ToString("D"), ["kioskHall"] = "测试大厅", ["kioskName"] = "1号机" };

    [Fact]
    public async Task A_step_posted_after_the_kiosk_idle_limit_is_refused_and_the_flow_has_ended_without_its_holder()
    {
        using var h = await CreateAsync();
        var view = await h.BindToPinAsync(UnboundSeal, initial: KioskStart);

        // 120 s idle + 30 s warning + 15 s grace: a page whose script died posts at 166 s.
        h.Clock.Advance(TimeSpan.FromSeconds(166));
        var challenge = await h.Runtime.IssuePinChallengeAsync(view.InstanceId, Owner, view.StepToken);
        Assert.Equal(RefusalReason.IdleExpired, challenge.Reason);
        Assert.Equal("您长时间未操作，本次办理已结束，已填写的信息已清除，请从首页重新开始。", challenge.Message);
        var resume = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input(("result", "pinIncorrect")));
        Assert.Equal(RefusalReason.Finished, resume.Reason);

        var row = await RowAsync(h, view.InstanceId);
        Assert.Equal(FlowStatus.Expired, row.Status);
        AssertHolderForgotten(row);
        Assert.Null((await h.Runtime.GetAsync(view.InstanceId, Owner)).View);
    }

    [Fact]
    public async Task Within_the_limit_the_step_is_taken_and_keep_alive_moves_the_limit_on()
    {
        using var h = await CreateAsync();
        var view = await h.BindToPinAsync(UnboundSeal, initial: KioskStart);

        h.Clock.Advance(TimeSpan.FromSeconds(150));
        Assert.True(await h.Runtime.KeepAliveAsync(view.InstanceId, Owner)); // 继续办理
        h.Clock.Advance(TimeSpan.FromSeconds(150)); // 300 s since the last step, 150 s since 继续办理
        Assert.Equal(RefusalReason.None, (await h.Runtime.IssuePinChallengeAsync(view.InstanceId, Owner, view.StepToken)).Reason);

        Assert.False(await h.Runtime.KeepAliveAsync(view.InstanceId, "another-session"));
    }

    [Fact]
    public async Task A_desktop_keeps_its_longer_limit()
    {
        using var h = await CreateAsync();
        var view = await h.BindToPinAsync(UnboundSeal);

        h.Clock.Advance(TimeSpan.FromSeconds(600)); // far past a kiosk's limit, within a desktop's 900 s
        Assert.Equal(RefusalReason.None, (await h.Runtime.IssuePinChallengeAsync(view.InstanceId, Owner, view.StepToken)).Reason);
        h.Clock.Advance(TimeSpan.FromSeconds(946));
        Assert.Equal(RefusalReason.IdleExpired, (await h.Runtime.IssuePinChallengeAsync(view.InstanceId, Owner, view.StepToken)).Reason);
    }

    [Fact]
    public async Task Ending_a_flow_abandons_it_forgets_the_holder_and_only_its_owner_can()
    {
        using var h = await CreateAsync();
        var view = await h.BindToPinAsync(UnboundSeal, initial: KioskStart);

        Assert.False(await h.Runtime.EndAsync(view.InstanceId, "another-session"));
        Assert.Equal(FlowStatus.Running, (await RowAsync(h, view.InstanceId)).Status);

        Assert.True(await h.Runtime.EndAsync(view.InstanceId, Owner));
        var row = await RowAsync(h, view.InstanceId);
        Assert.Equal(FlowStatus.Abandoned, row.Status);
        AssertHolderForgotten(row);
        Assert.False(await h.Runtime.EndAsync(view.InstanceId, Owner)); // twice = once
        Assert.Equal(RefusalReason.Finished, (await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Empty)).Reason);
    }

    [Fact]
    public async Task Back_goes_to_the_step_the_definition_names_and_the_proof_is_asked_again()
    {
        using var h = await CreateAsync();
        var view = await h.BindToPinAsync(UnboundSeal);
        Assert.True(view.CanGoBack);

        view = await h.AdvanceAsync(view, Input((FlowNavigation.Field, FlowNavigation.Back)));
        Assert.Equal("chooseSeal", view.ActivityId);
        view = await h.AdvanceAsync(view, Input((FlowNavigation.Field, FlowNavigation.Back)));
        Assert.Equal("holder", view.ActivityId);
        view = await h.AdvanceAsync(view, Input((FlowNavigation.Field, FlowNavigation.Back)));
        Assert.Equal("chooseCertificate", view.ActivityId);

        // Forward again: the same choices lead to the PIN step, and a proof is still required.
        view = await h.AdvanceAsync(view, Input(("certificateId", "01")));
        view = await h.AdvanceAsync(view, Input(("holderName", "张三"), ("holderIdType", "ResidentId"), ("holderIdNumber", "11010519491231002X"), ("holderPhone", "13800138000")));
        view = await h.AdvanceAsync(view, Input(("sealId", UnboundSeal.ToString())));
        Assert.Equal(ActivityCatalog.PinProof, view.ActivityType);
        view = await h.AdvanceAsync(view, await h.SignedProofAsync(view, TestPki.Instance.RsaLeaf));
        Assert.Equal(ActivityCatalog.LegalRepFaceVerification, view.ActivityType);
        Assert.False(view.CanGoBack); // the face step has no way back: the proof would be asked again
    }

    [Fact]
    public async Task Back_where_the_definition_connects_none_is_an_ordinary_post_of_the_step()
    {
        using var h = await CreateAsync();
        var view = await h.BindToPinAsync(UnboundSeal);
        view = await h.AdvanceAsync(view, await h.SignedProofAsync(view, TestPki.Instance.RsaLeaf));

        var result = await h.Runtime.ResumeAsync(view.InstanceId, Owner, view.StepToken, Input((FlowNavigation.Field, FlowNavigation.Back)));
        Assert.Equal(ResumeKind.Stay, result.Kind);
        Assert.Equal(ActivityCatalog.LegalRepFaceVerification, result.View!.ActivityType);
    }

    private static void AssertHolderForgotten(FlowInstanceRow row)
    {
        var variables = JsonSerializer.Deserialize<Dictionary<string, string>>(row.Variables)!;
        foreach (var key in FlowVars.Personal)
        {
            Assert.False(variables.ContainsKey(key), $"{key} is still in the ended instance's variables");
        }

        Assert.DoesNotContain("11010519491231002X", row.Variables, StringComparison.Ordinal);
        Assert.DoesNotContain("13800138000", row.Variables, StringComparison.Ordinal);
    }

    private static async Task<FlowInstanceRow> RowAsync(FlowHarness h, Guid id) =>
        (await h.Database.ReadAsync(s => new FlowInstanceRepository(s).GetAsync(id)))!;
}
