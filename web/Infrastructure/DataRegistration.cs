using ESeal.Db.Infrastructure;
using ESeal.Db.MediumChange;

namespace ESeal.Web.Infrastructure;

public static class DataRegistration
{
    /// <summary>The database, its repositories' entry points and the clock, for the web and the ops CLI alike.</summary>
    public static IServiceCollection AddESealData(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddSingleton(options);
        services.AddSingleton<Database>();
        // Back office only reveals (PersonalDataProtector.Reveal); citizen pages show masked copies.
        services.AddSingleton(sp => sp.GetRequiredService<Database>().PersonalData);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<MediumChangeCommands>();
        return services;
    }
}
