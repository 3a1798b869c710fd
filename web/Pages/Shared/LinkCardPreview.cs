using Publisher.Core.Domain;

namespace Publisher.Web.Pages.Shared;

/// <summary>
/// A variant's link card as it will go out, for the pages that show a variant (the approver's, the variant's, the
/// editor's live preview): the author's card, no card when removed, or the page's card read when the post goes out.
/// </summary>
/// <param name="Link">The address the card links to.</param>
/// <param name="Edit">The author's card or its removal; null: the page's card.</param>
/// <param name="ImageSrc">The thumbnail as this app serves it (the page's image handed on, or the fallback image); null: none.</param>
/// <param name="FallbackSrc">The message's first image, which the page's card falls back to; null when there is none.</param>
public sealed record LinkCardPreview(Uri Link, LinkCardEdit? Edit, string? ImageSrc, string? FallbackSrc)
{
    /// <summary>The card a variant carries, or null when its post carries none (another channel, media, no web link).</summary>
    public static LinkCardPreview? Of(Variant variant, string kind, string? link) =>
        LinkCardChannels.MakesCard(kind) && variant.Media.Count == 0 && Uri.TryCreate(link, UriKind.Absolute, out var address) && address.Scheme is "http" or "https"
            ? Of(address, variant.LinkCard, variant.LinkCardImage)
            : null;

    public static LinkCardPreview Of(Uri link, LinkCardEdit? edit, LinkCardImage? image)
    {
        var fallback = image is null ? null : Publisher.Core.Media.MediaLibrary.Url("", image.Key, image.FileName);
        var src = edit switch
        {
            null or { Removed: true } or { Thumb: LinkCardThumb.None } => null,
            { Thumb: LinkCardThumb.Page, ImageUrl: { } page } => PageImage(page),
            _ => fallback,
        };
        return new LinkCardPreview(link, edit, src, fallback);
    }

    /// <summary>The page's image, handed on by the app (its CSP loads images only from itself).</summary>
    public static string PageImage(string url) => "/api/link-card/image?url=" + Uri.EscapeDataString(url);
}
