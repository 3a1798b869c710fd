using System.Security.Cryptography;
using System.Text;
using Publisher.Core.Domain;

namespace Publisher.Core.Workflow;

/// <summary>
/// The fingerprint of exactly what would be published. An approval carries it; the worker refuses to
/// publish content whose fingerprint no approval carries.
/// </summary>
public static class ContentHash
{
    public static string Of(Variant variant) =>
        Of(variant.ChannelAccountId, variant.EffectiveText, variant.RenderedHtml, variant.Subject, variant.ThreadParts, variant.Preheader, variant.JsonPayload,
            LinksOf(variant.LinksJson), variant.Media.OrderBy(m => m.Position).Select(m => new MediaFingerprint(m.Key, m.AltText, m.PosterKey)).ToList(),
            CardOf(variant.LinkCard, variant.LinkCardImage, variant.LinkCardSnapshot));

    /// <summary>
    /// The link card in a canonical form: the author's edit (removed, or its words, thumbnail choice and image address),
    /// the fallback image's bytes (by their hash) and the card read from the page (its link, words and thumbnail bytes by
    /// their hash; not when it was read, so an identical re-read changes nothing). Null when none is there, so such a
    /// variant hashes as before; the snapshot is added only when there is one, so hashes made before snapshots hold.
    /// </summary>
    private static string? CardOf(LinkCardEdit? edit, LinkCardImage? image, LinkCardSnapshot? snapshot)
    {
        if (edit is null && image is null && snapshot is null)
            return null;
        var builder = new StringBuilder();
        void Add(string? value) => builder.Append(value?.Length ?? -1).Append(':').Append(value).Append('\n');
        if (edit is null)
            Add("page");
        else if (edit.Removed)
            Add("removed");
        else
        {
            Add("edited");
            Add(edit.Title);
            Add(edit.Description);
            Add(edit.Thumb.ToString());
            Add(edit.Thumb == LinkCardThumb.Page ? edit.ImageUrl : null);
        }
        Add(image?.Key);
        if (snapshot is not null)
        {
            Add("snapshot");
            Add(snapshot.Uri);
            Add(snapshot.Title);
            Add(snapshot.Description);
            Add(snapshot.ThumbKey);
        }
        return builder.ToString();
    }

    /// <summary>What of one attached medium the approval covers: the derivative's bytes (by their hash), its alt text and a video's poster.</summary>
    public sealed record MediaFingerprint(string Key, string AltText, string? PosterKey = null);

    /// <summary>
    /// The tracked links in a canonical form (each short link and its destination, one per line), not the stored JSON:
    /// PostgreSQL's jsonb gives the JSON back spelled differently from how it was written.
    /// </summary>
    private static string? LinksOf(string? linksJson) =>
        Analytics.VariantLink.ListOf(linksJson) is { Count: > 0 } links ? string.Join('\n', links.Select(l => l.ShortUrl + " " + l.Destination)) : null;

    /// <param name="linkCard">The link card as <see cref="CardOf"/> writes it: what the post's card will be.</param>
    /// <param name="links">The tracked links (short URL and destination of each): where a short link leads is part of what is approved.</param>
    public static string Of(Guid channelAccountId, string text, string? html, string? subject, IReadOnlyList<string> threadParts,
        string? preheader = null, string? jsonPayload = null, string? links = null, IReadOnlyList<MediaFingerprint>? media = null, string? linkCard = null)
    {
        // Length-prefixed fields, so moving text from one field to the next changes the hash.
        var builder = new StringBuilder();
        void Add(string? value) => builder.Append(value?.Length ?? -1).Append(':').Append(value).Append('\n');
        Add(channelAccountId.ToString());
        Add(text);
        Add(html);
        Add(subject);
        Add(preheader);
        Add(jsonPayload);
        builder.Append(threadParts.Count).Append('\n');
        foreach (var part in threadParts)
            Add(part);
        // Only when there are tracked links, so a variant without them keeps the hash it was approved with before links were tracked.
        if (links is not null)
            Add(links);
        // Only when there are media, so the hash of a variant without any (every approval made before media existed) is unchanged.
        if (media is { Count: > 0 })
        {
            builder.Append("media:").Append(media.Count).Append('\n');
            foreach (var item in media)
            {
                Add(item.Key);
                Add(item.AltText);
                Add(item.PosterKey);
            }
        }
        // Only when the variant has a card edit or a fallback image, so every hash made before link cards could be edited holds.
        if (linkCard is not null)
        {
            builder.Append("linkcard:").Append('\n');
            Add(linkCard);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }
}
