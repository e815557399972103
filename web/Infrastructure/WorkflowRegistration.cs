using ESeal.Db.Infrastructure;
using ESeal.Db.MediumChange;
using ESeal.Workflows;
using ESeal.Workflows.Flowcharts;
using ESeal.Workflows.Face;
using ESeal.Workflows.Jobs;
using ESeal.Workflows.Proof;
using ESeal.Workflows.Providers;
using ESeal.Workflows.Runtime;
using Hangfire;
using Hangfire.Dashboard;
using ESeal.Web.Staff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Hangfire.SqlServer;

namespace ESeal.Web.Infrastructure;

public static class WorkflowRegistration
{
    /// <summary>
    /// The flow runtime and its handlers, the definition store (shipped definitions imported at
    /// start-up when newer), the face-verification provider, and Hangfire: SQL Server storage when
    /// the database is SQL Server, in-memory for SQLite (every durable fact lives in our tables).
    /// </summary>
    public static IServiceCollection AddESealWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var flow = configuration.GetSection(FlowSettings.Section).Get<FlowSettings>() ?? new FlowSettings();
        var proof = configuration.GetSection(ProofOptions.Section).Get<ProofOptions>() ?? new ProofOptions();
        var outbox = configuration.GetSection(OutboxOptions.Section).Get<OutboxOptions>() ?? new OutboxOptions();
        services.AddSingleton(flow);
        services.AddSingleton(proof);
        services.AddSingleton(outbox);
        services.AddSingleton(sp => ProofVerifier.FromOptions(proof, sp.GetRequiredService<TimeProvider>()));

        // The simulator is for Development and the demo only; production plugs in a real provider.
        var simulate = configuration.GetValue<bool?>("Flows:FaceSimulator:Enabled")
            ?? string.Equals(configuration["environment"], "Development", StringComparison.OrdinalIgnoreCase);
        if (simulate)
        {
            services.AddExternalProvider<IFaceVerificationProvider, SimulatedFaceVerificationProvider>();
        }
        else
        {
            services.AddExternalProvider<IFaceVerificationProvider, UnavailableFaceVerificationProvider>();
        }

