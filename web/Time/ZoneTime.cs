using System.Globalization;
using System.Text.RegularExpressions;

namespace Publisher.Web.Time;

/// <summary>Local days and times in a user's zone, correct across daylight-saving changes.</summary>
public static partial class ZoneTime
{
    /// <summary>The UTC instant at which <paramref name="date"/> begins in <paramref name="zone"/>.</summary>
    public static DateTimeOffset LocalMidnightUtc(this TimeZoneInfo zone, DateOnly date) =>
        new(TimeZoneInfo.ConvertTimeToUtc(date.ToDateTime(TimeOnly.MinValue), zone), TimeSpan.Zero);

    public static DateTime Local(this TimeZoneInfo zone, DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).DateTime;

    /// <summary>"2026-12-08 09:00 (Europe/Paris)": an instant as a person reads it, in their zone, with the zone named.</summary>
    public static string Named(this TimeZoneInfo zone, DateTimeOffset at, string format = "yyyy-MM-dd HH:mm") =>
        $"{zone.Local(at).ToString(format, CultureInfo.InvariantCulture)} ({zone.Id})";

    /// <summary>
    /// Text written when something happened, with its instants in UTC ("scheduled for 2026-12-08 08:00 UTC", "no worker
    /// ran at its time (… UTC)"), as a person reads it: each instant in their zone. The page names the zone once.
    /// </summary>
    public static string LocalizeUtc(this TimeZoneInfo zone, string? text) => text is null ? "" : UtcInText().Replace(text, m =>
    {
        var withSeconds = m.Groups["s"].Success;
        if (!DateTime.TryParseExact(m.Groups["at"].Value + (withSeconds ? "" : ":00"), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc))
            return m.Value;
        return zone.Local(new DateTimeOffset(utc, TimeSpan.Zero)).ToString(withSeconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
    });

    [GeneratedRegex(@"(?<at>\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?<s>:\d{2})?) UTC", RegexOptions.CultureInvariant)]
    private static partial Regex UtcInText();
}
