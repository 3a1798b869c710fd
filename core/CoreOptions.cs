namespace Publisher.Core;

/// <summary>Where the database is. Bound from the section "Database" and the variable PUBLISHER_DB.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>An Npgsql connection string (environment: PUBLISHER_DB).</summary>
    public string ConnectionString { get; set; } = "";
}
