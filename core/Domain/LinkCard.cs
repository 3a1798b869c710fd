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
