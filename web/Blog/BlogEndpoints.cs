using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Publisher.Core.Composition;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Templates.Html;
using Publisher.Templates.Rendering;
using Publisher.Web.Analytics;

namespace Publisher.Web.Blog;

/// <summary>
/// The brand's public blog: every published Blog variant at /blog/{slug}, an index at /blog and an Atom feed
/// at /blog/feed.atom. Anonymous by design. The pages are the HTML rendered (and sanitized) when the post was
/// approved, passed through the same policy again as they are served (so a post stored by an older version
/// is held to today's policy too), under a Content-Security-Policy that runs no script at all, submits no form, sets
/// no base address and shows images only from the app itself and the brand's image hosts. An article's views are
/// counted by the app as it serves the article (<see cref="BlogViewCounter"/>), so the page needs no script for it.
/// </summary>
public static class BlogEndpoints
{
    private const string AtomNamespace = "http://www.w3.org/2005/Atom";

    /// <summary>The policy of every blog page: images from the app itself and from <paramref name="images"/>'s hosts only.</summary>
    public static string PagePolicy(ImagePolicy images) =>
        "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self'" + string.Concat(images.HostSources.Select(h => " " + h)) +
        "; frame-ancestors 'none'; form-action 'none'; base-uri 'none'";

    private static async Task<ImagePolicy> ImagesAsync(VariantComposer composer, PublishingOptions options, CancellationToken cancellationToken) => new()
    {
        MediaBaseUrl = options.PublicUrl + "/media/",
        Hosts = (await composer.CurrentGuideAsync(cancellationToken)).Identity.ImageHosts,
    };

    public static void MapBlog(this IEndpointRouteBuilder app)
    {
        var blog = app.MapGroup("/blog").AllowAnonymous();

        blog.MapGet("/feed.atom", async (PublisherDbContext db, VariantComposer composer, IOptions<PublishingOptions> options, CancellationToken cancellationToken) =>
        {
            var images = await ImagesAsync(composer, options.Value, cancellationToken);
            var posts = await Published(db).Take(50).Select(v => new { v.FeedEntry, v.PublishedAt, v.ExternalId }).ToListAsync(cancellationToken);
            var brand = await db.Brands.Select(b => b.Name).FirstOrDefaultAsync(cancellationToken) ?? "Blog";
            var zone = await BrandZoneAsync(db, cancellationToken);
            var root = options.Value.PublicUrl + "/blog";
            XNamespace atom = AtomNamespace;
            var feed = new XElement(atom + "feed",
                new XElement(atom + "id", root + "/"),
                new XElement(atom + "title", brand),
                new XElement(atom + "updated", XmlConvert.ToString((posts.FirstOrDefault()?.PublishedAt ?? DateTimeOffset.UnixEpoch).UtcDateTime, XmlDateTimeSerializationMode.Utc)),
                new XElement(atom + "link", new XAttribute("rel", "self"), new XAttribute("href", root + "/feed.atom")),
                new XElement(atom + "link", new XAttribute("rel", "alternate"), new XAttribute("type", "text/html"), new XAttribute("href", root)));
            foreach (var post in posts)
            {
                if (Entry(post.FeedEntry, root + "/" + post.ExternalId, post.PublishedAt, images, zone) is { } entry)
                    feed.Add(entry);
            }
            var xml = new XDocument(new XDeclaration("1.0", "utf-8", null), feed).Declaration + "\n" + feed.ToString(SaveOptions.DisableFormatting);
            return Results.Text(xml, "application/atom+xml; charset=utf-8", Encoding.UTF8);
        });

        blog.MapGet("/", async (PublisherDbContext db, VariantComposer composer, LayoutRenderer layouts, HttpContext http, IOptions<PublishingOptions> options, CancellationToken cancellationToken) =>
        {
            var posts = await Published(db).Take(100)
                .Select(v => new { v.ExternalId, v.Message!.Title, v.Message.Summary, v.PublishedAt }).ToListAsync(cancellationToken);
            // The list wears the brand's current look from the style guide, as the article pages do.
            var context = await composer.LoadContextAsync(cancellationToken);
            var zone = await BrandZoneAsync(db, cancellationToken);
            var html = layouts.RenderBlogIndex(new BlogIndexModel
            {
                BrandName = context.Brand.Name,
                Brand = LayoutBrand.Of(context.Brand),
                FeedUrl = "/blog/feed.atom",
                Posts = posts.Select(p => new BlogIndexEntry(p.Title, "/blog/" + Uri.EscapeDataString(p.ExternalId!), p.PublishedAt,
                    p.PublishedAt is { } at ? PublishedDate.Day(at, zone) : null, p.Summary)).ToList(),
            });
            http.Response.Headers.ContentSecurityPolicy = PagePolicy(await ImagesAsync(composer, options.Value, cancellationToken));
            return Results.Content(html, "text/html; charset=utf-8");
        });

        // HEAD too, for link checkers and feed readers asking whether the page is there; only a person's GET is a view.
        blog.MapMethods("/{slug}", [HttpMethods.Get, HttpMethods.Head], async (string slug, PublisherDbContext db, HttpContext http, VariantComposer composer,
            BlogViewCounter views, IOptions<PublishingOptions> options, CancellationToken cancellationToken) =>
        {
            var post = await Published(db).Where(v => v.ExternalId == slug).Select(v => new { v.RenderedHtml, v.PublishedAt }).FirstOrDefaultAsync(cancellationToken);
            if (post?.RenderedHtml is not { } html)
                return Results.NotFound();
            var images = await ImagesAsync(composer, options.Value, cancellationToken);
            http.Response.Headers.ContentSecurityPolicy = PagePolicy(images);
            // Sanitized again as served, and dated when it actually went out rather than when it was planned.
            var served = PublishedDate.Rewrite(html, post.PublishedAt, await BrandZoneAsync(db, cancellationToken));
            views.Count(http, slug);
            return Results.Content(SafeHtmlPolicy.Instance.SanitizeDocument(served, images).Html, "text/html; charset=utf-8");
        });
    }

