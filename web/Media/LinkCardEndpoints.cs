using Publisher.Core.Networking;
using Publisher.Web.Pages.Shared;
using Publisher.Web.Security;

namespace Publisher.Web.Media;

/// <summary>
/// The editor's link card preview: <c>GET /api/link-card?url=&amp;title=&amp;summary=</c> answers the card a post with
/// that link would carry (the page's Open Graph tags, read by the same <see cref="LinkCardReader"/> the worker uses, or
/// the message's title and summary when the page cannot be read), and <c>GET /api/link-card/image?url=</c> hands the
/// card's image on, so the editor (whose CSP loads images only from the app) can show it. Authors only (and, for the image
/// of an edited card, approvers): both make the server fetch an address someone typed, through the outbound guard.
/// </summary>
public static class LinkCardEndpoints
{
    /// <param name="ImageUrl">The card's image as this app hands it on.</param>
    /// <param name="PageImageUrl">The page's own address for that image, which an edited card keeps.</param>
    public sealed record LinkCardView(string Uri, string Host, string Title, string Description, string? ImageUrl, bool FromPage, string? PageImageUrl = null);

    public static void MapLinkCards(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/link-card", async (string? url, string? title, string? summary, LinkCardReader reader, CancellationToken cancellationToken) =>
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var link) || link.Scheme is not ("http" or "https"))
                return Results.Problem(statusCode: 400, title: "Not a web address", detail: "The link must be a full http:// or https:// address.");
            var card = await reader.ReadAsync(link, cancellationToken) ?? LinkCardReader.Fallback(link, title ?? "", summary);
            return Results.Ok(new LinkCardView(card.Uri.AbsoluteUri, card.Uri.Host, card.Title, card.Description,
                card.ImageUrl is { } image ? LinkCardPreview.PageImage(image.AbsoluteUri) : null, card.FromPage, card.ImageUrl?.AbsoluteUri));
        }).RequireAuthorization(Policies.Author);

        app.MapGet("/api/link-card/image", async (HttpContext http, string? url, LinkCardReader reader, CancellationToken cancellationToken) =>
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var address) || await reader.ReadImageAsync(address, cancellationToken) is not { } image)
                return Results.NotFound();
            // Only bytes that really are a JPEG, PNG or WebP come this far; still, never let a browser guess.
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
            http.Response.Headers.CacheControl = "private, max-age=300";
            return Results.Bytes(image.Bytes, image.ContentType);
        }).RequireAuthorization(Policies.AuthorOrReview);
    }
}
