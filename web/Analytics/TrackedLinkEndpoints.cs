using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Publisher.Analytics.Links;
using Publisher.Analytics.Privacy;
using Publisher.Analytics.Traffic;
using Publisher.Core.Analytics;
using Publisher.Core.Data;

namespace Publisher.Web.Analytics;

/// <summary>
/// <c>GET /l/{code}</c>: the tracked links. The answer is a 302 to the link's own destination (with its UTM tags and,
/// for people, the click id <c>pcid</c>), decided from memory; the click is queued and written later, so the database
/// never slows a redirect down and its absence never fails one. Also <c>/u/{variant}</c>, the newsletter's
/// unsubscribe link, which counts the unsubscribe and forwards to the list's own unsubscribe address.
/// </summary>
public static class TrackedLinkEndpoints
{
    public static IEndpointRouteBuilder MapTrackedLinks(this IEndpointRouteBuilder app)
    {
        // Short-circuited: answered as soon as routing finds it, past sign-in, authorization, the input guard and
        // antiforgery, none of which a public redirect needs (its code is checked for shape first). The security
        // headers, set before routing, still go out.
        app.MapMethods("/l/{code}", [HttpMethods.Get, HttpMethods.Head], RedirectAsync).AllowAnonymous().ShortCircuit().ExcludeFromDescription();
        app.MapMethods("/u/{variantId:guid}", [HttpMethods.Get, HttpMethods.Post], UnsubscribeAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task RedirectAsync(string code, HttpContext http, TrackedLinkDirectory links, EventQueue<Click> clicks, VisitorSalts salts, TimeProvider clock)
    {
        if (!LinkCodes.IsWellFormed(code) || await links.FindAsync(code, http.RequestAborted) is not { } target)
        {
            await WriteNotFoundAsync(http);
            return;
        }
        var headers = http.Request.Headers;
        var verdict = PublicVisits.Classify(http.Request);
        var id = ClickIds.New();
        clicks.TryAdd(new Click
        {
            Id = id, At = clock.GetUtcNow(), Code = code, VariantId = target.VariantId, ChannelAccountId = target.ChannelAccountId, CampaignId = target.CampaignId,
            VisitorHash = PublicVisits.VisitorHashOf(http, verdict, salts),
            ReferrerHost = HostOf(headers.Referer.ToString()), Device = (short)verdict.Device, IsPreview = verdict.IsPreview,
        });

        var response = http.Response;
        response.StatusCode = StatusCodes.Status302Found;
        // A preview fetcher gets no click id: it is not a visitor the brand's site should remember.
        response.Headers.Location = verdict.IsPreview ? target.Destination : ClickIds.AddTo(target.Destination, ClickIds.Format(id));
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Robots-Tag"] = "noindex";
    }

    /// <summary>The host of a referrer address, or null; never its path or query (they can carry personal data).</summary>
    public static string? HostOf(string? url) =>
        !string.IsNullOrEmpty(url) && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length is > 0 and <= 255 ? uri.Host.ToLowerInvariant() : null;

    private static async Task WriteNotFoundAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status404NotFound;
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        if (HttpMethods.IsHead(http.Request.Method))
            return;
        await http.Response.WriteAsync("""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Link not found</title>
            <link rel="stylesheet" href="/css/site.css"></head>
            <body><main class="page narrow"><h1>This link does not lead anywhere</h1>
            <p>We could not find the page this short link was meant for. Check that you copied the whole link, or go to the
            site of the brand that shared it.</p></main></body>
            </html>
            """);
    }

    /// <summary>
    /// The newsletter's unsubscribe link: counts one unsubscribe for the variant, then sends the reader (a GET) or the
    /// mail client's one-click request (a POST, RFC 8058) on to the list's own unsubscribe address with a 307, which
    /// keeps the method and body. Only that stored address is ever a target.
    /// </summary>
    private static async Task UnsubscribeAsync(Guid variantId, HttpContext http, PublisherDbContext db, TimeProvider clock)
    {
        var settings = await db.Variants.Where(v => v.Id == variantId && v.ChannelAccount!.Kind == "Email")
            .Select(v => v.ChannelAccount!.SettingsJson).FirstOrDefaultAsync(http.RequestAborted);
        var target = UnsubscribeTarget(settings);
        if (target is null)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            await http.Response.WriteAsync("This unsubscribe link is not known. Reply to the newsletter to ask to be taken off the list.");
            return;
        }
        // A mail scanner following links with HEAD or a preview is not a reader leaving; only GET and POST count.
        var verdict = TrafficClassifier.Classify(HttpMethods.IsPost(http.Request.Method) ? "GET" : http.Request.Method, http.Request.Headers.UserAgent.ToString());
        if (HttpMethods.IsPost(http.Request.Method) || !verdict.IsPreview)
        {
            db.NewsletterUnsubscribes.Add(new NewsletterUnsubscribe { VariantId = variantId, At = clock.GetUtcNow() });
            await db.SaveChangesAsync(http.RequestAborted);
        }
        http.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        http.Response.Headers.Location = target;
        http.Response.Headers.CacheControl = "no-store";
    }

    /// <summary>The account's <c>unsubscribe_url</c> setting, when it is an http(s) address.</summary>
    public static string? UnsubscribeTarget(string? settingsJson)
    {
        if (string.IsNullOrWhiteSpace(settingsJson))
            return null;
        try
        {
            using var document = JsonDocument.Parse(settingsJson);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("unsubscribe_url", out var url) && url.ValueKind == JsonValueKind.String
                && Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
                ? uri.ToString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
