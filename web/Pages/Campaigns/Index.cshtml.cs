using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Web.Pages.Calendar;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Campaigns;

/// <summary>Every campaign with its dates, colour, UTM name and how many messages it holds.</summary>
[Authorize(Policy = Policies.SignedIn)]
public class IndexModel(PublisherDbContext db) : PageModel
{
    public sealed record Row(Guid Id, string Name, DateOnly StartsOn, DateOnly EndsOn, string? Color, string UtmCampaign, int Messages);

    public IReadOnlyList<Row> Campaigns { get; private set; } = [];

    [TempData] public string? Notice { get; set; }

    public async Task OnGetAsync()
    {
        var rows = await db.Campaigns.AsNoTracking().OrderByDescending(c => c.StartsOn).ThenBy(c => c.Name)
            .Select(c => new { c.Id, c.Name, c.StartsOn, c.EndsOn, c.Color, c.UtmCampaign, Messages = db.Messages.Count(m => m.CampaignId == c.Id) })
            .ToListAsync();
        Campaigns = rows.Select(c => new Row(c.Id, c.Name, c.StartsOn, c.EndsOn, CalendarFilter.SafeColor(c.Color), c.UtmCampaign, c.Messages)).ToList();
    }
}
