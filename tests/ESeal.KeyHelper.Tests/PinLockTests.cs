using System.Net;
using ESeal.TestPki;

namespace ESeal.KeyHelper.Tests;

[Collection(HelperCollection.Name)]
public sealed class PinLockTests(HelperFixture fixture)
{
    private const string WrongPin = "987650";

    [Fact]
    public async Task Wrong_pins_count_down_lock_at_five_and_the_lock_survives_a_restart()
    {
        var locked = fixture.Pki.Token(TestPkiSetup.LockToken);
        var other = fixture.Pki.Token(TestPkiSetup.DemoToken);
        var id = locked.Certificates[0].Id;

        var left = new List<int?>();
        for (var i = 0; i < 4; i++)
        {
            var reply = await Api.SignAsync(fixture.Client, locked.Serial, id, WrongPin);
            Assert.Equal((HttpStatusCode.Unauthorized, "PIN_INCORRECT"), (reply.Status, reply.Error));
            left.Add(reply.AttemptsLeft);
        }

        var fifth = await Api.SignAsync(fixture.Client, locked.Serial, id, WrongPin);
        var rightPinAfterLock = await Api.SignAsync(fixture.Client, locked.Serial, id, TestPkiSetup.UserPin);

        Assert.Equal([4, 3, 2, 1], left);
        Assert.Equal((HttpStatusCode.Locked, "PIN_LOCKED"), (fifth.Status, fifth.Error));
        Assert.Equal((HttpStatusCode.Locked, "PIN_LOCKED"), (rightPinAfterLock.Status, rightPinAfterLock.Error));

        // Other tokens are not affected, and the page can grey out the locked one.
        var otherSign = await Api.SignAsync(fixture.Client, other.Serial, other.Certificates[0].Id, TestPkiSetup.UserPin);
        Assert.Equal(HttpStatusCode.OK, otherSign.Status);
        var list = await Api.GetTokensAsync(fixture.Client);
        Assert.True(Api.Token(list, locked.Serial).GetProperty("pinLocked").GetBoolean());
        Assert.False(Api.Token(list, other.Serial).GetProperty("pinLocked").GetBoolean());

        await fixture.RestartHelperAsync();

        var afterRestart = await Api.SignAsync(fixture.Client, locked.Serial, id, TestPkiSetup.UserPin);
        Assert.Equal((HttpStatusCode.Locked, "PIN_LOCKED"), (afterRestart.Status, afterRestart.Error));
        var listAfter = await Api.GetTokensAsync(fixture.Client);
        Assert.True(Api.Token(listAfter, locked.Serial).GetProperty("pinLocked").GetBoolean());
        var otherAfter = await Api.SignAsync(fixture.Client, other.Serial, other.Certificates[0].Id, TestPkiSetup.UserPin);
        Assert.Equal(HttpStatusCode.OK, otherAfter.Status);
    }

    [Fact]
    public async Task A_right_pin_before_the_lock_resets_the_count()
    {
        var token = fixture.Pki.Token(TestPkiSetup.ResetToken);
        var id = token.Certificates[0].Id;

        var first = await Api.SignAsync(fixture.Client, token.Serial, id, WrongPin);
        var second = await Api.SignAsync(fixture.Client, token.Serial, id, WrongPin);
        var listed = await Api.GetTokensAsync(fixture.Client);
        var right = await Api.SignAsync(fixture.Client, token.Serial, id, TestPkiSetup.UserPin);
        var wrongAgain = await Api.SignAsync(fixture.Client, token.Serial, id, WrongPin);
        var rightAgain = await Api.SignAsync(fixture.Client, token.Serial, id, TestPkiSetup.UserPin);

        Assert.Equal([4, 3], new[] { first.AttemptsLeft, second.AttemptsLeft });
        Assert.True(Api.Token(listed, token.Serial).GetProperty("pinCountLow").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, right.Status);
        Assert.Equal((HttpStatusCode.Unauthorized, 4), (wrongAgain.Status, wrongAgain.AttemptsLeft));
        Assert.Equal(HttpStatusCode.OK, rightAgain.Status);
    }

    [Fact]
    public async Task The_pin_is_never_echoed_nor_logged()
    {
        var token = fixture.Pki.Token(TestPkiSetup.EcOnlyToken);
        const string distinctive = "735194";

        var wrong = await Api.SignAsync(fixture.Client, token.Serial, token.Certificates[0].Id, distinctive);
        var right = await Api.SignAsync(fixture.Client, token.Serial, token.Certificates[0].Id, TestPkiSetup.UserPin);
        var wrongBody = await wrong.Response.Content.ReadAsStringAsync();
        var rightBody = await right.Response.Content.ReadAsStringAsync();
        await Api.SignAsync(fixture.Client, token.Serial, token.Certificates[0].Id, TestPkiSetup.UserPin);

        Assert.DoesNotContain(distinctive, wrongBody, StringComparison.Ordinal);
        Assert.DoesNotContain(TestPkiSetup.UserPin, rightBody, StringComparison.Ordinal);
        Assert.Contains("/v1/sign", fixture.Helper.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(distinctive, fixture.Helper.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(TestPkiSetup.UserPin, fixture.Helper.Output, StringComparison.Ordinal);
        var state = string.Concat(Directory.EnumerateFiles(Path.Combine(fixture.Directory, "state")).Select(File.ReadAllText));
        Assert.DoesNotContain(distinctive, state, StringComparison.Ordinal);
    }
}
