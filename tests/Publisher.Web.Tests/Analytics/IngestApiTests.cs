using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Publisher.Analytics.Events;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Analytics;

[Collection(WebAppCollection.Name)]
public class IngestApiTests(PublisherWebApp app)
{
    /// <summary>An admin makes a key on the settings page, which shows it once.</summary>
    public static async Task<string> CreateKeyAsync(PublisherWebApp app, string name)
    {
        var admin = await app.SignedInAsync(Roles.Admin);
        var created = await PublisherWebApp.PostFormAsync(admin, "/Analytics/Settings", "CreateKey", ("KeyName", name));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var page = WebUtility.HtmlDecode(await admin.GetStringAsync("/Analytics/Settings"));
        var key = Regex.Match(page, "<code class=\"secret\" id=\"new-key\">([^<]+)</code>").Groups[1].Value;
        Assert.StartsWith("pub_", key);
        Assert.DoesNotContain(key, WebUtility.HtmlDecode(await admin.GetStringAsync("/Analytics/Settings"))); // once
        return key;
    }

    private HttpRequestMessage Batch(string? key, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    private Task<int> StoredAsync(string prefix) =>
        AnalyticsData.WithDbAsync(app.Services, db => db.Conversions.CountAsync(c => c.EventId.StartsWith(prefix)));

    [Fact]
    public async Task A_batch_is_stored_once_however_often_it_is_sent()
    {
        var key = await CreateKeyAsync(app, "Shop");
        var prefix = $"order-{Guid.NewGuid():N}-";
        var json = $$"""
            {"events":[
              {"id":"{{prefix}}1","type":"sale","value":42.50,"currency":"EUR","visitorId":"v1"},
              {"id":"{{prefix}}2","type":"qualified","emailSha256":"{{new string('a', 64)}}"},
              {"id":"{{prefix}}1","type":"contact","visitorId":"v1"}
            ]}
            """;
        var client = app.NewClient();

        var first = await client.SendAsync(Batch(key, json));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var answer = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, answer.GetProperty("stored").GetInt32());

        var again = await client.SendAsync(Batch(key, json));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        answer = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, answer.GetProperty("stored").GetInt32());
        Assert.Equal(3, answer.GetProperty("duplicates").GetInt32());

        Assert.Equal(3, await StoredAsync(prefix));
        var sale = await AnalyticsData.WithDbAsync(app.Services, db => db.Conversions.SingleAsync(c => c.EventId == prefix + "1" && c.Kind == (short)ConversionKind.Sale));
        Assert.Equal(42.5m, sale.Value);
        Assert.Equal("EUR", sale.Currency);
        Assert.Equal("api", sale.Source);
        // The settings page shows when a key was last used: the lookup notes it.
        Assert.NotNull(await AnalyticsData.WithDbAsync(app.Services, db => db.IngestKeys.Where(k => k.Prefix == key.Substring(0, 10)).Select(k => k.LastUsedAt).SingleAsync()));
    }

    [Fact]
    public async Task A_batch_with_a_bad_event_is_refused_whole_naming_each_event_and_field()
    {
        var key = await CreateKeyAsync(app, "CRM");
        var prefix = $"lead-{Guid.NewGuid():N}-";
        var json = $$"""
            {"events":[
              {"id":"{{prefix}}ok","type":"contact"},
              {"id":"{{prefix}}bad","type":"sale","value":-3,"currency":"EURO"}
            ]}
            """;
        var response = await app.NewClient().SendAsync(Batch(key, json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("index").GetInt32(), e.GetProperty("id").GetString(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal([(1, prefix + "bad", "value"), (1, prefix + "bad", "currency")], errors);
        Assert.Contains("nothing of this batch was stored", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await StoredAsync(prefix));

        var notJson = await app.NewClient().SendAsync(Batch(key, "{\"events\": ["));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
    }

    [Fact]
    public async Task No_key_a_wrong_key_and_a_revoked_key_are_401()
    {
        var key = await CreateKeyAsync(app, "Old shop");
        var prefix = $"r-{Guid.NewGuid():N}-";
        string One(int n) => $$"""{"events":[{"id":"{{prefix}}{{n}}","type":"contact"}]}""";
        var client = app.NewClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Batch(null, One(1)))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Batch("pub_not-a-key", One(2)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Batch(key, One(3)))).StatusCode);

        var admin = await app.SignedInAsync(Roles.Admin);
        var id = await AnalyticsData.WithDbAsync(app.Services, db => db.IngestKeys.Where(k => k.Name == "Old shop").Select(k => k.Id).SingleAsync());
        var revoked = await PublisherWebApp.PostFormAsync(admin, "/Analytics/Settings", "RevokeKey", ("id", id.ToString()));
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);

        var refused = await client.SendAsync(Batch(key, One(4)));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("Bearer", refused.Headers.WwwAuthenticate.ToString());
        Assert.Equal(1, await StoredAsync(prefix));
        Assert.NotNull(await AnalyticsData.WithDbAsync(app.Services, db => db.IngestKeys.Where(k => k.Id == id).Select(k => k.RevokedAt).SingleAsync()));
    }

    [Fact]
    public async Task Only_admins_manage_keys()
    {
        var marketer = await app.SignedInAsync(Roles.Marketer);
        Assert.Equal(HttpStatusCode.Forbidden, (await marketer.GetAsync("/Analytics/Settings")).StatusCode);
    }
}
