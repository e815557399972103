namespace ESeal.Web.Benchmarks;

/// <summary>
/// Real time plus an offset the benchmark moves forward: the reading notice's 5 s (notBefore,
/// checked by the server) passes without waiting. Replaces TimeProvider in the web's DI only.
/// </summary>
internal sealed class BenchClock : TimeProvider
{
    private long offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);
}
