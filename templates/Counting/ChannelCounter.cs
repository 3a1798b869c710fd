using System.Globalization;
using System.Text.RegularExpressions;
using Publisher.Templates.Channels;

namespace Publisher.Templates.Counting;

/// <summary>A length measured by a network's own rule.</summary>
/// <param name="Used">How much of the limit the text uses.</param>
/// <param name="Limit">The network's limit, or null when it has none.</param>
/// <param name="Unit">What is counted ("weighted characters", "characters", "graphemes", "UTF-16 code units").</param>
public sealed record TextCount(int Used, int? Limit, string Unit)
{
    /// <summary>True when there is a limit and the text goes past it.</summary>
    public bool IsOverLimit => Limit is { } limit && Used > limit;
}

/// <summary>Counts text the way each network counts a post.</summary>
public static partial class ChannelCounter
{
    /// <summary>Every URL counts this many characters on Mastodon, whatever its length.</summary>
    public const int MastodonUrlLength = 23;

    /// <summary>Counts <paramref name="text"/> by the rule of <paramref name="kind"/> against its limit.</summary>
    public static TextCount Count(ChannelKind kind, string text) => Count(ChannelProfiles.Get(kind), text);

    /// <summary>Counts <paramref name="text"/> by the rule of <paramref name="profile"/> against its limit.</summary>
    public static TextCount Count(ChannelProfile profile, string text) => profile.Counting switch
    {
        CountingRule.XWeighted => new(XWeightedLength.Count(text), profile.Limit, "weighted characters"),
        CountingRule.Mastodon => new(MastodonLength(text), profile.Limit, "characters"),
        CountingRule.Graphemes => new(Graphemes(text), profile.Limit, "graphemes"),
        CountingRule.Bluesky => new(Graphemes(Bluesky.BlueskyFacets.Prepare(text).Text), profile.Limit, "graphemes"),
        CountingRule.Threads => new(ThreadsLength(text), profile.Limit, "characters"),
        CountingRule.Utf16 => new(text.Length, profile.Limit, "characters"),
        _ => new(Graphemes(text), null, "characters"),
    };

    /// <summary>
    /// User-perceived characters: extended grapheme clusters as Unicode 15.1 and later define them, i.e.
    /// <see cref="StringInfo"/> text elements with Indic conjuncts (consonant, virama, consonant) kept whole
    /// (rule GB9c, which browsers and Node apply and .NET's tables do not yet).
    /// </summary>
    public static int Graphemes(string text) => WeighClusters(text, emojiWeighsBytes: false);

    /// <summary>
    /// Threads' count: user-perceived characters as <see cref="Graphemes"/> counts them, except that a character that
    /// is an emoji counts its UTF-8 bytes (👍 is 4, 👍🏽 is 8, a family joined with ZWJ more than 20).
    /// </summary>
    public static int ThreadsLength(string text) => WeighClusters(text, emojiWeighsBytes: true);

    private static int WeighClusters(string text, bool emojiWeighsBytes)
    {
        if (string.IsNullOrEmpty(text)) return 0;
        var count = 0;
        var previousEndsInLinker = false;
        var at = 0;
        while (at < text.Length)
        {
            var length = StringInfo.GetNextTextElementLength(text.AsSpan(at));
            if (length <= 0) length = 1;
            var cluster = text.AsSpan(at, length);
            if (emojiWeighsBytes && EmojiScanner.MatchAt(text, at) > 0)
                count += System.Text.Encoding.UTF8.GetByteCount(cluster);
            else if (!(previousEndsInLinker && IndicConjuncts.IsConsonant(cluster[0])))
                count++;
            previousEndsInLinker = IndicConjuncts.EndsInLinker(cluster);
            at += length;
        }
        return count;
    }

    /// <summary>
    /// Mastodon's count: grapheme clusters, where every http(s) URL counts <see cref="MastodonUrlLength"/>
    /// and a remote mention <c>@user@domain</c> counts only its local part <c>@user</c>.
    /// </summary>
    public static int MastodonLength(string text)
    {
        if (string.IsNullOrEmpty(text)) return 0;
        var urls = UrlExtractor.Extract(text, requireProtocol: true);
        var countable = new System.Text.StringBuilder(text.Length);
        var position = 0;
        foreach (var url in urls)
        {
            countable.Append(text, position, url.Start - position);
            countable.Append('x', MastodonUrlLength);
            position = url.End;
        }
        countable.Append(text, position, text.Length - position);
        var withoutDomains = RemoteMention().Replace(countable.ToString(), "$1");
        return Graphemes(withoutDomains);
    }

    // A mention at the start or after a non-word character: @user@example.social → @user.
    [GeneratedRegex(@"(?<![\p{L}\p{N}_/])(@[\p{L}\p{N}_]+(?:[.\-]+[\p{L}\p{N}_]+)*)@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+", RegexOptions.CultureInvariant)]
    private static partial Regex RemoteMention();
}
