using System.Net;
using System.Net.Http.Json;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Workflow;

namespace Publisher.Web.Tests.Calendar;

[Collection(WebAppCollection.Name)]
public class CalendarMoveTests(PublisherWebApp app)
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    private static DateTimeOffset ParisTime(DateOnly day, int hour) => new(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(hour, 0)), Paris), TimeSpan.Zero);

    private static DateOnly ParisToday => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Paris).DateTime);

    [Fact]
    public async Task Moving_a_scheduled_variant_replaces_its_job_keeps_its_approval_and_is_audited()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var variant = (await CalendarData.MessageAsync(app, userId, ParisTime(ParisToday.AddDays(10), 10), VariantState.Approved, CalendarData.Unique("Scheduled"), account))[0];
        string oldJob;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var scheduler = scope.ServiceProvider.GetRequiredService<PublishScheduler>();
            var loaded = (await scheduler.FindAsync(variant.Id))!;
            Assert.True((await scheduler.ScheduleAsync(loaded, loaded.ScheduledAt!.Value, new Actor(userId, "test"))).Succeeded);
            oldJob = loaded.JobId!;
        }
        await CalendarData.WithTokenAsync(client);
        var newDay = ParisToday.AddDays(12);

        var response = await client.PostAsJsonAsync("/api/calendar/move", new { variantId = variant.Id, date = newDay.ToString("yyyy-MM-dd"), time = "14:30" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var moved = await CalendarData.ReloadAsync(app, variant.Id);
        var expected = ParisTime(newDay, 14).AddMinutes(30);
        Assert.Equal(expected, moved.ScheduledAt);
        Assert.Equal(VariantState.Scheduled, moved.State);
        Assert.Single(moved.Approvals, a => a.VoidedAt is null && a.Decision == ApprovalDecision.Approved);
        Assert.NotNull(moved.JobId);
        Assert.NotEqual(oldJob, moved.JobId);

        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        Assert.Equal(DeletedState.StateName, connection.GetStateData(oldJob).Name);
        var state = connection.GetStateData(moved.JobId);
        Assert.Equal(ScheduledState.StateName, state.Name);
        var enqueueAt = Hangfire.Common.JobHelper.DeserializeDateTime(state.Data["EnqueueAt"]);
        // The job is the backstop, due just after the new time (the worker's dispatcher publishes at the time itself).
        Assert.Equal(expected.UtcDateTime.AddSeconds(30), enqueueAt, TimeSpan.FromSeconds(1));

        await using var check = app.Services.CreateAsyncScope();
        var audit = await check.ServiceProvider.GetRequiredService<PublisherDbContext>().AuditEvents
            .Where(e => e.EntityId == variant.Id.ToString() && e.Action == "rescheduled").ToListAsync();
        Assert.Contains(audit, e => e.ActorId == userId && e.Reason!.Contains($"to {expected:yyyy-MM-dd HH:mm} UTC"));
    }

    [Fact]
    public async Task A_move_into_the_past_is_refused_with_a_reason_and_changes_nothing()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var at = ParisTime(ParisToday.AddDays(5), 9);
        var variant = (await CalendarData.MessageAsync(app, userId, at, VariantState.Draft, CalendarData.Unique("Past"), account))[0];
        await CalendarData.WithTokenAsync(client);

        var response = await client.PostAsJsonAsync("/api/calendar/move", new { variantId = variant.Id, date = ParisToday.AddDays(-1).ToString("yyyy-MM-dd"), time = "09:00" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("in the past", (await response.Content.ReadFromJsonAsync<CalendarTimeZoneTests.ErrorAnswer>())!.Error);
        Assert.Equal(at, (await CalendarData.ReloadAsync(app, variant.Id)).ScheduledAt);
    }

    [Fact]
    public async Task A_published_post_cannot_be_moved()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var at = ParisTime(ParisToday.AddDays(-2), 9);
        var variant = (await CalendarData.MessageAsync(app, userId, at, VariantState.Published, CalendarData.Unique("Published"), account))[0];
        await CalendarData.WithTokenAsync(client);

        var response = await client.PostAsJsonAsync("/api/calendar/move", new { variantId = variant.Id, date = ParisToday.AddDays(3).ToString("yyyy-MM-dd"), time = "09:00" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("already published", (await response.Content.ReadFromJsonAsync<CalendarTimeZoneTests.ErrorAnswer>())!.Error);
        var after = await CalendarData.ReloadAsync(app, variant.Id);
        Assert.Equal(at, after.ScheduledAt);
        Assert.Equal(VariantState.Published, after.State);
    }

    [Fact]
    public async Task Only_authors_move_and_every_move_needs_the_antiforgery_token()
    {
        var (approver, _) = await CalendarData.UserAsync(app, Roles.Approver, null);
        var (marketer, userId) = await CalendarData.UserAsync(app, Roles.Marketer, null);
        var account = await CalendarData.AccountAsync(app);
        var variant = (await CalendarData.MessageAsync(app, userId, ParisTime(ParisToday.AddDays(5), 9), VariantState.Draft, CalendarData.Unique("Who"), account))[0];
        var body = new { variantId = variant.Id, date = ParisToday.AddDays(6).ToString("yyyy-MM-dd"), time = "09:00" };

        await CalendarData.WithTokenAsync(approver);
        Assert.Equal(HttpStatusCode.Forbidden, (await approver.PostAsJsonAsync("/api/calendar/move", body)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await marketer.PostAsJsonAsync("/api/calendar/move", body)).StatusCode);
        Assert.Equal(ParisTime(ParisToday.AddDays(5), 9), (await CalendarData.ReloadAsync(app, variant.Id)).ScheduledAt);
    }

    [Fact]
    public async Task Next_free_slot_takes_the_first_posting_slot_no_other_post_of_the_account_has()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app, "Mastodon", "daily 10:00");
        TimeZoneInfo brandZone;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var id = await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Brands.OrderBy(b => b.Id).Select(b => b.TimeZone).FirstOrDefaultAsync() ?? "UTC";
            brandZone = TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        // The first two 10:00 slots from tomorrow on (in the brand's zone); the first is taken by another post.
        var tomorrow = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, brandZone).DateTime).AddDays(1);
        var first = PostingSlots.ToInstant(tomorrow, new TimeOnly(10, 0), brandZone)!.Value;
        var second = PostingSlots.ToInstant(tomorrow.AddDays(1), new TimeOnly(10, 0), brandZone)!.Value;
        await CalendarData.MessageAsync(app, userId, first, VariantState.Draft, CalendarData.Unique("Taken"), account);
        var variant = (await CalendarData.MessageAsync(app, userId, first.AddDays(20), VariantState.Draft, CalendarData.Unique("Slot"), account))[0];
        // Today's 10:00, if still ahead, would come first: start from a variant the check can tell apart.
        var today = PostingSlots.ToInstant(tomorrow.AddDays(-1), new TimeOnly(10, 0), brandZone)!.Value;
        if (today > DateTimeOffset.UtcNow)
            await CalendarData.MessageAsync(app, userId, today, VariantState.Draft, CalendarData.Unique("Taken today"), account);
        await CalendarData.WithTokenAsync(client);

        var response = await client.PostAsJsonAsync("/api/calendar/next-slot", new { variantId = variant.Id });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(second, (await CalendarData.ReloadAsync(app, variant.Id)).ScheduledAt);
    }

    [Fact]
    public async Task Next_free_slot_explains_when_the_account_has_no_slots()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app);
        var variant = (await CalendarData.MessageAsync(app, userId, ParisTime(ParisToday.AddDays(4), 9), VariantState.Draft, CalendarData.Unique("No slots"), account))[0];
        await CalendarData.WithTokenAsync(client);

        var response = await client.PostAsJsonAsync("/api/calendar/next-slot", new { variantId = variant.Id });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("has no posting slots", (await response.Content.ReadFromJsonAsync<CalendarTimeZoneTests.ErrorAnswer>())!.Error);
    }

    [Fact]
    public async Task The_variant_page_moves_a_variant_and_adds_it_to_the_next_free_slot_through_the_same_rules()
    {
        var (client, userId) = await CalendarData.UserAsync(app, Roles.Marketer, "Europe/Paris");
        var account = await CalendarData.AccountAsync(app, "Mastodon", "daily 11:00");
        var variant = (await CalendarData.MessageAsync(app, userId, ParisTime(ParisToday.AddDays(30), 9), VariantState.Draft, CalendarData.Unique("Page move"), account))[0];
        var page = $"/Variants/{variant.Id}";
        async Task<HttpResponseMessage> PostAsync(string handler, Dictionary<string, string> form)
        {
            form["__RequestVerificationToken"] = await PublisherWebApp.AntiforgeryTokenAsync(client, page);
            return await client.PostAsync($"{page}?handler={handler}", new FormUrlEncodedContent(form));
        }

        var target = ParisToday.AddDays(3);
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync("Reschedule", new() { ["date"] = target.ToString("yyyy-MM-dd"), ["time"] = "16:00" })).StatusCode);
        Assert.Equal(ParisTime(target, 16), (await CalendarData.ReloadAsync(app, variant.Id)).ScheduledAt);
        Assert.Contains($"Moved to {target.ToDateTime(new TimeOnly(16, 0)):dddd d MMMM yyyy}, 16:00 (Europe/Paris)", await client.GetStringAsync(page));

        await PostAsync("Reschedule", new() { ["date"] = ParisToday.AddDays(-3).ToString("yyyy-MM-dd"), ["time"] = "16:00" });
        Assert.Contains("That time is in the past", await client.GetStringAsync(page));
        Assert.Equal(ParisTime(target, 16), (await CalendarData.ReloadAsync(app, variant.Id)).ScheduledAt);

        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync("NextSlot", [])).StatusCode);
        var slotted = (await CalendarData.ReloadAsync(app, variant.Id)).ScheduledAt!.Value;
        Assert.True(slotted > DateTimeOffset.UtcNow && slotted < DateTimeOffset.UtcNow.AddDays(2), $"the next 11:00 slot, not {slotted}");
        await using var scope = app.Services.CreateAsyncScope();
        var brandZoneId = await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Brands.Select(b => b.TimeZone).FirstOrDefaultAsync() ?? "UTC";
        Assert.Equal(new TimeOnly(11, 0), TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(slotted, TimeZoneInfo.FindSystemTimeZoneById(brandZoneId)).DateTime));
    }
}
