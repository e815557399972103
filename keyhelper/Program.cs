using ESeal.KeyHelper.Cli;
using ESeal.KeyHelper.Infrastructure;
using ESeal.KeyHelper.Security;

// Verbs share the binary so the download ships one file; none of them starts the web server.
switch (args)
{
    case ["manifest", ..]:
        return ReleaseVerbs.RunManifest(args[1..], Console.Out, Console.Error);
    case ["config", ..]:
        return ReleaseVerbs.RunConfig(args[1..], Console.Out, Console.Error);
    case ["install" or "uninstall", ..]:
        return ServiceVerb.Run(args[0], args[1..], Console.Out, Console.Error);
    case ["report-key", ..]:
        return ReportKeyVerb.Run(args[1..]);
    case ["pin-lock", ..]:
        return PinLockVerb.Run(args[1..], Console.Out, Console.Error);
    case ["--version"]:
        Console.WriteLine(KeyHelperRegistration.Version);
        return 0;
}

var builder = KeyHelperRegistration.CreateBuilder(args);
try
{
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
