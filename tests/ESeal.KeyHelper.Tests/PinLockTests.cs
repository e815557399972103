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
        var cert = locked.Certificates[0];
        var context = Api.Context(locked, cert);
        var reportKey = await Api.ReportKeyAsync(fixture.Client);

        // Every answer carries the helper's signed report of exactly what the token said.
        var left = new List<int?>();
        for (var i = 0; i < 4; i++)
        {
            var reply = await Api.SignAsync(fixture.Client, locked, cert, WrongPin, $"lock-{i}");
            Assert.Equal((HttpStatusCode.Unauthorized, "PIN_INCORRECT"), (reply.Status, reply.Error));
            Assert.True(Api.ReportVerifies(reply, reportKey, HelperProcess.Origin, $"lock-{i}", context, locked.Serial, "PIN_INCORRECT", (4 - i).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            left.Add(reply.AttemptsLeft);
        }

        var fifth = await Api.SignAsync(fixture.Client, locked, cert, WrongPin, "lock-5");
        var rightPinAfterLock = await Api.SignAsync(fixture.Client, locked, cert, TestPkiSetup.UserPin, "lock-6");

        Assert.Equal([4, 3, 2, 1], left);
        Assert.Equal((HttpStatusCode.Locked, "PIN_LOCKED", 0), (fifth.Status, fifth.Error, fifth.AttemptsLeft));
        Assert.Equal((HttpStatusCode.Locked, "PIN_LOCKED", 0), (rightPinAfterLock.Status, rightPinAfterLock.Error, rightPinAfterLock.AttemptsLeft));
        Assert.True(Api.ReportVerifies(fifth, reportKey, HelperProcess.Origin, "lock-5", context, locked.Serial, "PIN_LOCKED", "0"));
        Assert.True(Api.ReportVerifies(rightPinAfterLock, reportKey, HelperProcess.Origin, "lock-6", context, locked.Serial, "PIN_LOCKED", "0"));
        Assert.False(Api.ReportVerifies(fifth, reportKey, HelperProcess.Origin, "lock-5", context, locked.Serial, "PIN_INCORRECT", "0"));

        // Other tokens are not affected, and the page can grey out the locked one.
        var otherSign = await Api.SignAsync(fixture.Client, other, other.Certificates[0], TestPkiSetup.UserPin);
        Assert.Equal(HttpStatusCode.OK, otherSign.Status);
        var list = await Api.GetTokensAsync(fixture.Client);
        Assert.True(Api.Token(list, locked.Serial).GetProperty("pinLocked").GetBoolean());
        Assert.False(Api.Token(list, other.Serial).GetProperty("pinLocked").GetBoolean());

        await fixture.RestartHelperAsync();

        var afterRestart = await Api.SignAsync(fixture.Client, locked, cert, TestPkiSetup.UserPin, "lock-7");
        Assert.Equal((HttpStatusCode.Locked, "PIN_LOCKED"), (afterRestart.Status, afterRestart.Error));
        Assert.True(Api.ReportVerifies(afterRestart, reportKey, HelperProcess.Origin, "lock-7", context, locked.Serial, "PIN_LOCKED", "0"));
        var listAfter = await Api.GetTokensAsync(fixture.Client);
        Assert.True(Api.Token(listAfter, locked.Serial).GetProperty("pinLocked").GetBoolean());
        var otherAfter = await Api.SignAsync(fixture.Client, other, other.Certificates[0], TestPkiSetup.UserPin);
        Assert.Equal(HttpStatusCode.OK, otherAfter.Status);
    }

    [Fact]
    public async Task A_right_pin_before_the_lock_resets_the_count()
    {
        var token = fixture.Pki.Token(TestPkiSetup.ResetToken);
        var cert = token.Certificates[0];

        var first = await Api.SignAsync(fixture.Client, token, cert, WrongPin);
        var second = await Api.SignAsync(fixture.Client, token, cert, WrongPin);
        var listed = await Api.GetTokensAsync(fixture.Client);
        var right = await Api.SignAsync(fixture.Client, token, cert, TestPkiSetup.UserPin);
        var wrongAgain = await Api.SignAsync(fixture.Client, token, cert, WrongPin);
        var rightAgain = await Api.SignAsync(fixture.Client, token, cert, TestPkiSetup.UserPin);

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

        var wrong = await Api.SignAsync(fixture.Client, token, token.Certificates[0], distinctive);
        var right = await Api.SignAsync(fixture.Client, token, token.Certificates[0], TestPkiSetup.UserPin);
        var wrongBody = await wrong.Response.Content.ReadAsStringAsync();
        var rightBody = await right.Response.Content.ReadAsStringAsync();
        await Api.SignAsync(fixture.Client, token, token.Certificates[0], TestPkiSetup.UserPin);

        Assert.DoesNotContain(distinctive, wrongBody, StringComparison.Ordinal);
        Assert.DoesNotContain(TestPkiSetup.UserPin, rightBody, StringComparison.Ordinal);
        Assert.Contains("/v1/sign", fixture.Helper.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(distinctive, fixture.Helper.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(TestPkiSetup.UserPin, fixture.Helper.Output, StringComparison.Ordinal);
        var state = string.Concat(Directory.EnumerateFiles(Path.Combine(fixture.Directory, "state")).Select(File.ReadAllText));
        Assert.DoesNotContain(distinctive, state, StringComparison.Ordinal);
    }
}
