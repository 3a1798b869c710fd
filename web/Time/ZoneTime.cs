namespace Publisher.Web.Time;

/// <summary>Local days and times in a user's zone, correct across daylight-saving changes.</summary>
public static class ZoneTime
{
    /// <summary>The UTC instant at which <paramref name="date"/> begins in <paramref name="zone"/>.</summary>
    public static DateTimeOffset LocalMidnightUtc(this TimeZoneInfo zone, DateOnly date) =>
        new(TimeZoneInfo.ConvertTimeToUtc(date.ToDateTime(TimeOnly.MinValue), zone), TimeSpan.Zero);

    public static DateTime Local(this TimeZoneInfo zone, DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).DateTime;

    /// <summary>
    /// The UTC instant of a wall-clock time in <paramref name="zone"/>; null with the reason when that time does
    /// not exist there (it falls in the hour skipped when clocks go forward).
    /// </summary>
    public static DateTimeOffset? ToUtc(this TimeZoneInfo zone, DateTime local, out string? error)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            error = $"{local:HH:mm} does not exist on {local:d MMMM} in {zone.Id}: the clocks skip that hour. Pick a time outside it.";
            return null;
        }
        error = null;
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }
}
