using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Web.Pages.Calendar;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Account;

/// <summary>The user's own settings: the time zone the calendar shows, and their secret calendar feed address.</summary>
[Authorize(Policy = Policies.SignedIn)]
public class ProfileModel(PublisherDbContext db) : PageModel
{
    public IReadOnlyList<string> TimeZones { get; private set; } = [];
    public string BrandZone { get; private set; } = "UTC";
    public string? ChosenZone { get; private set; }
    public bool HasFeed { get; private set; }

    /// <summary>The feed's address, shown once, right after it was made: only its hash is stored.</summary>
    public string? NewFeedUrl { get; private set; }

    [TempData] public string? Notice { get; set; }
    [TempData] public string? Error { get; set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    /// <summary>Sets the zone the calendar shows; empty means the brand's.</summary>
    public async Task<IActionResult> OnPostZoneAsync(string? zone)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == User.Id());
        if (user is null)
            return NotFound();
        if (string.IsNullOrWhiteSpace(zone))
        {
            user.TimeZone = null;
            await db.SaveChangesAsync();
            Notice = "The calendar shows times in the brand's time zone.";
        }
        else if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found) || !found.HasIanaId)
            Error = $"\"{zone}\" is not a time zone Publisher knows: pick one from the list (e.g. Europe/Paris).";
        else
        {
            user.TimeZone = found.Id;
            await db.SaveChangesAsync();
            Notice = $"The calendar shows times in {found.Id}.";
        }
        return RedirectToPage();
    }

    /// <summary>Makes a new feed address, replacing any earlier one (which stops working at once).</summary>
    public async Task<IActionResult> OnPostFeedAsync()
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == User.Id());
        if (user is null)
            return NotFound();
        var replaced = user.CalendarFeedTokenHash is not null;
        var secret = CalendarFeed.NewSecret();
        user.CalendarFeedTokenHash = CalendarFeed.Hash(secret);
        await db.SaveChangesAsync();
        await LoadAsync();
        // Shown in this answer only, never put in TempData or a redirect address.
        NewFeedUrl = $"{Request.Scheme}://{Request.Host}{Request.PathBase}/calendar/feed/{secret}.ics";
        Notice = replaced ? "A new feed address is ready; the old one no longer works." : "Your calendar feed is ready.";
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeFeedAsync()
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == User.Id());
        if (user is null)
            return NotFound();
        user.CalendarFeedTokenHash = null;
        await db.SaveChangesAsync();
        Notice = "Your calendar feed is revoked: calendars subscribed to it get nothing more.";
        return RedirectToPage();
    }

    private async Task<bool> LoadAsync()
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == User.Id()).Select(u => new { u.TimeZone, u.CalendarFeedTokenHash }).SingleOrDefaultAsync();
        if (user is null)
            return false;
        ChosenZone = user.TimeZone;
        HasFeed = user.CalendarFeedTokenHash is not null;
        BrandZone = await db.Brands.OrderBy(b => b.Id).Select(b => b.TimeZone).FirstOrDefaultAsync() ?? "UTC";
        TimeZones = TimeZoneInfo.GetSystemTimeZones().Where(z => z.HasIanaId).Select(z => z.Id).Order(StringComparer.Ordinal).ToList();
        return true;
    }
}
