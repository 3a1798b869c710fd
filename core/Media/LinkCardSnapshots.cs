using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Publisher.Core.Domain;
using Publisher.Core.Networking;
using Publisher.Media;
using Publisher.Media.Inspection;
using Publisher.Media.Processing;
using Publisher.Media.Rules;
using Publisher.Media.Storage;

namespace Publisher.Core.Media;

/// <summary>
/// Takes a variant's link card when it is rendered: the page's Open Graph card read by <see cref="LinkCardReader"/>
/// (through the outbound guard, within its time and size limits) and its image made into the channel's derivative
/// (the media rules and <see cref="DerivativeMaker"/> that attachments go through: inspected, within the pixel limit,
/// metadata stripped, under the blob limit) and kept in the blob store, so what the approver sees is what is posted.
/// A page that cannot be read gives the message's own title and summary, marked so the editor can say so.
/// <para>
/// Reads are kept for <see cref="CacheFor"/> per page and channel spec, so saving a message (or its confirmation
/// straight after) does not fetch the page again, and several variants of one save share one read. The whole read of
/// a page and its image stays within <see cref="LinkCardReader.Timeout"/>: a slow page never holds a save longer.
/// </para>
/// </summary>
public sealed class LinkCardSnapshots(LinkCardReader reader, MediaInspector inspector, DerivativeMaker maker, IBlobStore blobs,
    IOptions<MediaOptions> options, TimeProvider clock, ILogger<LinkCardSnapshots> log)
{
    /// <summary>How long a page's read card is reused.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(2);

    /// <summary>A page's image is read up to this size and made smaller to fit the channel's blob limit.</summary>
    public const int MaxSourceImageBytes = 8 * 1024 * 1024;

    private sealed record StoredThumb(string Key, string ContentType, long Length, int Width, int Height);
    private sealed record PageRead(LinkCard? Card, StoredThumb? Thumb);

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Lazy<Task<PageRead>> Read)> _reads = new();

    /// <summary>
    /// The card a post linking to <paramref name="link"/> carries, read from <paramref name="page"/> (where the link
    /// leads), or the message's <paramref name="title"/> and <paramref name="summary"/> when it cannot be read.
    /// <paramref name="fresh"/>: read the page again even if it was read a moment ago (the author asked).
    /// </summary>
    public async Task<LinkCardSnapshot> TakeAsync(Uri link, Uri page, string title, string? summary, ChannelMediaRules rules, bool fresh, CancellationToken cancellationToken)
    {
        var spec = DerivativeSpec.For(rules)[^1];
        var key = page.AbsoluteUri + "\n" + spec.Key;
        var now = clock.GetUtcNow();
        foreach (var old in _reads.Where(r => now - r.Value.At > CacheFor).ToList())
            _reads.TryRemove(old);
        var entry = (At: now, Read: new Lazy<Task<PageRead>>(() => ReadAsync(page, spec)));
        if (fresh)
            _reads[key] = entry;
        else
            entry = _reads.GetOrAdd(key, entry);
        // The read is shared: one caller giving up does not cancel it for the others (it ends within the reader's limits).
        PageRead read;
        try
        {
            read = await entry.Read.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (entry.Read.IsValueCreated && entry.Read.Value.IsFaulted)
        {
            // A failure of Publisher's own (the blob store) is not kept: the next save tries again.
            _reads.TryRemove(new KeyValuePair<string, (DateTimeOffset, Lazy<Task<PageRead>>)>(key, entry));
            throw;
        }
        var card = read.Card ?? LinkCardReader.Fallback(link, title, summary);
        return new LinkCardSnapshot
        {
            Uri = link.AbsoluteUri, Page = page.AbsoluteUri, Title = card.Title, Description = card.Description, FromPage = card.FromPage,
            ImageUrl = card.ImageUrl?.AbsoluteUri, ThumbKey = read.Thumb?.Key, ThumbContentType = read.Thumb?.ContentType,
            ThumbLength = read.Thumb?.Length ?? 0, ThumbWidth = read.Thumb?.Width ?? 0, ThumbHeight = read.Thumb?.Height ?? 0, ReadAt = now,
        };
    }

    /// <summary>
    /// Keeps <paramref name="variant"/>'s link card as it goes out, before its content hash is taken: read from the page
    /// (where the message's link leads) when the post carries a card, none otherwise. <paramref name="reread"/>: read it
    /// again (a message save, a re-render) rather than keep the stored one when its link and page are the same; reads
    /// are cached a moment, so a save and its confirmation read once. An identical read leaves the stored card as it is.
    /// </summary>
    /// <param name="link">The variant's link as rendered (a tracked short link, or the link with UTM tags).</param>
    public async Task UpdateAsync(Variant variant, Message message, string kind, ChannelMediaRules? rules, string? link, bool reread, bool fresh, CancellationToken cancellationToken)
    {
        if (rules is null || !LinkCardChannels.MakesCard(kind) || variant.Media.Count > 0
            || !Uri.TryCreate(link, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            variant.LinkCardSnapshot = null;
            return;
        }
        var page = Uri.TryCreate(message.Link, UriKind.Absolute, out var destination) && destination.Scheme is "http" or "https" ? destination : address;
        if (!reread && variant.LinkCardSnapshot is { } kept && kept.Uri == address.AbsoluteUri && kept.Page == page.AbsoluteUri)
            return;
        var taken = await TakeAsync(address, page, message.Title, message.Summary, rules, fresh, cancellationToken);
        if (!taken.SameCardAs(variant.LinkCardSnapshot))
            variant.LinkCardSnapshot = taken;
    }

    private async Task<PageRead> ReadAsync(Uri page, DerivativeSpec spec)
    {
        // One budget for the page and its image together.
        using var budget = new CancellationTokenSource(LinkCardReader.Timeout, clock);
        LinkCard? card;
        try
        {
            card = await reader.ReadAsync(page, budget.Token);
        }
        catch (OperationCanceledException)
        {
            return new PageRead(null, null);
        }
        if (card?.ImageUrl is not { } imageUrl)
            return new PageRead(card, null);
        try
        {
            return new PageRead(card, await ThumbAsync(imageUrl, spec, budget.Token));
        }
        catch (OperationCanceledException)
        {
            return new PageRead(card, null);
        }
    }

    /// <summary>The page's image as the channel's derivative, stored; null (a card without a picture) when it cannot be used.</summary>
    private async Task<StoredThumb?> ThumbAsync(Uri imageUrl, DerivativeSpec spec, CancellationToken cancellationToken)
    {
        if (await reader.ReadImageAsync(imageUrl, cancellationToken, MaxSourceImageBytes) is not { } image)
            return null;
        var temp = Path.Combine(options.Value.TempPath, "publisher-linkcard-" + Guid.NewGuid().ToString("N"));
        try
        {
            await File.WriteAllBytesAsync(temp, image.Bytes, cancellationToken);
            // The same checks as an upload: its bytes are what they claim, and its pixels within the limit before decoding.
            var inspection = await inspector.InspectAsync(temp, image.ContentType, "link-card-image", cancellationToken);
            if (inspection.Media is not { Kind: MediaKind.Image } media)
            {
                log.LogInformation("The link card's image {Address} was not used: {Reason}", imageUrl, inspection.Refusal?.Message);
                return null;
            }
            var made = maker.Make(temp, media.ContentType, animated: false, [spec])[0];
            await blobs.PutAsync(new MemoryStream(made.Bytes, writable: false), made.ContentType, cancellationToken);
            return new StoredThumb(made.Sha256, made.ContentType, made.Length, made.Width, made.Height);
        }
        catch (DerivativeException e)
        {
            log.LogInformation("The link card's image {Address} was not used: {Reason}", imageUrl, e.Message);
            return null;
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
