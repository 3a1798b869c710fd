using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.StyleGuide;
using Publisher.Web.Pages.Shared;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.StyleGuide;

/// <summary>
/// Brand managers change the guide here: the whole YAML with diagnostics before saving, an import, and quick
/// edits of the vocabulary. Every save is a new version, and every variant not yet published is checked again.
/// </summary>
[Authorize(Policy = Policies.ManageStyleGuide)]
// YAML somewhat over the guide's limit still reaches the page, which names the limit and the line and keeps the
// text in the editor; far larger posts are refused before they are read.
[RequestSizeLimit(9 * 1024 * 1024)]
[RequestFormLimits(ValueLengthLimit = 8 * 1024 * 1024, MultipartBodyLengthLimit = 9 * 1024 * 1024)]
public class EditModel(PublisherDbContext db, StyleGuideVersions versions) : PageModel
{
    /// <summary>Style guides are small; a bigger upload is almost certainly the wrong file.</summary>
    public const int MaxImportBytes = StyleGuideYaml.MaxLength;

    [BindProperty] public string Yaml { get; set; } = "";
    [BindProperty] public string? Note { get; set; }

    /// <summary>The version the editor's text started from, to notice someone else saving meanwhile.</summary>
    [BindProperty] public int BaseNumber { get; set; }

    [TempData] public string? Notice { get; set; }

    /// <summary>How many scheduled posts the last save held back: the notice then links to them.</summary>
    [TempData] public int? HeldBack { get; set; }

    public BrandStyleGuide Current { get; private set; } = BrandStyleGuide.Empty;
    public int CurrentNumber { get; private set; }
    public IReadOnlyList<StyleGuideDiagnostic> Diagnostics { get; private set; } = [];
    public List<string> Errors { get; } = [];

    /// <summary>Said when a check passed without saving.</summary>
    public string? CheckedOk { get; private set; }

    public async Task OnGetAsync()
    {
        await LoadCurrentAsync();
        Yaml = await db.StyleGuideVersions.Where(g => g.Number == CurrentNumber).Select(g => g.Yaml).FirstOrDefaultAsync() ?? "";
        BaseNumber = CurrentNumber;
    }

    public async Task<IActionResult> OnPostCheckAsync()
    {
        await LoadCurrentAsync();
        var parsed = StyleGuideYaml.Parse(Yaml);
        Diagnostics = parsed.Diagnostics;
        if (parsed.Succeeded)
            CheckedOk = parsed.Guide == Current
                ? "The guide is valid and the same as the version in use."
                : "The guide is valid. Nothing is saved until you press Save.";
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync()
    {
        await LoadCurrentAsync();
        var parsed = StyleGuideYaml.Parse(Yaml);
        Diagnostics = parsed.Diagnostics;
        if (!parsed.Succeeded)
        {
            Errors.Add("Nothing was saved: fix the errors below, then save again.");
            return Page();
        }
        if (BaseNumber != CurrentNumber)
        {
            Errors.Add($"Someone saved version {CurrentNumber} while you were editing. Your text is still below: " +
                       "open the guide in another tab to compare, or save again to replace their version with yours.");
            BaseNumber = CurrentNumber;
            return Page();
        }
        return await SaveAsync(parsed.Guide!, Note);
    }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file)
    {
        await LoadCurrentAsync();
        BaseNumber = CurrentNumber;
        // An empty file is fine: it is a valid, empty guide (nothing is checked).
        if (file is null)
        {
            Errors.Add("Choose a YAML file to import (or paste it into the editor and save).");
            return Page();
        }
        if (file.Length > MaxImportBytes)
        {
            Errors.Add($"{file.FileName} is {file.Length / 1024:N0} KB; a style guide is at most {MaxImportBytes / 1024:N0} KB. Is it the right file?");
            return Page();
        }
        using var bytes = new MemoryStream();
        await file.CopyToAsync(bytes);
        var (text, _, notUtf8) = StrictUtf8.Decode(bytes.GetBuffer().AsSpan(0, (int)bytes.Length), "file", "save it as UTF-8 in your editor");
        if (text is null)
        {
            Errors.Add($"{file.FileName} was not imported and nothing changed. {notUtf8}");
            return Page();
        }
        Yaml = text;
        var parsed = StyleGuideYaml.Parse(Yaml);
        Diagnostics = parsed.Diagnostics;
        if (!parsed.Succeeded)
        {
            Errors.Add($"{file.FileName} was not imported and nothing changed: fix the errors below (the file is in the editor), then save.");
            return Page();
        }
        return await SaveAsync(parsed.Guide!, string.IsNullOrWhiteSpace(Note) ? $"Imported {file.FileName}" : Note);
    }

