using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Domain;
using Publisher.Web.Tests.Calendar;

namespace Publisher.Web.Tests.Messages;

/// <summary>
/// The message's fields have one set of limits and one set of checks, and the editor, the render API and the CSV
/// import apply them alike: a body nested past what Markdown can render, a 3 MB summary, a file that is not UTF-8
/// or too large each get an answer that names the field (or row) and the limit, and nothing half-saved.
/// </summary>
[Collection(WebAppCollection.Name)]
public class MessageInputLimitTests(PublisherWebApp app)
{
    private static readonly string DeepQuotes = new string('>', 200) + " x";

    [Fact]
    public async Task Markdown_nested_too_deep_is_an_error_on_every_variant_in_the_render_api()
    {
        var client = await PublisherWebApp.WithApiTokenAsync(await app.SignedInAsync(Roles.Marketer));
        var response = await client.PostAsJsonAsync("/api/render", new { message = new { title = "Quotes", body = "Fine line.\n\n" + DeepQuotes }, channels = new[] { "X", "Email", "Blog" } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        foreach (var variant in json.RootElement.GetProperty("variants").EnumerateArray())
        {
            Assert.False(variant.GetProperty("success").GetBoolean());
            var error = variant.GetProperty("diagnostics").EnumerateArray().Single(d => d.GetProperty("code").GetString() == "message.markdown-too-deep");
            Assert.Equal(3, error.GetProperty("line").GetInt32());
        }
    }

    [Fact]
    public async Task Markdown_nested_too_deep_is_an_error_beside_the_body_and_the_form_stays()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var accounts = await Editor.AccountsAsync(app, "Mastodon", "Email");
        var title = CalendarData.Unique("Deep quotes");

        var response = await Editor.PostAsync(client, "/Messages/New", Editor.Fields(title, DeepQuotes, accounts));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the editor shows its own errors
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("nests quotes, lists, emphasis or links too deeply on line 1", html);
        Assert.Contains($"value=\"{title}\"", html);
        Assert.Contains(DeepQuotes, html);
        Assert.Equal(0, await CountAsync(title));
    }

    [Fact]
    public async Task A_summary_of_three_megabytes_is_refused_the_same_way_by_the_editor_the_api_and_the_csv_import()
    {
        var huge = new string('s', 3 * 1024 * 1024);
        const string said = "The summary is 3,145,728 characters; keep it to 1,000 or fewer.";
        var client = await app.SignedInAsync(Roles.Marketer);
        var accounts = await Editor.AccountsAsync(app, "Mastodon");

        var title = CalendarData.Unique("Huge summary");
        var fields = Editor.Fields(title, "Fresh beans.", accounts);
        fields["Input.Summary"] = huge;
        var editor = await Editor.PostAsync(client, "/Messages/New", fields);
        Assert.Contains(said, WebUtility.HtmlDecode(await editor.Content.ReadAsStringAsync()));

        var api = await PublisherWebApp.WithApiTokenAsync(await app.SignedInAsync(Roles.Marketer));
        var rendered = await api.PostAsJsonAsync("/api/render", new { message = new { title, body = "Fresh beans.", summary = huge }, channels = new[] { "Email" } });
        Assert.Equal(HttpStatusCode.BadRequest, rendered.StatusCode);
        using (var problem = JsonDocument.Parse(await rendered.Content.ReadAsStringAsync()))
            Assert.Equal(said, problem.RootElement.GetProperty("errors").GetProperty("summary")[0].GetString());

        var account = await CalendarData.AccountAsync(app);
        var next = DateTime.UtcNow.AddDays(20).ToString("yyyy-MM-dd");
        var report = await ImportAsync(client, Encoding.UTF8.GetBytes($"title,body,accounts,planned_local,summary\n{title},Fresh beans.,{account.Name},{next} 09:00,{huge}\n"));
        Assert.Contains(said, Row(report, 2));

        Assert.Equal(0, await CountAsync(title));
    }

    [Fact]
    public async Task Every_optional_field_has_its_limit_in_the_editor()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var accounts = await Editor.AccountsAsync(app, "Mastodon");
        var fields = Editor.Fields(new string('t', 301), "Fresh beans.", accounts);
        fields["Input.CallToAction"] = new string('c', 201);
        fields["Input.Hashtags"] = string.Join(' ', Enumerable.Range(0, 31).Select(i => $"tag{i}"));
        fields["Input.KeyFacts"] = new string('k', 301);
        fields["Input.Link"] = "https://northwind.example/" + new string('l', 2_048);

        var html = WebUtility.HtmlDecode(await (await Editor.PostAsync(client, "/Messages/New", fields)).Content.ReadAsStringAsync());

        Assert.Contains("The title is 301 characters; keep it to 300 or fewer.", html);
        Assert.Contains("The call to action is 201 characters; keep it to 200 or fewer.", html);
        Assert.Contains("There are 31 hashtags; keep it to 30 or fewer", html);
        Assert.Contains("keep each to 300 or fewer", html);
        Assert.Contains("The link is 2,074 characters; keep it to 2,048 or fewer.", html);
    }

