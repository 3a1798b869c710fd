using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Media;
using Publisher.Media.Inspection;
using Publisher.Media.Processing;
using Publisher.Media.Rules;
using Publisher.Media.Storage;

namespace Publisher.Core.Media;

/// <summary>
/// The brand's media: takes an upload in (inspected, its derivatives made for every channel, all bytes in the blob
/// store, then the asset recorded, so a refused file leaves nothing behind), and works out, for a variant, which media
/// go out and as which derivative. The web app and the worker both use it.
/// </summary>
public sealed class MediaLibrary(PublisherDbContext db, IBlobStore blobs, MediaInspector inspector, DerivativeMaker maker, VideoTools video,
    IOptions<MediaOptions> options, TimeProvider clock)
{
    public sealed record IngestResult(MediaAsset? Asset, MediaRefusal? Refusal, bool AlreadyThere = false);

    /// <summary>The longest side of a video's poster frame as stored; channels get derivatives of it.</summary>
    public const int PosterSide = 2000;

    /// <summary>
    /// Takes in a file the caller has streamed to <paramref name="path"/> (within the upload limit). Inspects it, makes
    /// every channel's derivative (so a damaged image is found now, and saving a message later is quick), stores the
    /// bytes, and records the asset. The same bytes uploaded again are the asset that is already there.
    /// </summary>
    public async Task<IngestResult> IngestAsync(string path, string? declaredType, string? name, string userId, CancellationToken cancellationToken)
    {
        var inspection = await inspector.InspectAsync(path, declaredType, name, cancellationToken);
        if (inspection.Media is not { } media)
            return new IngestResult(null, inspection.Refusal);

        string sha256;
        await using (var file = File.OpenRead(path))
            sha256 = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(file, cancellationToken));
        if (await db.MediaAssets.FirstOrDefaultAsync(a => a.Sha256 == sha256, cancellationToken) is { } existing)
            return new IngestResult(existing, null, AlreadyThere: true);

        var asset = new MediaAsset
        {
            Sha256 = sha256, FileName = name!.Trim(), ContentType = media.ContentType, Kind = media.Kind, Length = media.Length,
            Width = media.Width, Height = media.Height, DurationSeconds = media.Duration?.TotalSeconds, VideoCodec = media.Video?.VideoCodec,
            UploadedById = userId, UploadedAt = clock.GetUtcNow(),
        };

        // Everything is made before anything is stored: a file that fails half-way stores nothing.
        IReadOnlyList<MadeDerivative> derivatives;
        byte[]? poster = null;
        try
        {
            if (media.Kind == MediaKind.Video)
            {
                var posterPath = Path.Combine(options.Value.TempPath, "publisher-poster-" + Guid.NewGuid().ToString("N") + ".jpg");
                try
                {
                    if (!await video.PosterAsync(path, posterPath, PosterSide, cancellationToken))
                        return new IngestResult(null, new MediaRefusal("corrupt", $"“{name}” is damaged: its first frame cannot be decoded. Export it again (MP4 with H.264) and upload it again."));
                    poster = await File.ReadAllBytesAsync(posterPath, cancellationToken);
                    derivatives = maker.Make(posterPath, MediaTypes.Jpeg, animated: false, AllSpecs());
                }
                finally
                {
                    File.Delete(posterPath);
                }
            }
            else
            {
                derivatives = maker.Make(path, media.ContentType, media.Kind == MediaKind.AnimatedGif, AllSpecs());
            }
        }
        catch (DerivativeException e)
        {
            return new IngestResult(null, new MediaRefusal("corrupt", $"“{name}”: {e.Message}"));
        }

        // From the first stored byte to the row that names them, nothing is cancelled: a client that goes away (or a
        // request timing out) half-way would leave blobs no asset names. What is left to do is bounded by the file.
        var storing = CancellationToken.None;
        await using (var file = File.OpenRead(path))
            await blobs.PutAsync(file, media.ContentType, storing);
        if (poster is not null)
            asset.PosterSha256 = (await blobs.PutAsync(new MemoryStream(poster), MediaTypes.Jpeg, storing)).Sha256;
        var now = clock.GetUtcNow();
        foreach (var made in derivatives.DistinctBy(d => d.Spec.Key))
        {
            await blobs.PutAsync(new MemoryStream(made.Bytes), made.ContentType, storing);
            var row = ToRow(asset.Id, made, now);
            if (media.Kind == MediaKind.Video)
                row.Spec = PosterSpec(made.Spec);
            db.MediaDerivatives.Add(row);
        }
        db.MediaAssets.Add(asset);
        try
        {
            await db.SaveChangesAsync(storing);
        }
        catch (DbUpdateException)
        {
            // Someone uploaded the same file a moment earlier: theirs is the asset.
            db.ChangeTracker.Clear();
            var theirs = await db.MediaAssets.FirstOrDefaultAsync(a => a.Sha256 == sha256, storing);
            if (theirs is null)
                throw;
            return new IngestResult(theirs, null, AlreadyThere: true);
        }
        return new IngestResult(asset, null);
    }

    /// <summary>A video's poster derivatives are cached under their own spec keys, apart from the video's.</summary>
    private static string PosterSpec(DerivativeSpec spec) => "poster|" + spec.Key;

    /// <summary>The smallest derivative of each asset (its preview in lists and the editor), by asset id.</summary>
    public Task<Dictionary<Guid, MediaDerivative>> ThumbnailsAsync(IReadOnlyCollection<Guid> assetIds, CancellationToken cancellationToken) =>
        ThumbnailsAsync(db, assetIds, cancellationToken);

    /// <inheritdoc cref="ThumbnailsAsync(IReadOnlyCollection{Guid}, CancellationToken)"/>
    public static async Task<Dictionary<Guid, MediaDerivative>> ThumbnailsAsync(PublisherDbContext db, IReadOnlyCollection<Guid> assetIds, CancellationToken cancellationToken) =>
        (await db.MediaDerivatives.AsNoTracking().Where(d => assetIds.Contains(d.AssetId)).ToListAsync(cancellationToken))
            .GroupBy(d => d.AssetId)
            .ToDictionary(g => g.Key, g => g.OrderBy(d => d.Kind == MediaKind.AnimatedGif ? 1 : 0).ThenBy(d => d.Width).First());

    /// <summary>Every channel's specs with the focal point at the centre: what an upload makes up front.</summary>
    public static IReadOnlyList<DerivativeSpec> AllSpecs() =>
        ChannelMediaTable.All.SelectMany(r => DerivativeSpec.For(r)).DistinctBy(s => s.Key).ToList();

    private static MediaDerivative ToRow(Guid assetId, MadeDerivative made, DateTimeOffset now) => new()
    {
        AssetId = assetId, Spec = made.Spec.Key, Sha256 = made.Sha256, ContentType = made.ContentType, Kind = made.Kind,
        Length = made.Length, Width = made.Width, Height = made.Height, CreatedAt = now,
    };

    /// <summary>
    /// The media that go out with a variant of this channel, as derivatives made for it: the hand-made choice, or every
    /// attachment the channel takes. Derivatives not made yet (a crop for a new focal point) are made now and cached.
    /// The message's attachments and their assets must be loaded.
    /// </summary>
    public async Task<List<VariantMedia>> PlanAsync(Variant variant, Message message, ChannelMediaRules rules, CancellationToken cancellationToken)
    {
        var attachments = message.Media.OrderBy(m => m.Position).ToList();
        var chosen = variant.MediaChoice is { } choice
            ? choice.Select(id => attachments.FirstOrDefault(a => a.Id == id)).OfType<MessageMedia>().ToList()
            : attachments.Where(a => a.Asset is { } asset && rules.Takes(asset.Kind)).ToList();
        var result = new List<VariantMedia>(chosen.Count);
        foreach (var attachment in chosen)
        {
            var asset = attachment.Asset!;
            var focal = attachment.FocalX is { } fx && attachment.FocalY is { } fy ? FocalPoint.Clamp(fx, fy)
                : asset.FocalX is { } ax && asset.FocalY is { } ay ? FocalPoint.Clamp(ax, ay) : (FocalPoint?)null;
            var specs = DerivativeSpec.For(rules, focal);
            var item = new VariantMedia
            {
                Position = result.Count, AttachmentId = attachment.Id, AssetId = asset.Id, Key = asset.Sha256, Kind = asset.Kind,
                ContentType = asset.ContentType, Length = asset.Length, Width = asset.Width, Height = asset.Height,
                DurationSeconds = asset.DurationSeconds, VideoCodec = asset.VideoCodec, AltText = (attachment.AltText ?? "").Trim(),
                FocalX = focal?.X, FocalY = focal?.Y, FileName = ServedName(asset.FileName, asset.ContentType),
            };
            if (asset.Kind == MediaKind.Video)
            {
                // Publisher does not transcode: the video goes as uploaded; its poster is made for the channel.
                if (asset.PosterSha256 is { } poster)
                {
                    var posters = await EnsureAsync(asset, poster, MediaTypes.Jpeg, animated: false, specs, cancellationToken);
                    item.PosterKey = posters[^1].Sha256;
                    item.Sources = rules.IsHosted ? posters.Select(p => $"{p.Width}:{p.Sha256}").ToList() : [];
                }
            }
            else
            {
                var made = await EnsureAsync(asset, asset.Sha256, asset.ContentType, asset.Kind == MediaKind.AnimatedGif, specs, cancellationToken);
                var main = made[^1];
                item.Key = main.Sha256;
                item.Kind = main.Kind;
                item.ContentType = main.ContentType;
                item.Length = main.Length;
                item.Width = main.Width;
                item.Height = main.Height;
                item.FileName = ServedName(asset.FileName, main.ContentType);
                item.Sources = rules.IsHosted ? made.Select(d => $"{d.Width}:{d.Sha256}").ToList() : [];
            }
            result.Add(item);
        }
        return result;
    }

    /// <summary>
    /// The image a link card falls back to when the page has none: the message's first attached image (a GIF's still
    /// frame), as the derivative made for this channel; null when the message has no image or its derivative is not a
    /// JPEG, PNG or WebP. The message's attachments and their assets must be loaded.
    /// </summary>
    public async Task<LinkCardImage?> PlanLinkCardImageAsync(Message message, ChannelMediaRules rules, CancellationToken cancellationToken)
    {
        if (message.Media.OrderBy(m => m.Position).FirstOrDefault(m => m.Asset?.Kind is MediaKind.Image or MediaKind.AnimatedGif) is not { } first)
            return null;
        var planned = await PlanAsync(new Variant { MediaChoice = [first.Id] }, message, rules, cancellationToken);
        return planned is [var image] && image.ContentType is MediaTypes.Jpeg or MediaTypes.Png or MediaTypes.WebP
            ? new LinkCardImage { Key = image.Key, ContentType = image.ContentType, Length = image.Length, Width = image.Width, Height = image.Height, FileName = image.FileName, AltText = image.AltText }
            : null;
    }

    /// <summary>The derivatives of a source blob for these specs, in order: from the cache, or made now from the stored source.</summary>
    private async Task<List<MediaDerivative>> EnsureAsync(MediaAsset asset, string sourceSha, string sourceType, bool animated, IReadOnlyList<DerivativeSpec> specs, CancellationToken cancellationToken)
    {
        // The poster's derivatives are cached under a spec key of their own, apart from the video's.
        string Cached(DerivativeSpec spec) => sourceSha == asset.Sha256 ? spec.Key : PosterSpec(spec);
        var keys = specs.Select(Cached).ToList();
        var rows = await db.MediaDerivatives.Where(d => d.AssetId == asset.Id && keys.Contains(d.Spec)).ToListAsync(cancellationToken);
        var missing = specs.Where(s => rows.All(r => r.Spec != Cached(s))).ToList();
        if (missing.Count > 0)
        {
            var temp = Path.Combine(options.Value.TempPath, "publisher-source-" + Guid.NewGuid().ToString("N"));
            try
            {
                await using (var source = await blobs.OpenReadAsync(sourceSha, cancellationToken) ?? throw new InvalidOperationException($"The stored bytes of “{asset.FileName}” are missing from the media store."))
                await using (var file = File.Create(temp))
                    await source.CopyToAsync(file, cancellationToken);
                var now = clock.GetUtcNow();
                foreach (var made in maker.Make(temp, sourceType, animated, missing))
                {
                    await blobs.PutAsync(new MemoryStream(made.Bytes), made.ContentType, cancellationToken);
                    var row = ToRow(asset.Id, made, now);
                    row.Spec = Cached(made.Spec);
                    db.MediaDerivatives.Add(row);
                    rows.Add(row);
                }
            }
            finally
            {
                File.Delete(temp);
            }
        }
        return keys.Select(k => rows.First(r => r.Spec == k)).ToList();
    }

    /// <summary>The name a derivative is served under: the upload's name with the derivative's extension, safe in a URL path.</summary>
    public static string ServedName(string fileName, string contentType)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var safe = new string(stem.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-');
        if (safe.Length == 0) safe = "media";
        if (safe.Length > 80) safe = safe[..80];
        return $"{safe}.{MediaTypes.Extension(contentType)}";
    }

    /// <summary>Where Publisher serves a blob: {publicUrl}/media/{sha256}/{name}.</summary>
    public static string Url(string publicUrl, string sha256, string name) => $"{publicUrl.TrimEnd('/')}/media/{sha256}/{Uri.EscapeDataString(name)}";
}
