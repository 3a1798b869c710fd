using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.StyleGuide;

namespace Publisher.Web.Tests.StyleGuide;

[Collection(WebAppCollection.Name)]
public class StyleGuidePagesTests(PublisherWebApp app)
{
    private const string GuideWithCheap = """
        version: 1
        identity:
          name: Northwind Coffee
          mission: We roast small batches.
          palette:
            - { name: Roast Brown, hex: "#4B2E2A", usage: Headlines }
        vocabulary:
          banned:
            - term: cheap
              reason: We say good value.
        rules:
          - id: no-hype
            kind: existence
            message: Say what is good instead of '{match}'.
            severity: error
            tokens: [ultimate]
        """;

    private async Task<T> WithDbAsync<T>(Func<PublisherDbContext, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PublisherDbContext>());
    }

    private Task<int> VersionCountAsync() => WithDbAsync(db => db.StyleGuideVersions.CountAsync());

    private Task<StyleGuideVersion?> LatestAsync() => WithDbAsync(db => db.StyleGuideVersions.OrderByDescending(g => g.Number).FirstOrDefaultAsync());

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string page, string handler, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = await PublisherWebApp.AntiforgeryTokenAsync(client, page);
        return await client.PostAsync($"{page}?handler={handler}", new FormUrlEncodedContent(fields));
    }

    private async Task<HttpResponseMessage> SaveYamlAsync(HttpClient client, string yaml, string note)
    {
        var latest = await LatestAsync();
        return await PostFormAsync(client, "/StyleGuide/Edit", "Save", new()
        {
            ["Yaml"] = yaml, ["Note"] = note, ["BaseNumber"] = (latest?.Number ?? 0).ToString(),
        });
    }

    private static async Task<HttpResponseMessage> ImportAsync(HttpClient client, string yaml, string fileName = "guide.yaml")
    {
        var token = await PublisherWebApp.AntiforgeryTokenAsync(client, "/StyleGuide/Edit");
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(yaml));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/yaml");
        form.Add(file, "file", fileName);
        form.Add(new StringContent(token), "__RequestVerificationToken");
        return await client.PostAsync("/StyleGuide/Edit?handler=Import", form);
    }

    [Fact]
    public async Task Saving_the_yaml_creates_a_new_version_with_the_canonical_yaml_its_hash_who_and_the_note()
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        var before = await LatestAsync();

        var response = await SaveYamlAsync(client, GuideWithCheap, "ban cheap");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var saved = await LatestAsync();
        Assert.NotNull(saved);
        Assert.Equal((before?.Number ?? 0) + 1, saved.Number);
        var guide = StyleGuideYaml.Parse(GuideWithCheap).Guide!;
        Assert.Equal(StyleGuideYaml.Write(guide), saved.Yaml);
        Assert.Equal(guide.ComputeVersion(), saved.VersionHash);
        Assert.Equal("BrandManager Tester", saved.CreatedByName);
        Assert.Equal("ban cheap", saved.Note);
        Assert.InRange(saved.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(5));

        var notice = await client.GetStringAsync("/StyleGuide/Edit");
        Assert.Contains($"Saved version {saved.Number}", notice);
    }

    // The line the error is reported at; a malformed scalar is found where it starts or where the parser gives up.
    public static TheoryData<string, string, int, int> BadGuides() => new()
    {
        { "malformed", "rules:\n  - id: a\n    kind: existence\n    message: \"unclosed\n    tokens: [x]\n", 4, 5 },
        { "unknown kind", "rules:\n  - id: hype\n    kind: existance\n    message: No hype.\n    tokens: [ultimate]\n", 3, 3 },
        { "invalid regex", "rules:\n  - id: prices\n    kind: existence\n    message: No prices.\n    patterns:\n      - '\\d+'\n      - '(\\$[0-9]+'\n", 7, 7 },
        { "no message", "version: 1\nrules:\n  - id: hype\n    kind: existence\n    tokens: [ultimate]\n", 3, 3 },
    };

    [Theory]
    [MemberData(nameof(BadGuides))]
    public async Task Importing_a_bad_guide_says_which_line_and_what_to_fix_and_changes_nothing(string what, string yaml, int firstLine, int lastLine)
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        var count = await VersionCountAsync();

        var response = await ImportAsync(client, yaml, $"{what.Replace(' ', '-')}.yaml");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("was not imported and nothing changed", html);
        var reported = System.Text.RegularExpressions.Regex.Match(html, @"Line (\d+), column \d+: \S");
        Assert.True(reported.Success, "the error names its line and column");
        Assert.InRange(int.Parse(reported.Groups[1].Value), firstLine, lastLine);
        Assert.Equal(count, await VersionCountAsync());
    }

    [Fact]
    public async Task Saving_yaml_with_an_error_from_the_editor_saves_nothing_and_shows_the_line()
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        var count = await VersionCountAsync();
        var response = await SaveYamlAsync(client, "rules:\n  - id: hype\n    kind: existance\n    message: No hype.\n    tokens: [ultimate]\n", "typo");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("Line 3, column 11:", html);
        Assert.Contains("did you mean 'existence'", html);
        Assert.Equal(count, await VersionCountAsync());
    }

    [Fact]
    public async Task Checking_shows_problems_without_saving_and_a_save_over_someone_elses_newer_version_asks_first()
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        Assert.Equal(HttpStatusCode.Redirect, (await SaveYamlAsync(client, GuideWithCheap, "base")).StatusCode);
        var count = await VersionCountAsync();

        var check = await PostFormAsync(client, "/StyleGuide/Edit", "Check", new() { ["Yaml"] = "vocabulary:\n  banned: [synergy]\n" });
        Assert.Contains("The guide is valid", WebUtility.HtmlDecode(await check.Content.ReadAsStringAsync()));
        Assert.Equal(count, await VersionCountAsync());

        var stale = (await LatestAsync())!.Number - 1;
        var refused = await PostFormAsync(client, "/StyleGuide/Edit", "Save", new() { ["Yaml"] = "vocabulary:\n  banned: [synergy]\n", ["BaseNumber"] = stale.ToString() });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        Assert.Contains("while you were editing", html);
        Assert.Contains("banned: [synergy]", html);
        Assert.Equal(count, await VersionCountAsync());

        // The refusal moved the editor's base to the newest version, so saving again replaces it on purpose.
        var again = await PostFormAsync(client, "/StyleGuide/Edit", "Save", new() { ["Yaml"] = "vocabulary:\n  banned: [synergy]\n", ["BaseNumber"] = (stale + 1).ToString() });
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal(count + 1, await VersionCountAsync());
    }

    [Fact]
    public async Task An_empty_file_imports_as_a_valid_empty_guide()
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        var response = await ImportAsync(client, "", "empty.yaml");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var latest = await LatestAsync();
        Assert.Equal(BrandStyleGuide.Empty.ComputeVersion(), latest!.VersionHash);
        Assert.Equal("Imported empty.yaml", latest.Note);
    }

    [Fact]
    public async Task Exporting_then_importing_gives_back_the_same_guide()
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        Assert.Equal(HttpStatusCode.Redirect, (await SaveYamlAsync(client, GuideWithCheap, "before export")).StatusCode);
        var exported = await LatestAsync();

        var download = await client.GetAsync("/StyleGuide?handler=Export");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Contains("attachment", download.Content.Headers.ContentDisposition!.ToString());
        var yaml = await download.Content.ReadAsStringAsync();
        Assert.Equal(StyleGuideYaml.Parse(GuideWithCheap).Guide, StyleGuideYaml.Parse(yaml).Guide);

        Assert.Equal(HttpStatusCode.Redirect, (await ImportAsync(client, yaml)).StatusCode);
        var imported = await LatestAsync();
        Assert.Equal(exported!.Number + 1, imported!.Number);
        Assert.Equal(exported.VersionHash, imported.VersionHash);
        Assert.Equal(exported.Yaml, imported.Yaml);
    }

    [Fact]
    public async Task Quick_edits_add_and_remove_a_banned_term_a_preferred_term_and_a_brand_name_each_as_a_new_version()
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        Assert.Equal(HttpStatusCode.Redirect, (await SaveYamlAsync(client, GuideWithCheap, "start")).StatusCode);
        var start = (await LatestAsync())!.Number;

        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(client, "/StyleGuide/Edit", "AddBanned", new() { ["term"] = "synergy", ["reason"] = "Jargon." })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(client, "/StyleGuide/Edit", "AddPreferred", new() { ["term"] = "sign up", ["avoid"] = "signup, sign-up" })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(client, "/StyleGuide/Edit", "AddBrandName", new() { ["name"] = "BrewPass", ["misspellings"] = "Brew Pass" })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(client, "/StyleGuide/Edit", "RemoveBanned", new() { ["term"] = "cheap" })).StatusCode);

        var latest = await LatestAsync();
        Assert.Equal(start + 4, latest!.Number);
        var vocabulary = StyleGuideYaml.Parse(latest.Yaml).Guide!.Vocabulary;
        Assert.Equal(["synergy"], vocabulary.Banned.Select(b => b.Term));
        Assert.Equal(["signup", "sign-up"], vocabulary.Preferred.Single().Avoid);
        Assert.Equal("Brew Pass", vocabulary.BrandNames.Single().Misspellings.Single());
        Assert.Equal("“cheap” is no longer banned", latest.Note);

        var duplicate = await PostFormAsync(client, "/StyleGuide/Edit", "AddBanned", new() { ["term"] = "Synergy" });
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        Assert.Contains("already banned", WebUtility.HtmlDecode(await duplicate.Content.ReadAsStringAsync()));
        Assert.Equal(start + 4, (await LatestAsync())!.Number);
    }

    [Fact]
    public async Task Restoring_a_version_saves_it_again_as_the_newest_and_lists_who_and_when()
    {
        var client = await app.SignedInAsync(Roles.BrandManager);
        Assert.Equal(HttpStatusCode.Redirect, (await SaveYamlAsync(client, GuideWithCheap, "old")).StatusCode);
        var old = (await LatestAsync())!;
        Assert.Equal(HttpStatusCode.Redirect, (await SaveYamlAsync(client, "vocabulary:\n  banned: [synergy]\n", "newer")).StatusCode);

        var list = WebUtility.HtmlDecode(await client.GetStringAsync("/StyleGuide/Versions"));
        Assert.Contains($"data-version=\"{old.Number}\"", list);
        Assert.Contains(PublisherWebApp.EmailFor(Roles.BrandManager), list);

        var response = await PostFormAsync(client, "/StyleGuide/Versions", "Restore", new() { ["number"] = old.Number.ToString() });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var restored = (await LatestAsync())!;
        Assert.Equal(old.Number + 2, restored.Number);
        Assert.Equal(old.VersionHash, restored.VersionHash);
        Assert.Equal($"Restored version {old.Number}", restored.Note);

        var viewOld = WebUtility.HtmlDecode(await client.GetStringAsync($"/StyleGuide?version={old.Number + 1}"));
        Assert.Contains("not the one in use", viewOld);
        Assert.Contains("synergy", viewOld);
    }

    [Fact]
    public async Task The_guide_page_shows_the_brand_book_with_swatches_and_rules()
    {
        var manager = await app.SignedInAsync(Roles.BrandManager);
        Assert.Equal(HttpStatusCode.Redirect, (await SaveYamlAsync(manager, GuideWithCheap, "for the page")).StatusCode);

        var marketer = await app.SignedInAsync(Roles.Marketer);
        var html = WebUtility.HtmlDecode(await marketer.GetStringAsync("/StyleGuide"));
        Assert.Contains("We roast small batches.", html);
        Assert.Contains("fill=\"#4B2E2A\"", html);
        Assert.Contains("#4B2E2A", html);
        Assert.Contains("cheap", html);
        Assert.Contains("data-rule=\"no-hype\"", html);
        Assert.DoesNotContain("href=\"/StyleGuide/Edit\"", html);
    }

    [Theory]
    [InlineData("/StyleGuide/Edit")]
    [InlineData("/StyleGuide/Versions")]
    [InlineData("/Templates")]
    [InlineData("/Templates/Edit/X")]
    public async Task A_marketer_or_approver_gets_403_on_the_edit_pages(string path)
    {
        foreach (var role in new[] { Roles.Marketer, Roles.Approver })
        {
            var client = await app.SignedInAsync(role);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(path)).StatusCode);
        }
        var manager = await app.SignedInAsync(Roles.BrandManager);
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task A_marketer_cannot_save_a_guide_even_by_posting_directly()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var count = await VersionCountAsync();
        var calendar = await client.GetStringAsync("/Calendar");
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(calendar, "name=\"request-verification-token\" content=\"([^\"]+)\"").Groups[1].Value);
        var response = await client.PostAsync("/StyleGuide/Edit?handler=AddBanned", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["term"] = "coffee", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(count, await VersionCountAsync());
    }

    [Theory]
    [InlineData(Roles.Marketer)]
    [InlineData(Roles.Approver)]
    [InlineData(Roles.BrandManager)]
    [InlineData(Roles.Admin)]
    public async Task Every_role_can_read_and_download_the_guide(string role)
    {
        var client = await app.SignedInAsync(role);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/StyleGuide")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/StyleGuide?handler=Export")).StatusCode);
        Assert.Contains("href=\"/StyleGuide\"", await client.GetStringAsync("/Calendar"));
    }

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in_from_the_guide()
    {
        var response = await app.NewClient().GetAsync("/StyleGuide");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/SignIn", response.Headers.Location!.PathAndQuery);
    }
}
