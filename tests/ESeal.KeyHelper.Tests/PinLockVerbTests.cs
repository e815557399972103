using System.Net;
using System.Text.Json;
using ESeal.TestPki;

namespace ESeal.KeyHelper.Tests;

/// <summary>
/// The operator's <c>ESeal.KeyHelper pin-lock list|clear</c>, run as its own process on the fixture helper's
/// state directory while that helper keeps running. Uses ESEAL-LOCK-C, which no other test of this project
/// locks (the portal's tests lock it in their own token store).
/// </summary>
[Collection(HelperCollection.Name)]
public sealed class PinLockVerbTests(HelperFixture fixture)
{
    private const string WrongPin = "864209";
    private static readonly TimeSpan VerbTimeout = TimeSpan.FromSeconds(60);

    private string StateArg => $"--KeyHelper:StateDirectory={fixture.Helper.StateDirectory}";

    private string AuditLog => Path.Combine(fixture.Helper.StateDirectory, "pin-lock-audit.log");

    [Fact]
    public async Task Clear_after_a_CA_reset_unlocks_the_running_helper_and_is_audited()
    {
        var token = fixture.Pki.Token(TestPkiSetup.UnbindLockToken);
        var cert = token.Certificates[0];
        for (var i = 0; i < 5; i++)
        {
            await Api.SignAsync(fixture.Client, token, cert, WrongPin, $"verb-lock-{i}");
        }

        var lockedSign = await Api.SignAsync(fixture.Client, token, cert, TestPkiSetup.UserPin, "verb-locked");
        Assert.Equal((HttpStatusCode.Locked, "PIN_LOCKED"), (lockedSign.Status, lockedSign.Error));

        var list = await HelperProcess.RunToEndAsync(["pin-lock", "list", StateArg], VerbTimeout);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains($"{token.Serial}\t5 wrong PINs\tlocked", Lines(list.Stdout));

        var clear = await HelperProcess.RunToEndAsync(["pin-lock", "clear", token.Serial, "--operator", "张工", "--reason", "CA已重置", StateArg], VerbTimeout);
        Assert.True(clear.ExitCode == 0, clear.Stderr);
        Assert.Contains(token.Serial, clear.Stdout, StringComparison.Ordinal);

        // The same helper process, never restarted: it notices the file changed and takes the right PIN.
        var signed = await Api.SignAsync(fixture.Client, token, cert, TestPkiSetup.UserPin, "verb-after-clear");
        Assert.Equal(HttpStatusCode.OK, signed.Status);
        Assert.True(Api.Verifies(signed.Body, HelperProcess.Origin, "verb-after-clear", Api.Context(token, cert)));
        var listed = await Api.WaitForListAsync(fixture.Client, l => !Api.Token(l, token.Serial).GetProperty("pinLocked").GetBoolean());
        Assert.False(Api.Token(listed, token.Serial).GetProperty("pinLocked").GetBoolean());

        // Counting starts afresh (the helper did not write its old count of 5 back), and the list no longer names it.
        var wrongAfter = await Api.SignAsync(fixture.Client, token, cert, WrongPin, "verb-wrong-after");
        Assert.Equal((HttpStatusCode.Unauthorized, 4), (wrongAfter.Status, wrongAfter.AttemptsLeft));
        Assert.Equal(HttpStatusCode.OK, (await Api.SignAsync(fixture.Client, token, cert, TestPkiSetup.UserPin, "verb-right-again")).Status);
        var listAfter = await HelperProcess.RunToEndAsync(["pin-lock", "list", StateArg], VerbTimeout);
        Assert.Equal(0, listAfter.ExitCode);
        Assert.DoesNotContain(token.Serial, listAfter.Stdout, StringComparison.Ordinal);

        var lines = File.ReadAllLines(AuditLog).Where(l => l.Contains(token.Serial, StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        using var entry = JsonDocument.Parse(line);
        var audit = entry.RootElement;
        Assert.Equal("张工", audit.GetProperty("operator").GetString());
        Assert.Equal(token.Serial, audit.GetProperty("serial").GetString());
        Assert.Equal("CA已重置", audit.GetProperty("reason").GetString());
        Assert.Equal(5, audit.GetProperty("previousCount").GetInt32());
        Assert.False(string.IsNullOrEmpty(audit.GetProperty("machineUser").GetString()));
        var time = audit.GetProperty("time").GetDateTimeOffset();
        Assert.Equal(TimeSpan.Zero, time.Offset);
        Assert.InRange(time, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

        // Never a PIN: not in any value (the time is left out, its digits are not a PIN) nor in the verb's output.
        var values = audit.EnumerateObject().Where(p => p.Name != "time").Select(p => p.Value.ToString());
        Assert.DoesNotContain(values, v => v.Contains(WrongPin, StringComparison.Ordinal) || v.Contains(TestPkiSetup.UserPin, StringComparison.Ordinal));
        Assert.DoesNotContain(WrongPin, list.Stdout + list.Stderr + clear.Stdout + clear.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clear_of_an_unknown_serial_fails_with_a_message_and_audits_nothing()
    {
        const string serial = "NO-SUCH-TOKEN-0001";

        var clear = await HelperProcess.RunToEndAsync(["pin-lock", "clear", serial, "--operator", "张工", StateArg], VerbTimeout);

        Assert.NotEqual(0, clear.ExitCode);
        Assert.NotEqual(64, clear.ExitCode);
        Assert.Contains(serial, clear.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing to clear", clear.Stderr, StringComparison.Ordinal);
        Assert.True(!File.Exists(AuditLog) || !File.ReadAllText(AuditLog).Contains(serial, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("clear", "SOME-SERIAL")]
    [InlineData("clear", "SOME-SERIAL", "--reason", "CA已重置")]
    [InlineData("clear", "SOME-SERIAL", "--operator")]
    [InlineData("clear", "SOME-SERIAL", "--operator", " ")]
    [InlineData("clear", "--operator", "张工")]
    [InlineData("clear", "A", "B", "--operator", "张工")]
    [InlineData("unlock", "SOME-SERIAL", "--operator", "张工")]
    [InlineData("list", "--frobnicate")]
    [InlineData]
    public async Task Bad_arguments_print_the_usage_and_exit_64(params string[] words)
    {
        var run = await HelperProcess.RunToEndAsync(["pin-lock", .. words, StateArg], VerbTimeout);

        Assert.Equal(64, run.ExitCode);
        Assert.Contains("usage:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("pin-lock clear SERIAL --operator NAME", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task List_says_so_when_no_token_has_wrong_pins()
    {
        var empty = Path.Combine(fixture.Directory, "empty-state-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(empty);

        var list = await HelperProcess.RunToEndAsync(["pin-lock", "list", $"--KeyHelper:StateDirectory={empty}"], VerbTimeout);

        Assert.Equal(0, list.ExitCode);
        Assert.Equal(["No wrong PINs counted: this key helper locks no token."], Lines(list.Stdout));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
