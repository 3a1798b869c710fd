using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit;
using Publisher.Core.Data;
using Publisher.Core.Database;

namespace Publisher.Testing;

/// <summary>
/// One throwaway PostgreSQL cluster per test assembly, started from the machine's binaries by the same
/// code the run command uses. Each test class asks for its own fresh database, migrated, so classes
/// never see each other's rows.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "publisher-tests-" + Guid.NewGuid().ToString("N")[..12]);
    private LocalPostgresCluster? _cluster;
    private int _databases;

    public LocalPostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The PostgreSQL server has not started.");

    public async Task InitializeAsync() =>
        _cluster = await LocalPostgresCluster.StartAsync(_folder, durable: false);

    /// <summary>Stops the server (fast shutdown: open connections are cut), as an outage would; <see cref="StartAgainAsync"/> brings it back.</summary>
    public Task StopAsync() => Cluster.StopAsync();

    /// <summary>Starts the stopped server again on its folder, data and port, so connection strings made before still work.</summary>
    public async Task StartAgainAsync()
    {
        var port = Cluster.Port;
        _cluster = await LocalPostgresCluster.StartAsync(_folder, durable: false);
        if (_cluster.Port != port)
            throw new InvalidOperationException($"PostgreSQL came back on port {_cluster.Port}, not {port} (the old port was taken): connection strings made before no longer reach it.");
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
            await _cluster.StopAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}".ToLowerInvariant();
        await Cluster.EnsureDatabaseAsync(name);
        return Cluster.ConnectionString(name);
    }

    /// <summary>Creates a database with the application's schema applied by its migrations.</summary>
    public async Task<string> CreateMigratedDatabaseAsync(string prefix = "test")
    {
        var connectionString = await CreateDatabaseAsync(prefix);
        await using var db = NewContext(connectionString);
        await DatabaseInitializer.MigrateAsync(db);
        return connectionString;
    }

    public static PublisherDbContext NewContext(string connectionString) =>
        new(new DbContextOptionsBuilder<PublisherDbContext>().UseNpgsql(connectionString).Options);

    public static async Task<T?> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }
}
