using System.Security.Cryptography.X509Certificates;
using ESeal.Workflows.Proof;

namespace ESeal.Workflows.Jobs;

public enum CrlFetchResult
{
    /// <summary>A newer verified CRL was written to the cache.</summary>
    Updated,

    /// <summary>The cache already holds exactly this CRL: nothing written.</summary>
    Unchanged,

    /// <summary>The cache holds a CRL at least as recent; the fetched one was older and is dropped.</summary>
    KeptNewer,

    /// <summary>Not a CRL, or not signed by a configured CA: dropped, the cache is untouched.</summary>
    Rejected,

    /// <summary>HTTP error, timeout, too large: the cache is untouched, the next run tries again.</summary>
    Failed,
}

public sealed record CrlFetchOutcome(string Source, CrlFetchResult Result, string? Detail = null);

/// <summary>
/// Recurring: fetches the configured CRL URLs (Online mode only), verifies each against the configured
/// CA certificates and writes it atomically (temporary file + rename) to its cache file, which the trust
/// check reads. Safe to run twice or concurrently: an identical or older CRL changes nothing.
/// </summary>
public sealed class CrlJobs(RevocationOptions options, X509Certificate2Collection authorities, HttpClient http)
{
    /// <summary>Far above any real CRL of a provincial CA; a bound against a misconfigured URL.</summary>
    public const int MaxCrlBytes = 50 * 1024 * 1024;

    public async Task<IReadOnlyList<CrlFetchOutcome>> FetchCrlsAsync()
    {
        if (options.Mode == CrlMode.Offline)
        {
            return [];
        }

        var outcomes = new List<CrlFetchOutcome>();
        foreach (var url in options.UrlSources)
        {
            outcomes.Add(await FetchAsync(url));
        }

        return outcomes;
    }

    private async Task<CrlFetchOutcome> FetchAsync(string url)
    {
        byte[] data;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(options.FetchTimeoutSeconds));
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            if (!response.IsSuccessStatusCode)
            {
                return new(url, CrlFetchResult.Failed, $"HTTP {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentLength > MaxCrlBytes)
            {
                return new(url, CrlFetchResult.Failed, "too large");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, cts.Token)) > 0)
            {
                if (buffer.Length + read > MaxCrlBytes)
                {
                    return new(url, CrlFetchResult.Failed, "too large");
                }

                buffer.Write(chunk, 0, read);
            }

            data = buffer.ToArray();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return new(url, CrlFetchResult.Failed, ex.Message);
        }

        var (crl, _) = CrlStore.Verify(data, authorities);
        if (crl is null)
        {
            return new(url, CrlFetchResult.Rejected, "not a CRL signed by a configured CA");
        }

        var path = options.CachePath(url);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (File.Exists(path))
        {
            var existing = await File.ReadAllBytesAsync(path);
            if (existing.AsSpan().SequenceEqual(data))
            {
                return new(url, CrlFetchResult.Unchanged);
            }

            // A stale mirror or a replayed old CRL must not replace a newer one (it could un-revoke a key).
            var (cached, _) = CrlStore.Verify(existing, authorities);
            if (cached is not null && (cached.ThisUpdate > crl.ThisUpdate || (cached.Number ?? 0) > (crl.Number ?? 0)))
            {
                return new(url, CrlFetchResult.KeptNewer);
            }
        }

        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                await file.WriteAsync(data);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return new(url, CrlFetchResult.Updated, $"thisUpdate {crl.ThisUpdate:u}, {crl.RevokedCount} revoked");
    }
}
