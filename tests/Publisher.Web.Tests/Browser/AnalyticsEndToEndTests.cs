using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Publisher.Core.Analytics;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Analytics;
using Publisher.Web.Tests.Analytics;

namespace Publisher.Web.Tests.Browser;

/// <summary>
/// The whole measuring path in Chromium: a published variant's short link, the brand's own site (a loopback page that
/// loads /t.js) where the visitor fills the contact form, a qualified lead and a sale from the brand's systems through
/// POST /api/events, and the dashboard showing all of it under the variant's channel in both models.
/// </summary>
[Collection(BrowserCollection.Name)]
public class AnalyticsEndToEndTests(DemoSite site) : IClassFixture<DemoSite>
{
    // Headless Chromium names itself HeadlessChrome, which the classifier rightly counts as a machine.
    private const string Chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

    [Fact]
    public async Task A_click_a_visit_a_contact_a_qualified_lead_and_a_sale_show_under_the_channel_in_both_models()
    {
        await using var brand = await BrandSite.StartAsync(site.BaseUrl);
        var variant = await AnalyticsData.VariantAsync(site.App.Services, kind: "Bluesky", link: brand.Origin + "/autumn");
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;

        // An Admin allows the brand's site and makes an ingest key for its shop.
        var admin = await site.SignInAsync(browser, Roles.Admin);
        await admin.GotoAsync(site.BaseUrl + "/Analytics/Settings");
        await admin.FillAsync("#site-origins", brand.Origin);
        await admin.ClickAsync("button:has-text('Save')");
        await Assertions.Expect(admin.Locator("#site-origins")).ToHaveValueAsync(brand.Origin);
        await admin.FillAsync("#key-name", "Brand shop");
        await admin.ClickAsync("button:has-text('Create a key')");
        var key = (await admin.Locator("#new-key").TextContentAsync())!.Trim();
        Assert.StartsWith("pub_", key);

        // A reader opens the short link and lands on the brand's page, which loads /t.js, then fills the contact form.
        var reader = await Chromium.NewContextAsync(browser, new BrowserNewContextOptions { UserAgent = Chrome });
        var page = await reader.NewPageAsync();
        var landing = await page.GotoAsync($"{site.BaseUrl}/l/{variant.Links[0].Code}");
        var redirect = await landing!.Request.RedirectedFrom!.ResponseAsync();
        Assert.Equal(302, redirect!.Status);
        Assert.False((await redirect.AllHeadersAsync()).ContainsKey("set-cookie")); // the redirect sets no cookie
        await page.WaitForURLAsync(brand.Origin + "/autumn**");
        Assert.Contains("pcid=", page.Url);
        await Assertions.Expect(page.Locator("#ready")).ToBeVisibleAsync(); // the site's script saw window.publisher
        var email = $"reader-{Guid.NewGuid():N}@example.org";
        await page.FillAsync("#email", email);
        await page.ClickAsync("#send");
        await Assertions.Expect(page.Locator("#thanks")).ToBeVisibleAsync();
        var cookies = await reader.CookiesAsync([brand.Origin]);
        Assert.Equal(["_pub"], cookies.Select(c => c.Name)); // first party, set by /t.js on the brand's site

        // The shop later reports the lead as qualified and a sale, by the e-mail's hash.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email)));
        using (var shop = new HttpClient { BaseAddress = new Uri(site.BaseUrl) })
        {
            var batch = new HttpRequestMessage(HttpMethod.Post, "/api/events")
            {
                Content = new StringContent($$"""
                    {"events":[
                      {"id":"q-{{hash[..12]}}","type":"qualified","emailSha256":"{{hash}}"},
                      {"id":"s-{{hash[..12]}}","type":"sale","emailSha256":"{{hash}}","value":42.5,"currency":"EUR"}
                    ]}
                    """, Encoding.UTF8, "application/json"),
            };
            batch.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var answer = await shop.SendAsync(batch);
            Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
        }

        // The marketer's dashboard shows the session, contact, qualified lead and sale under the Bluesky account, both models.
        var marketer = await site.SignInAsync(browser, Roles.Marketer);
        var row = marketer.Locator($"tr[data-channel='account:{variant.AccountId:N}']");
        string Cell(string model, string kind) => $"td[data-model='{model}'][data-kind='{kind}']";
        await AnalyticsData.EventuallyAsync(async () =>
        {
            await marketer.GotoAsync(site.BaseUrl + "/Analytics");
            return await row.CountAsync() == 1 ? await row.Locator(Cell("last_touch", "sale")).TextContentAsync() : null;
        }, text => text == "1", within: TimeSpan.FromSeconds(120), what: "the sale in the channel's row");
        foreach (var model in new[] { "first_touch", "last_touch" })
        {
            foreach (var kind in new[] { "session", "contact", "qualified", "sale" })
                await Assertions.Expect(row.Locator(Cell(model, kind))).ToHaveTextAsync("1");
            await Assertions.Expect(row.Locator(Cell(model, "revenue"))).ToHaveTextAsync("42.50 EUR");
        }
    }

