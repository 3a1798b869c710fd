using System.Text;

namespace Publisher.Templates.Bluesky;

/// <summary>The kind of an <c>app.bsky.richtext.facet</c> feature.</summary>
public enum BlueskyFacetKind
{
    /// <summary><c>app.bsky.richtext.facet#link</c> with a <c>uri</c>.</summary>
    Link,
    /// <summary><c>app.bsky.richtext.facet#mention</c>; <see cref="BlueskyFacet.Value"/> is the handle, which the publisher resolves to a DID.</summary>
    Mention,
    /// <summary><c>app.bsky.richtext.facet#tag</c> with the tag text (without <c>#</c>; a cashtag keeps its <c>$</c>).</summary>
    Tag,
}

/// <summary>
/// One rich-text facet of a Bluesky post. Offsets are UTF-8 byte offsets into the post text, as the
/// <c>app.bsky.richtext.facet</c> lexicon requires: <see cref="ByteStart"/> inclusive, <see cref="ByteEnd"/> exclusive.
/// </summary>
/// <param name="Kind">Link, mention or tag.</param>
/// <param name="ByteStart">UTF-8 byte offset of the first byte of the facet's text.</param>
/// <param name="ByteEnd">UTF-8 byte offset just past the facet's text.</param>
/// <param name="Value">The link's full URI (with https:// added when written without), the mentioned handle, or the tag.</param>
public sealed record BlueskyFacet(BlueskyFacetKind Kind, int ByteStart, int ByteEnd, string Value)
{
    /// <summary>The lexicon type of the facet's feature.</summary>
    public string FeatureType => Kind switch
    {
        BlueskyFacetKind.Link => "app.bsky.richtext.facet#link",
        BlueskyFacetKind.Mention => "app.bsky.richtext.facet#mention",
        _ => "app.bsky.richtext.facet#tag",
    };
}

/// <summary>A link as shown in a Bluesky post (<paramref name="Display"/>) and where it points (<paramref name="Uri"/>).</summary>
/// <param name="Display">The text shown in the post, e.g. <c>example.com/blog/deliv...</c>.</param>
/// <param name="Uri">The full address the link facet carries.</param>
public sealed record BlueskyLink(string Display, string Uri);

/// <summary>A Bluesky post as it is sent: its text (links in their short form) and its facets.</summary>
/// <param name="Text">The text of the record, which the 300-grapheme limit applies to.</param>
/// <param name="Facets">The facets of <paramref name="Text"/>, ordered by position.</param>
public sealed record BlueskyPost(string Text, IReadOnlyList<BlueskyFacet> Facets)
{
    /// <summary>The links of the post: what each shows and where it points.</summary>
    public IEnumerable<BlueskyLink> Links => Facets.Where(f => f.Kind == BlueskyFacetKind.Link)
        .Select(f => new BlueskyLink(BlueskyFacets.Slice(Text, f), f.Value));
}

/// <summary>
/// Turns text into a Bluesky post the way Bluesky's own app does: facets found by the rules of
/// <c>@atproto/api</c>'s <c>RichText.detectFacets</c> (see <see cref="BlueskyRichText"/>), then each link's
/// text replaced by its short form (host, then path, query and fragment cut to 13 characters and
/// "..." when longer than 15), the facet keeping the full address.
/// </summary>
public static class BlueskyFacets
{
    /// <summary>
    /// The post for <paramref name="text"/>. A link whose text is already the short form of one of
    /// <paramref name="known"/> (a rendered or earlier-saved link) keeps that link's full address, so a
    /// post can be prepared again (after a hand edit) without losing where its links point.
    /// </summary>
    public static BlueskyPost Prepare(string? text, IEnumerable<BlueskyLink>? known = null)
    {
        if (string.IsNullOrEmpty(text)) return new BlueskyPost("", []);
        var facets = BlueskyRichText.Detect(text);
        var knownLinks = known?.Where(k => k.Display.Length > 0).ToList() ?? [];
        var builder = new StringBuilder(text);
        // As the app does: one link at a time, replace its text and move every other facet with it.
        foreach (var facet in facets.ToList())
        {
            if (facet.Kind != BlueskyFacetKind.Link || facet.End <= facet.Start) continue;
            if (KnownAt(builder, facet, knownLinks) is { } link)
            {
                facet.End = facet.Start + link.Display.Length;
                facet.Value = link.Uri;
                continue;
            }
            var original = builder.ToString(facet.Start, facet.End - facet.Start);
            var shown = BlueskyLinkText.ShortForm(original);
            if (shown == original) continue;
            var start = facet.Start;
            var end = facet.End;
            Insert(facets, builder, start, shown);
            facet.Start = start;
            facet.End = start + shown.Length;
            Delete(facets, builder, start + shown.Length, end + shown.Length);
        }
        var posted = builder.ToString();
        return new BlueskyPost(posted, ToBytes(posted, facets));
    }

