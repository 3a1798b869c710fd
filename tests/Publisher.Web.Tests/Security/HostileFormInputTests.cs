using System.Net;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Publisher.Core.Domain;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Security;

/// <summary>
/// Input a form was never meant to carry (a NUL character, 10 MB of text) gets an answer that says what was
/// wrong and keeps what was typed, never the generic error page: every form of every page is tried.
/// </summary>
[Collection(WebAppCollection.Name)]
public class HostileFormInputTests(PublisherWebApp app)
{
    private const string Nul = "\0";

    public static TheoryData<string, string> FormPages() => new()
    {
        { Roles.Marketer, "/Campaigns/Edit" },
        { Roles.Marketer, "/Account/Profile" },
        { Roles.Marketer, "/Inbox" },
        { Roles.Marketer, "/Calendar/Import" },
        { Roles.BrandManager, "/StyleGuide/Edit" },
        { Roles.BrandManager, "/Templates/Edit/Email" },
        { Roles.Admin, "/Admin/Users" },
        { Roles.Admin, "/Channels" },
        { Roles.Approver, "/Approvals" },
        { "", "/Account/SignIn" },
    };

    [Theory]
    [MemberData(nameof(FormPages))]
    public async Task A_nul_character_in_any_field_of_any_form_is_refused_by_name_and_the_text_is_given_back(string role, string path)
    {
        var client = role.Length == 0 ? app.NewClient() : await app.SignedInAsync(role);
        var forms = PostForms(await client.GetStringAsync(path), path);
        Assert.NotEmpty(forms);
        foreach (var (action, fields, multipart) in forms)
        {
            // Every field but the antiforgery token gets a NUL in the middle of its text.
            var sent = fields.Select(f => f.Name == "__RequestVerificationToken" ? f : (f.Name, Value: "typed" + Nul + f.Value)).ToList();
            sent.Add(("Note", "kept text" + Nul + " after"));

            var response = await client.PostAsync(action, multipart ? Multipart(sent) : new FormUrlEncodedContent(sent.Select(f => KeyValuePair.Create(f.Name, f.Value))));

            var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{action}: {(int)response.StatusCode}\n{Reason(html)}");
            // The field by its name (form names ignore case, so a page's own "note" takes the added "Note" in) and
            // its text without the NUL, to copy back.
            Assert.True(html.Contains("contains a NUL character") && html.Contains("Note", StringComparison.OrdinalIgnoreCase) && html.Contains("kept text after"),
                $"{action}: {Reason(html)}");
        }
    }

    [Fact]
    public async Task In_the_message_editor_a_nul_character_is_an_error_beside_its_field_and_the_form_stays()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var accounts = await Editor.AccountsAsync(app, "Mastodon");
        var title = "Nul test " + Guid.NewGuid().ToString("N")[..8];
        var fields = Editor.Fields(title + Nul + " Blend", "Fresh" + Nul + " beans.", accounts);
        fields["Input.Summary"] = "Fig and" + Nul + " cocoa";

        var response = await Editor.PostAsync(client, "/Messages/New", fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the editor again, with its errors
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("contains an invisible control character (U+0000)", html);
        Assert.Contains("Fig and", html);
        Assert.Equal(0, await Editor.WithDbAsync(app, db => Task.FromResult(db.Messages.Count(m => m.Title.StartsWith(title)))));
    }

    // (A NUL in the path itself, /blog/a%00b, the server refuses with 400 before any of the app runs.)
    [Theory]
    [InlineData("/Calendar?author=%00")]
    [InlineData("/Audit?Actor=a%00b")]
    [InlineData("/Approvals?Author=%00")]
    [InlineData("/blog?x=%00")]
    public async Task A_nul_character_in_the_address_is_refused_with_the_reason(string address)
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        var response = await client.GetAsync(address);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("NUL character", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task A_ten_megabyte_form_is_refused_with_the_limit_and_nothing_is_saved()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var tenMegabytes = new string('a', 10 * 1024 * 1024);

        // A page with the server's form limits: one field may hold 4 MB.
        var name = "Big " + Guid.NewGuid().ToString("N")[..6];
        var campaign = await Editor.PostAsync(client, "/Campaigns/Edit", new Dictionary<string, string>
        {
            ["Input.Name"] = name + tenMegabytes, ["Input.StartsOn"] = "2027-01-01", ["Input.EndsOn"] = "2027-01-02", ["Input.Color"] = "#c2410c", ["Input.UtmCampaign"] = "big",
        });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, campaign.StatusCode);
        var said = WebUtility.HtmlDecode(await campaign.Content.ReadAsStringAsync());
        Assert.Contains("more than 4 MB", said);
        Assert.Contains("Nothing was saved", said);

