using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace ESeal.Db.Protection;

/// <summary>
/// Encrypts personal data kept at rest (AES-256-GCM, authenticated) and makes keyed hashes of it
/// (HMAC-SHA256) for equality lookups. A protected value reads <c>pd1:&lt;key id&gt;:&lt;base64url
/// nonce‖ciphertext‖tag&gt;</c>; the key id lets keys rotate: new values use the current key, values
/// written with an older configured key still decrypt. The purpose (column and row) is bound in as
/// associated data, so a value copied to another column or row does not decrypt.
/// <para>
/// <see cref="Reveal"/> is for the back office only (roles that need the full value); citizen pages
/// show the masked copies stored beside the ciphertext.
/// </para>
/// </summary>
public sealed partial class PersonalDataProtector
{
    public const int KeySize = 32;
    private const string Format = "pd1";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly Dictionary<string, byte[]> keys;
    private readonly byte[] hashKey;

    public PersonalDataProtector(IReadOnlyDictionary<string, byte[]> keys, string currentKeyId, byte[] hashKey)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(hashKey);
        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one key is needed.", nameof(keys));
        }

        foreach (var (id, key) in keys)
        {
            if (!IsValidKeyId(id) || key.Length != KeySize)
            {
                throw new ArgumentException($"Key '{id}' needs an id of 1–32 letters, digits, '-' or '_' and {KeySize} bytes.", nameof(keys));
            }
        }

        if (!keys.ContainsKey(currentKeyId))
        {
            throw new ArgumentException($"The current key '{currentKeyId}' is not among the keys.", nameof(currentKeyId));
        }

        if (hashKey.Length < KeySize)
        {
            throw new ArgumentException($"The hash key needs at least {KeySize} bytes.", nameof(hashKey));
        }

        this.keys = keys.ToDictionary(k => k.Key, k => k.Value.ToArray(), StringComparer.Ordinal);
        this.hashKey = hashKey.ToArray();
        CurrentKeyId = currentKeyId;
    }

    /// <summary>The key id new values are encrypted with.</summary>
    public string CurrentKeyId { get; }

    public IReadOnlyCollection<string> KeyIds => keys.Keys;

    public static bool IsValidKeyId(string? id) => id is not null && KeyIdPattern().IsMatch(id);

    /// <summary>The encrypted form of <paramref name="plaintext"/> (null stays null).</summary>
    /// <param name="purpose">What the value is and whose (e.g. column and row id); the same purpose is needed to reveal it.</param>
    public string? Protect(string? plaintext, string purpose)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        if (plaintext is null)
        {
            return null;
        }

        var data = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + data.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(keys[CurrentKeyId], TagSize))
        {
            aes.Encrypt(nonce, data, sealedBytes.AsSpan(NonceSize, data.Length), sealedBytes.AsSpan(NonceSize + data.Length), Aad(CurrentKeyId, purpose));
        }

        CryptographicOperations.ZeroMemory(data);
        return $"{Format}:{CurrentKeyId}:{Base64Url.EncodeToString(sealedBytes)}";
    }

    /// <summary>
    /// The plaintext of a protected value. Back office only. Throws <see cref="CryptographicException"/>
    /// when the value was changed, belongs to another purpose, or its key is not configured.
    /// </summary>
    public string Reveal(string protectedValue, string purpose)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        var (keyId, sealedBytes) = Split(protectedValue);
        if (!keys.TryGetValue(keyId, out var key))
        {
            throw new CryptographicException($"Personal data was encrypted with key '{keyId}', which is not configured (Database:PersonalData:Keys).");
        }

        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The protected value is too short.");
        }

        var length = sealedBytes.Length - NonceSize - TagSize;
        var plain = new byte[length];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, length), sealedBytes.AsSpan(NonceSize + length), plain, Aad(keyId, purpose));
            return Encoding.UTF8.GetString(plain);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>The key id a protected value was written with (for re-encryption after a rotation).</summary>
    public static string KeyIdOf(string protectedValue) => Split(protectedValue).KeyId;

    /// <summary>Keyed hash (lower-case hex HMAC-SHA256) of <paramref name="value"/> for equality lookups; null stays null.</summary>
    /// <param name="kind">What the value is (e.g. "holder_id_number"): equal values of different kinds hash differently.</param>
    public string? Hash(string? value, string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        if (value is null)
        {
            return null;
        }

        var mac = HMACSHA256.HashData(hashKey, Encoding.UTF8.GetBytes($"{Format}\n{kind}\n{value}"));
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>A protector with fresh random keys that live as long as the process (in-memory databases).</summary>
    public static PersonalDataProtector CreateEphemeral() =>
        new(new Dictionary<string, byte[]> { ["ephemeral"] = RandomNumberGenerator.GetBytes(KeySize) }, "ephemeral", RandomNumberGenerator.GetBytes(KeySize));

    /// <summary>From configured keys; throws naming the setting when they are unusable.</summary>
    public static PersonalDataProtector FromConfiguredKeys(PersonalDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.ConfiguredKeyProblems();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Personal-data keys are not usable:\n- " + string.Join("\n- ", problems));
        }

        var current = string.IsNullOrWhiteSpace(options.CurrentKeyId) ? options.Keys.Keys.Single() : options.CurrentKeyId;
        return new PersonalDataProtector(
            options.Keys.ToDictionary(k => k.Key, k => PersonalDataOptions.Decode(k.Value)!, StringComparer.Ordinal),
            current,
            PersonalDataOptions.Decode(options.HashKey)!);
    }

    /// <summary>
    /// The protector for a database: configured keys when there are any; otherwise (Development,
    /// demo, tests) a generated key file — <see cref="PersonalDataOptions.KeyFile"/>, else one beside
    /// the SQLite file — or throwaway keys for an in-memory SQLite database. A SQL Server database
    /// without configured keys or key file has no protector (the error names the settings).
    /// </summary>
    public static PersonalDataProtector For(PersonalDataOptions options, Infrastructure.DatabaseProvider provider, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.HasConfiguredKeys)
        {
            return FromConfiguredKeys(options);
        }

        var file = options.KeyFile;
        if (string.IsNullOrWhiteSpace(file) && provider == Infrastructure.DatabaseProvider.Sqlite)
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:")
            {
                return CreateEphemeral();
            }

            file = Path.GetFullPath(builder.DataSource) + ".personal-data-keys.json";
        }

        if (string.IsNullOrWhiteSpace(file))
        {
            throw new InvalidOperationException($"No personal-data keys: configure {PersonalDataOptions.Section}:Keys, :CurrentKeyId and :HashKey (or, outside Production, {PersonalDataOptions.Section}:KeyFile).");
        }

        return FromKeyFile(file);
    }

    /// <summary>Reads the generated key file, creating it (owner-only) when missing.</summary>
    public static PersonalDataProtector FromKeyFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            var id = "gen-" + DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
            var generated = new KeyFileContent(id, new Dictionary<string, string> { [id] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeySize)) }, Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeySize)));
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var stream = new FileStream(path, options);
                JsonSerializer.Serialize(stream, generated, KeyFileJson);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }

        KeyFileContent? content = null;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var stream = File.OpenRead(path);
                content = JsonSerializer.Deserialize<KeyFileContent>(stream, KeyFileJson);
                break;
            }
            catch (JsonException) when (attempt < 5)
            {
                Thread.Sleep(100); // another process created the file a moment ago and is still writing it
            }
        }

        if (content is null)
        {
            throw new InvalidOperationException($"The personal-data key file {path} is empty.");
        }

        var fromFile = new PersonalDataOptions { Keys = new Dictionary<string, string>(content.Keys ?? [], StringComparer.Ordinal), CurrentKeyId = content.CurrentKeyId, HashKey = content.HashKey };
        var problems = fromFile.ConfiguredKeyProblems();
        return problems.Count > 0
            ? throw new InvalidOperationException($"The personal-data key file {path} is not usable:\n- " + string.Join("\n- ", problems))
            : FromConfiguredKeys(fromFile);
    }

    private sealed record KeyFileContent(string CurrentKeyId, Dictionary<string, string> Keys, string HashKey);

    private static readonly JsonSerializerOptions KeyFileJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static byte[] Aad(string keyId, string purpose) => Encoding.UTF8.GetBytes($"{Format}\n{keyId}\n{purpose}");

    private static (string KeyId, byte[] Sealed) Split(string protectedValue)
    {
        var parts = protectedValue.Split(':');
        if (parts.Length != 3 || parts[0] != Format || !IsValidKeyId(parts[1]))
        {
            throw new CryptographicException("Not a protected personal-data value.");
        }

        try
        {
            return (parts[1], Base64Url.DecodeFromChars(parts[2]));
        }
        catch (FormatException ex)
        {
            throw new CryptographicException("The protected value is not valid base64url.", ex);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex KeyIdPattern();
}
