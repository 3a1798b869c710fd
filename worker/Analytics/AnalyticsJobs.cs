using Hangfire;
using Publisher.Core.Analytics;

namespace Publisher.Worker.Analytics;

/// <summary>Analytics housekeeping: the rollups every minute, partitions made ahead and the retention purge every night.</summary>
public sealed class AnalyticsJobs(AnalyticsRollups rollups, AnalyticsMaintenance maintenance, ILogger<AnalyticsJobs> logger)
{
    /// <summary>Counts what arrived since the last run (the dashboard also catches up when it is opened).</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)] // the next minute's run is the retry
    public async Task RollUpAsync(CancellationToken cancellationToken)
    {
        var progress = await rollups.CatchUpAsync(TimeSpan.FromSeconds(50), cancellationToken);
        if (!progress.CaughtUp && progress.Clicks + progress.PageViews + progress.Conversions > 0)
            logger.LogInformation("Analytics rollups are behind: counted {Clicks} clicks, {Views} page views and {Conversions} conversions this minute; the next run goes on.",
                progress.Clicks, progress.PageViews, progress.Conversions);
    }

    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task EnsurePartitionsAsync(CancellationToken cancellationToken)
    {
        var made = await maintenance.EnsurePartitionsAsync(cancellationToken);
        if (made > 0)
            logger.LogInformation("Made {Count} monthly analytics partitions ahead.", made);
    }

    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    public async Task PurgeAsync(CancellationToken cancellationToken)
    {
        var purged = await maintenance.PurgeAsync(cancellationToken);
        logger.LogInformation("Analytics retention: removed what predates {Cutoff:yyyy-MM-dd}: {Rows}.", purged.Cutoff,
            string.Join(", ", purged.Rows.Where(r => r.Value > 0).Select(r => $"{r.Value:N0} from {r.Key}")));
    }

    public static void Schedule(IRecurringJobManager jobs)
    {
        jobs.AddOrUpdate<AnalyticsJobs>("analytics-rollups", j => j.RollUpAsync(CancellationToken.None), Cron.Minutely());
        jobs.AddOrUpdate<AnalyticsJobs>("analytics-partitions", j => j.EnsurePartitionsAsync(CancellationToken.None), Cron.Daily(1));
        jobs.AddOrUpdate<AnalyticsJobs>("analytics-retention", j => j.PurgeAsync(CancellationToken.None), Cron.Daily(3));
    }
}
