namespace ESeal.Db.Infrastructure;

public enum DatabaseProvider
{
    /// <summary>Embedded default: a SQLite file next to the app.</summary>
    Sqlite,

    /// <summary>Production: Microsoft SQL Server.</summary>
    SqlServer,
}

/// <summary>Bound from the "Database" configuration section.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    public string ConnectionString { get; set; } = "Data Source=eseal.db";

    /// <summary>Keys for the personal data kept at rest ("Database:PersonalData").</summary>
    public Protection.PersonalDataOptions PersonalData { get; set; } = new();
}
