namespace Publisher.Core.Database;

/// <summary>Thrown when no PostgreSQL server programs can be found; its message says what to install.</summary>
public sealed class PostgresNotInstalledException() : Exception(PostgresBinaries.InstallHint);
