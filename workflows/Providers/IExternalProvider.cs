namespace ESeal.Workflows.Providers;

/// <summary>
/// A service the flows rely on that stands for an outside system (face verification today; SMS,
/// identity or CA services later). Each says whether it only simulates that system, so that
/// production can refuse to start while any simulation is wired in, whichever it is, instead of
/// one check per provider that the next simulator would slip past.
/// </summary>
public interface IExternalProvider
{
    /// <summary>A name an operator recognises in the start-up refusal, with the setting that turns it on.</summary>
    string ProviderName { get; }

    /// <summary>True when the provider fakes the outside system (demo and tests only).</summary>
    bool IsSimulated { get; }
}
