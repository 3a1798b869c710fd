using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Campaigns;

/// <summary>Creates or edits a campaign: name, dates, colour and the utm_campaign its links are tagged with.</summary>
[Authorize(Policy = Policies.Author)]
public class EditModel(PublisherDbContext db, VariantWorkflow audit, TimeProvider clock) : PageModel
{
    [BindProperty] public CampaignForm Input { get; set; } = new();
    public Guid? Id { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid? id)
    {
        Id = id;
        if (id is null)
        {
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            Input = new CampaignForm { StartsOn = today, EndsOn = today.AddDays(13) };
            return Page();
        }
        var c = await db.Campaigns.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id);
        if (c is null)
            return NotFound();
        Input = new CampaignForm { Name = c.Name, StartsOn = c.StartsOn, EndsOn = c.EndsOn, Color = c.Color, UtmCampaign = c.UtmCampaign };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? id)
    {
        Id = id;
        var campaign = id is null ? null : await db.Campaigns.SingleOrDefaultAsync(c => c.Id == id);
        if (id is not null && campaign is null)
            return NotFound();
        var errors = Input.Validate(clock.GetUtcNow()).ToList();
        var name = Input.Name?.Trim() ?? "";
        if (name.Length > 0 && await db.Campaigns.AnyAsync(c => c.Name == name && c.Id != id))
            errors.Add((nameof(CampaignForm.Name), $"There is already a campaign called \"{name}\": choose another name."));
        if (errors.Count > 0)
        {
            foreach (var (field, error) in errors)
                ModelState.AddModelError("Input." + field, error);
            return Page();
        }

        campaign ??= db.Campaigns.Add(new Campaign { Name = name, UtmCampaign = "" }).Entity;
        (campaign.Name, campaign.StartsOn, campaign.EndsOn, campaign.Color, campaign.UtmCampaign) =
            (name, Input.StartsOn!.Value, Input.EndsOn!.Value, Input.Color!.ToLowerInvariant(), Input.UtmCampaign!.Trim());
        audit.Record(nameof(Campaign), campaign.Id.ToString(), id is null ? "created" : "edited", User.Actor(),
            $"{campaign.Name}: {campaign.StartsOn:yyyy-MM-dd} to {campaign.EndsOn:yyyy-MM-dd}, utm_campaign={campaign.UtmCampaign}");
        await db.SaveChangesAsync();
        TempData["Notice"] = id is null ? $"Campaign {campaign.Name} created." : $"Campaign {campaign.Name} saved. Messages already rendered keep their links until they are edited.";
        return RedirectToPage("Index");
    }

    public IEnumerable<string> ErrorsFor(string field) =>
        ModelState.TryGetValue("Input." + field, out var entry) ? entry.Errors.Select(e => e.ErrorMessage) : [];
}
