using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.StyleGuide;

namespace Publisher.Core.Composition;

/// <summary>
/// Saves the style guide as a new version (every edit, import and restore does) and then checks every
/// variant that can still go out against it. Versions are only ever added.
/// </summary>
public sealed class StyleGuideVersions(PublisherDbContext db, VariantWorkflow workflow, StyleGuideRecheck recheck, TimeProvider clock)
{
    public sealed record Saved(StyleGuideVersion Version, RecheckSummary Recheck);

    /// <summary>The current guide and its version number (0 and the empty guide when none was saved yet).</summary>
    public async Task<(BrandStyleGuide Guide, int Number)> CurrentAsync(CancellationToken cancellationToken = default)
    {
        var current = await db.StyleGuideVersions.AsNoTracking().OrderByDescending(g => g.Number)
            .Select(g => new { g.Number, g.Yaml }).FirstOrDefaultAsync(cancellationToken);
        if (current is null)
            return (BrandStyleGuide.Empty, 0);
        return (StyleGuideYaml.Parse(current.Yaml).Guide ?? BrandStyleGuide.Empty, current.Number);
    }

    public async Task<Saved> SaveAsync(BrandStyleGuide guide, string? note, Actor actor, CancellationToken cancellationToken = default)
    {
        var number = (await db.StyleGuideVersions.MaxAsync(g => (int?)g.Number, cancellationToken) ?? 0) + 1;
        var version = new StyleGuideVersion
        {
            Number = number,
            Yaml = StyleGuideYaml.Write(guide),
            VersionHash = StyleGuideYaml.ComputeVersion(guide),
            CreatedById = actor.UserId,
            CreatedByName = actor.Name,
            CreatedAt = clock.GetUtcNow(),
            Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
        };
        db.StyleGuideVersions.Add(version);
        workflow.Record(nameof(StyleGuideVersion), number.ToString(), "saved", actor, version.Note);
        // Two brand managers saving at once: the unique index on Number refuses the second, which then fails loudly.
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        var summary = await recheck.RecheckAllAsync(actor, cancellationToken);
        return new Saved(version, summary);
    }
}
