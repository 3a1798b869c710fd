using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Publisher.Core.Domain;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Api;

/// <summary>
/// One request can no longer make the app render hundreds of megabytes: channels and accounts are named once
/// each, the accounts are at most the brand's, and the whole request renders under one budget. A template check
/// runs under one deadline, so the template built to take a minute answers at once with what to fix.
/// </summary>
[Collection(WebAppCollection.Name)]
public class RenderAbuseTests(PublisherWebApp app)
{
    [Fact]
    public async Task The_same_channel_a_thousand_times_is_refused_before_anything_is_rendered()
    {
        var client = await PublisherWebApp.WithApiTokenAsync(await app.SignedInAsync(Roles.Marketer));
        var body = string.Join("\n\n", Enumerable.Repeat("Eighty kilobytes of perfectly ordinary prose about coffee beans.", 1_250));

        var response = await client.PostAsJsonAsync("/api/render", new { message = new { title = "Amplified", body }, channels = Enumerable.Repeat("Email", 1_000) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'Email' is in \"channels\" 1000 times", await DetailAsync(response));
    }

    [Fact]
    public async Task Repeated_accounts_and_more_accounts_than_the_brand_has_are_refused()
    {
        var client = await PublisherWebApp.WithApiTokenAsync(await app.SignedInAsync(Roles.Marketer));
        var account = (await Editor.AccountsAsync(app, "Email")).Single();

        var repeated = await client.PostAsJsonAsync("/api/render", new { message = new { title = "T", body = "B" }, accountIds = new[] { account, account } });
        Assert.Equal(HttpStatusCode.BadRequest, repeated.StatusCode);
        Assert.Contains("named twice", await TitleAsync(repeated));

        var strangers = Enumerable.Range(0, 5_000).Select(_ => Guid.NewGuid()).ToArray();
        var tooMany = await client.PostAsJsonAsync("/api/render", new { message = new { title = "T", body = "B" }, accountIds = strangers });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("Too many accounts", await TitleAsync(tooMany));
    }

    [Fact]
    public async Task Every_channel_at_once_with_the_longest_body_stays_within_the_request_budget()
    {
        var client = await PublisherWebApp.WithApiTokenAsync(await app.SignedInAsync(Roles.Marketer));
        var body = string.Join("\n\n", Enumerable.Repeat("A paragraph of ordinary prose about coffee beans, roasted on Tuesdays.", 1_350));

        var response = await client.PostAsJsonAsync("/api/render", new
        {
            message = new { title = "Everything", body, summary = "All of it." },
            channels = new[] { "X", "Mastodon", "Bluesky", "LinkedIn", "FacebookPage", "Email", "Blog", "Webhook" },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadAsStringAsync();
        // Two million characters of output at most, plus what the last variant rendered and the JSON around it.
        Assert.True(answer.Length < 4_000_000, $"the answer is {answer.Length:N0} characters");
        using var json = JsonDocument.Parse(answer);
        Assert.Equal(8, json.RootElement.GetProperty("variants").GetArrayLength());
    }

    [Fact]
    public async Task The_131_character_template_answers_at_once_with_a_clear_diagnostic()
    {
        var client = await PublisherWebApp.WithApiTokenAsync(await app.SignedInAsync(Roles.BrandManager));
        const string source = "{{ capture content_html }}{{ \"\" | string.pad_left 100000 | string.replace \" \" \"<b>\" }}x{{ end }}{{ message.title }}";

        var response = await client.PostAsJsonAsync("/api/templates/validate", new { kind = "Email", source });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        var error = json.RootElement.GetProperty("diagnostics").EnumerateArray().Single(d => d.GetProperty("severity").GetString() == "error");
        Assert.Equal("template.html-too-deep", error.GetProperty("code").GetString());
        Assert.Contains("close the tags it opens", error.GetProperty("message").GetString());
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;

    private static async Task<string> TitleAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString()!;

}
