using System.Diagnostics;
using System.Net;
using ESeal.TestPki;

namespace ESeal.KeyHelper.Tests;

/// <summary>
/// Removal is simulated by moving the token's directory out of SoftHSM2's token directory
/// (TestPkiSetup.RemoveToken); SoftHSM2 then fails every call on that token like a pulled USBKEY.
/// </summary>
[Collection(HelperCollection.Name)]
public sealed class RemovalTests(HelperFixture fixture)
{
    private TokenInfo Removable => fixture.Pki.Token(TestPkiSetup.RemovableToken);

    [Fact]
    public async Task A_token_removed_between_listing_and_signing_gives_TOKEN_NOT_PRESENT_and_comes_back()
    {
        var before = await Api.WaitForListAsync(fixture.Client, l => Api.Lists(l, Removable.Serial));
        Assert.True(Api.Lists(before, Removable.Serial));

        TestPkiSetup.RemoveToken(fixture.Pki, TestPkiSetup.RemovableToken);
        try
        {
            var sign = await Api.SignAsync(fixture.Client, Removable, Removable.Certificates[0], TestPkiSetup.UserPin);
            Assert.Equal((HttpStatusCode.NotFound, "TOKEN_NOT_PRESENT"), (sign.Status, sign.Error));

            // Still serving, the key gone from the list, the others still there and usable.
            var during = await Api.WaitForListAsync(fixture.Client, l => !Api.Lists(l, Removable.Serial));
            Assert.False(Api.Lists(during, Removable.Serial));
            Assert.True(Api.Lists(during, fixture.Pki.Token(TestPkiSetup.DemoToken).Serial));
            var demo = fixture.Pki.Token(TestPkiSetup.DemoToken);
            Assert.Equal(HttpStatusCode.OK, (await Api.SignAsync(fixture.Client, demo, demo.Certificates[0], TestPkiSetup.UserPin)).Status);
        }
        finally
        {
            TestPkiSetup.InsertToken(fixture.Pki, TestPkiSetup.RemovableToken);
        }

        var after = await Api.WaitForListAsync(fixture.Client, l => Api.Lists(l, Removable.Serial));
        Assert.True(Api.Lists(after, Removable.Serial));
        var context = Api.Context(Removable, Removable.Certificates[0], "unbind");
        var again = await Api.SignAsync(fixture.Client, Removable, Removable.Certificates[0], TestPkiSetup.UserPin, "n2", context);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.True(Api.Verifies(again.Body, HelperProcess.Origin, "n2", context));
    }

    [Fact]
    public async Task Long_poll_waits_while_nothing_changes_and_answers_promptly_on_remove_and_insert()
    {
        var start = await Api.WaitForListAsync(fixture.Client, l => Api.Lists(l, Removable.Serial));
        var version = start.Body.GetProperty("version").GetInt64();

        // A stale version answers at once.
        var stale = Stopwatch.StartNew();
        var staleReply = await Api.GetTokensAsync(fixture.Client, $"?changedSince={version - 1}");
        Assert.True(stale.Elapsed < TimeSpan.FromSeconds(2), $"stale version took {stale.Elapsed}");
        Assert.Equal(version, staleReply.Body.GetProperty("version").GetInt64());

        // The current version parks the request…
        var removed = Api.GetTokensAsync(fixture.Client, $"?changedSince={version}");
        await Task.Delay(700);
        Assert.False(removed.IsCompleted, "long-poll answered although nothing changed");

        // …until the key is pulled.
        var clock = Stopwatch.StartNew();
        TestPkiSetup.RemoveToken(fixture.Pki, TestPkiSetup.RemovableToken);
        Api.Reply afterRemove;
        try
        {
            afterRemove = await removed.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"removal noticed after {clock.Elapsed}");
            Assert.False(Api.Lists(afterRemove, Removable.Serial));
            Assert.NotEqual(version, afterRemove.Body.GetProperty("version").GetInt64());
        }
        finally
        {
            var inserted = Api.GetTokensAsync(fixture.Client, $"?changedSince={(await Api.GetTokensAsync(fixture.Client)).Body.GetProperty("version").GetInt64()}");
            await Task.Delay(300);
            clock.Restart();
            TestPkiSetup.InsertToken(fixture.Pki, TestPkiSetup.RemovableToken);
            var afterInsert = await inserted.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"insertion noticed after {clock.Elapsed}");
            Assert.True(Api.Lists(afterInsert, Removable.Serial));
        }
    }
}
