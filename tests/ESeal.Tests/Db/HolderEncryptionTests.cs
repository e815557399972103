using System.Security.Cryptography;
using System.Text;
using ESeal.Db.Demo;
using ESeal.Db.Infrastructure;
using ESeal.Db.MediumChange;
using ESeal.Db.Protection;
using ESeal.Db.Repositories;
using ESeal.Testing;
using Microsoft.Data.Sqlite;

namespace ESeal.Tests.Db;

/// <summary>
/// seal_bindings keeps the holder's ID number and phone encrypted at rest, with keyed hashes for
/// lookups and masked copies for screens (ARCHITECTURE §5), on a real SQLite file.
/// </summary>
public sealed class HolderEncryptionTests : IDisposable
{
    private const string IdNumber = "440106199001011235"; // not a demo legal representative's: enterprises keeps those in clear
    private const string Phone = "13912345678";
    private static readonly UsbKeyCertificate Certificate = new(new string('b', 64), new string('c', 64), "2A", "CN=ESeal Test Root CA", "CN=杭州云印信息技术有限公司");
    private static readonly SealHolder Holder = new("王建国", "居民身份证", IdNumber, Phone);

    private readonly SqliteDatabase fixture = new();
    private readonly DemoData.DemoEnterprise hz = DemoData.Hangzhou;

    public HolderEncryptionTests() => DemoData.SeedAsync(fixture.Database, TimeProvider.System).GetAwaiter().GetResult();

    private Guid UnboundSeal => hz.Seals.First(s => s.State == DemoData.DemoState.Unbound).Id;

    [Fact]
    public async Task A_binding_row_never_holds_the_plaintext_ID_number_or_phone_and_the_back_office_can_reveal_them()
    {
        var bindingId = await BindAsync(fixture.Database, UnboundSeal, "KEY-ENC-1");

        var columns = await RawRowAsync(bindingId);
        Assert.All(columns, c => Assert.DoesNotContain(IdNumber, c.Value ?? string.Empty, StringComparison.Ordinal));
        Assert.All(columns, c => Assert.DoesNotContain(Phone, c.Value ?? string.Empty, StringComparison.Ordinal));
        Assert.Null(columns["holder_id_number"]);
        Assert.Null(columns["holder_phone"]);
        Assert.StartsWith("pd1:", columns["holder_id_number_enc"], StringComparison.Ordinal);
        Assert.Equal("440106********1235", columns["holder_id_number_masked"]);
        Assert.Equal("139****5678", columns["holder_phone_masked"]);

        var binding = (await fixture.Database.ReadAsync(s => new BindingRepository(s).GetAsync(bindingId)))!;
        Assert.Equal(("440106********1235", "139****5678"), (binding.HolderIdNumberMasked, binding.HolderPhoneMasked));
        Assert.Equal(Holder, BindingRepository.RevealHolder(binding, fixture.Database.PersonalData));
    }

    [Fact]
    public async Task The_keyed_hash_finds_the_bindings_of_an_ID_number_or_phone_however_it_is_written()
    {
        var bindingId = await BindAsync(fixture.Database, UnboundSeal, "KEY-ENC-2", Holder with { IdNumber = "11010519491231002X" });

        var (byId, byPhone, byOther) = await fixture.Database.ReadAsync(async s =>
        {
            var bindings = new BindingRepository(s);
            return (
                await bindings.FindByHolderIdNumberAsync(" 11010519491231002x"),
                await bindings.FindByHolderPhoneAsync("+86 139-1234-5678"),
                await bindings.FindByHolderIdNumberAsync(IdNumber));
        });

        Assert.Equal(bindingId, Assert.Single(byId).Id);
        Assert.Equal(bindingId, Assert.Single(byPhone).Id);
        Assert.Empty(byOther);
    }

    [Fact]
    public async Task Rows_written_with_an_old_key_still_read_after_a_new_current_key_is_added()
    {
        var (k1, k2, hash) = (Key(), Key(), Key());
        var before = new Database(WithKeys(("2025", k1)));
        var oldBinding = await BindAsync(before, UnboundSeal, "KEY-ROT-1");

        var after = new Database(WithKeys(("2025", k1), ("2026", k2)));
        var otherSeal = await NewUnboundSealAsync();
        var newBinding = await BindAsync(after, otherSeal, "KEY-ROT-2");

        var (oldRow, newRow, found) = await after.ReadAsync(async s =>
        {
            var bindings = new BindingRepository(s);
            return (await bindings.GetAsync(oldBinding), await bindings.GetAsync(newBinding), await bindings.FindByHolderIdNumberAsync(IdNumber));
        });
        Assert.StartsWith("pd1:2025:", oldRow!.HolderIdNumberProtected, StringComparison.Ordinal);
        Assert.StartsWith("pd1:2026:", newRow!.HolderIdNumberProtected, StringComparison.Ordinal);
        Assert.Equal(Holder, BindingRepository.RevealHolder(oldRow, after.PersonalData));
        Assert.Equal(Holder, BindingRepository.RevealHolder(newRow, after.PersonalData));
        Assert.Equal(new[] { oldBinding, newBinding }.Order(), found.Select(b => b.Id).Order());
        Assert.ThrowsAny<CryptographicException>(() => BindingRepository.RevealHolder(oldRow, new Database(WithKeys(("2026", k2))).PersonalData));

        DatabaseOptions WithKeys(params (string Id, byte[] Key)[] keys)
        {
            var options = new DatabaseOptions { ConnectionString = fixture.Options.ConnectionString };
            foreach (var (id, key) in keys)
            {
                options.PersonalData.Keys[id] = Convert.ToBase64String(key);
            }

            options.PersonalData.CurrentKeyId = keys[^1].Id;
            options.PersonalData.HashKey = Convert.ToBase64String(hash);
            return options;
        }
    }

