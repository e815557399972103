using ESeal.KeyHelper.Configuration;
using ESeal.KeyHelper.Events;
using ESeal.KeyHelper.Infrastructure;
using ESeal.KeyHelper.Security;

namespace ESeal.KeyHelper.Tokens;

internal static class TokenEndpoints
{
    public static void MapTokenEndpoints(this IEndpointRouteBuilder app)
    {
        // modules: so a page can say "USBKEY驱动未安装" (failed) rather than "no key" (loaded, no token).
        app.MapGet("/v1/info", (ReportKey reportKey, ModuleRegistry modules) => Results.Json(
            new InfoDto(
                "eseal-keyhelper/1",
                KeyHelperRegistration.Version,
                reportKey.PublicKey,
                reportKey.KeyId,
                [.. modules.Modules.Select(m => m.Failure is null ? new ModuleStatusDto(m.Path, "loaded") : new ModuleStatusDto(m.Path, "failed", m.Failure))]),
            KeyHelperJsonContext.Web.InfoDto));

        app.MapGet("/v1/tokens", ListTokensAsync);
    }

    /// <summary>
    /// Without <c>changedSince</c>: the list now. With it: at once if the version differs,
    /// otherwise when a key is inserted/removed or after LongPollSeconds, whichever comes first.
    /// </summary>
    private static async Task<IResult> ListTokensAsync(
        HttpContext http,
        TokenCatalog catalog,
        TokenChangeFeed feed,
        KeyHelperOptions options,
        IHostApplicationLifetime lifetime)
    {
        var query = http.Request.Query["changedSince"];
        long? since = null;
        if (query.Count > 0)
        {
            if (!long.TryParse(query[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                return Errors.Result(Errors.BadRequest, StatusCodes.Status400BadRequest);
            }

            since = parsed;
        }

        var tokens = catalog.List();
        var version = feed.Observe(tokens);
        if (since == version)
        {
            // Stopping the helper must not wait for parked long-polls.
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
            try
            {
                await feed.WaitForChangeAsync(version, TimeSpan.FromSeconds(options.LongPollSeconds), linked.Token);
            }
            catch (OperationCanceledException)
            {
                // Client gone or helper stopping; answer with what we have.
            }

            tokens = catalog.List();
            version = feed.Observe(tokens);
        }

        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(new TokenListDto(tokens, version), KeyHelperJsonContext.Web.TokenListDto);
    }
}
