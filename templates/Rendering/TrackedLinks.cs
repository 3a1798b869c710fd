using Publisher.Templates.Model;

namespace Publisher.Templates.Rendering;

/// <summary>Tracked links in text written by hand (an edited variant), as the renderer tracks the text it writes.</summary>
public static class TrackedLinks
{
    /// <summary>
    /// Replaces every http(s) link in <paramref name="text"/> with its short link (tagged with the channel's UTM
    /// parameters first). Short links of <paramref name="known"/> (the variant's rendering) are kept as they are.
    /// Returns the text and the tracked links it carries, in order. Without <see cref="ChannelSettings.ShortenLink"/>
    /// the text comes back unchanged, with no links.
    /// </summary>
    public static (string Text, IReadOnlyList<TrackedLinkUse> Links) InText(string text, ChannelSettings channel, CampaignInput? campaign, IEnumerable<TrackedLinkUse> known)
    {
        if (channel.ShortenLink is not { } shorten)
            return (text, []);
        var rewriter = new LinkRewriter(shorten, channel.Kind, channel.Utm ?? new UtmSettings(), campaign);
        rewriter.Know(known);
        var rewritten = rewriter.RewriteText(text);
        var links = rewriter.Uses.ToList();
        // A short link on a host without a public suffix (a test or loopback address) is not found as a URL; it is still carried.
        links.AddRange(known.Where(k => rewritten.Contains(k.ShortUrl, StringComparison.Ordinal) && links.All(l => l.ShortUrl != k.ShortUrl)));
        return (rewritten, links.OrderBy(l => rewritten.IndexOf(l.ShortUrl, StringComparison.Ordinal)).ToList());
    }
}
