using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Calendar;

/// <summary>The main screen: a week of scheduled variants, in the user's time zone.</summary>
[Authorize(Policy = Policies.SignedIn)]
public class IndexModel(PublisherDbContext db, UserTimeZone userZone, TimeProvider clock) : PageModel
{
    public sealed record Entry(Guid VariantId, Guid MessageId, string Title, string Channel, string Kind, string? Color, VariantState State, DateTime LocalTime, string Preview);

    public sealed record Day(DateOnly Date, bool IsToday, IReadOnlyList<Entry> Entries);

    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;
    public DateOnly WeekStart { get; private set; }
    public IReadOnlyList<Day> Days { get; private set; } = [];

    public async Task OnGetAsync(DateOnly? week)
    {
        Zone = await userZone.GetAsync();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Zone).DateTime);
        var anchor = week ?? today;
        WeekStart = anchor.AddDays(-(((int)anchor.DayOfWeek + 6) % 7)); // weeks start on Monday

        // The range is computed in the user's zone, so a day boundary is local midnight even across DST.
        var from = LocalMidnightUtc(WeekStart);
        var to = LocalMidnightUtc(WeekStart.AddDays(7));
        var rows = await db.Variants
            .Where(v => v.ScheduledAt >= from && v.ScheduledAt < to)
            .OrderBy(v => v.ScheduledAt)
            .Select(v => new
            {
                v.Id, v.MessageId, v.Message!.Title, Channel = v.ChannelAccount!.Name, v.ChannelAccount.Kind, v.ChannelAccount.Color,
                v.State, v.ScheduledAt, Text = v.ManualOverride ?? v.RenderedText,
            })
            .ToListAsync();

        var entries = rows.Select(r => new Entry(r.Id, r.MessageId, r.Title, r.Channel, r.Kind, r.Color, r.State,
            TimeZoneInfo.ConvertTime(r.ScheduledAt!.Value, Zone).DateTime, FirstWords(r.Text, 12))).ToList();
        Days = Enumerable.Range(0, 7)
            .Select(i => WeekStart.AddDays(i))
            .Select(d => new Day(d, d == today, entries.Where(e => DateOnly.FromDateTime(e.LocalTime) == d).ToList()))
            .ToList();
    }

    private DateTimeOffset LocalMidnightUtc(DateOnly date) =>
        new(TimeZoneInfo.ConvertTimeToUtc(date.ToDateTime(TimeOnly.MinValue), Zone), TimeSpan.Zero);

    private static string FirstWords(string text, int count)
    {
        var words = text.Split((char[]?)null, count + 1, StringSplitOptions.RemoveEmptyEntries);
        return words.Length <= count ? string.Join(' ', words) : string.Join(' ', words.Take(count)) + " …";
    }
}
