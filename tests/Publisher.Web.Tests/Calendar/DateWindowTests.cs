using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Web.Tests.Messages;

namespace Publisher.Web.Tests.Calendar;

/// <summary>
/// Days far outside what anyone plans (0001-01-01, 9999-12-31) used to overflow the date arithmetic and answer
/// 500 wherever a date comes in. Planning has one window, from 2000-01-01 to five years ahead: outside it a view
/// shows the nearest day inside it and says so, and an API or a form answers 400 with the reason.
/// </summary>
[Collection(WebAppCollection.Name)]
public class DateWindowTests(PublisherWebApp app)
{
    public static TheoryData<string> ExtremeDays() => new() { "0001-01-01", "9999-12-31", "9999-12-27", "1999-12-31" };

    [Theory]
    [MemberData(nameof(ExtremeDays))]
    public async Task Every_calendar_view_and_the_csv_export_show_the_nearest_day_in_the_window_and_say_so(string day)
    {
        // Zones on both sides of UTC: converting a far day to UTC overflowed in one or the other.
        foreach (var zone in new[] { "Pacific/Kiritimati", "America/Los_Angeles" })
        {
            var (client, _) = await CalendarData.UserAsync(app, Roles.Marketer, zone);
            foreach (var view in new[] { "month", "week", "list" })
            {
                var response = await client.GetAsync($"/Calendar?view={view}&date={day}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
                Assert.Contains($"{day} is outside the days Publisher plans and shows", html);
                Assert.Contains("id=\"clamped\"", html);
            }
            var csv = await client.GetAsync($"/Calendar?view=month&date={day}&handler=Csv");
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
            Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
            // The legacy address of the week view is held to the same window.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/Calendar?week={day}")).StatusCode);
        }
    }

    [Fact]
    public async Task The_last_day_of_the_window_is_shown_as_it_is()
    {
        var (client, _) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var last = PlanningWindow.LastDay(DateTimeOffset.UtcNow).AddDays(-1).ToString("yyyy-MM-dd");
        var html = await client.GetStringAsync($"/Calendar?view=month&date={last}");
        Assert.DoesNotContain("id=\"clamped\"", html);
    }

    [Theory]
    [InlineData("from=9999-12-31T00:00:00Z")]
    [InlineData("from=0001-01-01T00:00:00Z")]
    [InlineData("to=9999-12-31T23:59:59Z")]
    [InlineData("from=2000-01-01T00:00:00Z&to=9999-12-31T00:00:00Z")]
    public async Task The_variants_api_answers_400_with_the_window_for_a_day_outside_it(string query)
    {
        var client = await app.SignedInAsync(Roles.Marketer);
        var response = await client.GetAsync($"/api/variants?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("2000-01-01", problem.RootElement.GetProperty("detail").GetString());
    }

    [Theory]
    [MemberData(nameof(ExtremeDays))]
    public async Task The_review_queue_and_the_audit_log_clamp_a_day_outside_the_window(string day)
    {
        var (reviewer, _) = await CalendarData.UserAsync(app, Roles.BrandManager, "Pacific/Kiritimati");
        var queue = await reviewer.GetAsync($"/Approvals?DueBefore={day}");
        Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
        Assert.Contains("id=\"clamped\"", await queue.Content.ReadAsStringAsync());

        foreach (var query in new[] { $"To={day}", $"From={day}", $"From={day}&To={day}" })
        {
            var audit = await reviewer.GetAsync($"/Audit?{query}");
            Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
            Assert.Contains("id=\"clamped\"", await audit.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync($"/Audit?handler=Csv&{query}")).StatusCode);
        }
    }

    [Theory]
    [InlineData("9999-12-31", "23:59")]
    [InlineData("0001-01-01", "00:00")]
    public async Task The_move_api_refuses_a_day_outside_the_window_with_the_reason(string date, string time)
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "America/Los_Angeles");
        var account = await CalendarData.AccountAsync(app);
        var variant = (await CalendarData.MessageAsync(app, userId, DateTimeOffset.UtcNow.AddDays(3), VariantState.Draft, CalendarData.Unique("Move far"), account)).Single();
        await PublisherWebApp.WithApiTokenAsync(client);

        var response = await client.PostAsJsonAsync("/api/calendar/move", new { variantId = variant.Id, date, time });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(date, answer.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_post_is_never_planned_more_than_five_years_ahead_whichever_way_the_time_comes_in()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var variant = (await CalendarData.MessageAsync(app, userId, DateTimeOffset.UtcNow.AddDays(3), VariantState.Draft, CalendarData.Unique("Six years"), account)).Single();
        await PublisherWebApp.WithApiTokenAsync(client);
        var sixYears = DateTime.UtcNow.AddYears(PlanningWindow.YearsAhead + 1).ToString("yyyy-MM-dd");

        var moved = await client.PostAsJsonAsync("/api/calendar/move", new { variantId = variant.Id, date = sixYears, time = "09:00" });
        Assert.Equal(HttpStatusCode.BadRequest, moved.StatusCode);
        Assert.Contains("more than 5 years ahead", await moved.Content.ReadAsStringAsync());

        // The editor: a field error beside the time, and what was typed is kept.
        var title = CalendarData.Unique("Far future");
        var fields = Editor.Fields(title, "Fresh beans.", account.Id);
        fields["Input.PlannedLocal"] = "9999-12-31T23:59";
        var page = await Editor.PostAsync(client, "/Messages/New", fields);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode); // the editor again, with its errors
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        Assert.Contains("9999-12-31 is more than 5 years ahead", html);
        Assert.Contains($"value=\"{title}\"", html);

        // A campaign's days too.
        var campaign = await Editor.PostAsync(client, "/Campaigns/Edit", new Dictionary<string, string>
        {
            ["Input.Name"] = CalendarData.Unique("Forever"), ["Input.StartsOn"] = "2027-01-01", ["Input.EndsOn"] = "9999-12-31",
            ["Input.Color"] = "#c2410c", ["Input.UtmCampaign"] = "forever",
        });
        Assert.NotEqual(HttpStatusCode.Redirect, campaign.StatusCode);
        Assert.Contains("9999-12-31 is more than 5 years ahead", WebUtility.HtmlDecode(await campaign.Content.ReadAsStringAsync()));
    }

}