    private static IQueryable<Variant> Published(PublisherDbContext db) =>
        db.Variants.AsNoTracking()
            .Where(v => v.State == VariantState.Published && v.ChannelAccount!.Kind == "Blog" && v.ExternalId != null)
            .OrderByDescending(v => v.PublishedAt);

    /// <summary>The entry the template rendered, with its address and dates set to where and when it was actually published.</summary>
    private static async Task<TimeZoneInfo> BrandZoneAsync(PublisherDbContext db, CancellationToken cancellationToken) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(await db.Brands.OrderBy(b => b.Id).Select(b => b.TimeZone).FirstOrDefaultAsync(cancellationToken) ?? "UTC", out var zone)
            ? zone
            : TimeZoneInfo.Utc;

    private static XElement? Entry(string? feedEntry, string url, DateTimeOffset? publishedAt, ImagePolicy images, TimeZoneInfo zone)
    {
        if (string.IsNullOrWhiteSpace(feedEntry) || SafeHtmlPolicy.FindTooDeep(feedEntry) is not null)
            return null;
        feedEntry = SafeHtmlPolicy.Instance.SanitizeFeedEntry(feedEntry, images)?.Html;
        if (feedEntry is null)
            return null;
        XElement entry;
        try
        {
            using var reader = XmlReader.Create(new StringReader(feedEntry), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            entry = XElement.Load(reader);
        }
        catch (XmlException)
        {
            return null; // rendering refuses a malformed entry; an old one is left out rather than breaking the feed
        }
        XNamespace atom = AtomNamespace;
        var when = XmlConvert.ToString((publishedAt ?? DateTimeOffset.UnixEpoch).UtcDateTime, XmlDateTimeSerializationMode.Utc);
        entry.SetElementValue(atom + "id", url);
        entry.SetElementValue(atom + "updated", when);
        entry.SetElementValue(atom + "published", when);
        entry.Elements(atom + "link").Where(l => (string?)l.Attribute("rel") is null or "alternate").Remove();
        // The article inside says when it went out too, not when it was planned.
        if (entry.Element(atom + "content") is { } content)
            content.Value = PublishedDate.Rewrite(content.Value, publishedAt, zone);
        entry.Add(new XElement(atom + "link", new XAttribute("rel", "alternate"), new XAttribute("type", "text/html"), new XAttribute("href", url)));
        return entry;
    }
}
