namespace Publisher.Core.Publishing;

/// <summary>
/// The span of days Publisher plans and shows: from 1 January 2000 to five years after today. Every date that
/// comes in (an address, a form, the calendar API, a CSV file) is checked or clamped against it, so a day
/// like 0001-01-01 or 9999-12-31 gets a clear answer instead of overflowing date arithmetic, and nothing is
/// planned further ahead than anyone plans.
/// </summary>
public static class PlanningWindow
{
    /// <summary>How many years ahead a post may be planned.</summary>
    public const int YearsAhead = 5;

    /// <summary>The first day the calendar, the review queue and the audit log go back to.</summary>
    public static readonly DateOnly FirstDay = new(2000, 1, 1);

    /// <summary>The last day a post may be planned on, as seen from <paramref name="now"/> (in UTC).</summary>
    public static DateOnly LastDay(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime).AddYears(YearsAhead);

    /// <summary>The first instant after the window: nothing may be planned at or after it.</summary>
    public static DateTimeOffset End(DateTimeOffset now) => new(LastDay(now).AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The first instant of the window.</summary>
    public static DateTimeOffset Start { get; } = new(FirstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>True when <paramref name="day"/> is inside the window.</summary>
    public static bool Contains(DateOnly day, DateTimeOffset now) => day >= FirstDay && day <= LastDay(now);

    /// <summary>The nearest day inside the window.</summary>
    public static DateOnly Clamp(DateOnly day, DateTimeOffset now) =>
        day < FirstDay ? FirstDay : day > LastDay(now) ? LastDay(now) : day;

    /// <summary>The nearest instant inside the window.</summary>
    public static DateTimeOffset Clamp(DateTimeOffset at, DateTimeOffset now) =>
        at < Start ? Start : at >= End(now) ? End(now).AddTicks(-1) : at;

    /// <summary>Why nothing can be planned on <paramref name="day"/>, or null when it is inside the window.</summary>
    public static string? Outside(DateOnly day, DateTimeOffset now) =>
        day > LastDay(now)
            ? $"{day:yyyy-MM-dd} is more than {YearsAhead} years ahead: Publisher plans up to {LastDay(now):yyyy-MM-dd}. Choose an earlier day."
            : day < FirstDay
                ? $"{day:yyyy-MM-dd} is long past: choose a day from today on."
                : null;

    /// <summary>Why a post cannot be planned at <paramref name="at"/>, or null when it can (the past is another rule's business).</summary>
    public static string? TooFarAhead(DateTimeOffset at, DateTimeOffset now) =>
        at >= End(now) ? Outside(DateOnly.FromDateTime(at.UtcDateTime), now) : null;

    /// <summary>Says that a day asked for was outside the window and which day is shown instead.</summary>
    public static string Clamped(DateOnly asked, DateOnly shown) =>
        $"{asked:yyyy-MM-dd} is outside the days Publisher plans and shows ({FirstDay:yyyy-MM-dd} to {YearsAhead} years ahead): showing {shown:yyyy-MM-dd} instead.";
}
