using Hangfire.AspNetCore;
using Hangfire.Logging;

namespace ESeal.Web.Infrastructure;

/// <summary>
/// Hangfire keeps its log provider in a static, so with several hosts in one process (the test
/// suite's webs) the last host configured wins, and once that host is disposed every job enqueued by
/// another host threw ObjectDisposedException from the disposed LoggerFactory (a flaky 500 on
/// 立即重试 and on scheduled publishing). This provider belongs to one host's logger factory and
/// falls back to logging nothing when that factory is gone; a single production host logs as before.
/// </summary>
internal sealed class HostBoundHangfireLogProvider(ILoggerFactory loggerFactory) : ILogProvider
{
    private readonly AspNetCoreLogProvider inner = new(loggerFactory);

    public ILog GetLogger(string name)
    {
        try
        {
            return inner.GetLogger(name);
        }
        catch (ObjectDisposedException)
        {
            return SilentLog.Instance;
        }
    }

    private sealed class SilentLog : ILog
    {
        public static readonly SilentLog Instance = new();

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
