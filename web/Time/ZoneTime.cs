namespace Publisher.Web.Time;

/// <summary>Local days and times in a user's zone, correct across daylight-saving changes.</summary>
public static class ZoneTime
{
    /// <summary>The UTC instant at which <paramref name="date"/> begins in <paramref name="zone"/>.</summary>
    public static DateTimeOffset LocalMidnightUtc(this TimeZoneInfo zone, DateOnly date) =>
        new(TimeZoneInfo.ConvertTimeToUtc(date.ToDateTime(TimeOnly.MinValue), zone), TimeSpan.Zero);

    public static DateTime Local(this TimeZoneInfo zone, DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).DateTime;
}
