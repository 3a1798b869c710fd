using System.Net;
using Hangfire;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Web.Tests.Publishing;

/// <summary>Scheduling from the variant page: times in the user's zone, the worker's job, and the refusals.</summary>
[Collection(WebAppCollection.Name)]
public class SchedulingPagesTests(PublisherWebApp app)
{
    /// <summary>A marketer who works in Paris time, signed in.</summary>
    private async Task<(HttpClient Client, string Id)> ParisMarketerAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var email = $"paris-{Guid.NewGuid():N}@tests.publisher.local";
        var user = new AppUser { UserName = email, Email = email, DisplayName = "Paris Marketer", TimeZone = "Europe/Paris", EmailConfirmed = true };
        Assert.True((await users.CreateAsync(user, PublisherWebApp.Password)).Succeeded);
        await users.AddToRoleAsync(user, Roles.Marketer);
        return (await app.SignInAsync(email, PublisherWebApp.Password), user.Id);
    }

    private async Task<Guid> ApprovedVariantAsync(VariantState state = VariantState.Approved)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var author = await users.FindByEmailAsync(PublisherWebApp.EmailFor(Roles.Marketer));
        var approver = await users.FindByEmailAsync(PublisherWebApp.EmailFor(Roles.Approver));
        var account = new ChannelAccount { Name = $"Mastodon {Guid.NewGuid():N}", Kind = "Mastodon" };
        var message = new Message { Title = "Spring blend", AuthorId = author!.Id, TimeZone = "Europe/Paris" };
        var variant = new Variant
        {
            MessageId = message.Id, ChannelAccountId = account.Id, RenderedText = "The spring blend is here.", State = state,
            LastEditedById = author.Id, ScheduledAt = DateTimeOffset.UtcNow.AddDays(2),
        };
        variant.ContentHash = ContentHash.Of(variant);
        message.Variants.Add(variant);
        db.AddRange(account, message);
        db.Approvals.Add(new Approval { VariantId = variant.Id, ApproverId = approver!.Id, ContentHash = variant.ContentHash, Decision = ApprovalDecision.Approved, Role = Roles.Approver, At = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        return variant.Id;
    }

    private async Task<Variant> LoadAsync(Guid id)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Variants.AsNoTracking().SingleAsync(v => v.Id == id);
    }

    private string? JobState(string jobId)
    {
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetJobData(jobId)?.State;
    }

    [Fact]
    public async Task Nine_in_the_morning_Paris_time_is_stored_as_the_right_instant_on_both_sides_of_the_clock_change()
    {
        var (marketer, _) = await ParisMarketerAsync();
        var year = DateTime.UtcNow.Year + 1;
        // The last Sunday of March: Paris moves from UTC+1 to UTC+2 at 02:00.
        var change = new DateTime(year, 3, 31);
        while (change.DayOfWeek != DayOfWeek.Sunday) change = change.AddDays(-1);
        var before = await ApprovedVariantAsync();
        var after = await ApprovedVariantAsync();

        await PublisherWebApp.PostFormAsync(marketer, $"/Variants/{before}", "Reschedule", ("date", change.AddDays(-1).ToString("yyyy-MM-dd")), ("time", "09:00"));
        await PublisherWebApp.PostFormAsync(marketer, $"/Variants/{after}", "Reschedule", ("date", change.AddDays(1).ToString("yyyy-MM-dd")), ("time", "09:00"));

        var b = await LoadAsync(before);
        var a = await LoadAsync(after);
        Assert.Equal(VariantState.Scheduled, b.State);
        Assert.Equal(new DateTimeOffset(change.AddDays(-1).AddHours(8), TimeSpan.Zero), b.ScheduledAt);
        Assert.Equal(new DateTimeOffset(change.AddDays(1).AddHours(7), TimeSpan.Zero), a.ScheduledAt);
        Assert.Equal("Scheduled", JobState(a.JobId!));
        var page = await marketer.GetStringAsync($"/Variants/{after}");
        Assert.Contains("09:00 (Europe/Paris)", page);
    }

    [Fact]
    public async Task A_time_inside_the_skipped_hour_is_refused_with_a_reason()
    {
        var (marketer, _) = await ParisMarketerAsync();
        var change = new DateTime(DateTime.UtcNow.Year + 1, 3, 31);
        while (change.DayOfWeek != DayOfWeek.Sunday) change = change.AddDays(-1);
        var id = await ApprovedVariantAsync();

        await PublisherWebApp.PostFormAsync(marketer, $"/Variants/{id}", "Reschedule", ("date", change.ToString("yyyy-MM-dd")), ("time", "02:30"));

        Assert.Equal(VariantState.Approved, (await LoadAsync(id)).State);
        Assert.Contains("the clocks jump forward that night", WebUtility.HtmlDecode(await marketer.GetStringAsync($"/Variants/{id}")));
    }

    [Fact]
    public async Task Publish_now_unschedule_and_cancel_drive_the_job()
    {
        var (marketer, _) = await ParisMarketerAsync();
        var id = await ApprovedVariantAsync();

        await PublisherWebApp.PostFormAsync(marketer, $"/Variants/{id}", "PublishNow");
        var now = await LoadAsync(id);
        Assert.Equal(VariantState.Scheduled, now.State);
        Assert.True(now.ScheduledAt <= DateTimeOffset.UtcNow);
        Assert.Equal("Scheduled", JobState(now.JobId!)); // the backstop job; the worker's dispatcher takes it at once

        await PublisherWebApp.PostFormAsync(marketer, $"/Variants/{id}", "Unschedule");
        var unscheduled = await LoadAsync(id);
        Assert.Equal(VariantState.Approved, unscheduled.State);
        Assert.Equal("Deleted", JobState(now.JobId!));

        await PublisherWebApp.PostFormAsync(marketer, $"/Variants/{id}", "Cancel");
        Assert.Equal(VariantState.Canceled, (await LoadAsync(id)).State);
    }

    [Fact]
    public async Task A_past_time_is_refused_and_an_approver_cannot_schedule()
    {
        var (marketer, _) = await ParisMarketerAsync();
        var id = await ApprovedVariantAsync();

        await PublisherWebApp.PostFormAsync(marketer, $"/Variants/{id}", "Reschedule", ("date", DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd")), ("time", "09:00"));
        Assert.Equal(VariantState.Approved, (await LoadAsync(id)).State);
        Assert.Contains("in the past", await marketer.GetStringAsync($"/Variants/{id}"));

        var approver = await app.SignedInAsync(Roles.Approver);
        var response = await PublisherWebApp.PostFormAsync(approver, $"/Variants/{id}", "PublishNow");
        Assert.NotEqual(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(VariantState.Approved, (await LoadAsync(id)).State);
    }

    [Fact]
    public async Task A_post_that_needs_attention_can_be_marked_published_with_its_address()
    {
        var (marketer, _) = await ParisMarketerAsync();
        var id = await ApprovedVariantAsync(VariantState.NeedsAttention);

        await PublisherWebApp.PostFormAsync(marketer, $"/Variants/{id}", "MarkPublished", ("url", "javascript:alert(1)"));
        Assert.Equal(VariantState.NeedsAttention, (await LoadAsync(id)).State);

        await PublisherWebApp.PostFormAsync(marketer, $"/Variants/{id}", "MarkPublished", ("url", "https://social.example/@northwind/1"));
        var variant = await LoadAsync(id);
        Assert.Equal(VariantState.Published, variant.State);
        Assert.Equal("https://social.example/@northwind/1", variant.ExternalUrl);
    }
}
