using System.Text.RegularExpressions;
using Publisher.Templates.Bluesky;
using Publisher.Templates.Channels;

namespace Publisher.Templates.Counting;

/// <summary>What a <see cref="PostEntity"/> is.</summary>
public enum PostEntityKind
{
    /// <summary>A link, in any form the network links it (full, without scheme, short display form).</summary>
    Link,
    /// <summary>A hashtag.</summary>
    Hashtag,
    /// <summary>A mention of an account.</summary>
    Mention,
    /// <summary>A cashtag (a tag facet on Bluesky).</summary>
    Cashtag,
    /// <summary>An e-mail address.</summary>
    Email,
    /// <summary>Code written between backticks.</summary>
    Code,
}

/// <summary>A part of a post that is not prose: where it is (UTF-16, end exclusive) and what it is.</summary>
/// <param name="Kind">Link, hashtag, mention, cashtag, e-mail address or code.</param>
/// <param name="Start">Index of its first UTF-16 code unit.</param>
/// <param name="End">Index just past it.</param>
/// <param name="Value">Where a link points, the tag, the handle, or the text itself.</param>
public sealed record PostEntity(PostEntityKind Kind, int Start, int End, string Value);

/// <summary>
/// The links, hashtags, mentions and cashtags of a post as its network finds them: twitter-text's rules for X,
/// RichText's facets for Bluesky, Mastodon's (links need a scheme; <c>@user@server</c> mentions), and
/// twitter-text's for the other channels. Previews colour exactly these, and the style guide leaves them alone.
/// </summary>
public static partial class PostEntities
{
    /// <summary>
    /// The entities of <paramref name="text"/> on <paramref name="kind"/>, ordered and not overlapping. For Bluesky,
    /// <paramref name="facets"/> are the post's facets when known (they hold the exact range of a shortened link);
    /// otherwise they are found in the text. E-mail addresses and code are found on every channel.
    /// </summary>
    public static IReadOnlyList<PostEntity> Find(ChannelKind kind, string? text, IReadOnlyList<BlueskyFacet>? facets = null)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var found = new List<PostEntity>();
        switch (kind)
        {
            case ChannelKind.Bluesky:
                foreach (var facet in facets ?? BlueskyFacets.Extract(text))
                {
                    var (start, end) = BlueskyFacets.Utf16Range(text, facet);
                    var entityKind = facet.Kind switch
                    {
                        BlueskyFacetKind.Link => PostEntityKind.Link,
                        BlueskyFacetKind.Mention => PostEntityKind.Mention,
                        _ => facet.Value.StartsWith('$') ? PostEntityKind.Cashtag : PostEntityKind.Hashtag,
                    };
                    if (end > start) found.Add(new PostEntity(entityKind, start, end, facet.Value));
                }
                break;
            case ChannelKind.Mastodon:
                found.AddRange(UrlExtractor.Extract(text, requireProtocol: true).Select(u => new PostEntity(PostEntityKind.Link, u.Start, u.End, u.Url)));
                found.AddRange(XEntities.Hashtags(text).Select(Of));
                foreach (Match m in MastodonMention().Matches(text)) found.Add(new PostEntity(PostEntityKind.Mention, m.Index, m.Index + m.Length, m.Value[1..]));
                break;
            default:
                found.AddRange(XEntities.Extract(text).Select(Of));
                break;
        }
        foreach (Match m in Email().Matches(text)) found.Add(new PostEntity(PostEntityKind.Email, m.Index, m.Index + m.Length, m.Value));
        foreach (Match m in Code().Matches(text)) found.Add(new PostEntity(PostEntityKind.Code, m.Index, m.Index + m.Length, m.Value));
        return WithoutOverlaps(found);
    }

    private static PostEntity Of(XEntity e) => new(e.Kind switch
    {
        XEntityKind.Url => PostEntityKind.Link,
        XEntityKind.Hashtag => PostEntityKind.Hashtag,
        XEntityKind.Mention => PostEntityKind.Mention,
        _ => PostEntityKind.Cashtag,
    }, e.Start, e.End, e.Value);

    // Earliest first; at one start the longest; whatever starts inside the one kept before it goes.
    private static IReadOnlyList<PostEntity> WithoutOverlaps(List<PostEntity> found)
    {
        found.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        var kept = new List<PostEntity>(found.Count);
        foreach (var entity in found)
        {
            if (kept.Count > 0 && entity.Start < kept[^1].End)
            {
                // An e-mail address a network links as a mention or link keeps its wider range.
                if (entity.End > kept[^1].End && entity.Kind == PostEntityKind.Email) kept[^1] = entity with { Start = kept[^1].Start };
                continue;
            }
            kept.Add(entity);
        }
        return kept;
    }

    // A local part, @, and a domain with a dot: hello@northwind.example.
    [GeneratedRegex(@"(?<![\p{L}\p{N}._%+\-])[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"`[^`\n]+`", RegexOptions.CultureInvariant)]
    private static partial Regex Code();

    // Mastodon: @user or @user@server, not glued to a word, a slash or another @.
    [GeneratedRegex(@"(?<![\p{L}\p{N}_/@])@[A-Za-z0-9_]+(?:[.\-]+[A-Za-z0-9_]+)*(?:@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+)?", RegexOptions.CultureInvariant)]
    private static partial Regex MastodonMention();
}
