using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Api;

[Collection(WebAppCollection.Name)]
public class RenderApiTests(PublisherWebApp app)
{
    private static async Task<HttpClient> WithTokenAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/Calendar");
        var token = Regex.Match(html, "name=\"request-verification-token\" content=\"([^\"]+)\"").Groups[1].Value;
        client.DefaultRequestHeaders.Add("RequestVerificationToken", WebUtility.HtmlDecode(token));
        return client;
    }

    private static object Message(string body) => new
    {
        message = new { title = "Autumn Blend is here", body, link = "https://northwind.example/autumn?ref=home", hashtags = new[] { "coffee", "autumn", "roastery" } },
        channels = new[] { "X", "Mastodon", "Email" },
    };

    [Fact]
    public async Task The_preview_of_a_saved_message_credits_its_author_whoever_edits_it()
    {
        var marketer = await app.SignedInAsync(Roles.Marketer);
        var blog = await Editor.AccountsAsync(app, "Blog");
        var id = Editor.SavedMessageId(await Editor.PostAsync(marketer, "/Messages/New", Editor.Fields("Byline under test", "Autumn Blend is back.", blog)));
        var manager = await WithTokenAsync(await app.SignedInAsync(Roles.BrandManager));
        Assert.Contains($"data-message-id=\"{id}\"", await manager.GetStringAsync($"/Messages/Edit/{id}"));

        async Task<string> BlogHtmlAsync(Guid? messageId)
        {
            var response = await manager.PostAsJsonAsync("/api/render", new { message = new { title = "Byline under test", body = "Autumn Blend is back." }, channels = new[] { "Blog" }, messageId });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return WebUtility.HtmlDecode(json.RootElement.GetProperty("variants")[0].GetProperty("html").GetString()!);
        }

        Assert.Contains("By Marketer Tester", await BlogHtmlAsync(id));
        // A message not saved yet is the editing user's own.
        Assert.Contains("By BrandManager Tester", await BlogHtmlAsync(null));
        // Saved by the brand manager, the byline stays the author's.
        var message = await Editor.LoadAsync(app, id);
        Editor.SavedMessageId(await Editor.PostAsync(manager, $"/Messages/Edit/{id}", Editor.EditFields(message, body: "Autumn Blend is back, and bolder.")));
        var saved = (await Editor.LoadAsync(app, id)).Variants.Single();
        Assert.Contains("By Marketer Tester", WebUtility.HtmlDecode(saved.RenderedHtml));
    }

    [Fact]
    public async Task Renders_one_variant_per_channel_with_counts_against_each_networks_limit()
    {
        var client = await WithTokenAsync(await app.SignedInAsync(Roles.Marketer));
        var response = await client.PostAsJsonAsync("/api/render", Message("Notes of fig, cocoa and toasted hazelnut."));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var variants = json.RootElement.GetProperty("variants").EnumerateArray().ToDictionary(v => v.GetProperty("kind").GetString()!);

        Assert.Equal(["Email", "Mastodon", "X"], variants.Keys.Order());
        Assert.Equal(280, variants["X"].GetProperty("count").GetProperty("limit").GetInt32());
        Assert.Equal(500, variants["Mastodon"].GetProperty("count").GetProperty("limit").GetInt32());
        var x = variants["X"];
        Assert.True(x.GetProperty("success").GetBoolean());
        Assert.Contains("utm_source=", x.GetProperty("text").GetString());
        Assert.Contains("ref=home", x.GetProperty("text").GetString());
        Assert.InRange(x.GetProperty("count").GetProperty("used").GetInt32(), 20, 280);
        Assert.False(string.IsNullOrEmpty(variants["Email"].GetProperty("html").GetString()));
        Assert.Equal("Autumn Blend is here", variants["Email"].GetProperty("subject").GetString());
    }

    [Fact]
    public async Task An_x_variant_over_280_is_an_error_that_gives_the_exact_numbers()
    {
        var client = await WithTokenAsync(await app.SignedInAsync(Roles.Marketer));
        var longBody = string.Join(' ', Enumerable.Repeat("Slow roasted beans with bright acidity.", 12));
        var response = await client.PostAsJsonAsync("/api/render", new { message = new { title = "Long", body = longBody }, channels = new[] { "X" } });
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var x = json.RootElement.GetProperty("variants")[0];
        var used = x.GetProperty("count").GetProperty("used").GetInt32();
        Assert.True(used > 280);
        Assert.False(x.GetProperty("success").GetBoolean());
        var error = x.GetProperty("diagnostics").EnumerateArray().First(d => d.GetProperty("severity").GetString() == "error");
        Assert.Contains(used.ToString(), error.GetProperty("message").GetString());
        Assert.Contains("280", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_5_mb_body_gets_a_clear_message_and_the_app_keeps_working()
    {
        var client = await WithTokenAsync(await app.SignedInAsync(Roles.Marketer));
        var huge = new string('a', 5 * 1024 * 1024);
        var response = await client.PostAsJsonAsync("/api/render", new { message = new { title = "Huge", body = huge }, channels = new[] { "LinkedIn" } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var variant = json.RootElement.GetProperty("variants")[0];
        Assert.False(variant.GetProperty("success").GetBoolean());
        Assert.Contains(variant.GetProperty("diagnostics").EnumerateArray(),
            d => d.GetProperty("severity").GetString() == "error" && d.GetProperty("message").GetString()!.Length > 20);

        var after = await client.PostAsJsonAsync("/api/render", Message("Still fine."));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Every_channel_kind_renders_without_a_server_error()
    {
        var client = await WithTokenAsync(await app.SignedInAsync(Roles.Marketer));
        var kinds = Enum.GetNames<Publisher.Templates.Channels.ChannelKind>();
        var response = await client.PostAsJsonAsync("/api/render", new
        {
            message = new { title = "Autumn Blend", body = "Notes of fig and cocoa.", summary = (string?)null, link = (string?)null, hashtags = Array.Empty<string>() },
            channels = kinds,
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(kinds.Length, json.RootElement.GetProperty("variants").GetArrayLength());
    }

    [Fact]
    public async Task An_unknown_channel_is_refused_with_the_list_of_known_ones()
    {
        var client = await WithTokenAsync(await app.SignedInAsync(Roles.Marketer));
        var response = await client.PostAsJsonAsync("/api/render", new { message = new { title = "t", body = "b" }, channels = new[] { "MySpace" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("MySpace", body);
        Assert.Contains("Bluesky", body);
    }

    [Fact]
    public async Task Rendering_needs_the_antiforgery_header()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var response = await client.PostAsJsonAsync("/api/render", Message("x"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task An_approver_who_does_not_author_gets_403()
    {
        var client = await WithTokenAsync(await app.SignedInAsync(Roles.Approver));
        var response = await client.PostAsJsonAsync("/api/render", Message("x"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}

[Collection(WebAppCollection.Name)]
public class RenderApiAccountTests(PublisherWebApp app)
{
    [Fact]
    public async Task Renders_for_channel_accounts_with_their_thread_setting()
    {
        Guid threaded, single;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var a = new ChannelAccount { Name = $"Threads {Guid.NewGuid():N}", Kind = "Mastodon", AllowThreads = true };
            var b = new ChannelAccount { Name = $"Single {Guid.NewGuid():N}", Kind = "Mastodon" };
            db.ChannelAccounts.AddRange(a, b);
            await db.SaveChangesAsync();
            (threaded, single) = (a.Id, b.Id);
        }

        var client = await app.SignedInAsync(Roles.Marketer);
        var html = await client.GetStringAsync("/Calendar");
        client.DefaultRequestHeaders.Add("RequestVerificationToken",
            WebUtility.HtmlDecode(Regex.Match(html, "name=\"request-verification-token\" content=\"([^\"]+)\"").Groups[1].Value));
        var body = string.Join(' ', Enumerable.Repeat("Our roastery opens its doors on Saturday for tastings.", 14));
        var response = await client.PostAsJsonAsync("/api/render", new { message = new { title = "Open day", body }, accountIds = new[] { threaded, single } });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var json = JsonDocument.Parse(text);
        var variants = json.RootElement.GetProperty("variants");
        Assert.Equal(threaded, variants[0].GetProperty("accountId").GetGuid());
        Assert.True(variants[0].GetProperty("parts").GetArrayLength() > 1, "the account that allows threads gets a thread");
        Assert.True(variants[0].GetProperty("success").GetBoolean());
        Assert.Equal(single, variants[1].GetProperty("accountId").GetGuid());
        Assert.False(variants[1].GetProperty("success").GetBoolean());
    }
}

[Collection(WebAppCollection.Name)]
public class RenderApiFindingTests(PublisherWebApp app)
{
    [Fact]
    public async Task Each_variant_comes_with_its_style_findings_spans_fixes_and_score()
    {
        await Publisher.Web.Tests.Messages.Editor.SeedDefaultsAsync(app);
        var client = await app.SignedInAsync(Roles.Marketer);
        var html = await client.GetStringAsync("/Calendar");
        client.DefaultRequestHeaders.Add("RequestVerificationToken",
            WebUtility.HtmlDecode(Regex.Match(html, "name=\"request-verification-token\" content=\"([^\"]+)\"").Groups[1].Value));
        var response = await client.PostAsJsonAsync("/api/render", new
        {
            message = new { title = "Autumn Blend", body = "Our beans are cheap. Come in order to taste them." },
            channels = new[] { "Mastodon" },
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var json = JsonDocument.Parse(text);
        var variant = json.RootElement.GetProperty("variants")[0];
        var body = variant.GetProperty("text").GetString()!;
        var findings = variant.GetProperty("findings").EnumerateArray().ToList();

        var banned = findings.Single(f => f.GetProperty("ruleId").GetString() == "vocabulary.banned");
        Assert.Equal("error", banned.GetProperty("severity").GetString());
        Assert.Equal("body", banned.GetProperty("field").GetString());
        Assert.Equal("cheap", body.Substring(banned.GetProperty("start").GetInt32(), banned.GetProperty("length").GetInt32()));
        Assert.False(string.IsNullOrEmpty(banned.GetProperty("key").GetString()));

        var plain = findings.Single(f => f.GetProperty("ruleId").GetString() == "plain-words");
        Assert.Equal("suggestion", plain.GetProperty("severity").GetString());
        Assert.Equal("to", plain.GetProperty("fix").GetString());
        Assert.Equal("in order to", body.Substring(plain.GetProperty("start").GetInt32(), plain.GetProperty("length").GetInt32()));
        Assert.InRange(variant.GetProperty("score").GetInt32(), 0, 75);
    }

    [Fact]
    public async Task A_hand_edit_sent_with_the_request_is_what_gets_checked()
    {
        await Publisher.Web.Tests.Messages.Editor.SeedDefaultsAsync(app);
        var account = (await Publisher.Web.Tests.Messages.Editor.AccountsAsync(app, "X"))[0];
        var client = await app.SignedInAsync(Roles.Marketer);
        var html = await client.GetStringAsync("/Calendar");
        client.DefaultRequestHeaders.Add("RequestVerificationToken",
            WebUtility.HtmlDecode(Regex.Match(html, "name=\"request-verification-token\" content=\"([^\"]+)\"").Groups[1].Value));
        var response = await client.PostAsJsonAsync("/api/render", new
        {
            message = new { title = "Autumn Blend", body = "Notes of fig." },
            accountIds = new[] { account },
            edits = new Dictionary<Guid, string> { [account] = "Pure synergy in a cup." },
        });
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var variant = json.RootElement.GetProperty("variants")[0];
        Assert.True(variant.GetProperty("edited").GetBoolean());
        Assert.Equal("Pure synergy in a cup.".Length, variant.GetProperty("count").GetProperty("used").GetInt32());
        var banned = variant.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "vocabulary.banned");
        Assert.Equal(5, banned.GetProperty("start").GetInt32());
        Assert.Equal("synergy", banned.GetProperty("matchedText").GetString());
    }
}

[Collection(WebAppCollection.Name)]
public class RenderApiThreadsInstagramTests(PublisherWebApp app)
{
    [Fact]
    public async Task The_editor_preview_threads_a_long_Threads_post_and_says_an_Instagram_post_needs_media()
    {
        Guid threads, instagram;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var a = new ChannelAccount { Name = $"Threads {Guid.NewGuid():N}", Kind = "Threads", AllowThreads = true };
            var b = new ChannelAccount { Name = $"Instagram {Guid.NewGuid():N}", Kind = "Instagram" };
            db.ChannelAccounts.AddRange(a, b);
            await db.SaveChangesAsync();
            (threads, instagram) = (a.Id, b.Id);
        }

        var client = await app.SignedInAsync(Roles.Marketer);
        var html = await client.GetStringAsync("/Calendar");
        client.DefaultRequestHeaders.Add("RequestVerificationToken",
            WebUtility.HtmlDecode(Regex.Match(html, "name=\"request-verification-token\" content=\"([^\"]+)\"").Groups[1].Value));
        var body = string.Join(' ', Enumerable.Repeat("Our roastery opens its doors on Saturday for tastings.", 14));
        var response = await client.PostAsJsonAsync("/api/render", new { message = new { title = "Open day", body, hashtags = new[] { "coffee" } }, accountIds = new[] { threads, instagram } });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var json = JsonDocument.Parse(text);
        var variants = json.RootElement.GetProperty("variants");

        var thread = variants[0];
        Assert.Equal("Threads", thread.GetProperty("kind").GetString());
        Assert.Equal(500, thread.GetProperty("count").GetProperty("limit").GetInt32());
        Assert.True(thread.GetProperty("parts").GetArrayLength() > 1, "a Threads account that allows threads gets replies");
        Assert.True(thread.GetProperty("success").GetBoolean(), text);

        var caption = variants[1];
        Assert.Equal("Instagram", caption.GetProperty("kind").GetString());
        Assert.Equal(2200, caption.GetProperty("count").GetProperty("limit").GetInt32());
        var diagnostics = caption.GetProperty("diagnostics").EnumerateArray().ToList();
        var required = Assert.Single(diagnostics, d => d.GetProperty("code").GetString() == "media.required");
        Assert.Contains("no post without an image or a video", required.GetProperty("message").GetString());
        Assert.False(caption.GetProperty("success").GetBoolean());
    }
}
