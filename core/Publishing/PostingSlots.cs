using System.Globalization;

namespace Publisher.Core.Publishing;

/// <summary>One weekly posting slot of a channel account: a weekday and a wall-clock time in the brand's zone.</summary>
public readonly record struct PostingSlot(DayOfWeek Day, TimeOnly Time)
{
    /// <summary>The stored form, e.g. "Mon 09:00".</summary>
    public override string ToString() => $"{PostingSlots.DayNames[(int)Day]} {Time:HH\\:mm}";
}

/// <summary>
/// Reads and writes posting slots ("Mon 09:00") and finds the next free one. Slots are wall-clock times in a
/// zone, so 09:00 stays 09:00 local across daylight-saving changes.
/// </summary>
public static class PostingSlots
{
    /// <summary>Three-letter day names indexed by <see cref="DayOfWeek"/>.</summary>
    public static readonly IReadOnlyList<string> DayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    private static readonly DayOfWeek[] Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
    private static readonly DayOfWeek[] Weekend = [DayOfWeek.Saturday, DayOfWeek.Sunday];
    private static readonly DayOfWeek[] EveryDay = [.. Weekdays, .. Weekend];

    /// <summary>
    /// Parses what a person typed: entries separated by commas or new lines, each a day (Mon…Sun, a full day
    /// name, "weekdays", "weekends" or "daily") and one or more times, e.g. "weekdays 09:00 13:00, Sat 10:30".
    /// Returns the slots in week order without duplicates, or one error per entry that could not be read.
    /// </summary>
    public static (IReadOnlyList<PostingSlot> Slots, IReadOnlyList<string> Errors) Parse(string? text)
    {
        var slots = new SortedSet<PostingSlot>(Comparer<PostingSlot>.Create(Compare));
        var errors = new List<string>();
        foreach (var entry in (text ?? "").Split([',', ';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var words = entry.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || DaysOf(words[0]) is not { } days)
            {
                errors.Add($"\"{entry}\" is not a posting slot: write a day and a time, like \"Mon 09:00\" or \"weekdays 13:00\".");
                continue;
            }
            foreach (var word in words[1..])
            {
                if (!TimeOnly.TryParseExact(word, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                {
                    errors.Add($"\"{word}\" in \"{entry}\" is not a time: write it on the 24-hour clock, like 09:00 or 17:30.");
                    continue;
                }
                foreach (var day in days)
                    slots.Add(new PostingSlot(day, time));
            }
        }
        return (slots.ToList(), errors);
    }

    /// <summary>Reads stored entries ("Mon 09:00"); entries that cannot be read are skipped.</summary>
    public static IReadOnlyList<PostingSlot> FromStored(IEnumerable<string> stored) => Parse(string.Join(',', stored)).Slots;

    /// <summary>
    /// The first slot at or after <paramref name="notBefore"/> whose instant is not in <paramref name="taken"/>,
    /// looking at most <paramref name="weeks"/> weeks ahead; null when there is none. A slot that does not exist
    /// on a given day (the hour the clocks skip in spring) is skipped that day; a slot in the repeated autumn hour
    /// is taken at its first occurrence.
    /// </summary>
    public static DateTimeOffset? NextFree(IReadOnlyList<PostingSlot> slots, TimeZoneInfo zone, DateTimeOffset notBefore, IReadOnlySet<DateTimeOffset> taken, int weeks = 8)
    {
        if (slots.Count == 0)
            return null;
        var startDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(notBefore, zone).DateTime);
        for (var i = 0; i <= weeks * 7; i++)
        {
            var day = startDay.AddDays(i);
            foreach (var slot in slots.Where(s => s.Day == day.DayOfWeek).OrderBy(s => s.Time))
            {
                if (ToInstant(day, slot.Time, zone) is { } at && at >= notBefore && !taken.Contains(at))
                    return at;
            }
        }
        return null;
    }

    /// <summary>The instant a wall-clock time on a day in a zone stands for, or null when that time does not exist there.</summary>
    public static DateTimeOffset? ToInstant(DateOnly day, TimeOnly time, TimeZoneInfo zone)
    {
        var wall = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall))
            return null;
        if (zone.IsAmbiguousTime(wall))
        {
            // The earlier of the two instants: the daylight-saving offset, which is the larger one.
            var offset = zone.GetAmbiguousTimeOffsets(wall).Max();
            return new DateTimeOffset(wall, offset).ToUniversalTime();
        }
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(wall, zone), TimeSpan.Zero);
    }

    private static IReadOnlyList<DayOfWeek>? DaysOf(string word)
    {
        switch (word.ToLowerInvariant())
        {
            case "weekdays": return Weekdays;
            case "weekends": return Weekend;
            case "daily" or "everyday" or "every-day": return EveryDay;
        }
        for (var d = 0; d < 7; d++)
        {
            var name = ((DayOfWeek)d).ToString();
            if (word.Equals(DayNames[d], StringComparison.OrdinalIgnoreCase) || word.Equals(name, StringComparison.OrdinalIgnoreCase))
                return [(DayOfWeek)d];
        }
        return null;
    }

    // Monday first, as the calendar shows weeks.
    private static int Compare(PostingSlot a, PostingSlot b) =>
        ((int)a.Day + 6) % 7 != ((int)b.Day + 6) % 7 ? (((int)a.Day + 6) % 7).CompareTo(((int)b.Day + 6) % 7) : a.Time.CompareTo(b.Time);
}
