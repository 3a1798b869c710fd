using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Publisher.Media;
using Publisher.Media.Inspection;

namespace Publisher.Core.Networking;

/// <summary>What a link card shows: the address, a title, a description and, when the page names one, its image.</summary>
/// <param name="Uri">The address the card links to (the post's link, not where redirects ended).</param>
/// <param name="Title">Plain text, at most <see cref="LinkCardReader.MaxTitleLength"/> characters.</param>
/// <param name="Description">Plain text, at most <see cref="LinkCardReader.MaxDescriptionLength"/> characters; may be empty.</param>
/// <param name="ImageUrl">The page's <c>og:image</c> (or <c>twitter:image</c>), absolute http(s); null when it names none.</param>
/// <param name="FromPage">True when the text came from the page; false when the page could not be read and the message's own words stand in.</param>
public sealed record LinkCard(Uri Uri, string Title, string Description, Uri? ImageUrl, bool FromPage);

/// <summary>A card's image as fetched: its bytes (within the limit) and the type they really are.</summary>
public sealed record LinkCardImage(byte[] Bytes, string ContentType);

/// <summary>
/// Reads a page's Open Graph tags for a link card (https://ogp.me/: <c>og:title</c>, <c>og:description</c>,
/// <c>og:image</c>; then Twitter's and the page's own title and description). The page is someone else's: it is
/// fetched through the outbound guard (no loopback, private or metadata addresses unless
/// <c>Publishing__AllowPrivateNetworks</c>), within a time limit, reading at most <see cref="MaxPageBytes"/> of HTML
/// and <see cref="MaxImageBytes"/> of image, and its words come back as plain text (markup, control and invisible
/// characters removed, cut to length). A page that cannot be read is not a failure: the caller falls back to the
/// message's own title and summary (<see cref="Fallback"/>).
/// </summary>
public sealed partial class LinkCardReader(IHttpClientFactory httpClientFactory, ILogger<LinkCardReader> log)
{
    public const string HttpClientName = "link-card";

    /// <summary>The whole fetch of a page or an image, redirects included.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Open Graph tags sit in the head: a page is read this far and no further.</summary>
    public const int MaxPageBytes = 512 * 1024;

    /// <summary>Bluesky's limit for an external embed's thumb (app.bsky.embed.external lexicon: maxSize 1000000).</summary>
    public const int MaxImageBytes = 1_000_000;

    public const int MaxTitleLength = 300;
    public const int MaxDescriptionLength = 1000;

    /// <summary>
    /// The card read from <paramref name="link"/>'s page, or null when the page could not be read (not http(s), a
    /// refused address, a timeout, an error status, not HTML, no title at all).
    /// </summary>
    public async Task<LinkCard?> ReadAsync(Uri link, CancellationToken cancellationToken)
    {
        var (bytes, page) = await FetchAsync(link, "text/html,application/xhtml+xml;q=0.9", MaxPageBytes, truncate: true,
            type => type is "text/html" or "application/xhtml+xml", "page", cancellationToken);
        return bytes is null ? null : Parse(link, page ?? link, Encoding.UTF8.GetString(bytes));
    }

    /// <summary>
    /// The card's image, when it is a JPEG, PNG or WebP (by its bytes, whatever the server said) of at most
    /// <paramref name="maxBytes"/> (default <see cref="MaxImageBytes"/>, what Bluesky takes as it is); null otherwise, and the card goes without one.
    /// </summary>
    public async Task<LinkCardImage?> ReadImageAsync(Uri image, CancellationToken cancellationToken, int maxBytes = MaxImageBytes)
    {
        var (bytes, _) = await FetchAsync(image, "image/jpeg,image/png,image/webp", maxBytes, truncate: false, _ => true, "image", cancellationToken);
        if (bytes is null) return null;
        var type = MediaSniffer.Sniff(bytes.AsSpan(0, Math.Min(bytes.Length, MediaSniffer.HeaderLength)));
        return type is MediaTypes.Jpeg or MediaTypes.Png or MediaTypes.WebP ? new LinkCardImage(bytes, type) : null;
    }