        // The message editor accepts 9 MB (a body is at most 100,000 characters).
        var accounts = await Editor.AccountsAsync(app, "Mastodon");
        var message = await Editor.PostAsync(client, "/Messages/New", Editor.Fields(name, tenMegabytes, accounts));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, message.StatusCode);
        Assert.Contains("this page accepts at most 9 MB", WebUtility.HtmlDecode(await message.Content.ReadAsStringAsync()));

        Assert.Equal(0, await Editor.WithDbAsync(app, db => Task.FromResult(db.Campaigns.Count(c => c.Name.StartsWith(name)) + db.Messages.Count(m => m.Title == name))));
    }

    [Fact]
    public async Task A_five_megabyte_style_guide_is_refused_with_the_limit_and_its_line_and_stays_in_the_editor()
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        var line = "# " + new string('x', 1_000) + "\n";
        var yaml = "version: 1\n" + string.Concat(Enumerable.Repeat(line, 5 * 1024));

        var check = await Editor.PostAsync(client, "/StyleGuide/Edit", new Dictionary<string, string> { ["Yaml"] = yaml, ["BaseNumber"] = "0" }, "Check");
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        var html = WebUtility.HtmlDecode(await check.Content.ReadAsStringAsync());
        Assert.Contains("a style guide may be at most 1,024 KB", html);
        Assert.Contains(line.TrimEnd(), html); // the text is still in the editor

        var api = await PublisherWebApp.WithApiTokenAsync(client);
        var answer = await api.PostAsync("/api/styleguide/validate", Json(new { yaml }));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("a style guide may be at most 1,024 KB", await answer.Content.ReadAsStringAsync());
    }


    private static StringContent Json(object value) => new(System.Text.Json.JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    /// <summary>Each form of the page that posts, with the address it posts to (the first button's, if it has its own) and its fields as the page fills them.</summary>
    private static List<(string Action, List<(string Name, string Value)> Fields, bool Multipart)> PostForms(string html, string page)
    {
        var dom = new HtmlParser().ParseDocument(html);
        var forms = new List<(string, List<(string, string)>, bool)>();
        foreach (var form in dom.QuerySelectorAll("form").Where(f => string.Equals(f.GetAttribute("method"), "post", StringComparison.OrdinalIgnoreCase)))
        {
            var action = form.QuerySelector("button[formaction]")?.GetAttribute("formaction") ?? form.GetAttribute("action");
            var fields = new List<(string, string)>();
            foreach (var field in form.QuerySelectorAll("input[name], textarea[name], select[name]"))
            {
                var type = field.GetAttribute("type")?.ToLowerInvariant();
                if (type is "submit" or "button" or "file" || (type is "checkbox" or "radio" && !field.HasAttribute("checked")))
                    continue;
                fields.Add((field.GetAttribute("name")!, Value(field)));
            }
            forms.Add((string.IsNullOrEmpty(action) ? page : WebUtility.HtmlDecode(action), fields, form.GetAttribute("enctype") == "multipart/form-data"));
        }
        return forms;
    }

    private static string Value(IElement field) => field.LocalName switch
    {
        "textarea" => field.TextContent,
        "select" => field.QuerySelector("option[selected]")?.GetAttribute("value") ?? field.QuerySelector("option")?.GetAttribute("value") ?? "",
        _ => field.GetAttribute("value") ?? "",
    };

    private static MultipartFormDataContent Multipart(IEnumerable<(string Name, string Value)> fields)
    {
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
            content.Add(new StringContent(value), name);
        return content;
    }

    private static string Reason(string html) =>
        html.IndexOf("<h1>", StringComparison.Ordinal) is var at and >= 0 ? html[at..Math.Min(html.Length, at + 1_000)] : html[..Math.Min(html.Length, 1_000)];
}
