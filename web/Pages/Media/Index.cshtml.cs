using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Media;
using Publisher.Core.Workflow;
using Publisher.Media.Storage;
using Publisher.Web.Media;
using Publisher.Web.Security;

namespace Publisher.Web.Pages.Media;

/// <summary>
/// The media library: every uploaded image and video, searchable by name, alt text and tag, with where each is used.
/// Deleting one is refused while a variant not yet published uses it; published posts keep the copies they went out with.
/// </summary>
[Authorize(Policy = Policies.Author)]
public class IndexModel(PublisherDbContext db, MediaLibrary library, IBlobStore blobs, VariantWorkflow audit) : PageModel
{
    private static readonly VariantState[] Done = [VariantState.Published, VariantState.Canceled];

    public sealed record Use(Guid MessageId, string Title, string Account, VariantState State);
    public sealed record Item(MediaEndpoints.AssetView Asset, IReadOnlyList<Use> Uses, IReadOnlyList<string> AttachedTo);

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public IReadOnlyList<Item> Items { get; private set; } = [];

    [TempData] public string? Notice { get; set; }
    [TempData] public string? Error { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var assets = await MediaEndpoints.Search(db, Q).OrderByDescending(a => a.UploadedAt).Take(200).ToListAsync(cancellationToken);
        var ids = assets.Select(a => a.Id).ToList();
        var thumbnails = await library.ThumbnailsAsync(ids, cancellationToken);
        var uses = await db.Variants.AsNoTracking()
            .SelectMany(v => v.Media.Where(m => ids.Contains(m.AssetId)).Select(m => new { m.AssetId, v.MessageId, v.Message!.Title, Account = v.ChannelAccount!.Name, v.State }))
            .ToListAsync(cancellationToken);
        var attached = await db.MessageMedia.AsNoTracking().Where(m => ids.Contains(m.MediaAssetId))
            .Join(db.Messages, m => m.MessageId, x => x.Id, (m, x) => new { m.MediaAssetId, x.Title }).ToListAsync(cancellationToken);
        Items = assets.Select(a => new Item(
            MediaEndpoints.View(a, thumbnails.GetValueOrDefault(a.Id)),
            uses.Where(u => u.AssetId == a.Id).Select(u => new Use(u.MessageId, u.Title, u.Account, u.State)).Distinct().ToList(),
            attached.Where(x => x.MediaAssetId == a.Id).Select(x => x.Title).Distinct().ToList())).ToList();
    }

    /// <summary>Sets the alt text new attachments start from, and the tags.</summary>
    public async Task<IActionResult> OnPostDetailsAsync(Guid id, string? altText, string? tags)
    {
        var asset = await db.MediaAssets.SingleOrDefaultAsync(a => a.Id == id);
        if (asset is null)
            return NotFound();
        if ((altText?.Length ?? 0) > 5000)
        {
            Error = "Keep the alt text to 5,000 characters or fewer.";
            return RedirectToPage(new { Q });
        }
        asset.AltText = string.IsNullOrWhiteSpace(altText) ? null : altText.Trim();
        asset.Tags = (tags ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(t => t.Length <= 50).Distinct(StringComparer.OrdinalIgnoreCase).Take(20).ToList();
        await db.SaveChangesAsync();
        Notice = $"“{asset.FileName}” is saved.";
        return RedirectToPage(new { Q });
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var asset = await db.MediaAssets.SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (asset is null)
            return NotFound();
        var pending = await db.Variants.Where(v => !Done.Contains(v.State) && v.Media.Any(m => m.AssetId == id))
            .Select(v => new { v.Message!.Title, Account = v.ChannelAccount!.Name }).ToListAsync(cancellationToken);
        if (pending.Count > 0)
        {
            Error = $"“{asset.FileName}” is not deleted: {pending.Count} variant{(pending.Count == 1 ? "" : "s")} not yet published use{(pending.Count == 1 ? "s" : "")} it " +
                    $"({string.Join(", ", pending.Take(3).Select(p => $"{p.Title} on {p.Account}"))}{(pending.Count > 3 ? ", …" : "")}). Remove it from those messages first.";
            return RedirectToPage(new { Q });
        }
        // Published posts (the blog, a sent newsletter) keep the derivatives they went out with.
        var kept = (await db.Variants.AsNoTracking().SelectMany(v => v.Media.Where(m => m.AssetId == id)).ToListAsync(cancellationToken))
            .SelectMany(m => m.Sources.Select(s => s.Split(':', 2)[^1]).Append(m.Key).Append(m.PosterKey ?? "")).ToHashSet();
        var derivatives = await db.MediaDerivatives.Where(d => d.AssetId == id).Select(d => d.Sha256).ToListAsync(cancellationToken);
        await db.MessageMedia.Where(m => m.MediaAssetId == id).ExecuteDeleteAsync(cancellationToken);
        db.MediaAssets.Remove(asset);
        audit.Record(nameof(MediaAsset), asset.Id.ToString(), "deleted", User.Actor(), asset.FileName);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var sha in derivatives.Append(asset.Sha256).Append(asset.PosterSha256 ?? "").Distinct().Where(s => s.Length > 0 && !kept.Contains(s)))
        {
            // Derivative bytes can coincide between assets (a tiny image is its own derivative): keep any still named.
            if (!await db.MediaDerivatives.AnyAsync(d => d.Sha256 == sha, cancellationToken) && !await db.MediaAssets.AnyAsync(a => a.Sha256 == sha || a.PosterSha256 == sha, cancellationToken))
                await blobs.DeleteAsync(sha, cancellationToken);
        }
        Notice = $"“{asset.FileName}” is deleted.";
        return RedirectToPage(new { Q });
    }
}