    [Theory]
    [InlineData(" data-consent=\"required\"", false)] // the site asks for it in its snippet
    [InlineData("", true)] // the brand's setting: the plain snippet, and the script learns it as it is served
    public async Task With_consent_required_the_script_sends_nothing_and_sets_no_cookie_until_the_site_gives_consent(string scriptAttributes, bool brandRequiresConsent)
    {
        await using var brand = await BrandSite.StartAsync(site.BaseUrl, scriptAttributes);
        await AllowSiteAsync(brand.Origin, brandRequiresConsent);
        try
        {
            await ConsentJourneyAsync(brand);
        }
        finally
        {
            await AllowSiteAsync(brand.Origin, false);
        }
    }

    private async Task ConsentJourneyAsync(BrandSite brand)
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var reader = await Chromium.NewContextAsync(browser, new BrowserNewContextOptions { UserAgent = Chrome });
        var page = await reader.NewPageAsync();
        var consentGiven = false;
        var reports = new List<(bool AfterConsent, string Body)>();
        page.Request += (_, request) =>
        {
            if (request.Url.EndsWith("/t/collect", StringComparison.Ordinal))
                lock (reports)
                    reports.Add((Volatile.Read(ref consentGiven), request.PostData ?? ""));
        };
        var campaign = Guid.NewGuid().ToString("N");

        await page.GotoAsync($"{brand.Origin}/autumn?utm_source=consent&utm_campaign={campaign}");
        await Assertions.Expect(page.Locator("#ready")).ToBeVisibleAsync(); // /t.js ran: window.publisher is there
        await page.EvaluateAsync("() => publisher.track('contact', { id: 'before-consent' })");
        Assert.Empty(await reader.CookiesAsync([brand.Origin, site.BaseUrl]));

        Volatile.Write(ref consentGiven, true);
        await page.EvaluateAsync("() => publisher.consent(true)");
        var view = await AnalyticsData.EventuallyAsync(() => AnalyticsData.WithDbAsync(site.App.Services,
            db => db.PageViews.AsNoTracking().Where(v => v.UtmCampaign == campaign).ToListAsync()), rows => rows.Count > 0, what: "the page view after consent");
        Assert.True(Assert.Single(view).StartsSession);
        Assert.NotNull(view[0].VisitorId);
        lock (reports)
        {
            // Requests are reported in the order the page made them: one made before consent would come before this view.
            Assert.All(reports, r => Assert.True(r.AfterConsent, $"sent before consent: {r.Body}"));
            Assert.DoesNotContain(reports, r => r.Body.Contains("before-consent"));
        }
        // Both sites are on 127.0.0.1, and cookies do not tell ports apart: this is every cookie either of them set.
        Assert.Equal(["_pub"], (await reader.CookiesAsync([brand.Origin, site.BaseUrl])).Select(c => c.Name));

        // Withdrawing consent removes the cookie.
        await page.EvaluateAsync("() => publisher.consent(false)");
        Assert.Empty(await reader.CookiesAsync([brand.Origin, site.BaseUrl]));
    }

    [Fact]
    public async Task With_global_privacy_control_the_script_sets_no_cookie_and_the_visit_keeps_no_visitor_id_or_hash()
    {
        await using var brand = await BrandSite.StartAsync(site.BaseUrl);
        await AllowSiteAsync(brand.Origin);
        var (playwright, browser) = await Chromium.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        // A browser with GPC on says so in navigator.globalPrivacyControl and in the Sec-GPC header (Chromium has no switch for it).
        var reader = await Chromium.NewContextAsync(browser, new BrowserNewContextOptions
        {
            UserAgent = Chrome, ExtraHTTPHeaders = new Dictionary<string, string> { ["Sec-GPC"] = "1" },
        });
        await reader.AddInitScriptAsync("Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })");
        var page = await reader.NewPageAsync();
        var campaign = Guid.NewGuid().ToString("N");

        await page.GotoAsync($"{brand.Origin}/autumn?utm_source=gpc&utm_campaign={campaign}");
        var views = await AnalyticsData.EventuallyAsync(() => AnalyticsData.WithDbAsync(site.App.Services,
            db => db.PageViews.AsNoTracking().Where(v => v.UtmCampaign == campaign).ToListAsync()), rows => rows.Count > 0, what: "the page view");

        var view = Assert.Single(views);
        Assert.Null(view.VisitorId);
        Assert.Null(view.VisitorHash);
        Assert.Empty(await reader.CookiesAsync([brand.Origin, site.BaseUrl]));
        Assert.Null(await page.EvaluateAsync<string?>("() => publisher.visitorId()"));
    }

    /// <summary>What an Admin does on Analytics → Settings: the brand's site may report.</summary>
    private async Task AllowSiteAsync(string origin, bool requireConsent = false)
    {
        await using (var scope = site.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var settings = await db.AnalyticsSettings.SingleAsync(s => s.Id == AnalyticsSettings.SingletonId);
            settings.SiteOrigins = [.. settings.SiteOrigins.Where(o => o != origin), origin];
            settings.RequireConsent = requireConsent;
            await db.SaveChangesAsync();
        }
        site.App.Services.GetRequiredService<SiteSettingsCache>().Invalidate();
    }
}
