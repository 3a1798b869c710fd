using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Web.Pages.Shared;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Calendar;

/// <summary>
/// The main screen: variants by month, week or as a list, in the user's time zone, filtered and coloured as
/// the address says, with campaigns drawn across their days. Moving happens through the calendar API.
/// </summary>
[Authorize(Policy = Policies.SignedIn)]
public class IndexModel(PublisherDbContext db, UserTimeZone userZone, TimeProvider clock, Publisher.Core.Analytics.AnalyticsReport analytics) : PageModel
{
    /// <summary>Clicks on the tracked links of the published entries shown: their small performance figure.</summary>
    public IReadOnlyDictionary<Guid, long> Clicks { get; private set; } = new Dictionary<Guid, long>();

    /// <summary>An entry with its time as the user sees it.</summary>
    public sealed record Entry(CalendarEntry Data, DateTime Local)
    {
        public DateOnly Day => DateOnly.FromDateTime(Local);
    }

    public sealed record Day(DateOnly Date, bool IsToday, bool InRange, bool IsPast, IReadOnlyList<Entry> Entries);

    /// <summary>A campaign drawn across one week row: columns 1–7, and whether it goes on before or after the row.</summary>
    public sealed record CampaignBar(Guid Id, string Name, string? Color, string Utm, DateOnly StartsOn, DateOnly EndsOn, int Column, int Span, bool ContinuesBefore, bool ContinuesAfter);

    public sealed record Option(string Value, string Label, string? Color = null);

    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;
    public CalendarFilter Filter { get; private set; } = new();
    public DateOnly Today { get; private set; }
    public DateOnly Anchor { get; private set; }
    public DateOnly RangeStart { get; private set; }
    public DateOnly RangeEnd { get; private set; }

    /// <summary>Weeks of seven days (one for the week view); the list view uses <see cref="Days"/>.</summary>
    public IReadOnlyList<IReadOnlyList<Day>> Weeks { get; private set; } = [];
    public IReadOnlyList<Day> Days { get; private set; } = [];
    public IReadOnlyList<IReadOnlyList<CampaignBar>> CampaignBars { get; private set; } = [];
    public IReadOnlyList<CampaignBar> CampaignsInRange { get; private set; } = [];
    public int EntryCount { get; private set; }

    /// <summary>Said when the day in the address was outside the planning window and the nearest day inside it is shown.</summary>
    public string? Clamped { get; private set; }
    public IReadOnlyList<int> Hours { get; private set; } = [];

    public IReadOnlyList<Option> AccountOptions { get; private set; } = [];
    public IReadOnlyList<Option> CampaignOptions { get; private set; } = [];
    public IReadOnlyList<Option> AuthorOptions { get; private set; } = [];
    public static readonly IReadOnlyList<VariantState> StateOptions =
        [VariantState.Draft, VariantState.InReview, VariantState.Approved, VariantState.Scheduled, VariantState.Published, VariantState.Failed, VariantState.Missed,
         VariantState.Rejected, VariantState.NeedsAttention, VariantState.Canceled];

    public string Title => Filter.ViewName switch
    {
        CalendarFilter.Month or CalendarFilter.List => Anchor.ToString("MMMM yyyy", CultureInfo.InvariantCulture),
        _ => "Week of " + RangeStart.ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
    };

    public DateOnly Previous => Filter.ViewName == CalendarFilter.Week ? Anchor.AddDays(-7) : Anchor.AddMonths(-1);
    public DateOnly Next => Filter.ViewName == CalendarFilter.Week ? Anchor.AddDays(7) : Anchor.AddMonths(1);

    public async Task OnGetAsync([FromQuery] CalendarFilter filter, CancellationToken cancellationToken)
    {
        await LoadAsync(filter, cancellationToken);
        await LoadOptionsAsync(cancellationToken);
    }

    /// <summary>The visible range, with the same filters, as CSV (one row per variant).</summary>
    public async Task<IActionResult> OnGetCsvAsync([FromQuery] CalendarFilter filter, CancellationToken cancellationToken)
    {
        await LoadAsync(filter, cancellationToken);
        var accounts = await db.ChannelAccounts.AsNoTracking().ToDictionaryAsync(a => a.Id, cancellationToken);
        var people = await db.Users.AsNoTracking().Select(u => new { u.Id, Name = u.DisplayName == "" ? u.Email : u.DisplayName }).ToDictionaryAsync(u => u.Id, u => u.Name ?? "", cancellationToken);
        var csv = CalendarCsvExport.Write(Weeks.SelectMany(w => w).Concat(Days).Where(d => d.InRange).DistinctBy(d => d.Date).SelectMany(d => d.Entries), Zone, people, accounts);
        var name = $"calendar-{RangeStart:yyyy-MM-dd}-to-{RangeEnd.AddDays(-1):yyyy-MM-dd}.csv";
        return File(csv, "text/csv; charset=utf-8", name);
    }

