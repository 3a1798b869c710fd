using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Calendar;

[Collection(WebAppCollection.Name)]
public class CalendarPageTests(PublisherWebApp app)
{
    private static readonly DateTimeOffset April6 = new(2027, 4, 6, 7, 0, 0, TimeSpan.Zero); // 09:00 in Paris

    [Fact]
    public async Task Filters_live_in_the_address_and_every_link_of_the_page_keeps_them()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var draft = (await CalendarData.MessageAsync(app, userId, April6, VariantState.Draft, CalendarData.Unique("Draft one"), account))[0];
        var approved = (await CalendarData.MessageAsync(app, userId, April6.AddHours(2), VariantState.Approved, CalendarData.Unique("Approved one"), account))[0];

        var html = WebUtility.HtmlDecode(await client.GetStringAsync($"/Calendar?view=month&date=2027-04-01&account={account.Id}&state=Draft"));

        Assert.NotNull(CalendarData.EntryTime(html, draft.Id));
        Assert.Null(CalendarData.EntryTime(html, approved.Id));
        Assert.Contains($"href=\"/Calendar?view=week&date=2027-04-01&account={account.Id}&state=Draft\"", html);
        Assert.Contains($"href=\"/Calendar?view=month&date=2027-05-01&account={account.Id}&state=Draft\" rel=\"next\"", html);
        Assert.Contains($"href=\"/Calendar?view=month&date=2027-04-01&account={account.Id}&state=Draft&handler=Csv\"", html);
        Assert.Matches($"<input type=\"checkbox\" name=\"account\" value=\"{account.Id}\" checked=\"checked\"", html);

        // Both states together show both; the author filter with someone else shows neither.
        html = await client.GetStringAsync($"/Calendar?view=month&date=2027-04-01&account={account.Id}&state=Draft&state=Approved");
        Assert.NotNull(CalendarData.EntryTime(html, approved.Id));
        html = await client.GetStringAsync($"/Calendar?view=month&date=2027-04-01&account={account.Id}&author=nobody");
        Assert.Null(CalendarData.EntryTime(html, draft.Id));
        Assert.Contains("Nothing in this month matches the filters", html);
    }

    [Fact]
    public async Task Campaigns_are_bands_across_their_days_and_entries_can_take_the_campaigns_colour()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var campaign = new Campaign { Name = CalendarData.Unique("Spring band"), UtmCampaign = "spring-band", Color = "#be123c", StartsOn = new DateOnly(2027, 4, 7), EndsOn = new DateOnly(2027, 4, 13) };
        Guid variantId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync();
            variantId = (await CalendarData.MessageAsync(app, userId, April6, VariantState.Draft, CalendarData.Unique("In campaign"), account))[0].Id;
            await db.Messages.Where(m => m.Variants.Any(v => v.Id == variantId)).ExecuteUpdateAsync(s => s.SetProperty(m => m.CampaignId, campaign.Id));
        }

        var html = await client.GetStringAsync($"/Calendar?view=month&date=2027-04-01&campaign={campaign.Id}");

        // April 2027's grid starts on Monday 29 March: the band runs Wed 7 – Sun 11, then Mon 12 – Tue 13.
        Assert.Matches($"class=\"campaign-bar col-3 span-5  cont-after\" data-color=\"#be123c\" href=\"/Campaigns/Edit/{campaign.Id}\"", html);
        Assert.Matches($"class=\"campaign-bar col-1 span-2 cont-before \" data-color=\"#be123c\" href=\"/Campaigns/Edit/{campaign.Id}\"", html);
        Assert.Matches($"data-variant=\"{variantId}\"[^>]+data-color=\"#0f766e\"", html); // by channel: the account's colour
        html = await client.GetStringAsync($"/Calendar?view=month&date=2027-04-01&campaign={campaign.Id}&color=campaign");
        Assert.Matches($"data-variant=\"{variantId}\"[^>]+data-color=\"#be123c\"", html);
    }

    [Fact]
    public async Task Clicking_a_day_or_hour_starts_a_message_at_that_local_time()
    {
        var (client, _) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");

        var week = await client.GetStringAsync("/Calendar?view=week&date=2027-04-06");
        Assert.Contains("href=\"/Messages/New?at=2027-04-06T14:00\"", week);
        var editor = await client.GetStringAsync("/Messages/New?at=2027-04-06T14:00");

        Assert.Matches("id=\"planned\" name=\"Input.PlannedLocal\" type=\"datetime-local\" value=\"2027-04-06T14:00\"", editor);
        Assert.Contains("<option value=\"Europe/Paris\" selected", editor);
    }

    [Fact]
    public async Task People_who_only_look_see_no_way_to_move_or_start()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Approver, null);
        var account = await CalendarData.AccountAsync(app);
        var variant = (await CalendarData.MessageAsync(app, userId, April6, VariantState.InReview, CalendarData.Unique("Look only"), account))[0];

        var html = await client.GetStringAsync($"/Calendar?view=week&date=2027-04-06&account={account.Id}");

        Assert.NotNull(CalendarData.EntryTime(html, variant.Id));
        Assert.Contains("data-can-move=\"false\"", html);
        Assert.DoesNotContain("data-move ", html);
        Assert.DoesNotContain("/Messages/New?at=", html);
        Assert.DoesNotContain("id=\"move-dialog\"", html);
    }
}
