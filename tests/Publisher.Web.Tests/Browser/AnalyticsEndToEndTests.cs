using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Publisher.Core.Domain;
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

    /// <summary>The brand's own site on loopback: a landing page that loads Publisher's /t.js and its own form script (no inline script).</summary>
    private sealed class BrandSite : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private BrandSite(WebApplication app, string origin) => (_app, Origin) = (app, origin);

        public string Origin { get; }

        public static async Task<BrandSite> StartAsync(string publisher)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            app.MapGet("/autumn", (HttpContext http) =>
            {
                http.Response.Headers.ContentSecurityPolicy = $"default-src 'self'; script-src 'self' {publisher}; connect-src {publisher}";
                return Results.Content($$"""
                    <!doctype html><html><head><title>Autumn Blend</title>
                    <script src="{{publisher}}/t.js" defer></script><script src="/site.js" defer></script></head>
                    <body><h1>Autumn Blend</h1><p id="ready" hidden>ready</p>
                    <form id="contact"><input id="email" type="email" required><button id="send">Send</button></form>
                    <p id="thanks" hidden>Thank you</p></body></html>
                    """, "text/html");
            });
            app.MapGet("/site.js", () => Results.Content("""
                if (window.publisher) document.getElementById('ready').hidden = false;
                document.getElementById('contact').addEventListener('submit', function (e) {
                  e.preventDefault();
                  publisher.track('contact', { id: 'form-' + Date.now(), email: document.getElementById('email').value });
                  document.getElementById('thanks').hidden = false;
                });
                """, "text/javascript"));
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
            return new BrandSite(app, address);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
