using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Publisher.Analytics.Events;
using Publisher.Analytics.Links;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Analytics;

/// <summary>What /t.js sends to /t/collect, and what is refused.</summary>
[Collection(WebAppCollection.Name)]
public class CollectTests(PublisherWebApp app)
{
    private const string Site = "https://shop.northwind.coffee";
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

    private async Task AllowSiteAsync()
    {
        var admin = await app.SignedInAsync(Roles.Admin);
        var saved = await PublisherWebApp.PostFormAsync(admin, "/Analytics/Settings", "Save", ("SiteOrigins", Site + "\nhttps://www.northwind.coffee"), ("LookbackDays", "30"));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
    }

    /// <summary>Switches the brand's consent setting through the settings page, as an Admin does.</summary>
    internal static async Task RequireConsentAsync(PublisherWebApp app, bool required)
    {
        var admin = await app.SignedInAsync(Roles.Admin);
        var saved = await PublisherWebApp.PostFormAsync(admin, "/Analytics/Settings", "Save", [("SiteOrigins", Site + "\nhttps://www.northwind.coffee"), ("LookbackDays", "30"),
            .. required ? new[] { ("RequireConsent", "true") } : []]);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
    }

    private static HttpRequestMessage Report(string json, string origin = Site, string agent = Chrome, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/t/collect") { Content = new StringContent(json, Encoding.UTF8, "text/plain") };
        request.Headers.TryAddWithoutValidation("Origin", origin);
        request.Headers.TryAddWithoutValidation("User-Agent", agent);
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    [Fact]
    public async Task A_landing_page_view_records_the_session_with_its_click_id_and_utm_tags_and_a_contact_is_queued()
    {
        await AllowSiteAsync();
        var session = Guid.NewGuid();
        var click = ClickIds.New();
        var client = app.NewClient();
        var landing = await client.SendAsync(Report($$"""
            {"k":"view","u":"{{Site}}/autumn?utm_source=x&utm_medium=social&pcid={{ClickIds.Format(click)}}","r":"https://t.co/x","s":"{{session}}","v":"visitor-1","n":1}
            """));
        Assert.Equal(HttpStatusCode.NoContent, landing.StatusCode);
        Assert.Equal(Site, landing.Headers.GetValues("Access-Control-Allow-Origin").Single());

        var eventId = $"form-{Guid.NewGuid():N}";
        var contact = await client.SendAsync(Report($$"""{"k":"contact","u":"{{Site}}/contact","s":"{{session}}","v":"visitor-1","id":"{{eventId}}","e":"{{new string('b', 64)}}"}"""));
        Assert.Equal(HttpStatusCode.NoContent, contact.StatusCode);

        var view = await AnalyticsData.EventuallyAsync(() => AnalyticsData.WithDbAsync(app.Services, db => db.PageViews.AsNoTracking().FirstOrDefaultAsync(p => p.SessionId == session)),
            v => v is not null, what: "the page view");
        Assert.True(view!.StartsSession);
        Assert.Equal(click, view.ClickId);
        Assert.Equal("x", view.UtmSource);
        Assert.Equal("social", view.UtmMedium);
        Assert.Equal("/autumn", view.Path);
        Assert.Equal("shop.northwind.coffee", view.Host);
        Assert.Equal("t.co", view.ReferrerHost);
        Assert.Equal("visitor-1", view.VisitorId);
        Assert.NotNull(view.VisitorHash);

        var stored = await AnalyticsData.EventuallyAsync(() => AnalyticsData.WithDbAsync(app.Services, db => db.Conversions.AsNoTracking().FirstOrDefaultAsync(c => c.EventId == eventId)),
            c => c is not null, what: "the contact");
        Assert.Equal((short)ConversionKind.Contact, stored!.Kind);
        Assert.Equal("site", stored.Source);
        Assert.Equal(new string('b', 64), stored.EmailSha256);
    }

    [Fact]
    public async Task Do_not_track_keeps_neither_the_visitor_id_nor_the_hash()
    {
        await AllowSiteAsync();
        var session = Guid.NewGuid();
        var response = await app.NewClient().SendAsync(Report($$"""{"k":"view","u":"{{Site}}/","s":"{{session}}","v":"visitor-2","n":1}""", headers: ("Sec-GPC", "1")));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var view = await AnalyticsData.EventuallyAsync(() => AnalyticsData.WithDbAsync(app.Services, db => db.PageViews.AsNoTracking().FirstOrDefaultAsync(p => p.SessionId == session)),
            v => v is not null, what: "the page view");
        Assert.Null(view!.VisitorId);
        Assert.Null(view.VisitorHash);
    }

    [Fact]
    public async Task Other_sites_bots_oversized_and_malformed_reports_are_refused_and_a_flood_is_slowed()
    {
        await AllowSiteAsync();
        var client = app.NewClient();
        var session = Guid.NewGuid();
        string View(string url) => $$"""{"k":"view","u":"{{url}}","s":"{{session}}","n":1}""";

        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Report(View("https://evil.example/"), origin: "https://evil.example"))).StatusCode);
        // A page address on another site than the sender's.
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(Report(View("https://www.northwind.coffee/")))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(Report("not json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(Report($$"""{"k":"purchase","u":"{{Site}}/","s":"{{session}}"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.SendAsync(Report(View(Site + "/?q=" + new string('a', 5000))))).StatusCode);
        // A crawler running the script is not a visit.
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(Report(View(Site + "/bot"), agent: "Googlebot/2.1"))).StatusCode);

        var limited = 0;
        for (var i = 0; i < 130 && limited == 0; i++)
        {
            var response = await client.SendAsync(Report(View(Site + "/flood"), agent: "Mozilla/5.0 Flood/" + session));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                limited = i;
        }
        Assert.InRange(limited, 100, 129);
        var views = await AnalyticsData.EventuallyAsync(
            () => AnalyticsData.WithDbAsync(app.Services, db => db.PageViews.CountAsync(p => p.SessionId == session)), n => n >= 100, what: "the accepted views");
        Assert.Equal(0, await AnalyticsData.WithDbAsync(app.Services, db => db.PageViews.CountAsync(p => p.SessionId == session && p.Path == "/bot")));
        Assert.InRange(views, 100, 120);
    }

    [Fact]
    public async Task When_the_brand_requires_consent_reports_without_the_consent_marker_are_refused_and_nothing_is_stored()
    {
        await RequireConsentAsync(app, true);
        try
        {
            var client = app.NewClient();
            var refused = Guid.NewGuid();
            foreach (var json in new[]
            {
                $$"""{"k":"view","u":"{{Site}}/autumn","s":"{{refused}}","v":"visitor-9","n":1}""",
                $$"""{"k":"view","u":"{{Site}}/autumn","s":"{{refused}}","v":"visitor-9","n":1,"g":0}""",
                $$"""{"k":"contact","u":"{{Site}}/contact","s":"{{refused}}","id":"no-consent-{{refused:N}}"}""",
            })
            {
                var response = await client.SendAsync(Report(json));
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Contains("publisher.consent(true)", await response.Content.ReadAsStringAsync());
            }
            var given = Guid.NewGuid();
            Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(Report($$"""{"k":"view","u":"{{Site}}/autumn","s":"{{given}}","v":"visitor-9","n":1,"g":1}"""))).StatusCode);

            // Written in arrival order: once the consented view is there, the refused ones would be too.
            await AnalyticsData.EventuallyAsync(() => AnalyticsData.WithDbAsync(app.Services, db => db.PageViews.CountAsync(p => p.SessionId == given)), n => n == 1,
                what: "the view sent with consent");
            Assert.Equal(0, await AnalyticsData.WithDbAsync(app.Services, db => db.PageViews.CountAsync(p => p.SessionId == refused)));
            Assert.Equal(0, await AnalyticsData.WithDbAsync(app.Services, db => db.Conversions.CountAsync(c => c.EventId == $"no-consent-{refused:N}")));
        }
        finally
        {
            await RequireConsentAsync(app, false);
        }

        // Without the setting the marker is not needed.
        var free = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await app.NewClient().SendAsync(Report($$"""{"k":"view","u":"{{Site}}/autumn","s":"{{free}}","n":1}"""))).StatusCode);
    }
}
