namespace Publisher.Core.Analytics;

/// <summary>
/// A request to a tracked link: a click by a person, or a preview (a network's card fetcher, a crawler, a HEAD).
/// Kept in the partitioned table <c>Clicks</c> (a partition per month), written in batches by the redirect's queue.
/// No IP address is stored: only the daily-rotating visitor hash, the referrer's host and the device class.
/// </summary>
public class Click
{
    /// <summary>The click id, sent on as <c>pcid</c>.</summary>
    public Guid Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Code { get; set; }
    public Guid VariantId { get; set; }
    public Guid ChannelAccountId { get; set; }
    public Guid? CampaignId { get; set; }

    /// <summary>Salted hash of address and user agent with the day's salt (null when the visitor sent Do Not Track or GPC).</summary>
    public long? VisitorHash { get; set; }
    public string? ReferrerHost { get; set; }
    public short Device { get; set; }
    public bool IsPreview { get; set; }

    /// <summary>When the row reached the database (the rollups read rows in this order).</summary>
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>
/// A page view on the brand's site (or the blog) reported by <c>/t.js</c>; the first of a session carries where the
/// visitor came from: the click id of a tracked link, UTM tags, the referrer's host. Partitioned by month.
/// </summary>
public class PageView
{
    public Guid Id { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid SessionId { get; set; }

    /// <summary>The id in the brand's first-party cookie; null without one (Do Not Track, GPC).</summary>
    public string? VisitorId { get; set; }
    public long? VisitorHash { get; set; }
    public bool StartsSession { get; set; }
    public required string Host { get; set; }
    public required string Path { get; set; }
    public Guid? ClickId { get; set; }
    public string? UtmSource { get; set; }
    public string? UtmMedium { get; set; }
    public string? UtmCampaign { get; set; }
    public string? ReferrerHost { get; set; }
    public short Device { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>
/// A contact, qualified lead or sale, reported by the brand's site (<c>publisher.track</c>) or its systems
/// (<c>POST /api/events</c>). One per kind and sender's event id: a retried report counts once.
/// </summary>
public class Conversion
{
    public long Id { get; set; }
    public required string EventId { get; set; }
    public short Kind { get; set; }
    public DateTimeOffset At { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public decimal Value { get; set; }
    public string? Currency { get; set; }
    public Guid? ClickId { get; set; }
    public string? VisitorId { get; set; }
    public string? EmailSha256 { get; set; }

    /// <summary><c>api</c> or <c>site</c>.</summary>
    public required string Source { get; set; }
}

/// <summary>A newsletter reader who unsubscribed through the newsletter's own link.</summary>
public class NewsletterUnsubscribe
{
    public long Id { get; set; }
    public Guid VariantId { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>
/// Public metrics of one published post (or thread part) as its network reported them at one moment.
/// </summary>
/// <remarks>
/// The contract for the readers of each network's metrics: add one row per reading (never update one), with the
/// variant, its channel account and the network's id of the post or part (<see cref="ExternalId"/>); leave a figure
/// null when the network does not report it. The dashboard and the variant page show, per <see cref="ExternalId"/>,
/// the latest row (so a thread's parts add up), and the history is kept for the time series. <see cref="Raw"/> holds
/// the network's answer for inspection, at most <see cref="MaxRawLength"/> characters of JSON. The newsletter writes a
/// row when it is sent (<see cref="Deliveries"/>) and the unsubscribe link adds to <see cref="Unsubscribes"/>.
/// </remarks>
public class EngagementSnapshot
{
    public const int MaxRawLength = 4000;

    public long Id { get; set; }
    public Guid VariantId { get; set; }
    public Guid ChannelAccountId { get; set; }
    public required string ExternalId { get; set; }
    public DateTimeOffset FetchedAt { get; set; }
    public int? Likes { get; set; }
    public int? Reposts { get; set; }
    public int? Replies { get; set; }
    public int? Quotes { get; set; }
    public long? Impressions { get; set; }
    public long? Clicks { get; set; }
    public int? Deliveries { get; set; }
    public int? Unsubscribes { get; set; }
    public string? Raw { get; set; }
}
