using ESeal.KeyHelper.Configuration;
using ESeal.KeyHelper.Infrastructure;
using ESeal.KeyHelper.Security;

namespace ESeal.KeyHelper.Cli;

/// <summary>
/// <c>ESeal.KeyHelper report-key</c>: for staff enrolling this kiosk with the portal. The same
/// configuration (appsettings.json, KeyHelper__*, --KeyHelper:StateDirectory=…) as the service,
/// hence the same key; no server.
/// </summary>
internal static class ReportKeyVerb
{
    public static int Run(string[] args)
    {
        try
        {
            var configuration = KeyHelperRegistration.CreateBuilder(args).Configuration;
            using var reportKey = ReportKey.LoadOrCreate(KeyHelperOptions.From(configuration).StateDirectory!);
            Console.Out.WriteLine($"reportKeyId: {reportKey.KeyId}");
            Console.Out.WriteLine($"reportKey: {reportKey.PublicKey}");
            Console.Error.WriteLine($"(key file: {reportKey.Path})");
            return 0;
        }
        catch (ReportKeyException e)
        {
            Console.Error.WriteLine("ESeal.KeyHelper: " + e.Message);
            return 1;
        }
    }
}
