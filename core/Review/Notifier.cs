using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Core.Review;

/// <summary>
/// Puts notifications in people's inboxes, in the caller's unit of work. (Email delivery of the same
/// notifications is a separate step that reads them.)
/// </summary>
public sealed class Notifier(PublisherDbContext db, TimeProvider clock)
{
    public void Tell(string userId, string text, string? link)
    {
        db.Notifications.Add(new Notification { UserId = userId, Text = text, Link = link, CreatedAt = clock.GetUtcNow() });
    }

    /// <summary>Tells everyone holding <paramref name="role"/>, except the people named in <paramref name="except"/>.</summary>
    public async Task TellRoleAsync(string role, string text, string? link, IReadOnlyCollection<string> except, CancellationToken cancellationToken = default)
    {
        foreach (var userId in await ActiveInRoleAsync(role, except, cancellationToken))
            Tell(userId, text, link);
    }

    /// <summary>
    /// Tells everyone holding <paramref name="role"/> about one standing problem (an account that must be reconnected):
    /// someone who still has an unread notice with the same <paramref name="groupKey"/> is not told twice.
    /// </summary>
    public async Task TellRoleOnceAsync(string role, string text, string? link, string groupKey, CancellationToken cancellationToken = default)
    {
        var userIds = await ActiveInRoleAsync(role, [], cancellationToken);
        var told = await db.Notifications.Where(n => n.GroupKey == groupKey && n.ReadAt == null).Select(n => n.UserId).ToListAsync(cancellationToken);
        foreach (var userId in userIds.Except(told))
            db.Notifications.Add(new Notification { UserId = userId, Text = text, Link = link, GroupKey = groupKey, CreatedAt = clock.GetUtcNow() });
    }

    /// <summary>
    /// Tells everyone holding <paramref name="role"/> (except <paramref name="except"/>) that a variant awaits their review.
    /// A message's variants gather in one unread notification per person ("3 variants of “…” await your review"), so
    /// submitting a message for seven channels is one line in an approver's inbox, not seven.
    /// </summary>
    public async Task TellReviewAsync(string role, Variant variant, string? step, IReadOnlyCollection<string> except, CancellationToken cancellationToken = default)
    {
        var userIds = await ActiveInRoleAsync(role, except, cancellationToken);
        if (userIds.Count == 0)
            return;
        var key = ReviewGroup(variant.MessageId);
        var open = await OpenReviewNotesAsync(key, userIds, cancellationToken);
        foreach (var userId in userIds)
        {
            var note = open.FirstOrDefault(n => n.UserId == userId);
            if (note is null)
            {
                note = new Notification { UserId = userId, Text = "", GroupKey = key, Link = ReviewLink(variant.MessageId), CreatedAt = clock.GetUtcNow() };
                db.Notifications.Add(note);
                open.Add(note);
            }
            if (!note.VariantIds.Contains(variant.Id))
                note.VariantIds = [.. note.VariantIds, variant.Id];
            note.Text = ReviewText(note.VariantIds.Count, variant.ChannelAccount?.Name, variant.Message?.Title, step);
        }
    }

    /// <summary>
    /// A reviewer decided on the variant (approved a step, approved, rejected): it no longer waits for anyone told about it.
    /// Each review notification that listed it says so; one with nothing left waiting is marked read.
    /// </summary>
    public async Task ReviewDecidedAsync(Variant variant, CancellationToken cancellationToken = default)
    {
        var key = ReviewGroup(variant.MessageId);
        var notes = await db.Notifications.Where(n => n.GroupKey == key && n.ReadAt == null && n.VariantIds.Contains(variant.Id)).ToListAsync(cancellationToken);
        notes.AddRange(db.ChangeTracker.Entries<Notification>()
            .Where(e => e.State == EntityState.Added && e.Entity.GroupKey == key && e.Entity.VariantIds.Contains(variant.Id))
            .Select(e => e.Entity).Where(n => !notes.Contains(n)));
        foreach (var note in notes)
        {
            note.VariantIds = note.VariantIds.Where(id => id != variant.Id).ToList();
            if (note.VariantIds.Count == 0)
                note.ReadAt ??= clock.GetUtcNow();
            else
                note.Text = ReviewText(note.VariantIds.Count, null, variant.Message?.Title, null);
        }
    }

    public static string VariantLink(Guid variantId) => $"/Variants/{variantId}";

    /// <summary>The review queue showing one message's variants.</summary>
    public static string ReviewLink(Guid messageId) => $"/Approvals?Message={messageId}";

    public static string ReviewGroup(Guid messageId) => $"review:{messageId}";

    private static string ReviewText(int count, string? account, string? title, string? step) =>
        count == 1 && account is not null
            ? $"{AccountWording.VariantOfCapitalized(account, title)} awaits your review{(step is null ? "" : $" ({step})")}."
            : count == 1
                ? $"1 variant of “{title}” awaits your review."
                : $"{count} variants of “{title}” await your review.";

    /// <summary>Unread review notifications of the group for these people: saved ones and those added in this unit of work.</summary>
    private async Task<List<Notification>> OpenReviewNotesAsync(string key, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        var open = await db.Notifications.Where(n => n.GroupKey == key && n.ReadAt == null && userIds.Contains(n.UserId)).ToListAsync(cancellationToken);
        open.AddRange(db.ChangeTracker.Entries<Notification>()
            .Where(e => e.State == EntityState.Added && e.Entity.GroupKey == key && e.Entity.ReadAt == null && userIds.Contains(e.Entity.UserId))
            .Select(e => e.Entity).Where(n => !open.Contains(n)));
        return open;
    }

    /// <summary>Everyone holding the role whose account is not deactivated, less the people named.</summary>
    private async Task<List<string>> ActiveInRoleAsync(string role, IReadOnlyCollection<string> except, CancellationToken cancellationToken)
    {
        var normalized = role.ToUpperInvariant();
        var userIds = await (
            from ur in db.UserRoles
            join r in db.Roles on ur.RoleId equals r.Id
            join u in db.Users on ur.UserId equals u.Id
            where r.NormalizedName == normalized && u.DeactivatedAt == null
            select ur.UserId).Distinct().ToListAsync(cancellationToken);
        return userIds.Where(u => !except.Contains(u)).ToList();
    }
}
