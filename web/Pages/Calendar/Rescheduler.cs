using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Workflow;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Calendar;

/// <summary>
/// Moves a variant to a day and time as a person sees them (in their zone), or to its account's next free
/// posting slot (in the brand's zone). Every move goes through <see cref="PublishScheduler.MoveAsync"/>, which
/// refuses past times and published posts, keeps approvals and replaces the worker's job.
/// </summary>
public sealed class Rescheduler(PublisherDbContext db, PublishScheduler scheduler, UserTimeZone userZone, TimeProvider clock)
{
    public const string Conflict = "Someone else changed this variant a moment ago: reload the calendar and try again.";

    /// <summary>The outcome: the new time (UTC and as the user sees it) and state, or why nothing moved.</summary>
    public sealed record Outcome(bool Moved, string? Error, DateTimeOffset? At = null, DateTime? Local = null, VariantState? State = null, bool NotFound = false)
    {
        public static Outcome Refused(string error) => new(false, error);
    }

    public async Task<Outcome> MoveAsync(Guid variantId, DateOnly date, TimeOnly time, Actor actor, CancellationToken cancellationToken = default)
    {
        // Converting a day like 9999-12-31 to UTC would overflow: the window is checked first.
        if (PlanningWindow.Outside(date, clock.GetUtcNow()) is { } outside)
            return Outcome.Refused(outside);
        var zone = await userZone.GetAsync();
        var at = PostingSlots.ToInstant(date, time, zone);
        if (at is null)
            return Outcome.Refused($"{date:yyyy-MM-dd} {time:HH\\:mm} does not exist in {zone.Id}: the clocks jump forward that night. Choose another time.");
        return await MoveToAsync(variantId, at.Value, actor, cancellationToken);
    }

    public async Task<Outcome> NextFreeSlotAsync(Guid variantId, Actor actor, CancellationToken cancellationToken = default)
    {
        var variant = await db.Variants.AsNoTracking().Where(v => v.Id == variantId)
            .Select(v => new { v.ChannelAccountId, Account = v.ChannelAccount!.Name, v.ChannelAccount.PostingSlots })
            .SingleOrDefaultAsync(cancellationToken);
        if (variant is null)
            return new Outcome(false, "This variant no longer exists: reload the page.", NotFound: true);
        var slots = PostingSlots.FromStored(variant.PostingSlots);
        if (slots.Count == 0)
            return Outcome.Refused($"{variant.Account} has no posting slots yet: an admin can set them under Channels (e.g. \"weekdays 09:00 13:00\").");

        var brandZoneId = await db.Brands.OrderBy(b => b.Id).Select(b => b.TimeZone).FirstOrDefaultAsync(cancellationToken) ?? "UTC";
        var brandZone = TimeZoneInfo.TryFindSystemTimeZoneById(brandZoneId, out var z) ? z : TimeZoneInfo.Utc;
        // A slot starting within the next minute is too close to be worth taking.
        var notBefore = clock.GetUtcNow().AddMinutes(1);
        const int weeks = 8;
        var taken = (await db.Variants.AsNoTracking()
                .Where(v => v.ChannelAccountId == variant.ChannelAccountId && v.Id != variantId && v.State != VariantState.Canceled
                    && v.ScheduledAt >= notBefore && v.ScheduledAt <= notBefore.AddDays(weeks * 7 + 1))
                .Select(v => v.ScheduledAt!.Value)
                .ToListAsync(cancellationToken))
            .Select(t => new DateTimeOffset(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero))
            .ToHashSet();
        var next = PostingSlots.NextFree(slots, brandZone, notBefore, taken, weeks);
        if (next is null)
            return Outcome.Refused($"Every posting slot of {variant.Account} in the next {weeks} weeks is taken: add slots under Channels, or pick a time by hand.");
        return await MoveToAsync(variantId, next.Value, actor, cancellationToken);
    }

    private async Task<Outcome> MoveToAsync(Guid variantId, DateTimeOffset at, Actor actor, CancellationToken cancellationToken)
    {
        var variant = await scheduler.FindAsync(variantId, cancellationToken);
        if (variant is null)
            return new Outcome(false, "This variant no longer exists: reload the page.", NotFound: true);
        try
        {
            var result = await scheduler.MoveAsync(variant, at, actor, cancellationToken);
            if (!result.Succeeded)
                return Outcome.Refused(result.Error ?? "This variant cannot be moved.");
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return Outcome.Refused(Conflict);
        }
        var zone = await userZone.GetAsync();
        return new Outcome(true, null, at, zone.Local(at), variant.State);
    }
}
