using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Publisher.Core.Data;
using Publisher.Web.Security;
using Publisher.Web.Time;

namespace Publisher.Web.Pages.Messages;

/// <summary>Write a message once, watch every channel's variant take shape as you type, and save it with one draft per account.</summary>
[Authorize(Policy = Policies.Author)]
public class NewModel(PublisherDbContext db, UserTimeZone userZone, MessageWriter writer, TimeProvider clock) : EditorPageModel(db, userZone)
{
    public async Task OnGetAsync(DateOnly? day)
    {
        await LoadOptionsAsync();
        Input.TimeZone = await DefaultZoneAsync();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Input.TimeZone);
        var localNow = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime;
        // Suggest the next sensible slot: 09:00 on the day picked on the calendar, else the next full hour.
        Input.PlannedLocal = day is { } d && d.ToDateTime(new TimeOnly(9, 0)) > localNow
            ? d.ToDateTime(new TimeOnly(9, 0))
            : localNow.Date.AddHours(localNow.Hour + 1);
        Input.AccountIds = Accounts.Select(a => a.Id).ToList();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var result = await writer.SaveAsync(null, Input, CurrentActor(), cancellationToken);
        if (result.Succeeded)
        {
            TempData["Saved"] = "Saved: one draft per channel account. Edit a variant by hand or submit them for review.";
            return RedirectToPage("Edit", new { id = result.MessageId });
        }
        ShowErrors(result);
        await LoadOptionsAsync();
        return Page();
    }
}
