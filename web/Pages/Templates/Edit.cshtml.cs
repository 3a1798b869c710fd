using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.Templates.Channels;
using Publisher.Templates.Diagnostics;
using Publisher.Templates.Rendering;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Templates;

/// <summary>
/// One channel kind's template: edit it with live diagnostics and a preview, save it as a new version,
/// look at any earlier version and restore it (which saves it again as the newest).
/// </summary>
[Authorize(Policy = Policies.ManageStyleGuide)]
public class EditModel(PublisherDbContext db, VariantRenderer renderer, VariantWorkflow audit, TimeProvider clock, TemplateChanges changes) : PageModel
{
    public sealed record VersionRow(int Number, string By, DateTimeOffset At, string? Note);

    public ChannelProfile Profile { get; private set; } = ChannelProfiles.Get(ChannelKind.X);
    public IReadOnlyList<VersionRow> Versions { get; private set; } = [];
    public int? CurrentNumber { get; private set; }

    /// <summary>Set when an earlier version is open in the editor.</summary>
    public VersionRow? Viewing { get; private set; }
    public IReadOnlyList<Diagnostic> Diagnostics { get; private set; } = [];

    /// <summary>Variants not yet published that the template in use would render differently.</summary>
    public IReadOnlyList<TemplateChanges.Outdated> Outdated { get; private set; } = [];

    [BindProperty]
    public string Source { get; set; } = "";

    [BindProperty]
    public string? Note { get; set; }

    [TempData]
    public string? Notice { get; set; }

    [TempData]
    public bool JustSaved { get; set; }

    public async Task<IActionResult> OnGetAsync(string kind, int? version)
    {
        if (!TryKind(kind, out var k))
            return NotFound();
        await LoadAsync(k);
        if (version is { } n)
        {
            var old = await db.ChannelTemplateVersions.Where(t => t.Kind == k.ToString() && t.Number == n).Select(t => t.Source).FirstOrDefaultAsync();
            if (old is null)
                return NotFound();
            Source = old;
            Viewing = Versions.First(v => v.Number == n);
        }
        else
        {
            Source = await CurrentSourceAsync(k);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(string kind)
    {
        if (!TryKind(kind, out var k))
            return NotFound();
        Diagnostics = renderer.ValidateTemplate(k, Source ?? "");
        if (Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            await LoadAsync(k);
            return Page();
        }
        var number = await SaveVersionAsync(k, Source ?? "", Note);
        Notice = $"Saved the {Profile.DisplayName} template as version {number}. New variants use it from now on";
        // The page it redirects to finds the outdated posts anyway; it finishes the sentence with their count.
        JustSaved = true;
        return RedirectToPage(new { kind = k.ToString() });
    }

    public async Task<IActionResult> OnPostRestoreAsync(string kind, int number)
    {
        if (!TryKind(kind, out var k))
            return NotFound();
        var old = await db.ChannelTemplateVersions.Where(t => t.Kind == k.ToString() && t.Number == number).Select(t => t.Source).FirstOrDefaultAsync();
        if (old is null)
            return NotFound();
        Diagnostics = renderer.ValidateTemplate(k, old);
        if (Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            // Versions were valid when saved, but the template language or limits may have changed since.
            Source = old;
            await LoadAsync(k);
            return Page();
        }
        var saved = await SaveVersionAsync(k, old, $"Restored version {number}");
        Notice = $"Restored version {number} of the {Profile.DisplayName} template: it is now version {saved}.";
        return RedirectToPage(new { kind = k.ToString() });
    }

    /// <summary>Re-renders the variants listed on the page (those still outdated) with the template in use.</summary>
    public async Task<IActionResult> OnPostRerenderAsync(string kind, List<Guid> ids)
    {
        if (!TryKind(kind, out var k))
            return NotFound();
        Profile = ChannelProfiles.Get(k);
        var (rerendered, backToReview) = await changes.RerenderAsync(k, ids, User.Actor());
        Notice = rerendered == 0
            ? "Nothing to re-render: those variants were changed, published or re-rendered in the meantime."
            : $"Re-rendered {rerendered} {Profile.DisplayName} variant{(rerendered == 1 ? "" : "s")} with the template in use"
              + (backToReview == 0 ? "." : $"; {backToReview} that {(backToReview == 1 ? "was" : "were")} approved went back to review, and {(backToReview == 1 ? "its author has" : "their authors have")} been told.");
        return RedirectToPage(new { kind = k.ToString() });
    }

    private async Task<int> SaveVersionAsync(ChannelKind kind, string source, string? note)
    {
        Profile = ChannelProfiles.Get(kind);
        var number = (await db.ChannelTemplateVersions.Where(t => t.Kind == kind.ToString()).MaxAsync(t => (int?)t.Number) ?? 0) + 1;
        var actor = User.Actor();
        db.ChannelTemplateVersions.Add(new ChannelTemplateVersion
        {
            Kind = kind.ToString(), Number = number, Source = source,
            CreatedById = actor.UserId, CreatedByName = actor.Name, CreatedAt = clock.GetUtcNow(),
            Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
        });
        audit.Record(nameof(ChannelTemplateVersion), $"{kind}/{number}", "saved", actor, note);
        await db.SaveChangesAsync();
        return number;
    }

    private async Task<string> CurrentSourceAsync(ChannelKind kind) =>
        await db.ChannelTemplateVersions.Where(t => t.Kind == kind.ToString()).OrderByDescending(t => t.Number).Select(t => t.Source).FirstOrDefaultAsync()
        ?? DefaultTemplates.For(kind);

    private async Task LoadAsync(ChannelKind kind)
    {
        Profile = ChannelProfiles.Get(kind);
        Versions = await db.ChannelTemplateVersions.Where(t => t.Kind == kind.ToString()).OrderByDescending(t => t.Number)
            .Select(t => new VersionRow(t.Number, t.CreatedByName, t.CreatedAt, t.Note)).ToListAsync();
        CurrentNumber = Versions.Count > 0 ? Versions[0].Number : null;
        Outdated = await changes.FindAsync(kind);
    }

    private static bool TryKind(string kind, out ChannelKind parsed) =>
        Enum.TryParse(kind, ignoreCase: false, out parsed) && Enum.IsDefined(parsed) && !int.TryParse(kind, out _);
}
