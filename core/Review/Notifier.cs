using Microsoft.AspNetCore.Identity;
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
        var normalized = role.ToUpperInvariant();
        var userIds = await (
            from ur in db.UserRoles
            join r in db.Roles on ur.RoleId equals r.Id
            where r.NormalizedName == normalized
            select ur.UserId).Distinct().ToListAsync(cancellationToken);
        foreach (var userId in userIds.Where(u => !except.Contains(u)))
            Tell(userId, text, link);
    }

    public static string VariantLink(Guid variantId) => $"/Variants/{variantId}";
}
