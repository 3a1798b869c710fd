using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.StyleGuide;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.StyleGuide;

/// <summary>The brand book everyone writes by: the current style guide, or any earlier version of it.</summary>
[Authorize(Policy = Policies.SignedIn)]
public class IndexModel(PublisherDbContext db) : PageModel
{
    public sealed record VersionInfo(int Number, string By, DateTimeOffset At, string? Note, string Hash, bool IsCurrent);

    public BrandStyleGuide Guide { get; private set; } = BrandStyleGuide.Empty;
    public VersionInfo? Version { get; private set; }
    public string? BrandName { get; private set; }

    public async Task<IActionResult> OnGetAsync(int? version)
    {
        var latest = await db.StyleGuideVersions.MaxAsync(g => (int?)g.Number);
        var number = version ?? latest;
        if (number is null)
            return Page();
        var row = await db.StyleGuideVersions.AsNoTracking().Where(g => g.Number == number)
            .Select(g => new { g.Number, g.CreatedByName, g.CreatedAt, g.Note, g.VersionHash, g.Yaml }).FirstOrDefaultAsync();
        if (row is null)
            return NotFound();
        Guide = StyleGuideYaml.Parse(row.Yaml).Guide ?? BrandStyleGuide.Empty;
        Version = new VersionInfo(row.Number, row.CreatedByName, row.CreatedAt, row.Note, row.VersionHash, row.Number == latest);
        BrandName = Guide.Identity.Name ?? await db.Brands.OrderBy(b => b.Id).Select(b => b.Name).FirstOrDefaultAsync();
        return Page();
    }

    /// <summary>Downloads a version (the current one unless said) as the YAML file an import reads back unchanged.</summary>
    public async Task<IActionResult> OnGetExportAsync(int? version)
    {
        var query = db.StyleGuideVersions.AsNoTracking();
        var row = version is { } n
            ? await query.Where(g => g.Number == n).Select(g => new { g.Number, g.Yaml }).FirstOrDefaultAsync()
            : await query.OrderByDescending(g => g.Number).Select(g => new { g.Number, g.Yaml }).FirstOrDefaultAsync();
        if (row is null && version is not null)
            return NotFound();
        var yaml = row?.Yaml ?? StyleGuideYaml.Write(BrandStyleGuide.Empty);
        var name = row is null ? "style-guide.yaml" : $"style-guide-v{row.Number}.yaml";
        return File(new UTF8Encoding(false).GetBytes(yaml), "application/yaml", name);
    }
}