    /// <summary>
    /// GETs <paramref name="address"/> within <see cref="Timeout"/>: the body's bytes (see <see cref="ReadCappedAsync"/>) and
    /// where redirects ended, or nulls when it is not http(s), refused, slow, an error or a type not <paramref name="acceptable"/>.
    /// </summary>
    private async Task<(byte[]? Bytes, Uri? FinalAddress)> FetchAsync(Uri address, string accept, int limit, bool truncate,
        Func<string?, bool> acceptable, string what, CancellationToken cancellationToken)
    {
        if (address.Scheme is not ("http" or "https")) return (null, null);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Timeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, address);
            request.Headers.Accept.ParseAdd(accept);
            using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (!response.IsSuccessStatusCode || !acceptable(response.Content.Headers.ContentType?.MediaType)) return (null, null);
            return (await ReadCappedAsync(response.Content, limit, truncate, deadline.Token), response.RequestMessage?.RequestUri);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            log.LogInformation("The {What} for a link card could not be read: {Reason}", what, OutboundAddressRefusedException.In(e)?.Message ?? e.GetType().Name);
            return (null, null);
        }
    }

    /// <summary>The card made of the message's own words, for when the page cannot be read.</summary>
    public static LinkCard Fallback(Uri link, string title, string? summary) =>
        new(link, Clean(title, MaxTitleLength) is { Length: > 0 } clean ? clean : link.Host, Clean(summary, MaxDescriptionLength), null, FromPage: false);

    /// <summary>The card described by <paramref name="html"/>, read from <paramref name="page"/> (relative image addresses resolve against it).</summary>
    public static LinkCard? Parse(Uri link, Uri page, string html)
    {
        var head = html.IndexOf("</head", StringComparison.OrdinalIgnoreCase) is var end and > 0 ? html[..end] : html;
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match meta in MetaTag().Matches(head))
        {
            string? key = null, content = null;
            foreach (Match attribute in Attribute().Matches(meta.Value))
            {
                var name = attribute.Groups["name"].Value.ToLowerInvariant();
                var value = attribute.Groups["d"].Success ? attribute.Groups["d"].Value : attribute.Groups["s"].Success ? attribute.Groups["s"].Value : attribute.Groups["u"].Value;
                if (name is "property" or "name") key ??= value.Trim();
                else if (name == "content") content = value;
            }
            if (key is not null && content is not null) tags.TryAdd(key, WebUtility.HtmlDecode(content));
        }
        var titleElement = TitleElement().Match(head) is { Success: true } t ? WebUtility.HtmlDecode(t.Groups["title"].Value) : null;

        var title = Clean(First(tags, "og:title", "twitter:title") ?? titleElement, MaxTitleLength);
        if (title.Length == 0) return null;
        var description = Clean(First(tags, "og:description", "twitter:description", "description"), MaxDescriptionLength);
        Uri? image = null;
        if (First(tags, "og:image:secure_url", "og:image", "og:image:url", "twitter:image") is { } imageAddress
            && Uri.TryCreate(page, imageAddress.Trim(), out var resolved) && resolved.Scheme is "http" or "https")
            image = resolved;
        return new LinkCard(link, title, description, image, FromPage: true);
    }

    private static string? First(Dictionary<string, string> tags, params string[] keys) =>
        keys.Select(k => tags.TryGetValue(k, out var v) && !string.IsNullOrWhiteSpace(v) ? v : null).FirstOrDefault(v => v is not null);

    private static string Clean(string? text, int maxLength) => NetworkReplyText.Clean(text, maxLength);

    /// <summary>
    /// The body up to <paramref name="limit"/> bytes, read as it arrives (never the whole of a large answer). Past the
    /// limit: the part read when <paramref name="truncate"/> (a page's head is at its start), else null.
    /// </summary>
    private static async Task<byte[]?> ReadCappedAsync(HttpContent content, int limit, bool truncate, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > limit && !truncate) return null;
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[limit + 1];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0) break;
            filled += read;
        }
        if (filled > limit) return truncate ? buffer[..limit] : null;
        return buffer[..filled];
    }

    // NonBacktracking: the page is anyone's, and these run in time linear in its length whatever it holds.
    [GeneratedRegex(@"<meta\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex MetaTag();

    [GeneratedRegex("""(?<name>[a-zA-Z:_-]+)\s*=\s*(?:"(?<d>[^"]*)"|'(?<s>[^']*)'|(?<u>[^\s"'>]+))""", RegexOptions.NonBacktracking)]
    private static partial Regex Attribute();

    [GeneratedRegex(@"<title\b[^>]*>(?<title>[^<]*)</title", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex TitleElement();
}

public static class LinkCardServiceCollectionExtensions
{
    /// <summary>
    /// The link card reader and its HttpClient: through the outbound guard, redirects followed (each connection checked
    /// again) up to three times, no cookies, and a timeout of its own on top of <see cref="LinkCardReader.Timeout"/>.
    /// </summary>
    public static IServiceCollection AddLinkCardReader(this IServiceCollection services)
    {
        // Both the web app (previews) and the worker (posts) call this: configure the client once.
        if (services.Any(d => d.ServiceType == typeof(LinkCardReader))) return services;
        services.AddHttpClient(LinkCardReader.HttpClientName, http =>
            {
                http.Timeout = LinkCardReader.Timeout + TimeSpan.FromSeconds(1);
                http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("PublisherLinkCards", "1.0"));
            })
            .UseOutboundAddressPolicy(handler =>
            {
                handler.AllowAutoRedirect = true;
                handler.MaxAutomaticRedirections = 3;
                handler.UseCookies = false;
                handler.MaxResponseHeadersLength = 64;
            });
        services.AddSingleton<LinkCardReader>();
        return services;
    }
}
