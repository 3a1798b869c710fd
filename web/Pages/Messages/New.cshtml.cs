using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Publisher.Core.Data;
using Publisher.Core.Publishing;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Messages;

/// <summary>Write a message once, watch every channel's variant take shape as you type, and save it with one draft per account.</summary>
[Authorize(Policy = Policies.Author)]
public class NewModel(PublisherDbContext db, UserTimeZone userZone, MessageWriter writer, TimeProvider clock) : EditorPageModel(db, userZone)
{
    /// <param name="day">A day picked on the calendar: the message starts at 09:00 that day.</param>
    /// <param name="at">A day and time picked on the calendar (yyyy-MM-ddTHH:mm), in the user's zone.</param>
    public async Task OnGetAsync(DateOnly? day, string? at)
    {
        await LoadOptionsAsync();
        Input.TimeZone = await DefaultZoneAsync();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Input.TimeZone);
        var localNow = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime;
        // The time picked on the calendar, else 09:00 on the day picked, else (or when that has passed) the next full hour.
        var picked = DateTime.TryParseExact(at, ["yyyy-MM-ddTHH:mm", "yyyy-MM-dd HH:mm"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var pickedAt)
            ? pickedAt
            : day?.ToDateTime(new TimeOnly(9, 0));
        Input.PlannedLocal = picked is { } p && p > localNow && PlanningWindow.Contains(DateOnly.FromDateTime(p), clock.GetUtcNow())
            ? p
            : localNow.Date.AddHours(localNow.Hour + 1);
        Input.AccountIds = Accounts.Select(a => a.Id).ToList();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (HasUnreadableFields)
        {
            await LoadOptionsAsync();
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var result = await writer.SaveAsync(null, Input, CurrentActor(), cancellationToken);
        if (result.Succeeded)
        {
            TempData["Saved"] = "Saved: one draft per channel account. Edit a variant by hand or submit them for review." + result.DescribeUnreadCards();
            return RedirectToPage("Edit", new { id = result.MessageId });
        }
        ShowErrors(result);
        await LoadOptionsAsync();
        return Page();
    }
}