    private async Task LoadAsync(CalendarFilter filter, CancellationToken cancellationToken)
    {
        Filter = filter;
        Zone = await userZone.GetAsync();
        var now = clock.GetUtcNow();
        Today = DateOnly.FromDateTime(Zone.Local(now));
        // A day far outside the window (0001-01-01, 9999-12-31) would overflow the date arithmetic below.
        var asked = filter.Date ?? filter.LegacyWeek ?? Today;
        Anchor = PlanningWindow.Clamp(asked, now);
        if (Anchor != asked)
        {
            Clamped = PlanningWindow.Clamped(asked, Anchor);
            filter.Date = Anchor;
            filter.LegacyWeek = null;
        }

        // The days shown: a week from Monday, or the weeks that hold the month. The list shows the month only.
        DateOnly gridStart, gridEnd;
        switch (filter.ViewName)
        {
            case CalendarFilter.Month:
                var first = new DateOnly(Anchor.Year, Anchor.Month, 1);
                (RangeStart, RangeEnd) = (first, first.AddMonths(1));
                (gridStart, gridEnd) = (Monday(first), Monday(RangeEnd.AddDays(6)));
                break;
            case CalendarFilter.List:
                var firstOfMonth = new DateOnly(Anchor.Year, Anchor.Month, 1);
                (RangeStart, RangeEnd) = (firstOfMonth, firstOfMonth.AddMonths(1));
                (gridStart, gridEnd) = (RangeStart, RangeEnd);
                break;
            default:
                (RangeStart, RangeEnd) = (Monday(Anchor), Monday(Anchor).AddDays(7));
                (gridStart, gridEnd) = (RangeStart, RangeEnd);
                break;
        }

        // Day boundaries are local midnights in the user's zone, so a day is 23 or 25 hours long when the clocks change.
        var rows = await CalendarEntries.LoadAsync(db, Zone.LocalMidnightUtc(gridStart), Zone.LocalMidnightUtc(gridEnd), filter, cancellationToken);
        var byDay = rows.Select(r => new Entry(r, Zone.Local(r.At))).ToLookup(e => e.Day);
        Clicks = await analytics.ClicksAsync(rows.Where(r => r.State == VariantState.Published).Select(r => r.VariantId).ToList(), cancellationToken);
        var days = new List<Day>();
        for (var d = gridStart; d < gridEnd; d = d.AddDays(1))
            days.Add(new Day(d, d == Today, d >= RangeStart && d < RangeEnd, d < Today, byDay[d].ToList()));
        EntryCount = days.Where(d => d.InRange).Sum(d => d.Entries.Count);

        if (filter.ViewName == CalendarFilter.List)
            Days = days;
        else
            Weeks = days.Chunk(7).Select(w => (IReadOnlyList<Day>)w).ToList();

        if (filter.ViewName == CalendarFilter.Week)
        {
            // Working hours always show; earlier and later hours only when something is planned in them.
            var used = days.SelectMany(d => d.Entries).Select(e => e.Local.Hour).ToHashSet();
            Hours = Enumerable.Range(0, 24).Where(h => h is >= 7 and <= 20 || used.Contains(h)).ToList();
        }

        var campaigns = await db.Campaigns.AsNoTracking()
            .Where(c => c.StartsOn < gridEnd && c.EndsOn >= gridStart)
            .Where(c => filter.Campaigns.Count == 0 || filter.Campaigns.Contains(c.Id))
            .OrderBy(c => c.StartsOn).ThenBy(c => c.Name)
            .Select(c => new { c.Id, c.Name, c.Color, c.UtmCampaign, c.StartsOn, c.EndsOn })
            .ToListAsync(cancellationToken);
        CampaignsInRange = campaigns.Select(c => new CampaignBar(c.Id, c.Name, CalendarFilter.SafeColor(c.Color), c.UtmCampaign, c.StartsOn, c.EndsOn, 0, 0, false, false)).ToList();
        CampaignBars = Weeks.Select(week =>
        {
            var (monday, sunday) = (week[0].Date, week[^1].Date);
            return (IReadOnlyList<CampaignBar>)CampaignsInRange.Where(c => c.StartsOn <= sunday && c.EndsOn >= monday).Select(c =>
            {
                var start = c.StartsOn < monday ? monday : c.StartsOn;
                var end = c.EndsOn > sunday ? sunday : c.EndsOn;
                return c with { Column = start.DayNumber - monday.DayNumber + 1, Span = end.DayNumber - start.DayNumber + 1, ContinuesBefore = c.StartsOn < monday, ContinuesAfter = c.EndsOn > sunday };
            }).ToList();
        }).ToList();
    }

    private async Task LoadOptionsAsync(CancellationToken cancellationToken)
    {
        AccountOptions = await db.ChannelAccounts.AsNoTracking().OrderBy(a => a.Name)
            .Select(a => new Option(a.Id.ToString(), a.Name, a.Color)).ToListAsync(cancellationToken);
        CampaignOptions = await db.Campaigns.AsNoTracking().OrderByDescending(c => c.StartsOn)
            .Select(c => new Option(c.Id.ToString(), c.Name, c.Color)).ToListAsync(cancellationToken);
        // Authors are the people who wrote at least one message.
        AuthorOptions = await db.Users.AsNoTracking().Where(u => db.Messages.Any(m => m.AuthorId == u.Id)).OrderBy(u => u.DisplayName)
            .Select(u => new Option(u.Id, u.DisplayName == "" ? u.Email! : u.DisplayName)).ToListAsync(cancellationToken);
    }

    /// <summary>The colour an entry is drawn in, by channel account or by campaign as the user chose.</summary>
    public string? ColorOf(CalendarEntry entry) => Filter.ColorMode == CalendarFilter.ByCampaign ? entry.CampaignColor : entry.AccountColor;

    /// <summary>Whether the user may start a message at this local time (now or later).</summary>
    public bool IsAhead(DateOnly day, int hour) => Core.Publishing.PostingSlots.ToInstant(day, new TimeOnly(hour, 59), Zone) is { } end && end > clock.GetUtcNow();

    public static string ChannelLabel(string kind) => ChannelNames.Of(kind);

    private static DateOnly Monday(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
}
