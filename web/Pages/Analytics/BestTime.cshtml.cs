using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Analytics.Scheduling;
using Publisher.Core.Analytics;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Workflow;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Analytics;

/// <summary>
/// Best time to post, per channel account: a weekday × hour heat map (the brand's zone, where posting slots live) of
/// the clicks its links got and the engagement of the posts it published, and the best hours that are not slots yet,
/// which an admin adds as posting slots in one click.
/// </summary>
[Authorize(Policy = Policies.SignedIn)]
public class BestTimeModel(PublisherDbContext db, AnalyticsReport report, VariantWorkflow audit) : PageModel
{
    public sealed record Option(Guid Id, string Name);

    [BindProperty(SupportsGet = true)] public Guid? Account { get; set; }

    public IReadOnlyList<Option> Accounts { get; private set; } = [];
    public ChannelAccount? Chosen { get; private set; }
    public string Zone { get; private set; } = "UTC";
    public long[,] Scores { get; private set; } = new long[7, 24];
    public long[,] Clicks { get; private set; } = new long[7, 24];
    public long Max { get; private set; }
    public int Posts { get; private set; }
    public IReadOnlyList<WeekHour> Suggested { get; private set; } = [];
    public IReadOnlyList<WeekHour> Slots { get; private set; } = [];

    [TempData] public string? Notice { get; set; }
    [TempData] public string? Error { get; set; }

    /// <summary>Monday first, as the calendar shows weeks.</summary>
    public static readonly DayOfWeek[] Week = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    public async Task<IActionResult> OnGetAsync()
    {
        Accounts = await db.ChannelAccounts.AsNoTracking().OrderBy(a => a.Name).Select(a => new Option(a.Id, a.Name)).ToListAsync();
        Account ??= Accounts.FirstOrDefault()?.Id;
        if (Account is null)
            return Page();
        Chosen = await db.ChannelAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == Account);
        if (Chosen is null)
            return NotFound();
        var zone = await BrandZoneAsync();
        Zone = zone.Id;
        var (clicks, engagement, posts) = await report.WeeklyAsync(Chosen.Id, zone, HttpContext.RequestAborted);
        Clicks = clicks;
        Posts = posts;
        Scores = BestTimes.Scores(clicks, engagement);
        Max = Scores.Cast<long>().Max();
        Slots = SlotHours(Chosen);
        Suggested = BestTimes.Suggest(Scores, Slots);
        return Page();
    }

    /// <summary>Adds the suggested hours to the account's posting slots, through the same parsing the Channels page uses.</summary>
    public async Task<IActionResult> OnPostAddSlotsAsync(Guid account, List<string> slots)
    {
        if (!User.IsInRole(Roles.Admin))
            return Forbid();
        var chosen = await db.ChannelAccounts.SingleOrDefaultAsync(a => a.Id == account);
        if (chosen is null)
            return NotFound();
        var (parsed, errors) = PostingSlots.Parse(string.Join(", ", chosen.PostingSlots.Concat(slots)));
        if (errors.Count > 0 || slots.Count == 0)
        {
            Error = errors.Count > 0 ? string.Join(" ", errors) : "Choose at least one hour to add.";
            return RedirectToPage(new { account });
        }
        var before = string.Join(", ", chosen.PostingSlots);
        chosen.PostingSlots = parsed.Select(s => s.ToString()).ToList();
        audit.Record(nameof(ChannelAccount), chosen.Id.ToString(), "posting slots changed", User.Actor(),
            $"{(before.Length == 0 ? "none" : before)} ⇒ {string.Join(", ", chosen.PostingSlots)} (best time to post)");
        await db.SaveChangesAsync();
        Notice = $"{chosen.Name} now posts at: {string.Join(", ", chosen.PostingSlots)}.";
        return RedirectToPage(new { account });
    }

    public static string Slot(WeekHour at) => new PostingSlot(at.Day, new TimeOnly(at.Hour, 0)).ToString();

    private static IReadOnlyList<WeekHour> SlotHours(ChannelAccount account) =>
        PostingSlots.FromStored(account.PostingSlots).Select(s => new WeekHour(s.Day, s.Time.Hour)).Distinct().ToList();

    private async Task<TimeZoneInfo> BrandZoneAsync()
    {
        var id = await db.Brands.OrderBy(b => b.Id).Select(b => b.TimeZone).FirstOrDefaultAsync() ?? "UTC";
        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
    }
}