    [Fact]
    public async Task The_step_after_migration_encrypts_an_old_plaintext_row_clears_the_plaintext_and_a_rerun_changes_nothing()
    {
        // As 0001 wrote it: holder ID number and phone in clear.
        var bindingId = Guid.NewGuid();
        var medium = await fixture.Database.InTransactionAsync(s => new MediumRepository(s).GetOrCreateMobileAsync("KEY-OLD-1", DateTimeOffset.UtcNow));
        await fixture.Database.InTransactionAsync(s => s.ExecuteAsync(
            """
            INSERT INTO seal_bindings (id, seal_id, medium_id, active, channel, bound_at, holder_name, holder_id_type, holder_id_number, holder_phone, unbound_at, unbind_reason, version)
            VALUES (@bindingId, @sealId, @mediumId, 0, 'Kiosk', @at, '王建国', '居民身份证', @idNumber, @phone, @at, 'Unbind', 2)
            """,
            new { bindingId, sealId = UnboundSeal, mediumId = medium.Id, at = DateTimeOffset.UtcNow, idNumber = IdNumber.ToLowerInvariant(), phone = "139 1234 5678" }));
        using var pool = KeepOpen();

        var first = Migrator.Migrate(fixture.Options);
        var converted = await RawRowAsync(bindingId);
        var second = Migrator.Migrate(fixture.Options);

        Assert.True(first.Successful, first.Error);
        Assert.Equal(1, first.ConvertedBindings);
        Assert.Null(converted["holder_id_number"]);
        Assert.Null(converted["holder_phone"]);
        Assert.Equal("440106********1235", converted["holder_id_number_masked"]);
        var binding = (await fixture.Database.ReadAsync(s => new BindingRepository(s).GetAsync(bindingId)))!;
        Assert.Equal(Holder, BindingRepository.RevealHolder(binding, fixture.Database.PersonalData));
        Assert.Contains(await fixture.Database.ReadAsync(s => new BindingRepository(s).FindByHolderIdNumberAsync(IdNumber)), b => b.Id == bindingId);
        AssertFilesDoNotContain(IdNumber.ToLowerInvariant(), "139 1234 5678");

        Assert.True(second.Successful, second.Error);
        Assert.Equal(0, second.ConvertedBindings);
        Assert.Equal(converted, await RawRowAsync(bindingId));
    }

    [Fact]
    public void The_conversion_update_parses_as_T_SQL() =>
        Assert.Empty(SqlServerSqlTests.ParseErrors(PlaintextHolderConversion.UpdateSql));

    [Fact]
    public async Task SQLite_sessions_overwrite_deleted_content()
    {
        var secureDelete = await fixture.Database.ReadAsync(s => s.ExecuteScalarAsync<long>("PRAGMA secure_delete"));
        Assert.Equal(1, secureDelete);
    }

    [Fact]
    public void Citizen_pages_never_reveal_personal_data()
    {
        var pages = Path.Combine(RepoRoot(), "web", "Pages");
        var revealing = Directory.EnumerateFiles(pages, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal))
            .Where(f => !Path.GetRelativePath(pages, f).StartsWith("Admin", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("Reveal", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(revealing);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        fixture.Dispose();
    }

    private static byte[] Key() => RandomNumberGenerator.GetBytes(PersonalDataProtector.KeySize);

    private static async Task<Guid> BindAsync(Database database, Guid sealId, string tokenSerial, SealHolder? holder = null)
    {
        var operation = Guid.NewGuid();
        var outcome = await new MediumChangeCommands(database, TimeProvider.System).BindUsbKeyAsync(
            new BindUsbKeyCommand(operation, operation, DemoData.Hangzhou.Id, sealId, tokenSerial, Certificate with { Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tokenSerial))), KeyId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("key:" + tokenSerial))) }, holder ?? Holder, "Kiosk", null, "test"));
        Assert.True(outcome.Succeeded, outcome.Message);
        return outcome.BindingId!.Value;
    }

    private async Task<Guid> NewUnboundSealAsync() =>
        (await fixture.Database.ReadAsync(s => new SealRepository(s).ListByEnterpriseAsync(hz.Id)))
            .First(s => s.Status == SealStatus.Unbound && s.Id != UnboundSeal).Id;

    /// <summary>Every column of the row as SQLite stores it, read past the repository.</summary>
    private async Task<Dictionary<string, string?>> RawRowAsync(Guid id)
    {
        await using var connection = new SqliteConnection(fixture.Options.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM seal_bindings WHERE id = $id";
        command.Parameters.AddWithValue("$id", id.ToString());
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no binding {id}");
        return Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>An idle pooled-like connection, so the -wal file is not simply deleted when the test's own connections close.</summary>
    private SqliteConnection KeepOpen()
    {
        var connection = new SqliteConnection(fixture.Options.ConnectionString);
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT count(*) FROM sqlite_master";
        read.ExecuteScalar();
        return connection;
    }

    private void AssertFilesDoNotContain(params string[] values)
    {
        var file = new SqliteConnectionStringBuilder(fixture.Options.ConnectionString).DataSource;
        foreach (var path in new[] { file, file + "-wal" }.Where(File.Exists))
        {
            var bytes = File.ReadAllBytes(path);
            foreach (var value in values)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) < 0, $"{Path.GetFileName(path)} still holds {value}");
            }
        }
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ESeal.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("ESeal.sln not found above the test binaries.");
    }
}
