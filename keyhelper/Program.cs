using ESeal.KeyHelper.Infrastructure;
using ESeal.KeyHelper.Release;

// Release tooling shares the binary so the download ships one file: `ESeal.KeyHelper manifest …`.
if (args.Length > 0 && args[0] == "manifest")
{
    return ReleaseManifest.Run(args);
}

// Content root = the exe's folder: a Windows service starts in System32, and appsettings.json sits next to the exe.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddKeyHelper();
var app = builder.Build();
app.UseKeyHelper();
await app.RunAsync();
return 0;
