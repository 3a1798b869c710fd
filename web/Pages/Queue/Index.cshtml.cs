using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Review;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Queue;

/// <summary>
/// One account's queue, as Buffer users know it: its coming posting slots in order, each with the post that takes
/// it (or free), and the posts planned at other times between them. Up and down swap a post with its neighbour:
/// the posts change places and the times stay, through the publish scheduler (approvals kept, jobs replaced).
/// </summary>
[Authorize(Policy = Policies.SignedIn)]
public class IndexModel(PublisherDbContext db, PublishScheduler scheduler, IAuthorizationService authorization, UserTimeZone userZone, TimeProvider clock) : PageModel
{
    /// <summary>How far ahead the queue shows slots: as far as "next free slot" looks.</summary>
    public const int Weeks = 8;

    /// <summary>Free slots shown after the last post, so there is room to see where the next ones go.</summary>
    public const int FreeSlotsAfterLast = 5;

    public sealed record Option(Guid Id, string Name);

    public sealed record Post(Guid Id, string Title, VariantState State, bool Held, bool CanMove);

    /// <summary>A line of the queue: a slot (free or taken) or a post at a time that is no slot.</summary>
    public sealed record Line(DateTimeOffset At, DateTime Local, bool IsSlot, Post? Post);

    [BindProperty(SupportsGet = true, Name = "account")] public Guid? Account { get; set; }

    public IReadOnlyList<Option> Accounts { get; private set; } = [];
    public string? AccountName { get; private set; }
    public IReadOnlyList<string> Slots { get; private set; } = [];
    public IReadOnlyList<Line> Lines { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;
    public string BrandZone { get; private set; } = "UTC";
    public bool CanReorder { get; private set; }

    [TempData] public string? Notice { get; set; }
    [TempData] public string? Error { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Accounts = await db.ChannelAccounts.AsNoTracking().OrderBy(a => a.Name).Select(a => new Option(a.Id, a.Name)).ToListAsync(cancellationToken);
        if (Account is not { } id)
            return Page();
        var account = await db.ChannelAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (account is null)
            return NotFound();
        AccountName = account.Name;
        Slots = account.PostingSlots;
        Zone = await userZone.GetAsync();
        CanReorder = (await authorization.AuthorizeAsync(User, Policies.Author)).Succeeded;
        BrandZone = await db.Brands.OrderBy(b => b.Id).Select(b => b.TimeZone).FirstOrDefaultAsync(cancellationToken) ?? "UTC";
        var brandZone = TimeZoneInfo.TryFindSystemTimeZoneById(BrandZone, out var z) ? z : TimeZoneInfo.Utc;

        var now = clock.GetUtcNow();
        var until = now.AddDays(Weeks * 7);
        var posts = await PostsAsync(id, now, until, cancellationToken);
        var slotTimes = SlotInstants(PostingSlots.FromStored(account.PostingSlots), brandZone, now, until);
        var taken = posts.ToLookup(p => Minute(p.At));
        var lastPost = posts.Count > 0 ? posts[^1].At : now;

        var lines = new List<Line>();
        var freeAfterLast = 0;
        foreach (var at in slotTimes)
        {
            if (at > lastPost && taken[at].Any() is false && ++freeAfterLast > FreeSlotsAfterLast)
                break;
            var here = taken[at].ToList();
            if (here.Count == 0)
                lines.Add(new Line(at, Zone.Local(at), true, null));
            else
                lines.AddRange(here.Select(p => new Line(p.At, Zone.Local(p.At), true, p.Post)));
        }
        var slotSet = slotTimes.ToHashSet();
        lines.AddRange(posts.Where(p => !slotSet.Contains(Minute(p.At))).Select(p => new Line(p.At, Zone.Local(p.At), false, p.Post)));
        Lines = lines.OrderBy(l => l.At).ThenBy(l => l.Post?.Id).ToList();
        return Page();
    }

    /// <summary>Swaps a post with the one before (up) or after (down) it in the queue: the posts move, the times stay.</summary>
    public async Task<IActionResult> OnPostMoveAsync(Guid variantId, string? direction, CancellationToken cancellationToken)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.Author)).Succeeded)
            return Forbid();
        if (Account is not { } id)
            return NotFound();
        var now = clock.GetUtcNow();
        var posts = await PostsAsync(id, now, now.AddDays(Weeks * 7), cancellationToken);
        var index = posts.FindIndex(p => p.Post.Id == variantId);
        var other = direction == "up" ? index - 1 : index + 1;
        if (index < 0)
            Error = "That post is no longer in this queue: it was moved, published or cancelled meanwhile.";
        else if (other < 0 || other >= posts.Count)
            Error = direction == "up" ? "It is first in the queue already." : "It is last in the queue already.";
        else
        {
            var first = await scheduler.FindAsync(variantId, cancellationToken);
            var second = await scheduler.FindAsync(posts[other].Post.Id, cancellationToken);
            if (first is null || second is null)
                return NotFound();
            try
            {
                var result = await scheduler.SwapAsync(first, second, User.Actor(), cancellationToken);
                if (result.Succeeded)
                {
                    var zone = await userZone.GetAsync();
                    Notice = $"“{first.Message!.Title}” now goes out {zone.Named(first.ScheduledAt!.Value, "ddd d MMM HH:mm")}, and “{second.Message!.Title}” {zone.Named(second.ScheduledAt!.Value, "ddd d MMM HH:mm")}.";
                }
                else
                    Error = result.Error;
            }
            catch (DbUpdateConcurrencyException)
            {
                Error = "Someone else changed one of these posts a moment ago: look at the queue again, then decide.";
            }
        }
        return RedirectToPage(new { account = id });
    }

    private sealed record Planned(DateTimeOffset At, Post Post);

    /// <summary>The account's posts still to go out in the window, in order.</summary>
    private async Task<List<Planned>> PostsAsync(Guid accountId, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var rows = await db.Variants.AsNoTracking()
            .Where(v => v.ChannelAccountId == accountId && v.ScheduledAt >= from && v.ScheduledAt < until
                        && v.State != VariantState.Canceled && v.State != VariantState.Published)
            .OrderBy(v => v.ScheduledAt).ThenBy(v => v.Id)
            .Select(v => new { v.Id, v.Message!.Title, v.State, v.HeldByStyleGuide, v.ScheduledAt })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new Planned(r.ScheduledAt!.Value, new Post(r.Id, r.Title, r.State, r.HeldByStyleGuide,
            PublishScheduler.MoveBlocker(new Variant { State = r.State, HeldByStyleGuide = r.HeldByStyleGuide }) is null))).ToList();
    }

    /// <summary>Every slot instant in the window, in order (a slot the clocks skip that day is no slot).</summary>
    private static List<DateTimeOffset> SlotInstants(IReadOnlyList<PostingSlot> slots, TimeZoneInfo zone, DateTimeOffset from, DateTimeOffset until)
    {
        var instants = new List<DateTimeOffset>();
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, zone).DateTime);
        for (var day = first; day <= DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(until, zone).DateTime); day = day.AddDays(1))
        {
            foreach (var slot in slots.Where(s => s.Day == day.DayOfWeek).OrderBy(s => s.Time))
            {
                if (PostingSlots.ToInstant(day, slot.Time, zone) is { } at && at >= from && at < until)
                    instants.Add(at);
            }
        }
        return instants;
    }

    private static DateTimeOffset Minute(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
}
