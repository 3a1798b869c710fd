using Npgsql;

namespace Publisher.Core.Analytics;

/// <summary>
/// The connection pool analytics writes through with plain Npgsql (COPY and multi-row statements, which EF does
/// not do), beside EF's own.
/// </summary>
public sealed class AnalyticsDatabase(string connectionString) : IAsyncDisposable
{
    public NpgsqlDataSource Source { get; } = NpgsqlDataSource.Create(connectionString);

    /// <summary>Makes sure monthly partitions exist from <paramref name="from"/>'s month for <paramref name="months"/> months.</summary>
    public static async Task<int> EnsurePartitionsAsync(NpgsqlConnection connection, DateTimeOffset from, int months, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand("SELECT analytics_ensure_partitions(@from, @months)", connection);
        command.Parameters.AddWithValue("from", DateOnly.FromDateTime(from.UtcDateTime));
        command.Parameters.AddWithValue("months", months);
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>True when PostgreSQL refused a row because no partition holds its time (SQLSTATE 23514 from a partitioned table).</summary>
    public static bool IsMissingPartition(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.CheckViolation } p && p.MessageText.Contains("no partition", StringComparison.OrdinalIgnoreCase);

    public ValueTask DisposeAsync() => Source.DisposeAsync();
}
