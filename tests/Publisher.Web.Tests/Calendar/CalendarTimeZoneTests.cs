using System.Net;
using System.Net.Http.Json;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Calendar;

/// <summary>
/// Times on the calendar are wall-clock times in the user's zone. In 2027 Europe/Paris moves to summer time on
/// 28 March (UTC+1 → UTC+2) and America/New_York on 14 March (UTC-5 → UTC-4).
/// </summary>
[Collection(WebAppCollection.Name)]
public class CalendarTimeZoneTests(PublisherWebApp app)
{
    private static readonly DateTimeOffset BeforeChange = new(2027, 3, 26, 8, 0, 0, TimeSpan.Zero);  // 09:00 in Paris (UTC+1)
    private static readonly DateTimeOffset AfterChange = new(2027, 3, 29, 7, 0, 0, TimeSpan.Zero);   // 09:00 in Paris (UTC+2)

    [Theory]
    [InlineData("month", "2027-03-01")]
    [InlineData("week", "2027-03-26")]
    [InlineData("list", "2027-03-15")]
    public async Task A_post_at_nine_in_Paris_shows_at_nine_on_both_sides_of_the_spring_change(string view, string date)
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var before = (await CalendarData.MessageAsync(app, userId, BeforeChange, VariantState.Draft, CalendarData.Unique("Before"), account))[0];
        var after = (await CalendarData.MessageAsync(app, userId, AfterChange, VariantState.Draft, CalendarData.Unique("After"), account))[0];

        var html = await client.GetStringAsync($"/Calendar?view={view}&date={date}&account={account.Id}");

        if (view == "week")
        {
            // The week of 22 March holds the 26th only; the 29th is the next week.
            Assert.Equal("2027-03-26 09:00", CalendarData.EntryTime(html, before.Id));
            html = await client.GetStringAsync($"/Calendar?view=week&date=2027-03-29&account={account.Id}");
            Assert.Equal("2027-03-29 09:00", CalendarData.EntryTime(html, after.Id));
        }
        else
        {
            Assert.Equal("2027-03-26 09:00", CalendarData.EntryTime(html, before.Id));
            Assert.Equal("2027-03-29 09:00", CalendarData.EntryTime(html, after.Id));
        }
        Assert.Contains("Times in <strong>Europe/Paris</strong>", html);
    }

    [Fact]
    public async Task A_user_in_New_York_sees_the_same_posts_at_their_own_local_times_and_the_zone_is_on_screen()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "America/New_York");
        var account = await CalendarData.AccountAsync(app);
        var before = (await CalendarData.MessageAsync(app, userId, BeforeChange, VariantState.Draft, CalendarData.Unique("Before"), account))[0];
        var after = (await CalendarData.MessageAsync(app, userId, AfterChange, VariantState.Draft, CalendarData.Unique("After"), account))[0];

        var html = await client.GetStringAsync($"/Calendar?view=month&date=2027-03-01&account={account.Id}");

        Assert.Equal("2027-03-26 04:00", CalendarData.EntryTime(html, before.Id));
        Assert.Equal("2027-03-29 03:00", CalendarData.EntryTime(html, after.Id));
        Assert.Contains("Times in <strong>America/New_York</strong>", html);
    }

    [Fact]
    public async Task Moving_a_nine_oclock_post_across_the_change_keeps_it_at_nine_local()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var variant = (await CalendarData.MessageAsync(app, userId, BeforeChange, VariantState.Draft, CalendarData.Unique("Across"), account))[0];
        await CalendarData.WithTokenAsync(client);

        // What a drop on another day of the month view sends: the new day, the same local time.
        var response = await client.PostAsJsonAsync("/api/calendar/move", new { variantId = variant.Id, date = "2027-03-30", time = "09:00" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new DateTimeOffset(2027, 3, 30, 7, 0, 0, TimeSpan.Zero), (await CalendarData.ReloadAsync(app, variant.Id)).ScheduledAt);
        var html = await client.GetStringAsync($"/Calendar?view=month&date=2027-03-01&account={account.Id}");
        Assert.Equal("2027-03-30 09:00", CalendarData.EntryTime(html, variant.Id));
    }

    [Fact]
    public async Task A_time_the_clocks_skip_is_refused_with_a_reason()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var variant = (await CalendarData.MessageAsync(app, userId, BeforeChange, VariantState.Draft, CalendarData.Unique("Gap"), account))[0];
        await CalendarData.WithTokenAsync(client);

        var response = await client.PostAsJsonAsync("/api/calendar/move", new { variantId = variant.Id, date = "2027-03-28", time = "02:30" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("does not exist in Europe/Paris", (await response.Content.ReadFromJsonAsync<ErrorAnswer>())!.Error);
        Assert.Equal(BeforeChange, (await CalendarData.ReloadAsync(app, variant.Id)).ScheduledAt);
    }

    public sealed record ErrorAnswer(string Error);
}
