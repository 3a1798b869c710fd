namespace Publisher.Core.Analytics;

/// <summary>Analytics settings of the installation. Bound from the section "Analytics" (environment: Analytics__RetentionMonths=13, …).</summary>
public sealed class AnalyticsOptions
{
    public const string SectionName = "Analytics";

    /// <summary>Clicks, visits, conversions and engagement older than this many months are deleted by a daily job.</summary>
    public int RetentionMonths { get; set; } = 13;

    /// <summary>
    /// How long after arriving an event waits before it is counted in the rollups, so the click that brought a visit
    /// (still in a web process's queue for a moment) is in the database when the visit is credited.
    /// </summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most clicks and page views a web process holds in memory while the database cannot take them; beyond it they are counted as lost.</summary>
    public int QueueCapacity { get; set; } = 1_000_000;

    /// <summary>How often the queue is written to the database, and how many rows at most per write.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);
    public int FlushBatchSize { get; set; } = 5000;

    /// <summary>How many events one rollup step reads.</summary>
    public int RollupBatchSize { get; set; } = 20_000;

    /// <summary>Page views and conversions /t.js may send per visitor (daily hash) per minute, and per site origin per second.</summary>
    public int CollectPerVisitorPerMinute { get; set; } = 120;
    public int CollectPerOriginPerSecond { get; set; } = 2000;

    /// <summary>Largest body of one /t.js report, and of one POST /api/events batch, in bytes.</summary>
    public int MaxCollectBytes { get; set; } = 4096;
    public int MaxIngestBytes { get; set; } = 2 * 1024 * 1024;
}
