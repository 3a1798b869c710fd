using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Calendar;

/// <summary>The settings the calendar uses: the user's zone, campaigns and posting slots.</summary>
[Collection(WebAppCollection.Name)]
public class CalendarSettingsTests(PublisherWebApp app)
{
    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string page, string url, Dictionary<string, string> form)
    {
        form["__RequestVerificationToken"] = await PublisherWebApp.AntiforgeryTokenAsync(client, page);
        return await client.PostAsync(url, new FormUrlEncodedContent(form));
    }

    private async Task<T> QueryAsync<T>(Func<PublisherDbContext, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PublisherDbContext>());
    }

    [Fact]
    public async Task A_user_picks_their_zone_on_the_profile_and_the_calendar_uses_it()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Approver, null);

        await PostAsync(client, "/Account/Profile", "/Account/Profile?handler=Zone", new() { ["zone"] = "Asia/Tokyo" });
        Assert.Equal("Asia/Tokyo", await QueryAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.TimeZone).SingleAsync()));
        Assert.Contains("Times in <strong>Asia/Tokyo</strong>", await client.GetStringAsync("/Calendar"));

        await PostAsync(client, "/Account/Profile", "/Account/Profile?handler=Zone", new() { ["zone"] = "Mars/Olympus" });
        Assert.Contains("\"Mars/Olympus\" is not a time zone Publisher knows", WebUtility.HtmlDecode(await client.GetStringAsync("/Account/Profile")));
        Assert.Equal("Asia/Tokyo", await QueryAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.TimeZone).SingleAsync()));

        await PostAsync(client, "/Account/Profile", "/Account/Profile?handler=Zone", new() { ["zone"] = "" });
        Assert.Null(await QueryAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.TimeZone).SingleAsync()));
    }

    [Fact]
    public async Task A_campaign_is_checked_then_saved_and_listed()
    {
        var (client, _) = await CalendarData.UserAsync(app, Roles.Marketer, null);
        var name = CalendarData.Unique("Harvest");
        var form = new Dictionary<string, string>
        {
            ["Input.Name"] = name, ["Input.StartsOn"] = "2027-05-10", ["Input.EndsOn"] = "2027-05-01", ["Input.Color"] = "#15803d", ["Input.UtmCampaign"] = "harvest 2027",
        };

        var refused = WebUtility.HtmlDecode(await (await PostAsync(client, "/Campaigns/Edit", "/Campaigns/Edit", form)).Content.ReadAsStringAsync());
        Assert.Contains("The campaign ends (2027-05-01) before it starts (2027-05-10)", refused);
        Assert.Contains("The UTM campaign is one word", refused);
        Assert.False(await QueryAsync(db => db.Campaigns.AnyAsync(c => c.Name == name)));

        form["Input.EndsOn"] = "2027-05-20";
        form["Input.UtmCampaign"] = "harvest-2027";
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(client, "/Campaigns/Edit", "/Campaigns/Edit", form)).StatusCode);
        var saved = await QueryAsync(db => db.Campaigns.SingleAsync(c => c.Name == name));
        Assert.Equal((new DateOnly(2027, 5, 10), new DateOnly(2027, 5, 20), "#15803d", "harvest-2027"), (saved.StartsOn, saved.EndsOn, saved.Color, saved.UtmCampaign));
        Assert.Contains(name, await client.GetStringAsync("/Campaigns"));

        var (approver, _) = await CalendarData.UserAsync(app, Roles.Approver, null);
        Assert.Equal(HttpStatusCode.Forbidden, (await approver.GetAsync("/Campaigns/Edit")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await approver.GetAsync("/Campaigns")).StatusCode);
    }

    [Fact]
    public async Task Posting_slots_are_saved_in_a_standard_form_and_a_wrong_entry_is_explained()
    {
        var admin = await app.SignedInAsync(Roles.Admin);
        var account = await CalendarData.AccountAsync(app);

        await PostAsync(admin, "/Channels", "/Channels?handler=Slots", new() { ["id"] = account.Id.ToString(), ["slots"] = "weekdays 09:00 13:00, sat 10:30" });
        var slots = await QueryAsync(db => db.ChannelAccounts.Where(a => a.Id == account.Id).Select(a => a.PostingSlots).SingleAsync());
        Assert.Equal(11, slots.Count);
        Assert.Equal(["Mon 09:00", "Mon 13:00"], slots.Take(2));
        Assert.Equal("Sat 10:30", slots[^1]);

        await PostAsync(admin, "/Channels", "/Channels?handler=Slots", new() { ["id"] = account.Id.ToString(), ["slots"] = "Mon 9h" });
        Assert.Contains("\"9h\" in \"Mon 9h\" is not a time", WebUtility.HtmlDecode(await admin.GetStringAsync("/Channels")));
        Assert.Equal(11, (await QueryAsync(db => db.ChannelAccounts.Where(a => a.Id == account.Id).Select(a => a.PostingSlots).SingleAsync())).Count);
    }
}
