using ESeal.KeyHelper.Configuration;
using ESeal.KeyHelper.Infrastructure;
using ESeal.KeyHelper.Release;
using ESeal.KeyHelper.Security;

// Release tooling shares the binary so the download ships one file: `ESeal.KeyHelper manifest …`.
if (args.Length > 0 && args[0] == "manifest")
{
    return ReleaseManifest.Run(args);
}

// Content root = the exe's folder: a Windows service starts in System32, and appsettings.json sits next to the exe.
var reportKeyVerb = args.Length > 0 && args[0] == "report-key";
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = reportKeyVerb ? args[1..] : args, ContentRootPath = AppContext.BaseDirectory });
try
{
    if (reportKeyVerb)
    {
        // For staff enrolling this kiosk with the portal: the same configuration (appsettings.json,
        // KeyHelper__*, --KeyHelper:StateDirectory=…) as the service, hence the same key; no server.
        using var reportKey = ReportKey.LoadOrCreate(KeyHelperOptions.From(builder.Configuration).StateDirectory!);
        Console.Out.WriteLine($"reportKeyId: {reportKey.KeyId}");
        Console.Out.WriteLine($"reportKey: {reportKey.PublicKey}");
        Console.Error.WriteLine($"(key file: {reportKey.Path})");
        return 0;
    }

    builder.AddKeyHelper();
}
catch (ReportKeyException e)
{
    Console.Error.WriteLine("ESeal.KeyHelper: " + e.Message);
    return 1;
}

var app = builder.Build();
app.UseKeyHelper();
await app.RunAsync();
return 0;
