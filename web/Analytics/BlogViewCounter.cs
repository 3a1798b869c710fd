using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Publisher.Analytics.Events;
using Publisher.Analytics.Links;
using Publisher.Core.Analytics;
using Publisher.Core.Publishing;

namespace Publisher.Web.Analytics;

/// <summary>
/// Counts the blog's article views on the server, as the article is served: the app already answers the request, so
/// the page needs no script and a reader whose browser runs none, or blocks counters, is counted all the same. A view
/// is a page view of <c>/blog/{slug}</c> on the app's public host (what the rollups read as the blog's views), queued
/// like every other event so the page never waits on the database. Previews, crawlers and <c>HEAD</c> requests, by the
/// rules of the tracked-link redirect, are not counted at all. No cookie is set and no visitor id exists; the daily
/// visitor hash is kept only without Do Not Track or Global Privacy Control.
/// </summary>
public sealed class BlogViewCounter : IDisposable
{
    private readonly EventQueue<PageView> _views;
    private readonly VisitorSalts _salts;
    private readonly TimeProvider _clock;
    private readonly string? _host;
    // Click ids that already started a session here, so a reload is not a new visit. Bounded: an address can carry any
    // well-formed id, and a flood of made-up ones must not grow memory without end.
    private readonly MemoryCache _landings = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public BlogViewCounter(EventQueue<PageView> views, VisitorSalts salts, TimeProvider clock, IOptions<PublishingOptions> publishing)
    {
        _views = views;
        _salts = salts;
        _clock = clock;
        _host = Uri.TryCreate(publishing.Value.PublicUrl, UriKind.Absolute, out var url) ? url.Host.ToLowerInvariant() : null;
    }

    /// <summary>Counts a view of the article <paramref name="slug"/>; false when the request is not a person's view (or no public address is set).</summary>
    public bool Count(HttpContext http, string slug)
    {
        var verdict = PublicVisits.Classify(http.Request);
        if (verdict.IsPreview || _host is null)
            return false;
        var request = http.Request;
        var now = _clock.GetUtcNow();
        // Arriving through one of the app's tracked links (its click id in the address) is a visit, credited to that
        // click, as /t.js would have counted it on any other page of the brand; once per click id while the visit lasts.
        var landed = ClickIds.TryParse(request.Query[ClickIds.Parameter].ToString(), out var clickId) && !_landings.TryGetValue(clickId, out _);
        if (landed)
            _landings.Set(clickId, true, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = SessionRules.IdleTimeout });
        var referrer = TrackedLinkEndpoints.HostOf(request.Headers.Referer.ToString());
        return _views.TryAdd(new PageView
        {
            Id = Guid.CreateVersion7(), At = now, SessionId = landed ? Guid.CreateVersion7() : Guid.Empty, VisitorHash = PublicVisits.VisitorHashOf(http, verdict, _salts),
            StartsSession = landed, Host = _host, Path = "/blog/" + slug, ClickId = landed ? clickId : null,
            UtmSource = landed ? Tag(request, "utm_source", 60, lower: true) : null,
            UtmMedium = landed ? Tag(request, "utm_medium", 60, lower: true) : null,
            UtmCampaign = landed ? Tag(request, "utm_campaign", 100, lower: false) : null,
            ReferrerHost = landed && referrer != _host ? referrer : null,
            Device = (short)verdict.Device,
        });
    }

    private static string? Tag(HttpRequest request, string name, int length, bool lower)
    {
        var value = request.Query[name].ToString().Trim();
        if (lower)
            value = value.ToLowerInvariant();
        return value.Length == 0 ? null : value.Length <= length ? value : value[..length];
    }

    public void Dispose() => _landings.Dispose();
}
