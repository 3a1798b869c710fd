using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Publisher.Analytics.Links;
using Publisher.Analytics.Traffic;
using Publisher.Core.Data;
using Publisher.Core.Publishing;

namespace Publisher.Web.Tests.Analytics;

/// <summary>
/// The blog's views, counted by the app as it serves an article (the page runs no script): a person's GET is one view,
/// shown as the account's blog views on /Analytics; previews, crawlers and HEAD are not views; no cookie, no address.
/// </summary>
[Collection(WebAppCollection.Name)]
public class BlogViewTests(PublisherWebApp app)
{
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    private static HttpRequestMessage Request(string path, string agent, string method = "GET", params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.TryAddWithoutValidation("User-Agent", agent);
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private async Task<(string Path, string Account)> BlogPostAsync()
    {
        var variant = await AnalyticsData.VariantAsync(app.Services, kind: "Blog");
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var slug = await db.Variants.Where(v => v.Id == variant.VariantId).Select(v => v.ExternalId).SingleAsync();
        var account = await db.ChannelAccounts.Where(a => a.Id == variant.AccountId).Select(a => a.Name).SingleAsync();
        return ("/blog/" + slug, account);
    }

    private Task<List<Core.Analytics.PageView>> ViewsAsync(string path) =>
        AnalyticsData.WithDbAsync(app.Services, db => db.PageViews.AsNoTracking().Where(p => p.Path == path).ToListAsync());

    private string PublicHost => new Uri(app.Services.GetRequiredService<IOptions<PublishingOptions>>().Value.PublicUrl).Host;

    [Fact]
    public async Task A_persons_visit_to_an_article_is_one_view_and_previews_crawlers_and_head_requests_are_none()
    {
        var (path, account) = await BlogPostAsync();
        var client = app.NewClient();
        foreach (var machine in new[]
        {
            Request(path, Firefox, method: "HEAD"),
            Request(path, "Twitterbot/1.0"),
            Request(path, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
            Request(path, "Mastodon/4.3.2 (http.rb/5.2.0; +https://mastodon.social/)"),
            Request(path, Firefox, headers: ("Sec-Purpose", "prefetch")),
        })
        {
            var answer = await client.SendAsync(machine);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        var response = await client.SendAsync(Request(path, Firefox));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.DoesNotContain("<script", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        // The queue writes in arrival order: once the person's view is there, anything counted before it would be too.
        var views = await AnalyticsData.EventuallyAsync(() => ViewsAsync(path), v => v.Count >= 1, what: "the article's view");
        var view = Assert.Single(views);
        Assert.Equal(PublicHost, view.Host);
        Assert.False(view.StartsSession);
        Assert.Null(view.VisitorId);
        Assert.NotNull(view.VisitorHash);
        Assert.Equal((short)DeviceClass.Desktop, view.Device);

        // The rollup reads it as the blog's view of that account, which /Analytics shows (and exports).
        var analyst = await app.SignedInAsync("Approver");
        var line = await AnalyticsData.EventuallyAsync(async () => (await analyst.GetStringAsync("/Analytics?handler=Csv&table=engagement"))
                .Split("\r\n").FirstOrDefault(l => l.Contains(account)),
            l => l is not null && l.EndsWith(",1"), what: "one blog view on the account's engagement line");
        Assert.EndsWith(",1", line);
    }

    [Fact]
    public async Task Do_not_track_keeps_no_visitor_hash_and_a_tracked_links_click_id_starts_one_visit_credited_to_it()
    {
        var (path, _) = await BlogPostAsync();
        var client = app.NewClient();
        var click = ClickIds.New();
        var landing = $"{path}?utm_source=x&utm_medium=social&{ClickIds.Parameter}={ClickIds.Format(click)}";
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request(landing, Firefox, headers: ("Referer", "https://t.co/x")))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request(landing, Firefox))).StatusCode); // a reload: a view, not a new visit
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request(path, Firefox, headers: ("DNT", "1")))).StatusCode);

        var views = await AnalyticsData.EventuallyAsync(() => ViewsAsync(path), v => v.Count >= 3, what: "three views");
        Assert.Equal(3, views.Count);
        var visit = Assert.Single(views, v => v.StartsSession);
        Assert.Equal(click, visit.ClickId);
        Assert.Equal("x", visit.UtmSource);
        Assert.Equal("t.co", visit.ReferrerHost);
        // The two views without Do Not Track keep the day's hash; the one with it keeps none.
        Assert.Equal(2, views.Count(v => v.VisitorHash is not null));
        Assert.Single(views, v => v.VisitorHash is null && !v.StartsSession);
        Assert.All(views, v => Assert.Equal(path, v.Path));
    }
}