    public Task<IActionResult> OnPostAddBannedAsync(string term, string? reason) => QuickEditAsync(g =>
    {
        term = term?.Trim() ?? "";
        if (term.Length == 0) return ("", "Write the term to ban.");
        if (g.Vocabulary.Banned.Any(b => Same(b.Term, term))) return ("", $"“{term}” is already banned.");
        return ($"Banned “{term}”", null);
    }, g => g with { Vocabulary = g.Vocabulary with { Banned = [.. g.Vocabulary.Banned, new BannedTerm(term.Trim(), Blank(reason))] } });

    public Task<IActionResult> OnPostRemoveBannedAsync(string term) => QuickEditAsync(
        g => g.Vocabulary.Banned.Any(b => b.Term == term) ? ($"“{term}” is no longer banned", null) : ("", $"“{term}” is not banned."),
        g => g with { Vocabulary = g.Vocabulary with { Banned = [.. g.Vocabulary.Banned.Where(b => b.Term != term)] } });

    public Task<IActionResult> OnPostAddPreferredAsync(string term, string? avoid, string? note)
    {
        var avoided = Split(avoid);
        return QuickEditAsync(g =>
        {
            if (string.IsNullOrWhiteSpace(term)) return ("", "Write the preferred term.");
            if (avoided.Count == 0) return ("", $"Write at least one word to avoid in favour of “{term.Trim()}”, separated by commas.");
            if (g.Vocabulary.Preferred.Any(p => Same(p.Term, term.Trim()))) return ("", $"“{term.Trim()}” is already a preferred term: remove it first to change it.");
            return ($"Prefer “{term.Trim()}” to {string.Join(", ", avoided.Select(a => $"“{a}”"))}", null);
        }, g => g with { Vocabulary = g.Vocabulary with { Preferred = [.. g.Vocabulary.Preferred, new PreferredTerm(term.Trim(), [.. avoided], Blank(note))] } });
    }

    public Task<IActionResult> OnPostRemovePreferredAsync(string term) => QuickEditAsync(
        g => g.Vocabulary.Preferred.Any(p => p.Term == term) ? ($"Removed the preferred term “{term}”", null) : ("", $"“{term}” is not a preferred term."),
        g => g with { Vocabulary = g.Vocabulary with { Preferred = [.. g.Vocabulary.Preferred.Where(p => p.Term != term)] } });

    public Task<IActionResult> OnPostAddBrandNameAsync(string name, string? misspellings)
    {
        var wrong = Split(misspellings);
        return QuickEditAsync(g =>
        {
            if (string.IsNullOrWhiteSpace(name)) return ("", "Write the brand name exactly as it must be spelt.");
            if (g.Vocabulary.BrandNames.Any(b => Same(b.Name, name.Trim()))) return ("", $"“{name.Trim()}” is already a brand name: remove it first to change it.");
            return ($"Added the brand name “{name.Trim()}”", null);
        }, g => g with { Vocabulary = g.Vocabulary with { BrandNames = [.. g.Vocabulary.BrandNames, new BrandName(name.Trim(), new ValueList<string>(wrong))] } });
    }

    public Task<IActionResult> OnPostRemoveBrandNameAsync(string name) => QuickEditAsync(
        g => g.Vocabulary.BrandNames.Any(b => b.Name == name) ? ($"Removed the brand name “{name}”", null) : ("", $"“{name}” is not a brand name."),
        g => g with { Vocabulary = g.Vocabulary with { BrandNames = [.. g.Vocabulary.BrandNames.Where(b => b.Name != name)] } });

    /// <summary>Applies a structured edit to the guide in use and saves it, unless the edit makes no sense or the result is invalid.</summary>
    private async Task<IActionResult> QuickEditAsync(Func<BrandStyleGuide, (string Note, string? Error)> describe, Func<BrandStyleGuide, BrandStyleGuide> edit)
    {
        await LoadCurrentAsync();
        BaseNumber = CurrentNumber;
        Yaml = StyleGuideYaml.Write(Current);
        var (note, error) = describe(Current);
        if (error is not null)
        {
            Errors.Add(error);
            return Page();
        }
        var edited = edit(Current);
        var problems = StyleGuideValidator.Validate(edited).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (problems.Count > 0)
        {
            Errors.Add("Nothing was saved: " + string.Join(" ", problems.Select(p => p.Message)));
            return Page();
        }
        return await SaveAsync(edited, note);
    }

    private async Task<IActionResult> SaveAsync(BrandStyleGuide guide, string? note)
    {
        var actor = User.Actor();
        var saved = await versions.SaveAsync(guide, note, actor, HttpContext.RequestAborted);
        var r = saved.Recheck;
        Notice = $"Saved version {saved.Version.Number}. Checked {r.Checked:N0} variant{(r.Checked == 1 ? "" : "s")} not yet published against it" +
                 (r.Held + r.Released == 0 ? "." : $": {r.Held} scheduled held back (their authors are told), {r.Released} released.");
        HeldBack = r.Held > 0 ? r.Held : null;
        return RedirectToPage();
    }

    private async Task LoadCurrentAsync() => (Current, CurrentNumber) = await versions.CurrentAsync(HttpContext.RequestAborted);

    private static bool Same(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static List<string> Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
}
