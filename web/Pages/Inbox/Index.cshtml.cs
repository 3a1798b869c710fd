using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Inbox;

/// <summary>What the user has been told: work awaiting them, rejections, approvals, failures.</summary>
[Authorize(Policy = Policies.SignedIn)]
public class IndexModel(PublisherDbContext db, TimeProvider clock, UserTimeZone userZone) : PageModel
{
    public IReadOnlyList<Notification> Notifications { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public async Task OnGetAsync()
    {
        Zone = await userZone.GetAsync();
        Notifications = await db.Notifications.AsNoTracking().Where(n => n.UserId == User.Id())
            .OrderByDescending(n => n.CreatedAt).Take(200).ToListAsync();
    }

    public async Task<IActionResult> OnPostReadAllAsync()
    {
        var now = clock.GetUtcNow();
        await db.Notifications.Where(n => n.UserId == User.Id() && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now));
        return RedirectToPage();
    }

    /// <summary>Opens what a notification points at and marks it read.</summary>
    public async Task<IActionResult> OnPostOpenAsync(Guid id)
    {
        var note = await db.Notifications.SingleOrDefaultAsync(n => n.Id == id && n.UserId == User.Id());
        if (note is null)
            return NotFound();
        note.ReadAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync();
        return LocalRedirect(note.Link is { } link && Url.IsLocalUrl(link) ? link : "/Inbox");
    }
}
