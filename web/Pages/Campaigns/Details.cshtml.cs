using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Analytics;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Campaigns;

/// <summary>One campaign: its dates and messages, and its funnel from clicks to sales under first and last touch.</summary>
[Authorize(Policy = Policies.SignedIn)]
public class DetailsModel(PublisherDbContext db, AnalyticsReport report, AnalyticsRollups rollups) : PageModel
{
    public sealed record MessageRow(Guid Id, string Title, int Variants, int Published);

    public Campaign Campaign { get; private set; } = null!;
    public CreditedFigures Funnel { get; private set; } = new();
    public IReadOnlyList<MessageRow> Messages { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id)
    {
        var campaign = await db.Campaigns.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id);
        if (campaign is null)
            return NotFound();
        Campaign = campaign;
        await rollups.CatchUpAsync(TimeSpan.FromSeconds(1), HttpContext.RequestAborted);
        Funnel = await report.CampaignAsync(id, HttpContext.RequestAborted);
        Messages = await db.Messages.AsNoTracking().Where(m => m.CampaignId == id).OrderBy(m => m.PlannedAt)
            .Select(m => new MessageRow(m.Id, m.Title, m.Variants.Count, m.Variants.Count(v => v.State == VariantState.Published)))
            .ToListAsync();
        return Page();
    }
}
