namespace Publisher.Core.Analytics;

/// <summary>
/// Credit per hour, channel and kind of event under each model: what the dashboard sums. Kept incrementally by
/// <c>AnalyticsRollups</c> as events arrive. Hours in UTC, so any local day of a whole-hour zone is a range of them.
/// </summary>
public class ChannelHour
{
    public DateTimeOffset Hour { get; set; }
    public required string Channel { get; set; }
    public short Kind { get; set; }

    /// <summary>The revenue's currency; empty for events without one.</summary>
    public string Currency { get; set; } = "";
    public double FirstTouch { get; set; }
    public double LastTouch { get; set; }
    public double Linear { get; set; }
    public double PositionBased { get; set; }
    public decimal FirstTouchRevenue { get; set; }
    public decimal LastTouchRevenue { get; set; }
    public decimal LinearRevenue { get; set; }
    public decimal PositionBasedRevenue { get; set; }
}

/// <summary>The same credit per variant (the part of it earned by clicks on the variant's links).</summary>
public class VariantHour
{
    public DateTimeOffset Hour { get; set; }
    public Guid VariantId { get; set; }
    public short Kind { get; set; }
    public string Currency { get; set; } = "";
    public double FirstTouch { get; set; }
    public double LastTouch { get; set; }
    public double Linear { get; set; }
    public double PositionBased { get; set; }
    public decimal FirstTouchRevenue { get; set; }
    public decimal LastTouchRevenue { get; set; }
    public decimal LinearRevenue { get; set; }
    public decimal PositionBasedRevenue { get; set; }
}

/// <summary>Clicks, previews and new visitors of the day per hour and variant.</summary>
public class ClickHour
{
    public DateTimeOffset Hour { get; set; }
    public Guid VariantId { get; set; }
    public Guid ChannelAccountId { get; set; }
    public int Clicks { get; set; }
    public int Previews { get; set; }

    /// <summary>Visitors whose first click of the (UTC) day on this account's links fell in this hour: summed, the daily unique visitors.</summary>
    public int Visitors { get; set; }
}

/// <summary>
/// The same clicks per UTC day and variant: a quarter's totals per variant read about 90 of these per variant, plus the
/// hours of the range's partial first and last days from <see cref="ClickHour"/>, instead of 2,000 hourly rows.
/// </summary>
public class ClickDay
{
    public DateOnly Day { get; set; }
    public Guid VariantId { get; set; }
    public Guid ChannelAccountId { get; set; }
    public int Clicks { get; set; }
    public int Previews { get; set; }
    public int Visitors { get; set; }
}

/// <summary>The same clicks per hour and account (all its variants): the channel table's and the daily chart's clicks, for any zone's days.</summary>
public class AccountClickHour
{
    public DateTimeOffset Hour { get; set; }
    public Guid ChannelAccountId { get; set; }
    public int Clicks { get; set; }
    public int Previews { get; set; }
    public int Visitors { get; set; }
}

/// <summary>Which visitor hashes clicked an account's links on a UTC day (to count each once a day).</summary>
public class VisitorDay
{
    public DateOnly Day { get; set; }
    public Guid ChannelAccountId { get; set; }
    public long VisitorHash { get; set; }
}

/// <summary>Views of one blog article per hour.</summary>
public class BlogViewHour
{
    public DateTimeOffset Hour { get; set; }
    public required string Slug { get; set; }
    public int Views { get; set; }
}

/// <summary>How far a rollup has read its source table (by arrival time, then id).</summary>
public class AnalyticsWatermark
{
    public required string Name { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public string LastId { get; set; } = "";
}
