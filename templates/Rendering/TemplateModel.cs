using System.Globalization;
using System.Text;
using Publisher.Templates.Channels;
using Publisher.Templates.Model;
using Scriban.Runtime;

namespace Publisher.Templates.Rendering;

/// <summary>
/// Builds the data a template sees: plain <see cref="ScriptObject"/>s and arrays of strings only, so a
/// template can reach nothing but this data (no .NET object is ever handed to Scriban).
/// </summary>
/// <remarks>
/// Variables: <c>message</c> (id, title, summary, body_markdown, body_text, body_html, link,
/// call_to_action, hashtags, key_facts, author, campaign, publish_at, slug), <c>link</c> (the link as it goes
/// out on this channel: its tracked short link, or the link tagged with UTM parameters; null without a link), <c>channel</c> (kind, name, limit, supports_threads, allow_threads,
/// max_hashtags), <c>brand</c>, <c>campaign</c> (name, slug), <c>blog</c> (article_url, feed_url), <c>media</c> (each
/// attached image or video: kind, url, alt, width, height, content_type, sha256, bytes, srcset, sources, poster_url,
/// duration_seconds, and email_width/email_height: its size in the newsletter's 536-pixel column).
/// Templates may set <c>subject</c>, <c>preheader</c> and <c>content_html</c> (email) and <c>feed_entry</c> (blog).
/// </remarks>
internal static class TemplateModel
{
    public static ScriptObject Build(PreparedMessage prepared, BrandInput brand, CampaignInput? campaign, ChannelProfile profile, ChannelSettings settings, string? taggedLink, DateTimeOffset now,
        LinkRewriter? links = null)
    {
        var m = prepared.Message;
        var slug = Slug(m.Title);
        var message = new ScriptObject(20)
        {
            ["id"] = m.Id,
            ["title"] = m.Title,
            ["summary"] = m.Summary,
            ["body_markdown"] = m.BodyMarkdown,
            // Links in the body are already their short links, so what a template counts is what goes out.
            ["body_text"] = links is null ? prepared.BodyText : links.RewriteText(prepared.BodyText),
            ["body_html"] = profile.SupportsHtml ? links is null ? prepared.BodyHtml : links.RewriteHtml(prepared.BodyHtml) : "",
            ["link"] = m.Link,
            ["call_to_action"] = m.CallToAction,
            ["hashtags"] = Array(m.Hashtags.Select(t => t.Trim().TrimStart('#', '＃'))),
            ["key_facts"] = Array(m.KeyFacts),
            ["author"] = m.Author,
            ["campaign"] = campaign?.Name,
            ["publish_at"] = m.PublishAt?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["updated_at"] = (m.PublishAt ?? now).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["publish_date"] = m.PublishAt?.ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
            ["slug"] = slug,
        };

        var channel = new ScriptObject(8)
        {
            ["kind"] = profile.Kind.ToString(),
            ["name"] = profile.DisplayName,
            ["limit"] = profile.Limit,
            ["supports_threads"] = profile.SupportsThreads,
            ["allow_threads"] = profile.SupportsThreads && settings.AllowThreads,
            ["max_hashtags"] = profile.MaxHashtags,
        };

        var brandObject = new ScriptObject(12)
        {
            ["name"] = brand.Name,
            ["logo_text"] = string.IsNullOrWhiteSpace(brand.LogoText) ? brand.Name : brand.LogoText,
            ["website_url"] = brand.WebsiteUrl,
            ["blog_url"] = brand.BlogUrl,
            ["primary_color"] = BrandStyle.Color(brand.PrimaryColor, "#1f3a5f"),
            ["accent_color"] = BrandStyle.Color(brand.AccentColor, "#d9480f"),
            ["background_color"] = BrandStyle.Color(brand.BackgroundColor, "#f4f5f7"),
            ["text_color"] = BrandStyle.Color(brand.TextColor, "#1b1f24"),
            ["font_family"] = BrandStyle.FontStack(brand.FontFamily, "Helvetica, Arial, sans-serif"),
            ["heading_font_family"] = BrandStyle.FontStack(brand.HeadingFontFamily, "Georgia, serif"),
            ["footer_text"] = brand.FooterText,
        };

        var blogBase = brand.BlogUrl?.Trim().TrimEnd('/');
        var hasBlog = Uri.TryCreate(blogBase, UriKind.Absolute, out _);
        var blog = new ScriptObject(2)
        {
            ["article_url"] = hasBlog ? $"{blogBase}/{slug}" : null,
            ["feed_url"] = hasBlog ? $"{blogBase}/feed.atom" : null,
        };

        return new ScriptObject(16)
        {
            ["message"] = message,
            ["link"] = taggedLink,
            ["channel"] = channel,
            ["brand"] = brandObject,
            ["campaign"] = new ScriptObject(2) { ["name"] = campaign?.Name, ["slug"] = UtmTagger.CampaignSlug(campaign) },
            ["blog"] = blog,
            ["media"] = Media(settings.Media),
            ["subject"] = null,
            ["preheader"] = null,
            ["content_html"] = null,
            ["feed_entry"] = null,
        };
    }

    /// <summary>The newsletter's content column: 600 pixels less 32 of padding on each side.</summary>
    public const int EmailColumnWidth = 536;

    private static ScriptArray Media(IReadOnlyList<MediaInput> media)
    {
        var array = new ScriptArray();
        foreach (var m in media)
        {
            var emailWidth = Math.Min(m.Width, EmailColumnWidth);
            var sources = new ScriptArray();
            foreach (var s in m.Sources)
                sources.Add(new ScriptObject(2) { ["width"] = s.Width, ["url"] = s.Url });
            array.Add(new ScriptObject(16)
            {
                ["kind"] = m.Kind,
                ["url"] = m.Url,
                ["alt"] = m.Alt,
                ["width"] = m.Width,
                ["height"] = m.Height,
                ["content_type"] = m.ContentType,
                ["sha256"] = m.Sha256,
                ["bytes"] = m.Bytes,
                ["sources"] = sources,
                ["srcset"] = string.Join(", ", m.Sources.DistinctBy(s => s.Width).Select(s => FormattableString.Invariant($"{s.Url} {s.Width}w"))),
                ["poster_url"] = m.PosterUrl,
                ["duration_seconds"] = m.DurationSeconds,
                ["email_width"] = emailWidth,
                ["email_height"] = m.Width == 0 ? 0 : (int)Math.Round((double)m.Height * emailWidth / m.Width),
            });
        }
        return array;
    }

    private static ScriptArray Array(IEnumerable<string> items)
    {
        var array = new ScriptArray();
        foreach (var item in items) array.Add(item);
        return array;
    }

    /// <summary>"Spring launch: what's new" → "spring-launch-whats-new".</summary>
    public static string Slug(string title)
    {
        var slug = new StringBuilder();
        foreach (var c in title.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(c)) slug.Append(char.ToLowerInvariant(c));
            else if (char.IsLetterOrDigit(c) && c > 0x2FF) slug.Append(c);
            else if ((char.IsWhiteSpace(c) || c is '-' or '_' or ':' or '/' or '.' or ',') && slug.Length > 0 && slug[^1] != '-') slug.Append('-');
            if (slug.Length >= 80) break;
        }
        var text = slug.ToString().Trim('-');
        return text.Length == 0 ? "post" : text;
    }
}
