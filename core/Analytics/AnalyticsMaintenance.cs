using Microsoft.Extensions.Options;
using Npgsql;

namespace Publisher.Core.Analytics;

/// <summary>
/// The analytics housekeeping the worker runs: monthly partitions made ahead, and the retention purge, which drops
/// whole months of clicks and page views past <see cref="AnalyticsOptions.RetentionMonths"/>, deletes older
/// conversions, identities, rollups and engagement readings, and deletes the visitor salts of past days.
/// </summary>
public sealed class AnalyticsMaintenance(AnalyticsDatabase database, IOptions<AnalyticsOptions> options, TimeProvider clock)
{
    /// <summary>What a purge removed, per table.</summary>
    public sealed record Purged(DateTimeOffset Cutoff, IReadOnlyDictionary<string, long> Rows);

    /// <summary>Makes the partitions of last month, this month and the next three (those missing).</summary>
    public async Task<int> EnsurePartitionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        return await AnalyticsDatabase.EnsurePartitionsAsync(connection, clock.GetUtcNow().AddMonths(-1), 5, cancellationToken);
    }

    /// <summary>Deletes everything older than the retention period, in one transaction.</summary>
    public async Task<Purged> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var cutoff = now.AddMonths(-options.Value.RetentionMonths);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var removed = new Dictionary<string, long>();
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        async Task<long> Run(string sql, object value)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.AddWithValue("cutoff", value);
            var result = await command.ExecuteScalarAsync(cancellationToken);
            return result is long n ? n : 0;
        }
        async Task Delete(string table, string column, object value) =>
            removed[table] = await Run($"WITH gone AS (DELETE FROM \"{table}\" WHERE \"{column}\" < @cutoff RETURNING 1) SELECT count(*) FROM gone", value);

        removed["Clicks and PageViews"] = await Run("SELECT analytics_purge_partitions(@cutoff)", cutoff);
        await Delete("Conversions", "At", cutoff);
        await Delete("AnalyticsIdentities", "LastSeenAt", cutoff);
        await Delete("ChannelHours", "Hour", cutoff);
        await Delete("VariantHours", "Hour", cutoff);
        await Delete("ClickHours", "Hour", cutoff);
        await Delete("AccountClickHours", "Hour", cutoff);
        // A day is dropped once it is wholly before the cutoff (its hours past the cutoff stay in the hourly tables till the next night).
        await Delete("ClickDays", "Day", DateOnly.FromDateTime(cutoff.UtcDateTime));
        await Delete("BlogViewHours", "Hour", cutoff);
        await Delete("VisitorDays", "Day", DateOnly.FromDateTime(cutoff.UtcDateTime));
        await Delete("EngagementSnapshots", "FetchedAt", cutoff);
        await Delete("NewsletterUnsubscribes", "At", cutoff);
        // A past day's salt is never needed again; without it that day's hashes cannot be recomputed from an address.
        await Delete("VisitorSalts", "Day", today);
        await transaction.CommitAsync(cancellationToken);
        return new Purged(cutoff, removed);
    }
}
