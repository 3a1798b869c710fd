using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Publisher.Templates.Channels;
using Publisher.Templates.Counting;
using Publisher.Templates.Model;

namespace Publisher.Templates.Rendering;

/// <summary>
/// Replaces the links of one variant with their tracked short links, through the caller's <see cref="LinkShortener"/>,
/// and remembers each (short link, destination) pair for the approver. Every destination is tagged with the channel's
/// UTM parameters first, so the redirect sends visitors on with them.
/// </summary>
internal sealed partial class LinkRewriter(LinkShortener shorten, ChannelKind kind, UtmSettings utm, CampaignInput? campaign)
{
    private readonly Dictionary<string, string> _shortByDestination = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _destinationByShort = new(StringComparer.Ordinal);
    private readonly List<TrackedLinkUse> _uses = [];

    public IReadOnlyList<TrackedLinkUse> Uses => _uses;

    /// <summary>Short links made before (by the rendering a hand edit started from): met again, they are kept and counted as carried.</summary>
    public void Know(IEnumerable<TrackedLinkUse> links)
    {
        foreach (var link in links)
        {
            _shortByDestination.TryAdd(link.Destination, link.ShortUrl);
            _destinationByShort.TryAdd(link.ShortUrl, link.Destination);
        }
    }

    /// <summary>The short link of a destination that is already tagged (the message's link).</summary>
    public string ShortenTagged(string destination)
    {
        if (_destinationByShort.ContainsKey(destination))
            return Use(destination);
        if (!_shortByDestination.TryGetValue(destination, out var shortUrl))
        {
            shortUrl = shorten(destination);
            _shortByDestination[destination] = shortUrl;
            _destinationByShort[shortUrl] = destination;
        }
        return Use(shortUrl);
    }

    private string Use(string shortUrl)
    {
        if (!_uses.Any(u => u.ShortUrl == shortUrl))
            _uses.Add(new TrackedLinkUse(shortUrl, _destinationByShort[shortUrl]));
        return shortUrl;
    }

    /// <summary>The short link of a link written in the body or by a template: tagged, then shortened; left alone when it is not a usable web address.</summary>
    public string Shorten(string url)
    {
        if (_destinationByShort.ContainsKey(url))
            return Use(url);
        var tagged = UtmTagger.Tag(url, kind, utm, campaign);
        return tagged.Url is { } destination ? ShortenTagged(destination) : url;
    }

    /// <summary>Every http(s) URL in plain text, replaced by its short link.</summary>
    public string RewriteText(string text)
    {
        if (string.IsNullOrEmpty(text) || text.IndexOf("://", StringComparison.Ordinal) < 0)
            return text;
        var urls = UrlExtractor.Extract(text, requireProtocol: true);
        if (urls.Count == 0)
            return text;
        var result = new StringBuilder(text.Length);
        var position = 0;
        foreach (var url in urls)
        {
            result.Append(text, position, url.Start - position).Append(Shorten(url.Url));
            position = url.End;
        }
        return result.Append(text, position, text.Length - position).ToString();
    }

    /// <summary>Every http(s) <c>href</c> of an <c>&lt;a&gt;</c> in HTML, replaced by its short link.</summary>
    public string RewriteHtml(string html)
    {
        if (string.IsNullOrEmpty(html) || html.IndexOf("href", StringComparison.OrdinalIgnoreCase) < 0)
            return html;
        return AnchorHref().Replace(html, match =>
        {
            var url = WebUtility.HtmlDecode(match.Groups["url"].Value);
            var shortUrl = Shorten(url);
            return shortUrl == url ? match.Value : match.Groups["before"].Value + WebUtility.HtmlEncode(shortUrl) + match.Groups["quote"].Value;
        });
    }

    [GeneratedRegex("""(?<before><a\b[^>]*?\bhref\s*=\s*(?<quote>["']))(?<url>https?://[^"'\s<>]+)\k<quote>""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnchorHref();
}
