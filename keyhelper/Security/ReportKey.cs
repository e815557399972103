using System.Security.Cryptography;
using System.Text;

namespace ESeal.KeyHelper.Security;

/// <summary>
/// The helper's own ECDSA P-256 key that signs PIN reports (<see cref="Signing.PinReport"/>).
/// A wrong PIN produces no signature by the user's key, so only the helper can vouch that "the
/// token refused this PIN"; hall staff enrol this key's public half with the portal, which then
/// counts signed reports per key instead of believing whatever a page posts.
/// Created on first start in StateDirectory/report-key.pem (PKCS#8 PEM, mode 0600 on Unix), reused
/// afterwards. A file that cannot be read as a P-256 private key stops the start: replacing it
/// silently would give the kiosk a new, unenrolled key and quietly downgrade its reports.
/// On Windows the file is protected only by the ACL of the per-user/service state folder;
/// wrapping it with DPAPI (ProtectedData, CurrentUser or LocalMachine scope) is a later hardening.
/// </summary>
public sealed class ReportKey : IDisposable
{
    public const string FileName = "report-key.pem";

    private readonly Lock _sync = new();
    private readonly ECDsa _key;

    private ReportKey(ECDsa key, string path)
    {
        _key = key;
        Path = path;
        var spki = key.ExportSubjectPublicKeyInfo();
        PublicKey = Convert.ToBase64String(spki);
        KeyId = Convert.ToHexStringLower(SHA256.HashData(spki));
    }

    /// <summary>The key file.</summary>
    public string Path { get; }

    /// <summary>Base64 of the SubjectPublicKeyInfo DER (<c>reportKey</c> in /v1/info).</summary>
    public string PublicKey { get; }

    /// <summary>Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER (<c>reportKeyId</c>).</summary>
    public string KeyId { get; }

    /// <summary>Reads StateDirectory/report-key.pem, or creates it if there is none.</summary>
    /// <exception cref="ReportKeyException">The file exists but is not a usable P-256 private key, or cannot be written.</exception>
    public static ReportKey LoadOrCreate(string stateDirectory)
    {
        var path = System.IO.Path.Combine(stateDirectory, FileName);
        try
        {
            Directory.CreateDirectory(stateDirectory);
            if (!File.Exists(path))
            {
                Create(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReportKeyException($"The PIN report key {path} could not be created: {e.Message}", e);
        }

        return Load(path);
    }

    /// <summary>ECDSA P-256 / SHA-256, signature as raw r‖s (64 bytes).</summary>
    public byte[] Sign(byte[] data)
    {
        // ECDsa instances are not documented as thread-safe; a signature takes well under a millisecond.
        lock (_sync)
        {
            return _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
    }

    public void Dispose() => _key.Dispose();

    private static ReportKey Load(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReportKeyException($"The PIN report key {path} could not be read: {e.Message}", e);
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            var curve = key.ExportParameters(includePrivateParameters: false).Curve;
            if (key.KeySize != 256 || !curve.IsNamed || curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new CryptographicException("not a P-256 key");
            }

            // ImportFromPem also takes a bare public key; a report key must be able to sign.
            _ = key.ExportParameters(includePrivateParameters: true).D ?? throw new CryptographicException("no private key");
            return new ReportKey(key, path);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new ReportKeyException(
                $"The PIN report key {path} is not a readable ECDSA P-256 private key (PKCS#8 PEM): {e.Message}. "
                + "It is not replaced automatically, because the portal knows this kiosk by that key. Restore the file from a "
                + "backup, or move it away to create a new key and enrol the new key with the portal (`report-key` verb).",
                e);
        }
    }

    /// <summary>Temp file (0600 from the start) + flush + rename, so a crash never leaves half a key.</summary>
    private static void Create(string path)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = key.ExportPkcs8PrivateKeyPem();
        var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(pem));
                stream.Flush(flushToDisk: true);
            }

            // No overwrite: if another instance (the service and the `report-key` verb started together)
            // got there first, its key wins and this one is dropped.
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Lost the race described above.
        }
        finally
        {
            File.Delete(temp);
        }
    }
}

/// <summary>The report key file is unusable; the helper refuses to start (see <see cref="ReportKey"/>).</summary>
public sealed class ReportKeyException(string message, Exception inner) : Exception(message, inner);
