using System.Globalization;
using System.Text.RegularExpressions;

namespace Publisher.Web.Blog;

/// <summary>
/// A blog post is rendered (and approved) before it goes out, so its byline carries the planned date. A post published
/// early with "Publish now", or late after a retry, would then tell readers the wrong day. When the blog serves a post
/// (page and feed), the date elements the template wrote for the planned instant are set to when it actually went out,
/// as a day in the brand's zone. Other dates in the article are the author's words and stay as they are.
/// </summary>
public static partial class PublishedDate
{
    /// <summary>The form the template model gives <c>publish_date</c>.</summary>
    private const string DayFormat = "d MMMM yyyy";

    public static string Rewrite(string html, DateTimeOffset? publishedAt, TimeZoneInfo zone)
    {
        if (publishedAt is not { } published || string.IsNullOrEmpty(html))
            return html;
        return TimeElement().Replace(html, match =>
        {
            // Only an element showing exactly the day of its own instant is the template's planned date.
            if (!DateTimeOffset.TryParseExact(match.Groups["at"].Value, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var planned))
                return match.Value;
            var shown = match.Groups["text"].Value.Trim();
            if (shown != planned.UtcDateTime.ToString(DayFormat, CultureInfo.InvariantCulture)
                && shown != TimeZoneInfo.ConvertTime(planned, zone).ToString(DayFormat, CultureInfo.InvariantCulture))
                return match.Value;
            var utc = published.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            return $"<time datetime=\"{utc}\">{Day(published, zone)}</time>";
        });
    }

    /// <summary>The day a post went out, as readers of the brand's blog count days.</summary>
    public static string Day(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).ToString(DayFormat, CultureInfo.InvariantCulture);

    [GeneratedRegex("<time datetime=\"(?<at>[0-9T:Z-]{20})\">(?<text>[^<]{0,40})</time>", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TimeElement();
}
