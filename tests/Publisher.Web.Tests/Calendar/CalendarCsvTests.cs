using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Calendar;

[Collection(WebAppCollection.Name)]
public class CalendarCsvTests(PublisherWebApp app)
{
    private static async Task<HttpResponseMessage> ImportAsync(HttpClient client, string csv)
    {
        var token = await PublisherWebApp.AntiforgeryTokenAsync(client, "/Calendar/Import");
        var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(file, "file", "plan.csv");
        return await client.PostAsync("/Calendar/Import", content);
    }

    private static async Task<int> MessagesTitledAsync(PublisherWebApp app, params string[] titles)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Messages.CountAsync(m => titles.Contains(m.Title));
    }

    [Fact]
    public async Task A_file_with_refused_rows_imports_nothing_and_names_each_refused_row_and_why()
    {
        var (client, _) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var good = CalendarData.Unique("Good row");
        var alsoGood = CalendarData.Unique("Also good");
        var next = DateTime.UtcNow.AddDays(20).ToString("yyyy-MM-dd");
        var csv = $"""
            title,body,accounts,planned_local,time_zone,link,campaign
            {good},Fresh beans.,{account.Name},{next} 09:00,,https://northwind.example/a,
            Unknown account,Fresh beans.,Nobody's account,{next} 10:00,,,
            ,Fresh beans.,{account.Name},2020-01-01 09:00,,,
            Bad time,Fresh beans.,{account.Name},next tuesday,,,
            Bad link and campaign,Fresh beans.,{account.Name},{next} 11:00,Mars/Olympus,not a link,No such campaign
            {alsoGood},"Fresh beans, roasted
            on Tuesdays.",{account.Name},{next} 12:00,Europe/Paris,,
            """;

        var response = await ImportAsync(client, csv);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("Nothing was imported", html);
        Assert.Contains("4 rows were refused", html);
        Assert.DoesNotContain("data-row=\"2\"", html);
        Assert.Contains("There is no channel account called \"Nobody's account\"", Row(html, 3));
        Assert.Contains("Give the message a title", Row(html, 4));
        Assert.Contains("has already passed", Row(html, 4));
        Assert.Contains("\"next tuesday\" in planned_local is not a date and time", Row(html, 5));
        var six = Row(html, 6);
        Assert.Contains("There is no campaign called \"No such campaign\"", six);
        Assert.Contains("\"not a link\" is not a web address", six);
        Assert.Contains("\"Mars/Olympus\" is not a time zone", six);
        Assert.DoesNotContain("data-row=\"7\"", html); // the multi-line good row
        Assert.Equal(0, await MessagesTitledAsync(app, good, alsoGood));
    }

    private static string Row(string html, int row)
    {
        var start = html.IndexOf($"data-row=\"{row}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"line {row} is not in the report");
        return html[start..html.IndexOf("</li>", start, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task A_clean_file_becomes_messages_with_rendered_draft_variants_at_the_local_times_given()
    {
        var (client, _) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var x = await CalendarData.AccountAsync(app, "X");
        var mastodon = await CalendarData.AccountAsync(app, "Mastodon");
        var first = CalendarData.Unique("Spring tasting");
        var second = CalendarData.Unique("Summer tasting");
        var csv = $"""
            Title,Body,Accounts,Planned local,Time zone,Hashtags
            {first},Taste the **spring** harvest.,{x.Name}; {mastodon.Name},2027-03-29 09:00,,coffee
            {second},Cold brew season.,{mastodon.Name},2027-07-01 18:30,America/New_York,
            """;

        var response = await ImportAsync(client, csv);

        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Imported 2 messages with 3 draft variants", html);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var spring = await db.Messages.Include(m => m.Variants).SingleAsync(m => m.Title == first);
        Assert.Equal("Europe/Paris", spring.TimeZone);
        Assert.Equal(new DateTimeOffset(2027, 3, 29, 7, 0, 0, TimeSpan.Zero), spring.PlannedAt);
        Assert.Equal(["coffee"], spring.Hashtags);
        Assert.Equal(2, spring.Variants.Count);
        Assert.All(spring.Variants, v =>
        {
            Assert.Equal(VariantState.Draft, v.State);
            Assert.Equal(spring.PlannedAt, v.ScheduledAt);
            Assert.Contains("spring harvest", v.RenderedText); // rendered from Markdown like the editor does
            Assert.NotEmpty(v.ContentHash);
        });
        var summer = await db.Messages.Include(m => m.Variants).SingleAsync(m => m.Title == second);
        Assert.Equal(new DateTimeOffset(2027, 7, 1, 22, 30, 0, TimeSpan.Zero), Assert.Single(summer.Variants).ScheduledAt);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.EntityId == spring.Id.ToString() && e.Action == "imported"));
    }

    [Fact]
    public async Task Only_authors_import()
    {
        var (approver, _) = await CalendarData.UserAsync(app, Roles.Approver, null);
        Assert.Equal(HttpStatusCode.Forbidden, (await approver.GetAsync("/Calendar/Import")).StatusCode);
    }

    [Fact]
    public async Task The_export_holds_the_visible_range_with_its_filters_in_the_users_zone()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Approver, "Europe/Paris");
        var shown = await CalendarData.AccountAsync(app);
        var hidden = await CalendarData.AccountAsync(app);
        var inRange = (await CalendarData.MessageAsync(app, userId, new DateTimeOffset(2027, 4, 6, 7, 0, 0, TimeSpan.Zero), VariantState.Draft, "Title, with a comma", shown, hidden))
            .Single(v => v.ChannelAccountId == shown.Id);
        await CalendarData.MessageAsync(app, userId, new DateTimeOffset(2027, 5, 6, 7, 0, 0, TimeSpan.Zero), VariantState.Draft, "Next month", shown);

        var response = await client.GetAsync($"/Calendar?view=month&date=2027-04-15&account={shown.Id}&handler=Csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        using var reader = CsvReader.FromText(await response.Content.ReadAsStringAsync(), CsvReaderOptions.Default with { HasHeader = true });
        var rows = new List<(string Local, string Title, string Account, string Variant)>();
        while (reader.Read())
            rows.Add((reader.GetString("planned_local"), reader.GetString("title"), reader.GetString("account"), reader.GetString("variant_id")));
        var row = Assert.Single(rows);
        Assert.Equal(("2027-04-06 09:00", "Title, with a comma", shown.Name, inRange.Id.ToString()), row);
    }
}
