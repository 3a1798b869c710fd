using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Core.Review;

/// <summary>
/// A variant still waiting for review (or approved but never scheduled) when its time comes is not
/// published late: it becomes Missed, and its author is told so they can reschedule it.
/// </summary>
public sealed class ReviewDeadlines(PublisherDbContext db, VariantWorkflow workflow, Notifier notifier, TimeProvider clock)
{
    public async Task<int> MarkMissedAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var overdue = await db.Variants
            .Include(v => v.Message)
            .Include(v => v.ChannelAccount)
            .Where(v => (v.State == VariantState.InReview || v.State == VariantState.Approved) && v.ScheduledAt != null && v.ScheduledAt <= now)
            .OrderBy(v => v.ScheduledAt)
            .Take(500)
            .ToListAsync(cancellationToken);
        foreach (var variant in overdue)
        {
            var why = variant.State == VariantState.InReview ? "its time passed while it was still in review" : "its time passed before it was scheduled";
            if (!workflow.Transition(variant, VariantState.Missed, Actor.System, why).Succeeded)
                continue;
            notifier.Tell(variant.Message!.AuthorId,
                $"{AccountWording.VariantOfCapitalized(variant.ChannelAccount!.Name, variant.Message.Title)} was not published: {why}. Reschedule it to send it.",
                Notifier.VariantLink(variant.Id));
        }
        await db.SaveChangesAsync(cancellationToken);
        return overdue.Count;
    }
}
