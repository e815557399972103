using System.Buffers.Text;
using System.Security.Cryptography;
using ESeal.Db.Protection;

namespace ESeal.Tests.Db;

/// <summary>AES-GCM protection with key ids (rotation), keyed hashes, configuration and the development key file.</summary>
public sealed class PersonalDataProtectorTests : IDisposable
{
    private const string Purpose = "seal_bindings.holder_id_number/7d0c3c52-6e0e-4b7e-9a55-1b3a7d1e2f10";
    private const string IdNumber = "11010519491231002X";
    private readonly string directory = Path.Combine(Path.GetTempPath(), "eseal-tests", "pd-" + Guid.NewGuid().ToString("N"));

    internal static PersonalDataProtector Protector(string current, byte[] hashKey, params (string Id, byte[] Key)[] keys) =>
        new(keys.ToDictionary(k => k.Id, k => k.Key), current, hashKey);

    private static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void A_value_round_trips_and_its_ciphertext_names_the_key_and_hides_the_value()
    {
        var p = Protector("k1", NewKey(), ("k1", NewKey()));

        var once = p.Protect(IdNumber, Purpose)!;
        var twice = p.Protect(IdNumber, Purpose)!;

        Assert.StartsWith("pd1:k1:", once, StringComparison.Ordinal);
        Assert.DoesNotContain("19491231", once, StringComparison.Ordinal);
        Assert.NotEqual(once, twice); // a fresh nonce each time
        Assert.Equal(IdNumber, p.Reveal(once, Purpose));
        Assert.Equal(IdNumber, p.Reveal(twice, Purpose));
        Assert.Equal("k1", PersonalDataProtector.KeyIdOf(once));
        Assert.Null(p.Protect(null, Purpose));
        Assert.Equal("张三", p.Reveal(p.Protect("张三", Purpose)!, Purpose));
    }

    [Fact]
    public void A_tampered_ciphertext_or_one_moved_to_another_purpose_does_not_decrypt()
    {
        var p = Protector("k1", NewKey(), ("k1", NewKey()));
        var value = p.Protect(IdNumber, Purpose)!;
        var bytes = Base64Url.DecodeFromChars(value.Split(':')[2]);

        foreach (var at in new[] { 0, 12, 14, bytes.Length - 1 }) // nonce, ciphertext, tag
        {
            var changed = bytes.ToArray();
            changed[at] ^= 0x01;
            var tampered = $"pd1:k1:{Base64Url.EncodeToString(changed)}";
            Assert.ThrowsAny<CryptographicException>(() => p.Reveal(tampered, Purpose));
        }

        Assert.ThrowsAny<CryptographicException>(() => p.Reveal(value, "seal_bindings.holder_phone/7d0c3c52-6e0e-4b7e-9a55-1b3a7d1e2f10"));
        Assert.ThrowsAny<CryptographicException>(() => p.Reveal(value, "seal_bindings.holder_id_number/00000000-0000-0000-0000-000000000001"));
        Assert.ThrowsAny<CryptographicException>(() => p.Reveal(value[..^4], Purpose));
        Assert.ThrowsAny<CryptographicException>(() => p.Reveal(IdNumber, Purpose));
    }