        services.AddSingleton<FlowDefinitionStore>();
        services.AddTransient(sp => new FlowReviewService(
            sp.GetRequiredService<Database>(),
            sp.GetRequiredService<FlowDefinitionStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IBackgroundJobClient>));
        services.AddSingleton(sp => ActivityHandlers.Create(
            sp.GetRequiredService<MediumChangeCommands>(), sp.GetRequiredService<ProofVerifier>(), sp.GetRequiredService<IFaceVerificationProvider>()));
        services.AddSingleton<IFlowRuntime>(sp => new FlowRuntime(
            sp.GetRequiredService<Database>(),
            sp.GetRequiredService<FlowDefinitionStore>(),
            sp.GetRequiredService<TimeProvider>(),
            flow,
            sp.GetRequiredService<IReadOnlyList<IActivityHandler>>()));
        services.AddHttpClient(nameof(FlowJobs));
        services.AddTransient(sp => new FlowJobs(
            sp.GetRequiredService<Database>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IFaceVerificationProvider>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(FlowJobs)),
            outbox));

        // Revocation (issue 9): the CRL job fetches the configured CRL URLs into the cache the trust check reads.
        services.AddHttpClient(nameof(CrlJobs));
        services.AddTransient(sp => new CrlJobs(
            proof.Revocation,
            sp.GetRequiredService<ProofVerifier>().Trust.Authorities,
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(CrlJobs))));

        if (configuration.GetValue("Flows:ImportShippedDefinitions", true))
        {
            services.AddHostedService<ShippedDefinitionImport>();
        }

        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddHangfire((provider, cfg) =>
        {
            cfg.UseLogProvider(new HostBoundHangfireLogProvider(provider.GetRequiredService<ILoggerFactory>()));
            cfg.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
            if (database.Provider == DatabaseProvider.SqlServer)
            {
                cfg.UseSqlServerStorage(() => new Microsoft.Data.SqlClient.SqlConnection(database.ConnectionString), new SqlServerStorageOptions { PrepareSchemaIfNecessary = true });
            }
            else
            {
                cfg.UseInMemoryStorage();
            }
        });
        if (configuration.GetValue("Flows:Jobs:Enabled", true))
        {
            services.AddHangfireServer(o => o.WorkerCount = Math.Max(1, configuration.GetValue("Flows:Jobs:Workers", 2)));
        }

        return services;
    }

    /// <summary>
    /// Registers a provider of an outside system under its service type and, the same instance, as an
    /// <see cref="IExternalProvider"/>, so the production start check sees every simulated one.
    /// </summary>
    public static IServiceCollection AddExternalProvider<TService, TImplementation>(this IServiceCollection services)
        where TService : class, IExternalProvider
        where TImplementation : class, TService
    {
        services.AddSingleton<TService, TImplementation>();
        services.AddSingleton<IExternalProvider>(sp => sp.GetRequiredService<TService>());
        return services;
    }

    /// <summary>
    /// The Hangfire dashboard at /admin/jobs for 系统管理员 in every environment, behind the same
    /// staff cookie as the rest of the back office (anonymous → sign-in page, other roles → 403).
    /// </summary>
    public static WebApplication UseESealJobs(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var area = AdminAreas.All.Single(a => a.Folder == "/Admin/Jobs");
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(area.Path, StringComparison.OrdinalIgnoreCase),
            branch => branch.Use(async (context, next) =>
            {
                var allowed = await context.RequestServices.GetRequiredService<IAuthorizationService>().AuthorizeAsync(context.User, area.Policy);
                if (allowed.Succeeded)
                {
                    await next(context);
                }
                else if (context.User.Identity?.IsAuthenticated == true)
                {
                    await context.ForbidAsync(StaffPrincipal.Scheme);
                }
                else
                {
                    await context.ChallengeAsync(StaffPrincipal.Scheme);
                }
            }));
        app.UseHangfireDashboard(area.Path, new DashboardOptions
        {
            AsyncAuthorization = [new StaffDashboardAuthorization(area.Policy)],
            AppPath = "/admin",
            DashboardTitle = "后台任务",
            DisplayStorageConnectionString = false,
        });

        if (app.Configuration.GetValue("Flows:Jobs:Enabled", true))
        {
            var jobs = app.Services.GetRequiredService<IRecurringJobManager>();
            jobs.AddOrUpdate<FlowJobs>("flows-expire-instances", j => j.ExpireAbandonedInstancesAsync(), Cron.Minutely());
            jobs.AddOrUpdate<FlowJobs>("flows-forget-personal-data", j => j.ForgetEndedInstancesPersonalDataAsync(), Cron.Daily(3));
            jobs.AddOrUpdate<FlowJobs>("flows-face-timeouts", j => j.TimeOutFaceVerificationsAsync(), Cron.Minutely());
            jobs.AddOrUpdate<FlowJobs>("flows-deliver-outbox", j => j.DeliverOutboxAsync(), Cron.Minutely());
            jobs.AddOrUpdate<FlowReviewService>("flows-publish-due", j => j.PublishDueAsync(), Cron.Minutely());
            AddCrlFetch(jobs, app.Services.GetRequiredService<ProofOptions>().Revocation);
        }

        return app;
    }

    /// <summary>Hourly CRL fetch, and once at start so a fresh node does not refuse every key for an hour.</summary>
    private static void AddCrlFetch(IRecurringJobManager jobs, RevocationOptions revocation)
    {
        const string id = "proof-fetch-crls";
        if (revocation.Mode == CrlMode.Offline || !revocation.UrlSources.Any())
        {
            jobs.RemoveIfExists(id);
            return;
        }

        jobs.AddOrUpdate<CrlJobs>(id, j => j.FetchCrlsAsync(), Cron.Hourly());
        jobs.Trigger(id);
    }

    /// <summary>Imports shipped definitions whose version is newer than the newest stored one.</summary>
    private sealed class ShippedDefinitionImport(FlowDefinitionStore store, ILogger<ShippedDefinitionImport> log) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var message in await store.ImportShippedAsync("system", cancellationToken))
            {
                log.LogInformation("{Message}", message);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Hangfire asks this for every dashboard request (also its AJAX calls): the staff area's policy decides.</summary>
internal sealed class StaffDashboardAuthorization(string policy) : IDashboardAsyncAuthorizationFilter
{
    public async Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var result = await http.RequestServices.GetRequiredService<IAuthorizationService>().AuthorizeAsync(http.User, policy);
        return result.Succeeded;
    }
}
