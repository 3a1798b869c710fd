namespace Publisher.Analytics.Time;

/// <summary>
/// Days as a person in a time zone lives them: from local midnight to the next, so a day of a clock change lasts 23
/// or 25 hours. Date ranges on the dashboard are local days of the user's zone, turned into UTC instants here.
/// </summary>
public static class LocalDays
{
    /// <summary>The instant local <paramref name="day"/> begins in <paramref name="zone"/> (the first valid instant, where midnight itself is skipped by a clock change).</summary>
    public static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        // A zone that moves its clocks at midnight skips that midnight: the day starts when the clocks show 01:00.
        while (zone.IsInvalidTime(local))
            local = local.AddMinutes(15);
        // At an ambiguous midnight (clocks turned back to it) the day starts at the first of the two.
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    /// <summary>The instants from the start of <paramref name="first"/> to the start of the day after <paramref name="last"/>: [start, end).</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Range(DateOnly first, DateOnly last, TimeZoneInfo zone) =>
        (StartOf(first, zone), StartOf(last.AddDays(1), zone));

    /// <summary>The local day <paramref name="at"/> falls on in <paramref name="zone"/>.</summary>
    public static DateOnly DayOf(DateTimeOffset at, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    /// <summary>Every day from <paramref name="first"/> to <paramref name="last"/>, both included.</summary>
    public static IEnumerable<DateOnly> Each(DateOnly first, DateOnly last)
    {
        for (var day = first; day <= last; day = day.AddDays(1))
            yield return day;
    }
}
