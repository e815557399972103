using System.Text;
using System.Text.Json;
using ESeal.Db.Demo;
using ESeal.Db.Flows;
using ESeal.Db.MediumChange;
using ESeal.Db.Repositories;
using ESeal.Workflows.Activities;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Jobs;
using ESeal.Workflows.Runtime;
using Microsoft.Data.Sqlite;
using static ESeal.Workflows.Tests.FlowHarness;

namespace ESeal.Workflows.Tests;

/// <summary>
/// A flow instance forgets the holder's name, ID number and phone when it ends (ARCHITECTURE §5),
/// in the transaction that ends it, and the SQLite files do not keep the old values.
/// The holder is the one <see cref="FlowHarness.BindToPinAsync"/> enters.
/// </summary>
public sealed class PersonalDataTests
{
    private const string IdNumber = "11010519491231002X";
    private const string Phone = "13800138000";
    private const string Name = "张三";
    private static readonly Guid UnboundSeal = DemoData.Hangzhou.Seals[0].Id;

    [Fact]
    public async Task A_finished_bind_flow_forgets_the_holder_and_the_database_files_hold_no_ID_number_or_phone()
    {
        using var h = await CreateAsync();
        using var pool = KeepOpen(h);
        var view = await h.BindToPinAsync(UnboundSeal);
        await CheckpointAsync(h); // as SQLite's automatic checkpoint may do mid-flow: the ID number reaches the main file
        view = await h.AdvanceAsync(view, await h.SignedProofAsync(view, TestPki.Instance.RsaLeaf));
        view = await h.PassFaceAsync(view);
        Assert.Equal(FlowStatus.Completed, view.Status);

        await AssertForgottenAsync(h, view.InstanceId);
        Assert.Equal("110105********002X", view.Variables[FlowVars.HolderIdNumberMasked]);
        Assert.Equal("138****8000", view.Variables[FlowVars.HolderPhoneMasked]);
        Assert.Equal("张*", view.Variables[FlowVars.HolderNameMasked]);
        Assert.Equal(("杭州云印信息技术有限公司", "单位公章"), (view.Variables[FlowVars.EnterpriseName], view.Variables[FlowVars.SealType]));

        // The binding keeps the holder, encrypted: found by keyed hash, masked on screen, revealed only with the keys.
        var binding = Assert.Single(await h.Database.ReadAsync(s => new BindingRepository(s).FindByHolderIdNumberAsync(IdNumber.ToLowerInvariant())));
        Assert.Equal(UnboundSeal, binding.SealId);
        Assert.Equal("110105********002X", binding.HolderIdNumberMasked);
        Assert.Equal(IdNumber, BindingRepository.RevealHolder(binding, h.Database.PersonalData)!.IdNumber);
        AssertFilesDoNotContain(h, IdNumber, Phone);
    }

    [Fact]
    public async Task A_failed_bind_flow_forgets_the_holder()
    {
        using var h = await CreateAsync();
        using var pool = KeepOpen(h);
        var view = await h.BindToPinAsync(UnboundSeal);

        // Another kiosk binds the chosen seal meanwhile: this flow's commit fails and it ends on the failure page.
        var other = Guid.NewGuid();
        var won = await new MediumChangeCommands(h.Database, h.Clock).BindUsbKeyAsync(new BindUsbKeyCommand(
            other, null, DemoData.Hangzhou.Id, UnboundSeal, "OTHER-KEY", new UsbKeyCertificate(new string('a', 64), new string('e', 64), "02", "CN=CA", "CN=E"),
            new SealHolder("李四", "居民身份证", "110101199003074514", "13912345678"), "Kiosk", null, "other-kiosk"));
        Assert.True(won.Succeeded, won.Message);

        view = await h.AdvanceAsync(view, await h.SignedProofAsync(view, TestPki.Instance.RsaLeaf));
        view = await h.PassFaceAsync(view);
        Assert.Equal(FlowStatus.Failed, view.Status);

        await AssertForgottenAsync(h, view.InstanceId);
        AssertFilesDoNotContain(h, IdNumber, Phone, "110101199003074514", "13912345678");
    }

    [Fact]
    public async Task An_instance_expired_by_the_job_forgets_the_holder_in_the_same_update()
    {
        using var h = await CreateAsync();
        using var pool = KeepOpen(h);
        using var http = new HttpClient();
        var view = await h.BindToPinAsync(UnboundSeal);
        Assert.Contains(IdNumber, (await RowAsync(h, view.InstanceId)).Variables, StringComparison.Ordinal);
        await CheckpointAsync(h);

        h.Clock.Advance(TimeSpan.FromMinutes(31));
        var jobs = new FlowJobs(h.Database, h.Clock, h.Faces, http, new OutboxOptions());
        Assert.Equal(1, await jobs.ExpireAbandonedInstancesAsync());

        var row = await RowAsync(h, view.InstanceId);
        Assert.Equal(FlowStatus.Expired, row.Status);
        await AssertForgottenAsync(h, view.InstanceId);
        AssertFilesDoNotContain(h, IdNumber, Phone);
        Assert.False(await jobs.ExpireInstanceAsync(view.InstanceId)); // twice = once
    }

