using Publisher.Core.Domain;

namespace Publisher.Web.Pages.Shared;

/// <summary>
/// A variant's link card as it will go out, for the pages that show a variant (the approver's, the variant's, the
/// editor's): the card stored when it was rendered (under the author's edit, if any), its picture served by the app
/// from the blob store; no card when removed; for a variant rendered before cards were stored, the page's card read
/// when the post goes out.
/// </summary>
/// <param name="Link">The address the card links to.</param>
/// <param name="Edit">The author's card or its removal; null: the page's card.</param>
/// <param name="ImageSrc">The thumbnail as this app serves it; null: none.</param>
/// <param name="FallbackSrc">The message's first image, which the page's card falls back to; null when there is none.</param>
/// <param name="Snapshot">The card read from the page when the variant was rendered; null for a variant from before.</param>
/// <param name="Outgoing">What goes out, when there is a snapshot and the card was not removed.</param>
public sealed record LinkCardPreview(Uri Link, LinkCardEdit? Edit, string? ImageSrc, string? FallbackSrc, LinkCardSnapshot? Snapshot = null, OutgoingLinkCard? Outgoing = null)
{
    /// <summary>The card a variant carries, or null when its post carries none (another channel, media, no web link).</summary>
    public static LinkCardPreview? Of(Variant variant, string kind, string? link) =>
        LinkCardChannels.MakesCard(kind) && variant.Media.Count == 0 && Uri.TryCreate(link, UriKind.Absolute, out var address) && address.Scheme is "http" or "https"
            ? Of(address, variant.LinkCard, variant.LinkCardImage, variant.LinkCardSnapshot)
            : null;

    public static LinkCardPreview Of(Uri link, LinkCardEdit? edit, LinkCardImage? image, LinkCardSnapshot? snapshot = null)
    {
        var fallback = image is null ? null : Served(image);
        if (snapshot is not null)
        {
            var outgoing = OutgoingLinkCard.Of(snapshot, edit, image);
            return new LinkCardPreview(link, edit, outgoing?.Thumb is { } thumb ? Served(thumb) : null, fallback, snapshot, outgoing);
        }
        var src = edit switch
        {
            null or { Removed: true } or { Thumb: LinkCardThumb.None } => null,
            { Thumb: LinkCardThumb.Page, ImageUrl: { } page } => PageImage(page),
            _ => fallback,
        };
        return new LinkCardPreview(link, edit, src, fallback);
    }

    /// <summary>A stored image as this app serves it (/media/{sha256}/{name}).</summary>
    private static string Served(LinkCardImage image) => Publisher.Core.Media.MediaLibrary.Url("", image.Key, image.FileName);

    /// <summary>The page's image, handed on by the app (its CSP loads images only from itself).</summary>
    public static string PageImage(string url) => "/api/link-card/image?url=" + Uri.EscapeDataString(url);
}
