namespace Publisher.Core.Domain;

/// <summary>Where an edited link card's thumbnail comes from.</summary>
public enum LinkCardThumb
{
    /// <summary>The page's Open Graph image; the message's first attached image when the page has none or it cannot be fetched.</summary>
    Page,
    /// <summary>The message's first attached image (its derivative for the channel), whatever the page names.</summary>
    Attachment,
    /// <summary>No thumbnail: a card of words only.</summary>
    None,
}

/// <summary>
/// The author's own link card for one variant, in place of the one read from the page when it goes out: either removed
/// (the post goes without a card) or written out in full, so the approver approves exactly the words that go out. The
/// approval hash covers it, so editing or removing the card voids an approval as a changed word does.
/// </summary>
public class LinkCardEdit
{
    public const int MaxTitleLength = 300;
    public const int MaxDescriptionLength = 1000;

    /// <summary>True: the post carries no card at all (the other fields are ignored).</summary>
    public bool Removed { get; set; }
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public LinkCardThumb Thumb { get; set; }

    /// <summary>The page's image address as the author saw it when editing (http/https), for <see cref="LinkCardThumb.Page"/>; null when the page named none.</summary>
    public string? ImageUrl { get; set; }
}

/// <summary>
/// The image a link card falls back to: the message's first attached image, as the derivative made for the variant's
/// channel (a blob in the store under <see cref="Key"/>). Kept on a variant whose post would carry a card.
/// </summary>
public class LinkCardImage
{
    /// <summary>SHA-256 of the derivative's bytes.</summary>
    public string Key { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long Length { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public string FileName { get; set; } = "";
    public string AltText { get; set; } = "";
}

/// <summary>The channels whose link card Publisher makes itself, and so the author can edit or remove.</summary>
public static class LinkCardChannels
{
    /// <summary>
    /// Bluesky only: its post carries the card Publisher writes (app.bsky.embed.external). X, Mastodon, LinkedIn's
    /// text posts and the Facebook Page make their cards themselves from the page (see the README's link card section).
    /// </summary>
    public static bool MakesCard(string kind) => kind == "Bluesky";
}

/// <summary>
/// The link card read from the page when the variant was rendered: what goes out (under the author's edit, if any), so
/// the approver approves the words and the picture that are posted and a page that changes its tags afterwards changes
/// nothing. The thumbnail is the page's image fitted to the channel's blob limit and kept in the blob store under
/// <see cref="ThumbKey"/>. When the page could not be read (<see cref="FromPage"/> false) the card is the message's own
/// title and summary, and the editor says so. The approval hash covers it (Workflow.ContentHash).
/// </summary>
public class LinkCardSnapshot
{
    /// <summary>The address the card links to: the variant's link (Publisher's tracked address, when links are tracked).</summary>
    public string Uri { get; set; } = "";

    /// <summary>The page that was read: where the message's link leads.</summary>
    public string Page { get; set; } = "";

    public string Title { get; set; } = "";
    public string Description { get; set; } = "";

    /// <summary>True: the words are the page's; false: the page could not be read and the message's title and summary stand in.</summary>
    public bool FromPage { get; set; }

    /// <summary>The page's image address as it named it (for the record; the bytes under <see cref="ThumbKey"/> are what go out).</summary>
    public string? ImageUrl { get; set; }

    /// <summary>SHA-256 of the thumbnail's bytes in the blob store; null when the page named no image or it could not be used.</summary>
    public string? ThumbKey { get; set; }
    public string? ThumbContentType { get; set; }
    public long ThumbLength { get; set; }
    public int ThumbWidth { get; set; }
    public int ThumbHeight { get; set; }

    public DateTimeOffset ReadAt { get; set; }

    /// <summary>The same card: words, link and thumbnail bytes (not when it was read), so an identical re-read changes nothing.</summary>
    public bool SameCardAs(LinkCardSnapshot? other) =>
        other is not null && other.Uri == Uri && other.Page == Page && other.Title == Title && other.Description == Description
        && other.FromPage == FromPage && other.ThumbKey == ThumbKey;
}

/// <summary>A link card exactly as it goes out: its address, words and thumbnail (a blob in the store), or none.</summary>
/// <param name="Thumb">The thumbnail's blob (served at /media/{key}/{file name}); null: a card of words only.</param>
public sealed record OutgoingLinkCard(string Uri, string Title, string Description, LinkCardImage? Thumb)
{
    /// <summary>
    /// The card a variant with a snapshot carries: null when the author removed it; the author's words over the page's
    /// otherwise; the thumbnail by the author's choice, else the page's image, else the message's first image. Null too
    /// for a variant without a snapshot (made before snapshots; its card is read when it goes out).
    /// </summary>
    public static OutgoingLinkCard? Of(LinkCardSnapshot? snapshot, LinkCardEdit? edit, LinkCardImage? fallback)
    {
        if (snapshot is null || edit is { Removed: true })
            return null;
        var pageThumb = snapshot.ThumbKey is { } key
            ? new LinkCardImage
            {
                Key = key, ContentType = snapshot.ThumbContentType ?? "", Length = snapshot.ThumbLength, Width = snapshot.ThumbWidth, Height = snapshot.ThumbHeight,
                FileName = "link-card." + (snapshot.ThumbContentType switch { "image/png" => "png", "image/webp" => "webp", _ => "jpg" }),
            }
            : null;
        var thumb = edit?.Thumb switch
        {
            LinkCardThumb.None => null,
            LinkCardThumb.Attachment => fallback,
            _ => pageThumb ?? fallback,
        };
        return edit is null
            ? new OutgoingLinkCard(snapshot.Uri, snapshot.Title, snapshot.Description, thumb)
            : new OutgoingLinkCard(snapshot.Uri, edit.Title, edit.Description, thumb);
    }
}
