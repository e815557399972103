using System.Collections.Concurrent;
using System.Globalization;

namespace ESeal.Web.Benchmarks;

/// <summary>Latency samples (µs) per label, filled concurrently.</summary>
internal sealed class Stats
{
    public ConcurrentDictionary<string, ConcurrentBag<double>> Samples { get; } = new(StringComparer.Ordinal);

    public bool Enabled { get; set; }

    public void Add(string label, double microseconds)
    {
        if (Enabled)
        {
            Samples.GetOrAdd(label, _ => []).Add(microseconds);
        }
    }

    public static string Summary(IEnumerable<double> samples)
    {
        var s = samples.Order().ToArray();
        if (s.Length == 0)
        {
            return "no samples";
        }

        return string.Create(CultureInfo.InvariantCulture, $"n {s.Length,5}  mean {s.Average() / 1000,7:F2} ms  p50 {At(s, 0.50) / 1000,7:F2}  p95 {At(s, 0.95) / 1000,7:F2}  p99 {At(s, 0.99) / 1000,7:F2}");
    }

    public static double Mean(IEnumerable<double> samples) => samples.DefaultIfEmpty(0).Average();

    public static double At(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * q))];
}
