using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Analytics.Links;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Analytics;

/// <summary>The dashboard and its exports over real rollups: a journey through the app's own endpoints, shown per channel.</summary>
[Collection(WebAppCollection.Name)]
public class DashboardTests(PublisherWebApp app)
{
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

    private async Task<HttpClient> SignedInInZoneAsync(string zone)
    {
        var email = $"analyst-{Guid.NewGuid():N}@tests.publisher.local";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = new AppUser { UserName = email, Email = email, DisplayName = "Analyst", EmailConfirmed = true, TimeZone = zone };
            Assert.True((await users.CreateAsync(user, PublisherWebApp.Password)).Succeeded);
            await users.AddToRoleAsync(user, Roles.Approver);
        }
        return await app.SignInAsync(email, PublisherWebApp.Password);
    }

    private async Task SendEventsAsync(string key, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await app.NewClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string Cell(string html, string channelKey, string model, string kind)
    {
        var row = Regex.Match(html, $"<tr data-channel=\"{Regex.Escape(channelKey)}\">(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(row.Success, $"No row for {channelKey} in the channel table");
        return Regex.Match(row.Groups[1].Value, $"<td data-model=\"{model}\" data-kind=\"{kind}\">([^<]*)</td>").Groups[1].Value;
    }

    [Fact]
    public async Task A_click_a_visit_a_contact_and_a_sale_show_under_their_channel_in_both_models_and_in_the_csv()
    {
        var variant = await AnalyticsData.VariantAsync(app.Services, kind: "Mastodon");
        var client = app.NewClient();
        var redirect = new HttpRequestMessage(HttpMethod.Get, $"/l/{variant.Links[0].Code}");
        redirect.Headers.TryAddWithoutValidation("User-Agent", Chrome);
        var location = (await client.SendAsync(redirect)).Headers.Location!;
        var pcid = System.Web.HttpUtility.ParseQueryString(location.Query)["pcid"]!;
        Assert.True(ClickIds.TryParse(pcid, out _));

        var key = await IngestApiTests.CreateKeyAsync(app, "Dashboard shop");
        var id = Guid.NewGuid().ToString("N");
        // Sent without a time: they happen when they arrive, after the click.
        await SendEventsAsync(key, $$"""
            {"events":[
              {"id":"lead-{{id}}","type":"contact","clickId":"{{pcid}}","emailSha256":"{{new string('c', 64)}}"},
              {"id":"lead-{{id}}","type":"qualified","emailSha256":"{{new string('c', 64)}}"},
              {"id":"order-{{id}}","type":"sale","emailSha256":"{{new string('c', 64)}}","value":120,"currency":"EUR"}
            ]}
            """);

        var analyst = await SignedInInZoneAsync("Europe/Paris");
        var channel = "account:" + variant.AccountId.ToString("N");
        var html = await AnalyticsData.EventuallyAsync(async () => WebUtility.HtmlDecode(await analyst.GetStringAsync("/Analytics")),
            h => h.Contains($"data-channel=\"{channel}\"") && Cell(h, channel, "last_touch", "revenue") != "–", what: "the channel's row with its sale");
        foreach (var model in new[] { "first_touch", "last_touch" })
        {
            Assert.Equal("1", Cell(html, channel, model, "contact"));
            Assert.Equal("1", Cell(html, channel, model, "qualified"));
            Assert.Equal("1", Cell(html, channel, model, "sale"));
            Assert.Equal("120.00 EUR", Cell(html, channel, model, "revenue"));
        }
        Assert.Contains("Europe/Paris", html);
        Assert.DoesNotContain("data-model=\"linear\"", html);
        var all = WebUtility.HtmlDecode(await analyst.GetStringAsync("/Analytics?models=all"));
        Assert.Equal("1", Cell(all, channel, "linear", "sale"));
        Assert.Equal("1", Cell(all, channel, "position_based", "contact"));

        var csv = await analyst.GetAsync("/Analytics?handler=Csv&table=channels");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("channel,channel_key,kind,clicks,previews,visitors,sessions_first_touch,", lines[0]);
        var line = Assert.Single(lines, l => l.Contains(channel));
        Assert.Contains(",120.00 EUR,", line);
        foreach (var table in new[] { "daily", "variants", "campaigns", "engagement" })
            Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync($"/Analytics?handler=Csv&table={table}")).StatusCode);
    }

    [Fact]
    public async Task Days_are_the_users_local_days_on_the_day_the_clocks_change()
    {
        var key = await IngestApiTests.CreateKeyAsync(app, "DST shop");
        var id = Guid.NewGuid().ToString("N");
        // Paris, 29 March 2026 (23 hours): 22:59 UTC on the 28th is 23:59 local (the 28th), 23:00 UTC is 00:00 on the 29th,
        // 21:59 UTC on the 29th is 23:59 local, 22:00 UTC is already the 30th.
        await SendEventsAsync(key, $$"""
            {"events":[
              {"id":"dst-{{id}}-a","type":"sale","value":1,"currency":"EUR","time":"2026-03-28T22:59:00Z"},
              {"id":"dst-{{id}}-b","type":"sale","value":10,"currency":"EUR","time":"2026-03-28T23:00:00Z"},
              {"id":"dst-{{id}}-c","type":"sale","value":100,"currency":"EUR","time":"2026-03-29T21:59:00Z"},
              {"id":"dst-{{id}}-d","type":"sale","value":1000,"currency":"EUR","time":"2026-03-29T22:00:00Z"}
            ]}
            """);
        var analyst = await SignedInInZoneAsync("Europe/Paris");
        var html = await AnalyticsData.EventuallyAsync(async () => WebUtility.HtmlDecode(await analyst.GetStringAsync("/Analytics?from=2026-03-29&to=2026-03-29")),
            h => h.Contains("data-channel=\"direct\""), what: "the direct sales of 29 March");
        Assert.Equal("110.00 EUR", Cell(html, "direct", "last_touch", "revenue"));
        Assert.Equal("2", Cell(html, "direct", "first_touch", "sale"));

        var utc = await SignedInInZoneAsync("UTC");
        var inUtc = WebUtility.HtmlDecode(await utc.GetStringAsync("/Analytics?from=2026-03-29&to=2026-03-29"));
        Assert.Equal("1,100.00 EUR", Cell(inUtc, "direct", "last_touch", "revenue"));
    }

    [Fact]
    public async Task A_range_ending_before_it_starts_is_explained()
    {
        var analyst = await SignedInInZoneAsync("UTC");
        var html = WebUtility.HtmlDecode(await analyst.GetStringAsync("/Analytics?from=2026-05-02&to=2026-05-01"));
        Assert.Contains("The end of the range is before its start", html);
    }

    [Fact]
    public async Task The_settings_warn_when_tracked_links_point_at_an_address_readers_cannot_open()
    {
        // The test app answers on the default public address, 127.0.0.1: nobody on a network could follow its short links.
        var admin = await app.SignedInAsync(Roles.Admin);
        var page = await admin.GetStringAsync("/Analytics/Settings");
        var warning = Regex.Match(page, "<p[^>]*id=\"public-url-warning\"[^>]*>(?<text>.*?)</p>", RegexOptions.Singleline);
        Assert.True(warning.Success, "the settings page warns about the loopback public address");
        Assert.Contains("a loopback address", warning.Groups["text"].Value);
        Assert.Contains("PUBLISHER_URL", warning.Groups["text"].Value);
    }
}
