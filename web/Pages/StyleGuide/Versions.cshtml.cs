using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.StyleGuide;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.StyleGuide;

/// <summary>Every saved version of the guide, who saved it and when; any of them can be restored (saved again as the newest).</summary>
[Authorize(Policy = Policies.ManageStyleGuide)]
public class VersionsModel(PublisherDbContext db, StyleGuideVersions versions) : PageModel
{
    public sealed record Row(int Number, string By, DateTimeOffset At, string? Note, string Hash);

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    [TempData] public string? Notice { get; set; }

    /// <summary>How many scheduled posts the last restore held back: the notice then links to them.</summary>
    [TempData] public int? HeldBack { get; set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostRestoreAsync(int number)
    {
        var yaml = await db.StyleGuideVersions.Where(g => g.Number == number).Select(g => g.Yaml).FirstOrDefaultAsync();
        if (yaml is null)
            return NotFound();
        var parsed = StyleGuideYaml.Parse(yaml);
        if (!parsed.Succeeded)
        {
            Error = $"Version {number} cannot be restored as it is: {string.Join(" ", parsed.Errors.Select(e => e.ToString()))} " +
                    "Open it, download it, fix it and import it instead.";
            await LoadAsync();
            return Page();
        }
        var actor = User.Actor();
        var saved = await versions.SaveAsync(parsed.Guide!, $"Restored version {number}", actor, HttpContext.RequestAborted);
        Notice = $"Restored version {number} as version {saved.Version.Number}. Checked {saved.Recheck.Checked:N0} variants not yet published: " +
                 $"{saved.Recheck.Held} held back, {saved.Recheck.Released} released.";
        HeldBack = saved.Recheck.Held > 0 ? saved.Recheck.Held : null;
        return RedirectToPage();
    }

    private async Task LoadAsync() =>
        Rows = await db.StyleGuideVersions.OrderByDescending(g => g.Number)
            .Select(g => new Row(g.Number, g.CreatedByName, g.CreatedAt, g.Note, g.VersionHash)).ToListAsync();
}
