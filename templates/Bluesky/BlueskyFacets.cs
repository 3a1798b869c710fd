using System.Text;
using System.Text.RegularExpressions;
using Publisher.Templates.Counting;

namespace Publisher.Templates.Bluesky;

/// <summary>The kind of an <c>app.bsky.richtext.facet</c> feature.</summary>
public enum BlueskyFacetKind
{
    /// <summary><c>app.bsky.richtext.facet#link</c> with a <c>uri</c>.</summary>
    Link,
    /// <summary><c>app.bsky.richtext.facet#mention</c>; <see cref="BlueskyFacet.Value"/> is the handle, which the publisher resolves to a DID.</summary>
    Mention,
    /// <summary><c>app.bsky.richtext.facet#tag</c> with the tag text (without <c>#</c>).</summary>
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
/// <param name="Display">The shortened text shown in the post, e.g. <c>example.com/blog/deliver...</c>.</param>
/// <param name="Uri">The full address the link facet carries.</param>
public sealed record BlueskyLink(string Display, string Uri);

/// <summary>
/// Finds the links, mentions and hashtags of a Bluesky post and their UTF-8 byte ranges, and
/// shortens long links the way the Bluesky app does (the post shows a short form, the facet keeps the
/// full address), so a tagged link does not use up a third of the 300 graphemes.
/// </summary>
public static partial class BlueskyFacets
{
    /// <summary>Links whose shown form (without <c>https://</c>) is longer than this are cut, with "...".</summary>
    public const int MaxLinkDisplayLength = 30;

    /// <summary>
    /// Replaces every URL in <paramref name="text"/> with its short display form (no scheme, at most
    /// <see cref="MaxLinkDisplayLength"/> characters) and returns the links in order.
    /// </summary>
    public static (string Text, IReadOnlyList<BlueskyLink> Links) ShortenLinks(string text)
    {
        var urls = UrlExtractor.Extract(text);
        if (urls.Count == 0) return (text, []);
        var links = new List<BlueskyLink>(urls.Count);
        var result = new StringBuilder(text.Length);
        var position = 0;
        foreach (var url in urls)
        {
            result.Append(text, position, url.Start - position);
            var display = DisplayForm(url.Url);
            links.Add(new BlueskyLink(display, url.HasProtocol ? url.Url : "https://" + url.Url));
            result.Append(display);
            position = url.End;
        }
        result.Append(text, position, text.Length - position);
        return (result.ToString(), links);
    }

    /// <summary>The form a link is shown in: without scheme, cut to <see cref="MaxLinkDisplayLength"/> characters.</summary>
    public static string DisplayForm(string url)
    {
        var display = url;
        if (display.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) display = display[8..];
        else if (display.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) display = display[7..];
        if (display.EndsWith('/') && display.IndexOf('/') == display.Length - 1) display = display[..^1];
        return display.Length <= MaxLinkDisplayLength ? display : display[..(MaxLinkDisplayLength - 3)] + "...";
    }

    /// <summary>
    /// Extracts the facets of a post whose links were shortened by <see cref="ShortenLinks"/>: each
    /// link's display text is found in order and carries its full address.
    /// </summary>
    public static IReadOnlyList<BlueskyFacet> Extract(string text, IReadOnlyList<BlueskyLink> links)
    {
        var ranges = new List<(int Start, int End, string Uri)>();
        var from = 0;
        foreach (var link in links)
        {
            var index = text.IndexOf(link.Display, from, StringComparison.Ordinal);
            if (index < 0) continue;
            ranges.Add((index, index + link.Display.Length, link.Uri));
            from = index + link.Display.Length;
        }
        return Build(text, ranges);
    }
    /// <summary>Tags longer than this (in characters, without <c>#</c>) are not facets on Bluesky.</summary>
    public const int MaxTagLength = 64;

    /// <summary>Extracts the facets of <paramref name="text"/>, ordered by position.</summary>
    public static IReadOnlyList<BlueskyFacet> Extract(string text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var urls = UrlExtractor.Extract(text).Select(u => (u.Start, u.End, u.HasProtocol ? u.Url : "https://" + u.Url)).ToList();
        return Build(text, urls);
    }

    private static IReadOnlyList<BlueskyFacet> Build(string text, List<(int Start, int End, string Uri)> urls)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var facets = urls.Select(u => (u.Start, u.End, Kind: BlueskyFacetKind.Link, Value: u.Uri)).ToList();

        foreach (Match m in Mention().Matches(text))
        {
            var group = m.Groups["mention"];
            if (!Overlaps(urls, group.Index, group.Index + group.Length))
                facets.Add((group.Index, group.Index + group.Length, BlueskyFacetKind.Mention, m.Groups["handle"].Value));
        }

        foreach (Match m in Hashtag().Matches(text))
        {
            var group = m.Groups["tag"];
            // Trailing punctuation ends a sentence, not the tag; a tag needs one letter (or symbol), not only digits.
            var tag = group.Value[1..];
            var trimmed = tag.Length;
            while (trimmed > 0 && char.IsPunctuation(tag[trimmed - 1])) trimmed--;
            tag = tag[..trimmed];
            if (tag.Length == 0 || tag.Length > MaxTagLength || !tag.Any(c => !char.IsDigit(c) && !char.IsPunctuation(c))) continue;
            var end = group.Index + 1 + tag.Length;
            if (!Overlaps(urls, group.Index, end)) facets.Add((group.Index, end, BlueskyFacetKind.Tag, tag));
        }

        facets.Sort((a, b) => a.Start.CompareTo(b.Start));
        // Facets are in order, so UTF-8 offsets are counted forward from the previous one, not from 0 each time.
        var result = new List<BlueskyFacet>(facets.Count);
        int charPosition = 0, bytePosition = 0;
        int Advance(int to)
        {
            if (to < charPosition) return Encoding.UTF8.GetByteCount(text.AsSpan(0, to));
            bytePosition += Encoding.UTF8.GetByteCount(text.AsSpan(charPosition, to - charPosition));
            charPosition = to;
            return bytePosition;
        }
        foreach (var f in facets)
        {
            var start = Advance(f.Start);
            var end = Advance(f.End);
            result.Add(new BlueskyFacet(f.Kind, start, end, f.Value));
        }
        return result;
    }

    /// <summary>The UTF-8 byte offset of the UTF-16 index <paramref name="charIndex"/> of <paramref name="text"/>.</summary>
    public static int ByteOffset(string text, int charIndex) => Encoding.UTF8.GetByteCount(text.AsSpan(0, charIndex));

    private static bool Overlaps(List<(int Start, int End, string Uri)> urls, int start, int end) =>
        urls.Any(u => start < u.End && u.Start < end);

    // A handle is a domain name: labels of letters, digits and hyphens, at least one dot.
    [GeneratedRegex(@"(?:^|[\s(\[""'])(?<mention>@(?<handle>[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?)+))\b", RegexOptions.CultureInvariant)]
    private static partial Regex Mention();

    [GeneratedRegex(@"(?:^|\s)(?<tag>[#＃](?!\uFE0F)[^\s\u00AD\u2060\u200A-\u200D\u20E2]+)", RegexOptions.CultureInvariant)]
    private static partial Regex Hashtag();
}
