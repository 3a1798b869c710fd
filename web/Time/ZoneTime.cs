namespace Publisher.Web.Time;

/// <summary>Local days and times in a user's zone, correct across daylight-saving changes.</summary>
public static class ZoneTime
{
    /// <summary>The UTC instant at which <paramref name="date"/> begins in <paramref name="zone"/>.</summary>
    public static DateTimeOffset LocalMidnightUtc(this TimeZoneInfo zone, DateOnly date) =>
        new(TimeZoneInfo.ConvertTimeToUtc(date.ToDateTime(TimeOnly.MinValue), zone), TimeSpan.Zero);

    public static DateTime Local(this TimeZoneInfo zone, DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).DateTime;

    /// <summary>"2026-12-08 09:00 (Europe/Paris)": an instant as a person reads it, in their zone, with the zone named.</summary>
    public static string Named(this TimeZoneInfo zone, DateTimeOffset at, string format = "yyyy-MM-dd HH:mm") =>
        $"{zone.Local(at).ToString(format, System.Globalization.CultureInfo.InvariantCulture)} ({zone.Id})";
}
