using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Web.Tests.Calendar;

[Collection(WebAppCollection.Name)]
public class CalendarFeedTests(PublisherWebApp app)
{
    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string handler)
    {
        var token = await PublisherWebApp.AntiforgeryTokenAsync(client, "/Account/Profile");
        return await client.PostAsync($"/Account/Profile?handler={handler}", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
    }

    [Fact]
    public async Task The_feed_parses_back_with_one_event_per_variant_in_utc_linking_to_the_variant_and_stops_when_revoked()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var at = new DateTimeOffset(DateTimeOffset.UtcNow.Date.AddDays(9).AddHours(7).AddMinutes(30), TimeSpan.Zero);
        var title = CalendarData.Unique("Feed");
        var variant = (await CalendarData.MessageAsync(app, userId, at, VariantState.Scheduled, title, account))[0];

        var made = await PostAsync(client, "Feed");
        Assert.Equal(HttpStatusCode.OK, made.StatusCode);
        var page = await made.Content.ReadAsStringAsync();
        var url = WebUtility.HtmlDecode(Regex.Match(page, "id=\"feed-url\" readonly value=\"([^\"]+)\"").Groups[1].Value);
        Assert.Matches(@"^http://localhost/calendar/feed/[A-Za-z0-9_-]{40,}\.ics$", url);
        var secret = url.Split('/')[^1][..^4];

        // Only the hash of the secret is stored.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var stored = await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Users.Where(u => u.Id == userId).Select(u => u.CalendarFeedTokenHash).SingleAsync();
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret))), stored);
            Assert.DoesNotContain(secret, stored);
        }
        // A second look at the profile does not show the address again.
        Assert.DoesNotContain(secret, await client.GetStringAsync("/Account/Profile"));

        var calendarApp = app.NewClient(); // no sign-in: the secret is the authorization
        var response = await calendarApp.GetAsync(new Uri(url).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType!.MediaType);
        var calendar = Ical.Net.Calendar.Load(await response.Content.ReadAsStringAsync())!;
        var e = Assert.Single(calendar.Events, x => x.Uid == $"{variant.Id}@publisher");
        Assert.True(e.DtStart!.IsUtc, "DTSTART is in UTC");
        Assert.Equal(at.UtcDateTime, e.DtStart.Value);
        Assert.Contains(account.Name, e.Summary);
        Assert.Contains("Fresh beans from the roastery", e.Summary);
        Assert.Contains(title, e.Description);
        Assert.Equal($"http://localhost/Variants/{variant.Id}", e.Url!.ToString());

        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(client, "RevokeFeed")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await calendarApp.GetAsync(new Uri(url).PathAndQuery)).StatusCode);
    }

    [Fact]
    public async Task A_made_up_or_replaced_address_answers_404()
    {
        var (client, _) = await CalendarData.UserAsync(app, Roles.Approver, null);
        var first = WebUtility.HtmlDecode(Regex.Match(await (await PostAsync(client, "Feed")).Content.ReadAsStringAsync(), "id=\"feed-url\" readonly value=\"([^\"]+)\"").Groups[1].Value);
        var second = WebUtility.HtmlDecode(Regex.Match(await (await PostAsync(client, "Feed")).Content.ReadAsStringAsync(), "id=\"feed-url\" readonly value=\"([^\"]+)\"").Groups[1].Value);
        Assert.NotEqual(first, second);
        var anonymous = app.NewClient();

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(new Uri(first).PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri(second).PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/calendar/feed/" + new string('a', 43) + ".ics")).StatusCode);
    }
}
