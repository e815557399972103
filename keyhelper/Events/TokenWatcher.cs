using ESeal.KeyHelper.Configuration;
using ESeal.KeyHelper.Tokens;

namespace ESeal.KeyHelper.Events;

/// <summary>
/// Polls the modules once a second so that pages can long-poll instead of polling us.
/// PKCS#11 has C_WaitForSlotEvent, but many modules (SoftHSM2 among them) do not implement it,
/// and a blocking call would hold a thread per module; a cheap poll works everywhere.
/// </summary>
internal sealed partial class TokenWatcher(
    ModuleRegistry registry,
    TokenCatalog catalog,
    TokenChangeFeed feed,
    KeyHelperOptions options,
    ILogger<TokenWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(100, options.PollIntervalMilliseconds)));
        do
        {
            try
            {
                Tick();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogTickFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One scan: re-initialise modules that need it, then publish the visible set.</summary>
    public void Tick()
    {
        foreach (var module in registry.Modules)
        {
            module.RefreshIfNeeded();
        }

        var before = feed.Version;
        var after = feed.Observe(catalog.List());
        if (after != before)
        {
            LogChanged(logger, after);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token scan failed")]
    private static partial void LogTickFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Information, Message = "Token set changed, version {Version}")]
    private static partial void LogChanged(ILogger logger, long version);
}
