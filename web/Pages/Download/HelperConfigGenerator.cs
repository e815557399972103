using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ESeal.KeyHelper.Release;

namespace ESeal.Web.Pages.Download;

/// <summary>The generated configuration for one platform, and whether it could be signed.</summary>
public sealed record HelperConfig(string Platform, byte[] Content, byte[]? Signature, string? Problem)
{
    public string FileName => HelperConfigFile.FileName;
}

/// <summary>
/// <c>eseal-keyhelper.json</c> for *this* portal (<see cref="HelperConfigFile"/>): <c>AllowedOrigins</c> =
/// <c>Flows:Proof:PublicOrigin</c>, <c>Port</c> = the port of <c>Web:KeyHelperOrigin</c>, <c>Pkcs11Modules</c> =
/// <c>Download:Pkcs11Modules:windows|linux</c>; signed (CMS detached, like the release) with
/// <c>Download:ConfigSigningCertificatePath/KeyPath</c>, and offered signed only when that signature verifies
/// to the configured publisher roots, i.e. when the helper's <c>config verify</c> / <c>install --config</c> will accept it.
/// </summary>
public sealed class HelperConfigGenerator(IConfiguration configuration, int helperPort, KeyHelperReleaseCatalog catalog, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> Platforms = ["win-x64", "linux-x64"];

    public string? PortalOrigin { get; } = configuration["Flows:Proof:PublicOrigin"]?.Trim().TrimEnd('/') is { Length: > 0 } o ? o : null;

    private DownloadOptions Options => configuration.GetSection(DownloadOptions.Section).Get<DownloadOptions>() ?? new DownloadOptions();

    public IReadOnlyList<string> ModulesFor(string platform) =>
        Options.Pkcs11Modules.TryGetValue(platform.StartsWith("win", StringComparison.Ordinal) ? "windows" : "linux", out var list)
            ? [.. list.Where(m => !string.IsNullOrWhiteSpace(m))]
            : [];

    /// <summary>Null for an unknown platform or when the portal's public origin is not configured.</summary>
    public HelperConfig? Generate(string platform)
    {
        if (!Platforms.Contains(platform, StringComparer.Ordinal) || PortalOrigin is null)
        {
            return null;
        }

        var content = HelperConfigFile.Create(helperPort, [PortalOrigin], ModulesFor(platform), platform);
        var options = Options;
        if (string.IsNullOrWhiteSpace(options.ConfigSigningCertificatePath) || string.IsNullOrWhiteSpace(options.ConfigSigningKeyPath))
        {
            return new HelperConfig(platform, content, null, "服务器未配置配置文件签名证书（Download:ConfigSigningCertificatePath / ConfigSigningKeyPath），此配置文件未签名，客户端安装时会拒绝使用。");
        }

        byte[] signature;
        try
        {
            var certificates = CustomRootChain.LoadCertificates([options.ConfigSigningCertificatePath]);
            using var certificate = certificates[0];
            var keyPem = File.ReadAllText(options.ConfigSigningKeyPath);
            using AsymmetricAlgorithm key = certificate.GetKeyAlgorithm() == "1.2.840.10045.2.1" ? ECDsa.Create() : RSA.Create();
            key.ImportFromPem(keyPem);
            signature = DetachedSignature.Sign(content, certificate, key, certificates, clock.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return new HelperConfig(platform, content, null, "配置文件签名证书或私钥无法读取，此配置文件未签名。");
        }

        var (roots, _) = catalog.LoadRoots();
        var verdict = DetachedSignature.Verify(content, signature, roots, clock.GetUtcNow());
        return verdict.IsVerified
            ? new HelperConfig(platform, content, signature, null)
            : new HelperConfig(platform, content, null, "配置文件签名未通过发布者根证书验证（" + verdict.Message + "），此配置文件未签名。");
    }
}