    [Fact]
    public async Task Ended_instances_from_before_still_holding_personal_data_are_scrubbed_by_the_job_and_a_rerun_changes_nothing()
    {
        using var h = await CreateAsync();
        using var pool = KeepOpen(h);
        using var http = new HttpClient();
        var view = await h.BindToPinAsync(UnboundSeal);

        // As an older version left it: ended, variables intact.
        await h.Database.InTransactionAsync(s => s.ExecuteAsync("UPDATE flow_instances SET status = 'Failed' WHERE id = @id", new { id = view.InstanceId }));
        var jobs = new FlowJobs(h.Database, h.Clock, h.Faces, http, new OutboxOptions());

        Assert.Equal(1, await jobs.ForgetEndedInstancesPersonalDataAsync());
        var once = await RowAsync(h, view.InstanceId);
        Assert.Equal(0, await jobs.ForgetEndedInstancesPersonalDataAsync());
        Assert.Equal(once, await RowAsync(h, view.InstanceId));
        await AssertForgottenAsync(h, view.InstanceId);
        AssertFilesDoNotContain(h, IdNumber, Phone);
    }

    [Fact]
    public void Forgetting_keeps_masked_copies_and_what_the_result_page_shows()
    {
        var values = new Dictionary<string, string>
        {
            [FlowVars.HolderName] = "欧阳娜娜",
            [FlowVars.HolderIdType] = "居民身份证",
            [FlowVars.HolderIdNumber] = IdNumber,
            [FlowVars.HolderPhone] = Phone,
            [FlowVars.Certificates] = "[{\"der\":\"MII...\"}]",
            [FlowVars.EnterpriseName] = "杭州云印信息技术有限公司",
            [FlowVars.CreditCode] = DemoData.Hangzhou.CreditCode,
            [FlowVars.LegalRepName] = "王建国",
            [FlowVars.SealType] = "单位公章",
            [FlowVars.ResultAt] = "2026-01-01T00:00:00.0000000+00:00",
        };

        var forgotten = JsonSerializer.Deserialize<Dictionary<string, string>>(FlowVars.ForgetPersonal(JsonSerializer.Serialize(values)))!;

        Assert.DoesNotContain(forgotten, kv => FlowVars.Personal.Contains(kv.Key));
        Assert.Equal(("欧**娜", "110105********002X", "138****8000"), (forgotten[FlowVars.HolderNameMasked], forgotten[FlowVars.HolderIdNumberMasked], forgotten[FlowVars.HolderPhoneMasked]));
        foreach (var kept in new[] { FlowVars.EnterpriseName, FlowVars.CreditCode, FlowVars.LegalRepName, FlowVars.SealType, FlowVars.ResultAt, FlowVars.HolderIdType })
        {
            Assert.Equal(values[kept], forgotten[kept]);
        }

        var again = JsonSerializer.Serialize(forgotten);
        Assert.Equal(again, FlowVars.ForgetPersonal(again));
    }

    /// <summary>
    /// An idle open connection, as the connection pool keeps in production: without one, SQLite
    /// checkpoints and deletes the -wal file when the test's last (unpooled) connection closes,
    /// which would hide what the log still holds.
    /// </summary>
    private static SqliteConnection KeepOpen(FlowHarness h)
    {
        var connection = new SqliteConnection(h.Db.Options.ConnectionString);
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT count(*) FROM sqlite_master"; // SQLite opens the file on the first statement
        read.ExecuteScalar();
        return connection;
    }

    private static async Task CheckpointAsync(FlowHarness h)
    {
        await using var connection = new SqliteConnection(h.Db.Options.ConnectionString);
        await connection.OpenAsync();
        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(FULL);";
        await checkpoint.ExecuteNonQueryAsync();
        Assert.True(File.ReadAllBytes(new SqliteConnectionStringBuilder(h.Db.Options.ConnectionString).DataSource).AsSpan().IndexOf(Encoding.UTF8.GetBytes(IdNumber)) >= 0);
    }

    private static async Task<FlowInstanceRow> RowAsync(FlowHarness h, Guid id) =>
        (await h.Database.ReadAsync(s => new FlowInstanceRepository(s).GetAsync(id)))!;

    private static async Task AssertForgottenAsync(FlowHarness h, Guid instanceId)
    {
        var row = await RowAsync(h, instanceId);
        Assert.NotEqual(FlowStatus.Running, row.Status);
        var variables = JsonSerializer.Deserialize<Dictionary<string, string>>(row.Variables)!;
        foreach (var key in FlowVars.Personal)
        {
            Assert.False(variables.ContainsKey(key), $"{key} is still in the ended instance's variables");
        }

        Assert.DoesNotContain(IdNumber, row.Variables, StringComparison.Ordinal);
        Assert.DoesNotContain(Phone, row.Variables, StringComparison.Ordinal);
        Assert.DoesNotContain(Name, row.Variables, StringComparison.Ordinal);
    }

    /// <summary>The raw bytes of the database file and its write-ahead log, as a disk image would show them.</summary>
    private static void AssertFilesDoNotContain(FlowHarness h, params string[] values)
    {
        var file = new SqliteConnectionStringBuilder(h.Db.Options.ConnectionString).DataSource;
        foreach (var path in new[] { file, file + "-wal", file + "-journal" }.Where(File.Exists))
        {
            var bytes = File.ReadAllBytes(path);
            foreach (var value in values)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) < 0, $"{Path.GetFileName(path)} ({bytes.Length} bytes) still holds {value}");
            }
        }
    }
}
