namespace Publisher.Analytics.Engagement;

/// <summary>
/// When a published post's public metrics are read: 1 hour, 6 hours, 1 day, 7 days and 30 days after it went out.
/// Most engagement comes early, so early readings are close together and late ones far apart; after the last one
/// the post is left alone, which keeps the calls within every network's rate limits however long the history.
/// </summary>
public static class EngagementSchedule
{
    /// <summary>How long after publishing each reading is taken, in order.</summary>
    public static readonly IReadOnlyList<TimeSpan> ReadingsAfterPublishing =
        [TimeSpan.FromHours(1), TimeSpan.FromHours(6), TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(30)];

    /// <summary>The longest a post is read after it was published.</summary>
    public static TimeSpan LastReading => ReadingsAfterPublishing[^1];

    /// <summary>
    /// The next reading that has not been taken: the first point of the schedule after the last reading. A worker
    /// that was down for days takes one reading for all the points it missed, not one per point.
    /// </summary>
    /// <returns>Null when every reading of the schedule has been taken.</returns>
    public static DateTimeOffset? NextReading(DateTimeOffset publishedAt, DateTimeOffset? lastReadAt)
    {
        foreach (var after in ReadingsAfterPublishing)
        {
            var point = publishedAt + after;
            if (lastReadAt is null || lastReadAt < point) return point;
        }
        return null;
    }

    /// <summary>Whether a reading is due at <paramref name="now"/>.</summary>
    public static bool IsDue(DateTimeOffset publishedAt, DateTimeOffset? lastReadAt, DateTimeOffset now) =>
        NextReading(publishedAt, lastReadAt) is { } next && next <= now;
}
