using System.Net;
using Microsoft.EntityFrameworkCore;
using Publisher.Analytics.Links;
using Publisher.Analytics.Traffic;

namespace Publisher.Web.Tests.Analytics;

[Collection(WebAppCollection.Name)]
public class TrackedLinkRedirectTests(PublisherWebApp app)
{
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    private const string Iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

    private static HttpRequestMessage Get(string path, string agent, string method = "GET", string? referrer = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.TryAddWithoutValidation("User-Agent", agent);
        if (referrer is not null)
            request.Headers.Referrer = new Uri(referrer);
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    [Fact]
    public async Task A_click_is_sent_on_with_utm_tags_and_a_click_id_and_recorded_without_the_address_or_a_cookie()
    {
        var variant = await AnalyticsData.VariantAsync(app.Services);
        var link = Assert.Single(variant.Links);
        var client = app.NewClient();

        var response = await client.SendAsync(Get($"/l/{link.Code}", Iphone, referrer: "https://t.co/abc?secret=1"));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith("https://northwind.coffee/autumn?utm_source=x&utm_medium=social", location);
        var pcid = System.Web.HttpUtility.ParseQueryString(new Uri(location).Query)[ClickIds.Parameter];
        Assert.True(ClickIds.TryParse(pcid, out var clickId));
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());

        var click = await AnalyticsData.EventuallyAsync(() => AnalyticsData.WithDbAsync(app.Services, db => db.Clicks.AsNoTracking().FirstOrDefaultAsync(c => c.Id == clickId)),
            c => c is not null, what: "the click in the database");
        Assert.Equal(variant.VariantId, click!.VariantId);
        Assert.Equal(variant.AccountId, click.ChannelAccountId);
        Assert.Equal(link.Code, click.Code);
        Assert.False(click.IsPreview);
        Assert.Equal((short)DeviceClass.Mobile, click.Device);
        Assert.Equal("t.co", click.ReferrerHost);
        Assert.NotNull(click.VisitorHash);
        Assert.InRange(click.At, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Card_fetchers_crawlers_and_head_requests_are_previews_and_get_no_click_id()
    {
        var variant = await AnalyticsData.VariantAsync(app.Services, kind: "Mastodon");
        var code = variant.Links[0].Code;
        var client = app.NewClient();
        var requests = new[]
        {
            Get($"/l/{code}", "Twitterbot/1.0"),
            Get($"/l/{code}", "Mastodon/4.3.2 (http.rb/5.2.0; +https://mastodon.social/)"),
            Get($"/l/{code}", "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)"),
            Get($"/l/{code}", Firefox, method: "HEAD"),
            Get($"/l/{code}", Firefox),
        };
        foreach (var request in requests)
        {
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            var hasClickId = response.Headers.Location!.Query.Contains("pcid=");
            Assert.Equal(request == requests[^1], hasClickId);
        }

        var rows = await AnalyticsData.EventuallyAsync(
            () => AnalyticsData.WithDbAsync(app.Services, db => db.Clicks.AsNoTracking().Where(c => c.VariantId == variant.VariantId).ToListAsync()),
            r => r.Count == 5, what: "five rows");
        Assert.Equal(4, rows.Count(r => r.IsPreview));
        Assert.Single(rows, r => !r.IsPreview && r.Device == (short)DeviceClass.Desktop);
        Assert.All(rows.Where(r => r.IsPreview), r => Assert.Null(r.VisitorHash));
    }

    [Fact]
    public async Task Do_not_track_and_global_privacy_control_keep_no_visitor_hash()
    {
        var variant = await AnalyticsData.VariantAsync(app.Services);
        var client = app.NewClient();
        foreach (var header in new[] { ("DNT", "1"), ("Sec-GPC", "1") })
            Assert.Equal(HttpStatusCode.Found, (await client.SendAsync(Get($"/l/{variant.Links[0].Code}", Firefox, headers: header))).StatusCode);

        var rows = await AnalyticsData.EventuallyAsync(
            () => AnalyticsData.WithDbAsync(app.Services, db => db.Clicks.AsNoTracking().Where(c => c.VariantId == variant.VariantId).ToListAsync()),
            r => r.Count == 2, what: "two clicks");
        Assert.All(rows, r =>
        {
            Assert.False(r.IsPreview);
            Assert.Null(r.VisitorHash);
        });
    }

    [Theory]
    [InlineData("/l/AAAAAAAAAA")]
    [InlineData("/l/short")]
    [InlineData("/l/..%2F..%2Fetc")]
    [InlineData("/l/https:%2F%2Fevil.example")]
    public async Task An_unknown_code_is_a_friendly_404_and_never_a_redirect(string path)
    {
        var response = await app.NewClient().SendAsync(Get(path, Firefox));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("This link does not lead anywhere", html);
    }
}