    [Fact]
    public void After_a_rotation_values_written_with_the_old_key_still_decrypt_and_new_ones_use_the_new_key()
    {
        var (k1, k2, hash) = (NewKey(), NewKey(), NewKey());
        var before = Protector("k1", hash, ("k1", k1));
        var old = before.Protect(IdNumber, Purpose)!;

        var after = Protector("k2", hash, ("k1", k1), ("k2", k2));
        var fresh = after.Protect(IdNumber, Purpose)!;

        Assert.Equal(IdNumber, after.Reveal(old, Purpose));
        Assert.StartsWith("pd1:k2:", fresh, StringComparison.Ordinal);
        Assert.Equal(IdNumber, after.Reveal(fresh, Purpose));
        var withoutOld = Protector("k2", hash, ("k2", k2));
        var ex = Assert.ThrowsAny<CryptographicException>(() => withoutOld.Reveal(old, Purpose));
        Assert.Contains("'k1'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before.Hash(IdNumber, "holder_id_number"), after.Hash(IdNumber, "holder_id_number")); // the hash key does not rotate
    }

    [Fact]
    public void Keyed_hashes_are_equal_for_equal_values_and_differ_by_kind_and_by_key()
    {
        var hash = NewKey();
        var p = Protector("k1", hash, ("k1", NewKey()));
        var sameHashKey = Protector("other", hash, ("other", NewKey()));
        var otherHashKey = Protector("k1", NewKey(), ("k1", NewKey()));

        var h = p.Hash(IdNumber, "holder_id_number");

        Assert.Matches("^[0-9a-f]{64}$", h);
        Assert.Equal(h, p.Hash(IdNumber, "holder_id_number"));
        Assert.Equal(h, sameHashKey.Hash(IdNumber, "holder_id_number"));
        Assert.NotEqual(h, p.Hash("110105194912310037", "holder_id_number"));
        Assert.NotEqual(h, p.Hash(IdNumber, "holder_phone"));
        Assert.NotEqual(h, otherHashKey.Hash(IdNumber, "holder_id_number"));
        Assert.NotEqual(Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(IdNumber))), h);
        Assert.Null(p.Hash(null, "holder_id_number"));
    }

    [Fact]
    public void Configured_keys_are_checked_and_each_problem_names_its_setting()
    {
        var none = new PersonalDataOptions().ConfiguredKeyProblems();
        Assert.Equal(2, none.Count);
        Assert.StartsWith("Database:PersonalData:Keys is empty", none[0], StringComparison.Ordinal);
        Assert.StartsWith("Database:PersonalData:HashKey is not set", none[1], StringComparison.Ordinal);

        var several = new PersonalDataOptions
        {
            Keys = { ["k1"] = Convert.ToBase64String(NewKey()), ["k 2"] = "not base64", ["k3"] = Convert.ToBase64String(new byte[16]) },
            HashKey = Convert.ToBase64String(new byte[8]),
        };
        var problems = several.ConfiguredKeyProblems();
        Assert.Contains(problems, p => p.StartsWith("Database:PersonalData:Keys:k 2: a key id", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Database:PersonalData:Keys:k 2 is not 32 bytes", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Database:PersonalData:Keys:k3 is not 32 bytes", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Database:PersonalData:CurrentKeyId is not set", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Database:PersonalData:HashKey is not at least 32 bytes", StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(() => PersonalDataProtector.FromConfiguredKeys(several));

        var good = new PersonalDataOptions { Keys = { ["2026a"] = Convert.ToBase64String(NewKey()) }, HashKey = Convert.ToBase64String(NewKey()) };
        Assert.Empty(good.ConfiguredKeyProblems());
        Assert.Equal("2026a", PersonalDataProtector.FromConfiguredKeys(good).CurrentKeyId);
        good.CurrentKeyId = "2025z";
        Assert.Contains(good.ConfiguredKeyProblems(), p => p.StartsWith("Database:PersonalData:CurrentKeyId names 2025z", StringComparison.Ordinal));
    }

    [Fact]
    public void The_development_key_file_is_generated_once_for_its_owner_only_and_then_reused()
    {
        var path = Path.Combine(directory, "keys.json");

        var first = PersonalDataProtector.FromKeyFile(path);
        var second = PersonalDataProtector.FromKeyFile(path);
        var value = first.Protect(IdNumber, Purpose)!;

        Assert.Equal(first.CurrentKeyId, second.CurrentKeyId);
        Assert.Equal(IdNumber, second.Reveal(value, Purpose));
        Assert.Equal(first.Hash(IdNumber, "holder_id_number"), second.Hash(IdNumber, "holder_id_number"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
