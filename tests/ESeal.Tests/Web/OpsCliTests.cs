using ESeal.Web.Cli;

namespace ESeal.Tests.Web;

public sealed class OpsCliTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "eseal-tests", "cli-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Unknown_verb_prints_usage_and_fails()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await OpsCli.RunAsync(["frobnicate"], output, error);

        Assert.NotEqual(0, code);
        Assert.Contains("Unknown verb 'frobnicate'", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("migrate", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("seed-demo", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_then_seed_demo_work_and_are_idempotent()
    {
        Directory.CreateDirectory(directory);
        var cs = $"--Database:ConnectionString=Data Source={Path.Combine(directory, "cli.db")};Pooling=False";
        using var output = new StringWriter();
        using var error = new StringWriter();

        var migrate = await OpsCli.RunAsync(["migrate", cs], output, error);
        var migrateAgain = await OpsCli.RunAsync(["migrate", cs], output, error);
        var seed = await OpsCli.RunAsync(["seed-demo", cs], output, error);
        var seedAgain = await OpsCli.RunAsync(["seed-demo", cs], output, error);

        Assert.Equal([0, 0, 0, 0], new[] { migrate, migrateAgain, seed, seedAgain });
        var text = output.ToString();
        Assert.Contains("Sqlite: applied", text, StringComparison.Ordinal);
        Assert.Contains("Sqlite: up to date.", text, StringComparison.Ordinal);
        Assert.Contains("Demo data: 3 enterprise(s) added", text, StringComparison.Ordinal);
        Assert.Contains("Demo data: 0 enterprise(s) added, 3 already there.", text, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(directory, "cli.db")));
    }

    [Fact]
    public async Task An_operator_clears_a_pin_lock_and_the_clearing_is_audited()
    {
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "lock.db");
        var cs = $"--Database:ConnectionString=Data Source={file};Pooling=False";
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, await OpsCli.RunAsync(["migrate", cs], output, error));
        var db = new ESeal.Db.Infrastructure.Database(new() { ConnectionString = $"Data Source={file};Pooling=False" });
        for (var i = 0; i < 5; i++)
        {
            await db.InTransactionAsync(s => new ESeal.Db.Repositories.PinCounterRepository(s).RecordFailureAsync(ESeal.Db.Repositories.PinCounterScope.Key, "key-of-locked", "kiosk-session", "LOCKED-KEY", 5, false, DateTimeOffset.UtcNow));
        }

        var list = await OpsCli.RunAsync(["pin-lock", "list", cs], output, error);
        var clear = await OpsCli.RunAsync(["pin-lock", "clear", "LOCKED-KEY", "--operator", "张工", cs], output, error);
        var again = await OpsCli.RunAsync(["pin-lock", "clear", "LOCKED-KEY", "--operator", "张工", cs], output, error);
        var noOperator = await OpsCli.RunAsync(["pin-lock", "clear", "LOCKED-KEY", cs], output, error);

        Assert.Equal([0, 0, 1, 64], new[] { list, clear, again, noOperator });
        Assert.Contains("LOCKED-KEY\tkey key-of-locked\tlocked", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("PIN lock of LOCKED-KEY cleared by 张工.", output.ToString(), StringComparison.Ordinal);
        var state = await db.ReadAsync(s => new ESeal.Db.Repositories.PinCounterRepository(s).StateAsync("key-of-locked", "another-kiosk", 5));
        Assert.False(state.Locked);
        var audit = await db.ReadAsync(s => new ESeal.Db.Repositories.AuditLog(s).ListAsync());
        var cleared = Assert.Single(audit, a => a.Kind == ESeal.Db.Repositories.AuditKinds.PinLockCleared);
        Assert.Equal("operator:张工", cleared.Actor);
    }

    [Fact]
    public async Task Staff_enroll_list_and_revoke_a_kiosk_key_helper_and_bad_keys_are_refused()
    {
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "helpers.db");
        var cs = $"--Database:ConnectionString=Data Source={file};Pooling=False";
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var spki = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        var keyId = ESeal.Workflows.Proof.PinReport.KeyIdOf(key.ExportSubjectPublicKeyInfo());
        Assert.Equal(0, await OpsCli.RunAsync(["migrate", cs], output, error));

        var enroll = await OpsCli.RunAsync(["helpers", "enroll", "--key", spki, "--hall", "西湖区市民中心", "--kiosk", "K-07", "--operator", "张工", cs], output, error);
        var twice = await OpsCli.RunAsync(["helpers", "enroll", "--key", spki, "--hall", "西湖区市民中心", "--kiosk", "K-07", "--operator", "张工", cs], output, error);
        var garbage = await OpsCli.RunAsync(["helpers", "enroll", "--key", "bm90LWEta2V5", "--hall", "H", "--kiosk", "K", "--operator", "张工", cs], output, error);
        var noHall = await OpsCli.RunAsync(["helpers", "enroll", "--key", spki, "--kiosk", "K", "--operator", "张工", cs], output, error);
        var list = await OpsCli.RunAsync(["helpers", "list", cs], output, error);
        var revoke = await OpsCli.RunAsync(["helpers", "revoke", keyId, "--operator", "李工", cs], output, error);
        var revokeAgain = await OpsCli.RunAsync(["helpers", "revoke", keyId, "--operator", "李工", cs], output, error);

        Assert.Equal([0, 1, 65, 64, 0, 0, 1], new[] { enroll, twice, garbage, noHall, list, revoke, revokeAgain });
        Assert.Contains($"{keyId}\t西湖区市民中心\tK-07", output.ToString(), StringComparison.Ordinal);
        var db = new ESeal.Db.Infrastructure.Database(new() { ConnectionString = $"Data Source={file};Pooling=False" });
        Assert.Null(await db.ReadAsync(s => new ESeal.Db.Repositories.EnrolledHelperRepository(s).FindActiveAsync(keyId)));
        var audit = await db.ReadAsync(s => new ESeal.Db.Repositories.AuditLog(s).ListAsync());
        Assert.Equal(["operator:张工", "operator:李工"], audit.Where(a => a.Kind is "HelperEnrolled" or "HelperRevoked").Select(a => a.Actor));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Nothing to clean, or a lingering handle: neither fails a test.
        }
    }
}
