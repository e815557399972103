using ESeal.Web.Cli;
using ESeal.Web.Infrastructure;

// Ops verbs (migrate, seed-demo, …) run and exit; anything else starts the web.
if (OpsCli.IsVerb(args))
{
    return await OpsCli.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddESealData(builder.Configuration);
builder.Services.AddESealWorkflows(builder.Configuration);
builder.Services.AddESealWeb();
builder.Services.AddESealStaff(builder.Configuration);

var app = builder.Build();
app.UseESealWeb();
app.UseESealJobs();
await app.RunAsync();
return 0;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