    /// <summary>The facets of <paramref name="text"/> as it is (no link shortened), by <c>RichText.detectFacets</c>'s rules.</summary>
    public static IReadOnlyList<BlueskyFacet> Extract(string? text) =>
        string.IsNullOrEmpty(text) ? [] : ToBytes(text, BlueskyRichText.Detect(text));

    /// <summary>Whether a link facet over <paramref name="shown"/> may point to <paramref name="uri"/>: the text is the address, the address without its scheme, or its short form.</summary>
    public static bool IsShownFormOf(string shown, string uri) =>
        shown == uri || "https://" + shown == uri || shown == BlueskyLinkText.ShortForm(uri) ||
        shown == BlueskyLinkText.ShortForm(uri.StartsWith("https://", StringComparison.Ordinal) ? uri[8..] : uri);

    /// <summary>The links a stored post knows: each link facet's address, with the texts it may be shown as.</summary>
    public static IEnumerable<BlueskyLink> KnownLinks(IEnumerable<string> uris)
    {
        foreach (var uri in uris.Distinct(StringComparer.Ordinal))
        {
            yield return new BlueskyLink(BlueskyLinkText.ShortForm(uri), uri);
            if (uri.StartsWith("https://", StringComparison.Ordinal)) yield return new BlueskyLink(uri[8..], uri);
        }
    }

    /// <summary>The UTF-8 byte offset of the UTF-16 index <paramref name="charIndex"/> of <paramref name="text"/>.</summary>
    public static int ByteOffset(string text, int charIndex) => Encoding.UTF8.GetByteCount(text.AsSpan(0, charIndex));

    /// <summary>The text a facet covers.</summary>
    public static string Slice(string text, BlueskyFacet facet)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return facet.ByteStart >= 0 && facet.ByteEnd <= bytes.Length && facet.ByteStart <= facet.ByteEnd
            ? Encoding.UTF8.GetString(bytes, facet.ByteStart, facet.ByteEnd - facet.ByteStart)
            : "";
    }

    /// <summary>The UTF-16 range of a facet in <paramref name="text"/>, for previews that colour it.</summary>
    public static (int Start, int End) Utf16Range(string text, BlueskyFacet facet)
    {
        int bytes = 0, start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            if (bytes == facet.ByteStart && start < 0) start = i;
            if (bytes == facet.ByteEnd) return (Math.Max(start, 0), i);
            if (i == text.Length) break;
            var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            bytes += Encoding.UTF8.GetByteCount(text.AsSpan(i, length));
            i += length - 1;
        }
        return (Math.Max(start, 0), text.Length);
    }

    // The known link shown at this link's start: RichText ends a link before a trailing "." (of "...") or ")".
    private static BlueskyLink? KnownAt(StringBuilder text, DetectedFacet facet, List<BlueskyLink> known)
    {
        foreach (var link in known)
        {
            var end = facet.Start + link.Display.Length;
            if (end > text.Length || (facet.End != end && facet.End != end - 1)) continue;
            if (text.ToString(facet.Start, link.Display.Length) == link.Display) return link;
        }
        return null;
    }

    // RichText.insert: facets at or after the point move; a facet the point falls inside grows.
    private static void Insert(List<DetectedFacet> facets, StringBuilder text, int at, string inserted)
    {
        text.Insert(at, inserted);
        foreach (var f in facets)
        {
            if (at <= f.Start)
            {
                f.Start += inserted.Length;
                f.End += inserted.Length;
            }
            else if (at < f.End)
            {
                f.End += inserted.Length;
            }
        }
    }

    // RichText.delete: facets inside the removed range go, the others shrink or move.
    private static void Delete(List<DetectedFacet> facets, StringBuilder text, int start, int end)
    {
        text.Remove(start, end - start);
        var removed = end - start;
        foreach (var f in facets)
        {
            if (start <= f.Start && end >= f.End) { f.Start = 0; f.End = 0; }
            else if (start > f.End) { }
            else if (start > f.Start && start <= f.End && end > f.End) f.End = start;
            else if (start >= f.Start && end <= f.End) f.End -= removed;
            else if (start < f.Start && end >= f.Start && end <= f.End) { f.Start = start; f.End -= removed; }
            else if (end < f.Start) { f.Start -= removed; f.End -= removed; }
        }
        facets.RemoveAll(f => f.Start >= f.End);
    }

    private static IReadOnlyList<BlueskyFacet> ToBytes(string text, List<DetectedFacet> facets)
    {
        var result = new List<BlueskyFacet>(facets.Count);
        foreach (var f in facets)
        {
            if (f.End <= f.Start) continue;
            result.Add(new BlueskyFacet(f.Kind, ByteOffset(text, f.Start), ByteOffset(text, f.End), f.Value));
        }
        return result;
    }
}
