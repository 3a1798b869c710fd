using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;

namespace Publisher.Web.Blog;

/// <summary>
/// The brand's public blog: every published Blog variant at /blog/{slug}, an index at /blog and an Atom feed
/// at /blog/feed.atom. Anonymous by design; the pages are the sanitized HTML rendered at approval time,
/// served under a policy that runs no script.
/// </summary>
public static class BlogEndpoints
{
    private const string AtomNamespace = "http://www.w3.org/2005/Atom";
    private const string PagePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'none'";

    public static void MapBlog(this IEndpointRouteBuilder app)
    {
        var blog = app.MapGroup("/blog").AllowAnonymous();

        blog.MapGet("/feed.atom", async (PublisherDbContext db, IOptions<PublishingOptions> options, CancellationToken cancellationToken) =>
        {
            var posts = await Published(db).Take(50).Select(v => new { v.FeedEntry, v.PublishedAt, v.ExternalId }).ToListAsync(cancellationToken);
            var brand = await db.Brands.Select(b => b.Name).FirstOrDefaultAsync(cancellationToken) ?? "Blog";
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
                if (Entry(post.FeedEntry, root + "/" + post.ExternalId, post.PublishedAt) is { } entry)
                    feed.Add(entry);
            }
            var xml = new XDocument(new XDeclaration("1.0", "utf-8", null), feed).Declaration + "\n" + feed.ToString(SaveOptions.DisableFormatting);
            return Results.Text(xml, "application/atom+xml; charset=utf-8", Encoding.UTF8);
        });

        blog.MapGet("/", async (PublisherDbContext db, HttpContext http, CancellationToken cancellationToken) =>
        {
            var posts = await Published(db).Take(100)
                .Select(v => new { v.ExternalId, v.Message!.Title, v.Message.Summary, v.PublishedAt }).ToListAsync(cancellationToken);
            var brand = await db.Brands.Select(b => b.Name).FirstOrDefaultAsync(cancellationToken) ?? "Blog";
            var html = new StringBuilder();
            html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .Append("<title>").Append(WebUtility.HtmlEncode(brand)).Append(" · Blog</title>")
                .Append("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/blog/feed.atom\" title=\"").Append(WebUtility.HtmlEncode(brand)).Append("\">")
                .Append("<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5}li{margin:1rem 0}time{color:#555}</style>")
                .Append("</head><body><h1>").Append(WebUtility.HtmlEncode(brand)).Append("</h1>");
            if (posts.Count == 0)
                html.Append("<p>Nothing published yet.</p>");
            html.Append("<ul id=\"posts\">");
            foreach (var p in posts)
            {
                html.Append("<li><a href=\"/blog/").Append(WebUtility.HtmlEncode(p.ExternalId)).Append("\">").Append(WebUtility.HtmlEncode(p.Title)).Append("</a>");
                if (p.PublishedAt is { } at)
                    html.Append(" <time datetime=\"").Append(at.UtcDateTime.ToString("O")).Append("\">").Append(at.UtcDateTime.ToString("d MMMM yyyy")).Append("</time>");
                if (p.Summary is { Length: > 0 } summary)
                    html.Append("<br>").Append(WebUtility.HtmlEncode(summary));
                html.Append("</li>");
            }
            html.Append("</ul><p><a href=\"/blog/feed.atom\">Atom feed</a></p></body></html>");
            http.Response.Headers.ContentSecurityPolicy = PagePolicy;
            return Results.Content(html.ToString(), "text/html; charset=utf-8");
        });

        blog.MapGet("/{slug}", async (string slug, PublisherDbContext db, HttpContext http, CancellationToken cancellationToken) =>
        {
            var html = await Published(db).Where(v => v.ExternalId == slug).Select(v => v.RenderedHtml).FirstOrDefaultAsync(cancellationToken);
            if (html is null)
                return Results.NotFound();
            // The article counts its views as any brand page does, with /t.js (from this origin only); the stored,
            // approved HTML is not changed.
            http.Response.Headers.ContentSecurityPolicy = PagePolicy + "; script-src 'self'; connect-src 'self'";
            return Results.Content(WithViewCounting(html), "text/html; charset=utf-8");
        });
    }

    private static string WithViewCounting(string html)
    {
        const string script = "<script src=\"/t.js\" defer></script>";
        var end = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        return end < 0 ? html + script : html.Insert(end, script);
    }

    private static IQueryable<Variant> Published(PublisherDbContext db) =>
        db.Variants.AsNoTracking()
            .Where(v => v.State == VariantState.Published && v.ChannelAccount!.Kind == "Blog" && v.ExternalId != null)
            .OrderByDescending(v => v.PublishedAt);

    /// <summary>The entry the template rendered, with its address and dates set to where and when it was actually published.</summary>
    private static XElement? Entry(string? feedEntry, string url, DateTimeOffset? publishedAt)
    {
        if (string.IsNullOrWhiteSpace(feedEntry))
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
        entry.Add(new XElement(atom + "link", new XAttribute("rel", "alternate"), new XAttribute("type", "text/html"), new XAttribute("href", url)));
        return entry;
    }
}
