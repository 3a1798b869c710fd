using System.Text;
using Publisher.Templates.Channels;

namespace Publisher.Templates.Model;

/// <summary>The outcome of tagging a link: the tagged URL, or why it could not be tagged.</summary>
/// <param name="Url">The link with UTM parameters, the link unchanged (tagging off), or null when the link is not usable.</param>
/// <param name="Error">What was wrong with the link and what to do, when <paramref name="Url"/> is null.</param>
public sealed record TaggedLink(string? Url, string? Error);

/// <summary>
/// Adds UTM parameters to a link for one channel and campaign. Existing query parameters and the
/// fragment are kept; a <c>utm_*</c> parameter the link already has is left as it is, never duplicated.
/// </summary>
public static class UtmTagger
{
    /// <summary>Longest link accepted, in characters.</summary>
    public const int MaxLinkLength = WebAddress.MaxLength;

    /// <summary>The UTM source and medium a channel uses when its settings leave them empty.</summary>
    public static (string Source, string Medium) DefaultsFor(ChannelKind kind) => kind switch
    {
        ChannelKind.X => ("x", "social"),
        ChannelKind.Mastodon => ("mastodon", "social"),
        ChannelKind.Bluesky => ("bluesky", "social"),
        ChannelKind.LinkedIn => ("linkedin", "social"),
        ChannelKind.FacebookPage => ("facebook", "social"),
        ChannelKind.Email => ("newsletter", "email"),
        ChannelKind.Blog => ("blog", "referral"),
        ChannelKind.Threads => ("threads", "social"),
        ChannelKind.Instagram => ("instagram", "social"),
        _ => ("webhook", "webhook"),
    };

    /// <summary>Checks that <paramref name="link"/> is an absolute http(s) address; returns the problem, or null.</summary>
    public static string? Validate(string link) => WebAddress.Problem(link);

    /// <summary>Tags <paramref name="link"/> for <paramref name="kind"/> and <paramref name="campaign"/> under <paramref name="settings"/>.</summary>
    public static TaggedLink Tag(string? link, ChannelKind kind, UtmSettings settings, CampaignInput? campaign)
    {
        if (string.IsNullOrWhiteSpace(link)) return new TaggedLink(null, null);
        link = link.Trim();
        var error = Validate(link);
        if (error is not null) return new TaggedLink(null, error);
        if (!settings.Enabled) return new TaggedLink(link, null);

        var (defaultSource, defaultMedium) = DefaultsFor(kind);
        var parameters = new List<(string Name, string? Value)>
        {
            ("utm_source", settings.Source ?? defaultSource),
            ("utm_medium", settings.Medium ?? defaultMedium),
            ("utm_campaign", settings.Campaign ?? CampaignSlug(campaign)),
            ("utm_content", settings.Content),
        };

        // Split by hand so the rest of the link keeps its exact spelling (Uri would re-encode it).
        var hashIndex = link.IndexOf('#');
        var fragment = hashIndex >= 0 ? link[hashIndex..] : "";
        var beforeFragment = hashIndex >= 0 ? link[..hashIndex] : link;
        var queryIndex = beforeFragment.IndexOf('?');
        var existing = queryIndex >= 0 ? beforeFragment[(queryIndex + 1)..] : "";
        var existingNames = existing.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Uri.UnescapeDataString(p.Split('=')[0]).ToLowerInvariant())
            .ToHashSet();

        var result = new StringBuilder(beforeFragment);
        var separator = queryIndex < 0 ? '?' : existing.Length == 0 || existing.EndsWith('&') ? '\0' : '&';
        foreach (var (name, value) in parameters)
        {
            if (string.IsNullOrWhiteSpace(value) || existingNames.Contains(name)) continue;
            if (separator != '\0') result.Append(separator);
            result.Append(name).Append('=').Append(Uri.EscapeDataString(value.Trim()));
            separator = '&';
        }
        return new TaggedLink(result.Append(fragment).ToString(), null);
    }

    /// <summary>The campaign's slug, or one made from its name ("Spring Launch 2026" → "spring-launch-2026").</summary>
    public static string? CampaignSlug(CampaignInput? campaign)
    {
        if (campaign is null) return null;
        if (!string.IsNullOrWhiteSpace(campaign.Slug)) return campaign.Slug.Trim();
        var slug = new StringBuilder();
        foreach (var c in campaign.Name.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(c)) slug.Append(char.ToLowerInvariant(c));
            else if ((char.IsWhiteSpace(c) || c is '-' or '_') && slug.Length > 0 && slug[^1] != '-') slug.Append('-');
        }
        var text = slug.ToString().Trim('-');
        return text.Length == 0 ? null : text;
    }
}
