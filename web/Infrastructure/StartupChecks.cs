using ESeal.Db.Infrastructure;
using ESeal.Web.Staff;
using ESeal.Workflows.Face;
using ESeal.Workflows.Proof;
using ESeal.Workflows.Providers;

namespace ESeal.Web.Infrastructure;

/// <summary>
/// Settings without which production would fail later and quietly (every proof refused, QR codes
/// to the wrong host, a server error at the face step): refuse to start instead, saying what is missing.
/// </summary>
public static class StartupChecks
{
    public static IReadOnlyList<string> ProductionProblems(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var problems = new List<string>();
        var proof = services.GetRequiredService<ProofOptions>();
        if (proof.PublicOrigin == new ProofOptions().PublicOrigin)
        {
            problems.Add("Flows:Proof:PublicOrigin is not set: it must be the portal's origin as browsers send it (e.g. https://eseal.example.gov.cn).");
        }

        if (proof.CaRootPaths.Count == 0)
        {
            problems.Add("Flows:Proof:CaRootPaths is empty: no USBKEY certificate could ever be trusted.");
        }

        foreach (var path in proof.CaRootPaths.Where(p => !File.Exists(p)))
        {
            problems.Add($"Flows:Proof:CaRootPaths names {path}, which does not exist.");
        }

        problems.AddRange(RevocationProblems(proof.Revocation));

        if (services.GetRequiredService<IFaceVerificationProvider>() is UnavailableFaceVerificationProvider)
        {
            problems.Add("No face-verification provider is registered: the legal representative could not confirm any flow.");
        }

        problems.AddRange(PersonalDataProblems(services));
        problems.AddRange(SingleSignOnProblems(services.GetRequiredService<StaffOptions>().Oidc));

        // A simulator in production lets anyone pass for anyone (the face simulator's phone page has a
        // "pass" button). Every provider of an outside system says whether it simulates; all are listed.
        // The resolved face provider is checked too, in case it was registered without the helper.
        var simulated = services.GetServices<IExternalProvider>()
            .Append(services.GetRequiredService<IFaceVerificationProvider>())
            .Where(p => p.IsSimulated)
            .Select(p => p.ProviderName)
            .Distinct(StringComparer.Ordinal);
        foreach (var name in simulated)
        {
            problems.Add($"A simulated provider is active: {name}. Simulators are for Development and the demo only; configure the real service.");
        }

        // Demo enterprises and seals (with made-up keys) have no place in a production register.
        if (services.GetRequiredService<IConfiguration>().GetValue("Demo:Seed", false))
        {
            problems.Add("Demo:Seed is true: the demo enterprises and seals would be written into the production database.");
        }

        return problems;
    }

    /// <summary>Issue 9: without a CRL every proof is refused (fail closed), so production needs a source.</summary>
    public static IEnumerable<string> RevocationProblems(RevocationOptions revocation)
    {
        ArgumentNullException.ThrowIfNull(revocation);
        if (revocation.CrlSources.Count == 0)
        {
            yield return "Flows:Proof:Revocation:CrlSources is empty: revocation could not be checked, so every USBKEY certificate would be refused (configure the CA's CRL URLs or files).";
        }
        else if (revocation.Mode == CrlMode.Offline && !revocation.FileSources.Any())
        {
            yield return "Flows:Proof:Revocation:CrlSources has no file while Flows:Proof:Revocation:Mode is Offline (Offline reads files only).";
        }

        foreach (var path in revocation.FileSources.Where(p => !File.Exists(p)))
        {
            yield return $"Flows:Proof:Revocation:CrlSources names {path}, which does not exist.";
        }
    }

    /// <summary>Half a single-sign-on configuration would quietly leave the 统一身份认证 button off.</summary>
    public static IEnumerable<string> SingleSignOnProblems(StaffOptions.OidcOptions oidc)
    {
        ArgumentNullException.ThrowIfNull(oidc);
        var authority = !string.IsNullOrWhiteSpace(oidc.Authority);
        var client = !string.IsNullOrWhiteSpace(oidc.ClientId);
        if (authority && !client)
        {
            yield return "Staff:Oidc:ClientId is not set while Staff:Oidc:Authority is: single sign-on needs both (or neither).";
        }
        else if (client && !authority)
        {
            yield return "Staff:Oidc:Authority is not set while Staff:Oidc:ClientId is: single sign-on needs both (or neither).";
        }

        if (authority && !Uri.TryCreate(oidc.Authority, UriKind.Absolute, out _))
        {
            yield return $"Staff:Oidc:Authority is not an absolute URL: {oidc.Authority}.";
        }

        // Over plain HTTP anyone on the path could hand the web their own signing keys.
        if (authority && !oidc.RequireHttpsMetadata)
        {
            yield return "Staff:Oidc:RequireHttpsMetadata is false: the provider's metadata and keys must come over HTTPS in production.";
        }
    }

    /// <summary>
    /// Production keeps holder ID numbers and phones encrypted under configured keys, never under a
    /// generated key file (which would sit beside the data it protects).
    /// </summary>
    public static IReadOnlyList<string> PersonalDataProblems(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<DatabaseOptions>().PersonalData.ConfiguredKeyProblems();
    }

    public static void EnsureProductionReady(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Environment.IsProduction())
        {
            return;
        }

        var problems = ProductionProblems(app.Services);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("ESeal cannot start in Production:\n- " + string.Join("\n- ", problems));
        }
    }
}
