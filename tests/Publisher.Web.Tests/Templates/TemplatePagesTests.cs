using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Templates.Rendering;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Templates;

[Collection(WebAppCollection.Name)]
public class TemplatePagesTests(PublisherWebApp app)
{
    // Line 2 opens an `if` that is never closed: a syntax error Scriban reports.
    private const string BrokenTemplate = "{{ message.title }}\n{{ if message.summary }}\n{{ message.summary }}\n";
    private const string GoodTemplate = "{{ message.title }}\n{{ link }}\n";

    private async Task<List<ChannelTemplateVersion>> VersionsAsync(string kind)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().ChannelTemplateVersions
            .Where(t => t.Kind == kind).OrderBy(t => t.Number).ToListAsync();
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string kind, string handler, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = await PublisherWebApp.AntiforgeryTokenAsync(client, $"/Templates/Edit/{kind}");
        return await client.PostAsync($"/Templates/Edit/{kind}?handler={handler}", new FormUrlEncodedContent(fields));
    }

    private static async Task<HttpClient> WithApiTokenAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/Calendar");
        var token = Regex.Match(html, "name=\"request-verification-token\" content=\"([^\"]+)\"").Groups[1].Value;
        client.DefaultRequestHeaders.Add("RequestVerificationToken", WebUtility.HtmlDecode(token));
        return client;
    }

    [Fact]
    public async Task A_saved_template_lists_the_posts_it_would_change_and_re_rendering_them_sends_approved_ones_back_to_review()
    {
        await Editor.SeedDefaultsAsync(app);
        var marketer = await app.SignedInAsync(Roles.Marketer);
        var accounts = await Editor.AccountsAsync(app, "LinkedIn", "LinkedIn", "LinkedIn");
        var id = Editor.SavedMessageId(await Editor.PostAsync(marketer, "/Messages/New", Editor.Fields("Template change under test", "Autumn Blend is back.", accounts)));
        var variants = (await Editor.LoadAsync(app, id)).Variants.ToDictionary(v => v.ChannelAccountId, v => v.Id);
        var (draft, approved, published) = (variants[accounts[0]], variants[accounts[1]], variants[accounts[2]]);
        var publishedText = await Editor.WithDbAsync(app, async db =>
        {
            var approver = await db.Users.SingleAsync(u => u.Email == PublisherWebApp.EmailFor(Roles.Approver));
            var a = await db.Variants.SingleAsync(v => v.Id == approved);
            a.State = VariantState.Approved;
            db.Approvals.Add(new Approval
            {
                VariantId = a.Id, ApproverId = approver.Id, ContentHash = a.ContentHash, ContentText = a.RenderedText,
                Decision = ApprovalDecision.Approved, Step = 0, Role = Roles.Approver, At = DateTimeOffset.UtcNow,
            });
            var p = await db.Variants.SingleAsync(v => v.Id == published);
            p.State = VariantState.Published;
            p.PublishedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync();
            return p.RenderedText;
        });

        var manager = await app.SignedInAsync(Roles.BrandManager);
        var before = (await VersionsAsync("LinkedIn")).LastOrDefault()?.Source ?? DefaultTemplates.For(ChannelKind.LinkedIn);
        try
        {
            var saved = await PostAsync(manager, "LinkedIn", "Save", new() { ["Source"] = "{{ message.title }} (new sign-off)\n{{ link }}\n", ["Note"] = "sign-off" });
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
            var page = WebUtility.HtmlDecode(await manager.GetStringAsync("/Templates/Edit/LinkedIn"));
            Assert.Contains("would look different: see below", page);
            Assert.Contains($"data-outdated=\"{draft}\"", page);
            Assert.Contains($"data-outdated=\"{approved}\"", page);
            Assert.DoesNotContain($"data-outdated=\"{published}\"", page);
            Assert.Contains("approved or scheduled", page);
            // Saving changed nothing yet.
            Assert.DoesNotContain("(new sign-off)", (await Editor.WithDbAsync(app, db => db.Variants.SingleAsync(v => v.Id == draft))).RenderedText);

            var listed = Regex.Matches(page, "name=\"ids\" value=\"([0-9a-f-]{36})\"").Select(m => m.Groups[1].Value).ToList();
            Assert.Contains(draft.ToString(), listed);
            Assert.Contains(approved.ToString(), listed);
            // Other tests' LinkedIn variants may be listed too: re-render just this test's, as the form would post them.
            var fields = new List<KeyValuePair<string, string>>([KeyValuePair.Create("ids", draft.ToString()), KeyValuePair.Create("ids", approved.ToString())])
            {
                KeyValuePair.Create("__RequestVerificationToken", await PublisherWebApp.AntiforgeryTokenAsync(manager, "/Templates/Edit/LinkedIn")),
            };
            var rerendered = await manager.PostAsync("/Templates/Edit/LinkedIn?handler=Rerender", new FormUrlEncodedContent(fields));
            Assert.Equal(HttpStatusCode.Redirect, rerendered.StatusCode);

            var after = await Editor.LoadAsync(app, id);
            var d = after.Variants.Single(v => v.Id == draft);
            Assert.Equal((VariantState.Draft, "Template change under test (new sign-off)"), (d.State, d.RenderedText.Split('\n')[0]));
            var a = after.Variants.Single(v => v.Id == approved);
            Assert.Equal(VariantState.InReview, a.State);
            Assert.StartsWith("Template change under test (new sign-off)", a.RenderedText);
            Assert.NotNull(Assert.Single(a.Approvals).VoidedAt);
            Assert.Equal(publishedText, after.Variants.Single(v => v.Id == published).RenderedText);

            var notice = WebUtility.HtmlDecode(await manager.GetStringAsync("/Templates/Edit/LinkedIn"));
            Assert.Contains("Re-rendered 2 LinkedIn variants", notice);
            Assert.DoesNotContain($"data-outdated=\"{draft}\"", notice);
            Assert.DoesNotContain($"data-outdated=\"{approved}\"", notice);
            var told = await Editor.WithDbAsync(app, db => db.Notifications
                .Where(n => n.Link == $"/Variants/{approved}").Select(n => n.Text).ToListAsync());
            Assert.Contains(told, t => t.Contains("is back in review"));
        }
        finally
        {
            await PostAsync(manager, "LinkedIn", "Save", new() { ["Source"] = before, ["Note"] = "back as it was" });
        }
    }

    [Fact]
    public async Task Saving_a_template_with_a_syntax_error_is_refused_with_its_line_and_saves_nothing()
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        var before = (await VersionsAsync("Bluesky")).Count;

        var response = await PostAsync(client, "Bluesky", "Save", new() { ["Source"] = BrokenTemplate, ["Note"] = "broken" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Matches(@"Line \d+, column \d+: ", html);
        Assert.Contains("class=\"error\"", html);
        Assert.Equal(before, (await VersionsAsync("Bluesky")).Count);
    }

    [Fact]
    public async Task Every_save_is_kept_as_a_version_with_who_and_when_and_restoring_saves_an_old_one_again()
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        var start = (await VersionsAsync("Mastodon")).Count;

        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(client, "Mastodon", "Save", new() { ["Source"] = GoodTemplate, ["Note"] = "short" })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(client, "Mastodon", "Save", new() { ["Source"] = "{{ message.title }}!\n", ["Note"] = "shorter" })).StatusCode);

        var versions = await VersionsAsync("Mastodon");
        Assert.Equal(start + 2, versions.Count);
        var first = versions[^2];
        Assert.Equal((GoodTemplate, "short", "BrandManager Tester"), (first.Source, first.Note, first.CreatedByName));
        Assert.Equal(start + 1, first.Number);

        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/Templates/Edit/Mastodon"));
        Assert.Contains($"data-version=\"{first.Number}\"", page);
        Assert.Contains("{{ message.title }}!", page);

        var old = WebUtility.HtmlDecode(await client.GetStringAsync($"/Templates/Edit/Mastodon?version={first.Number}"));
        Assert.Contains($"You are looking at version {first.Number}", old);

        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(client, "Mastodon", "Restore", new() { ["number"] = first.Number.ToString() })).StatusCode);
        var latest = (await VersionsAsync("Mastodon"))[^1];
        Assert.Equal(start + 3, latest.Number);
        Assert.Equal(GoodTemplate, latest.Source);
        Assert.Equal($"Restored version {first.Number}", latest.Note);
        Assert.Equal(start + 3, (await VersionsAsync("Mastodon")).Count);
    }

    [Fact]
    public async Task The_list_shows_every_channel_kind_with_its_version_in_use()
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(client, "Webhook", "Save", new() { ["Source"] = "{{ json { text: message.title } }}" })).StatusCode);
        var number = (await VersionsAsync("Webhook"))[^1].Number;
        var html = await client.GetStringAsync("/Templates");
        foreach (var kind in Enum.GetNames<Publisher.Templates.Channels.ChannelKind>())
            Assert.Contains($"data-kind=\"{kind}\"", html);
        Assert.Matches($"data-kind=\"Webhook\">[\\s\\S]*?version {number} of", html);
    }

    [Fact]
    public async Task The_validate_api_returns_syntax_errors_with_line_and_column_and_a_preview_of_a_good_template()
    {
        var client = await WithApiTokenAsync(await app.SignedInAsync(Roles.BrandManager));

        var bad = await client.PostAsJsonAsync("/api/templates/validate", new { kind = "X", source = "Hello\n{{ for x in }}\n" });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        using (var json = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()))
        {
            Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
            var error = json.RootElement.GetProperty("diagnostics").EnumerateArray().First(d => d.GetProperty("severity").GetString() == "error");
            Assert.Equal(2, error.GetProperty("line").GetInt32());
            Assert.True(error.GetProperty("column").GetInt32() >= 1);
        }

        var good = await client.PostAsJsonAsync("/api/templates/validate", new { kind = "X", source = GoodTemplate });
        using (var json = JsonDocument.Parse(await good.Content.ReadAsStringAsync()))
        {
            Assert.True(json.RootElement.GetProperty("valid").GetBoolean());
            var preview = json.RootElement.GetProperty("preview");
            Assert.StartsWith("Autumn Blend is back", preview.GetProperty("text").GetString());
            Assert.Equal(280, preview.GetProperty("count").GetProperty("limit").GetInt32());
        }

        var email = await client.PostAsJsonAsync("/api/templates/validate", new { kind = "Email", source = Publisher.Templates.Rendering.DefaultTemplates.For(Publisher.Templates.Channels.ChannelKind.Email) });
        using (var json = JsonDocument.Parse(await email.Content.ReadAsStringAsync()))
        {
            Assert.True(json.RootElement.GetProperty("valid").GetBoolean(), json.RootElement.ToString());
            Assert.Contains("Autumn Blend", json.RootElement.GetProperty("preview").GetProperty("html").GetString());
        }
    }

    [Fact]
    public async Task A_marketer_gets_403_from_the_validate_api_and_anonymous_callers_401()
    {
        var client = await WithApiTokenAsync(await app.SignedInAsync(Roles.Marketer));
        var response = await client.PostAsJsonAsync("/api/templates/validate", new { kind = "X", source = GoodTemplate });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var anonymous = await app.NewClient().PostAsJsonAsync("/api/templates/validate", new { kind = "X", source = GoodTemplate });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task The_html_preview_is_its_own_sandboxed_document_and_needs_the_form_token()
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        var token = await PublisherWebApp.AntiforgeryTokenAsync(client, "/Templates/Edit/Email");
        var source = Publisher.Templates.Rendering.DefaultTemplates.For(Publisher.Templates.Channels.ChannelKind.Email);
        var response = await client.PostAsync("/api/templates/preview", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["kind"] = "Email", ["source"] = source, ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("sandbox", policy);
        Assert.Contains("default-src 'none'", policy);
        Assert.DoesNotContain("script-src", policy);
        Assert.Equal("SAMEORIGIN", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("Autumn Blend is back", await response.Content.ReadAsStringAsync());

        var withoutToken = await client.PostAsync("/api/templates/preview", new FormUrlEncodedContent(new Dictionary<string, string> { ["kind"] = "Email", ["source"] = source }));
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);

        var marketer = await app.SignedInAsync(Roles.Marketer);
        var forbidden = await marketer.PostAsync("/api/templates/preview", new FormUrlEncodedContent(new Dictionary<string, string> { ["kind"] = "Email", ["source"] = source }));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task The_style_guide_validate_api_names_the_line_and_column_and_is_for_brand_managers_only()
    {
        var client = await WithApiTokenAsync(await app.SignedInAsync(Roles.BrandManager));
        var response = await client.PostAsJsonAsync("/api/styleguide/validate", new { yaml = "rules:\n  - id: hype\n    kind: existance\n    message: No hype.\n    tokens: [ultimate]\n" });
        using (var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
            var error = json.RootElement.GetProperty("diagnostics")[0];
            Assert.Equal((3, 11), (error.GetProperty("line").GetInt32(), error.GetProperty("column").GetInt32()));
            Assert.Contains("existence", error.GetProperty("message").GetString());
        }
        var empty = await client.PostAsJsonAsync("/api/styleguide/validate", new { yaml = "" });
        using (var json = JsonDocument.Parse(await empty.Content.ReadAsStringAsync()))
            Assert.True(json.RootElement.GetProperty("valid").GetBoolean());

        var marketer = await WithApiTokenAsync(await app.SignedInAsync(Roles.Marketer));
        Assert.Equal(HttpStatusCode.Forbidden, (await marketer.PostAsJsonAsync("/api/styleguide/validate", new { yaml = "" })).StatusCode);
    }

    [Fact]
    public async Task An_unknown_kind_is_a_404_page_and_a_400_from_the_api()
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/Templates/Edit/MySpace")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/Templates/Edit/3")).StatusCode);
        await WithApiTokenAsync(client);
        var api = await client.PostAsJsonAsync("/api/templates/validate", new { kind = "MySpace", source = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        Assert.Contains("Bluesky", await api.Content.ReadAsStringAsync());
    }
}
