using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Api;

/// <summary>
/// POST /api/render tells the editor what each network links (X's entities, Bluesky's facets) for renderings and
/// hand edits alike, and counts a thread post by post.
/// </summary>
[Collection(WebAppCollection.Name)]
public class RenderApiEntityTests(PublisherWebApp app)
{
    private async Task<HttpClient> ClientAsync()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var html = await client.GetStringAsync("/Calendar");
        client.DefaultRequestHeaders.Add("RequestVerificationToken",
            WebUtility.HtmlDecode(Regex.Match(html, "name=\"request-verification-token\" content=\"([^\"]+)\"").Groups[1].Value));
        return client;
    }

    private async Task<Guid> AccountAsync(string kind, bool threads = false)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var account = new ChannelAccount { Name = $"{kind} {Guid.NewGuid():N}", Kind = kind, AllowThreads = threads, UtmEnabled = false };
        db.ChannelAccounts.Add(account);
        await db.SaveChangesAsync();
        return account.Id;
    }

    private static async Task<JsonElement> VariantAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("variants")[0];
    }

    private static List<(string Type, string Text)> Entities(JsonElement owner, string text) =>
        owner.GetProperty("entities").EnumerateArray()
            .Select(e => (e.GetProperty("type").GetString()!, text[e.GetProperty("start").GetInt32()..e.GetProperty("end").GetInt32()])).ToList();

    [Fact]
    public async Task An_x_edit_comes_with_twitter_texts_entities_and_their_ranges()
    {
        var account = await AccountAsync("X");
        var client = await ClientAsync();
        const string edit = "Fig & cocoa, by hand: northwind.com/autumn #AutumnBlend @northwind $NWND a#not";
        var variant = await VariantAsync(await client.PostAsJsonAsync("/api/render", new
        {
            message = new { title = "Autumn Blend", body = "Notes of fig." },
            accountIds = new[] { account },
            edits = new Dictionary<Guid, string> { [account] = edit },
        }));

        Assert.Equal(edit, variant.GetProperty("editText").GetString());
        Assert.Equal([("link", "northwind.com/autumn"), ("hashtag", "#AutumnBlend"), ("mention", "@northwind"), ("cashtag", "$NWND")],
            Entities(variant, edit));
        Assert.Equal(Entities(variant, edit), Entities(variant.GetProperty("parts")[0], edit));
    }

    [Fact]
    public async Task A_bluesky_edit_is_shortened_and_keeps_its_facets()
    {
        var account = await AccountAsync("Bluesky");
        var client = await ClientAsync();
        var variant = await VariantAsync(await client.PostAsJsonAsync("/api/render", new
        {
            message = new { title = "Holiday Roast", body = "It is back.", link = "https://northwind.com/holiday?ref=launch" },
            accountIds = new[] { account },
            edits = new Dictionary<Guid, string> { [account] = "Back by hand: https://northwind.com/holiday?ref=launch #HolidayRoast" },
        }));

        var text = variant.GetProperty("editText").GetString()!;
        Assert.Equal("Back by hand: northwind.com/holiday?ref=... #HolidayRoast", text);
        var facets = variant.GetProperty("facets").EnumerateArray().ToList();
        var link = facets.Single(f => f.GetProperty("type").GetString() == "app.bsky.richtext.facet#link");
        Assert.Equal("https://northwind.com/holiday?ref=launch", link.GetProperty("value").GetString());
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.Equal("northwind.com/holiday?ref=...", Encoding.UTF8.GetString(bytes[link.GetProperty("byteStart").GetInt32()..link.GetProperty("byteEnd").GetInt32()]));
        Assert.Contains(facets, f => f.GetProperty("value").GetString() == "HolidayRoast");
        Assert.Equal([("link", "northwind.com/holiday?ref=..."), ("hashtag", "#HolidayRoast")], Entities(variant, text));
        Assert.Equal(ChannelCountOf(text), variant.GetProperty("count").GetProperty("used").GetInt32());
    }

    private static int ChannelCountOf(string text) => new System.Globalization.StringInfo(text).LengthInTextElements;

    [Fact]
    public async Task A_threaded_variant_counts_each_post_against_the_limit_and_is_not_over()
    {
        var account = await AccountAsync("Mastodon", threads: true);
        var client = await ClientAsync();
        var body = string.Join(' ', Enumerable.Repeat("Our roastery opens its doors on Saturday for tastings.", 11));
        var variant = await VariantAsync(await client.PostAsJsonAsync("/api/render", new { message = new { title = "Open day", body }, accountIds = new[] { account } }));

        var count = variant.GetProperty("count");
        Assert.True(count.GetProperty("threaded").GetBoolean());
        Assert.True(count.GetProperty("used").GetInt32() > 500);
        Assert.False(count.GetProperty("overLimit").GetBoolean());
        var parts = variant.GetProperty("parts").EnumerateArray().ToList();
        Assert.True(parts.Count > 1);
        Assert.All(parts, p => Assert.InRange(p.GetProperty("count").GetProperty("used").GetInt32(), 1, 500));
        Assert.All(parts, p => Assert.False(p.GetProperty("count").GetProperty("overLimit").GetBoolean()));
    }

    [Fact]
    public async Task A_too_long_post_on_an_account_without_threads_says_what_it_leaves_out_or_that_it_is_too_long()
    {
        var account = await AccountAsync("X");
        var client = await ClientAsync();
        // One key fact as long as a key fact may be (300 characters): longer than an X post on its own.
        var facts = new[] { string.Join(' ', Enumerable.Repeat("Every plan ships free across Europe, pauses for two months and cancels any time.", 4))[..300].TrimEnd() };
        var variant = await VariantAsync(await client.PostAsJsonAsync("/api/render", new
        {
            message = new { title = "Plans", body = "New plans.", link = "https://northwind.com/plans", keyFacts = facts },
            accountIds = new[] { account },
        }));
        Assert.Contains(variant.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("code").GetString() == "variant.too-long");
        Assert.Contains(facts[0], variant.GetProperty("text").GetString());
    }
}