    [Fact]
    public async Task A_csv_row_with_markdown_nested_too_deep_is_refused_with_its_reason()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var account = await CalendarData.AccountAsync(app);
        var title = CalendarData.Unique("Deep CSV");
        var next = DateTime.UtcNow.AddDays(20).ToString("yyyy-MM-dd");

        var report = await ImportAsync(client, Encoding.UTF8.GetBytes($"title,body,accounts,planned_local\n{title},\"{DeepQuotes}\",{account.Name},{next} 09:00\n"));

        Assert.Contains("too deeply on line 1", Row(report, 2));
        Assert.Equal(0, await CountAsync(title));
    }

    [Fact]
    public async Task A_csv_file_in_latin_1_or_with_invalid_utf_8_is_refused_with_the_line_and_nothing_is_imported()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var account = await CalendarData.AccountAsync(app);
        var next = DateTime.UtcNow.AddDays(20).ToString("yyyy-MM-dd");
        var first = CalendarData.Unique("Plain");
        var accented = CalendarData.Unique("Café crème");
        var csv = $"title,body,accounts,planned_local\n{first},Fresh beans.,{account.Name},{next} 09:00\n{accented},Fête du café.,{account.Name},{next} 10:00\n";

        var latin1 = await ImportAsync(client, Encoding.Latin1.GetBytes(csv));
        var row = Row(latin1, 3);
        Assert.Contains("Line 3 of the CSV file is not UTF-8 (byte 0xE9)", row);
        Assert.Contains("CSV UTF-8", row);

        var broken = Encoding.UTF8.GetBytes(csv).Concat(new byte[] { 0xC3, 0x28, (byte)'\n' }).ToArray();
        Assert.Contains("Line 4 of the CSV file is not UTF-8", Row(await ImportAsync(client, broken), 4));

        Assert.Equal(0, await CountAsync(first) + await CountAsync(accented));
        // The same file saved as UTF-8 imports, accents intact.
        Assert.Contains("Imported 2 messages", await ImportAsync(client, Encoding.UTF8.GetBytes(csv)));
        Assert.Equal(1, await CountAsync(accented));
    }

    [Fact]
    public async Task A_five_megabyte_csv_is_refused_on_the_import_page_with_its_size_and_the_limit()
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var html = await ImportAsync(client, Encoding.UTF8.GetBytes("title,body,accounts,planned_local\n" + new string('x', 5 * 1024 * 1024)));
        Assert.Contains("The file is 5.0 MB; the most Publisher imports at once is 4 MB", html);
        Assert.Contains("name=\"file\"", html); // the import form is still there
    }

    private Task<int> CountAsync(string title) => Editor.WithDbAsync(app, db => db.Messages.CountAsync(m => m.Title == title));

    private static async Task<string> ImportAsync(HttpClient client, byte[] csv)
    {
        var token = await PublisherWebApp.AntiforgeryTokenAsync(client, "/Calendar/Import");
        var file = new ByteArrayContent(csv);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var content = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" }, { file, "file", "plan.csv" } };
        var response = await client.PostAsync("/Calendar/Import", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    private static string Row(string html, int row)
    {
        var start = html.IndexOf($"data-row=\"{row}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"line {row} is not in the report:\n{(html.Length > 3000 ? html[..3000] : html)}");
        return html[start..html.IndexOf("</li>", start, StringComparison.Ordinal)];
    }

}
