using System.Net;
using System.Text.Json;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Workflow;

namespace Publisher.Web.Tests.Publishing;

/// <summary>
/// The web app with two hooks that play the worker's part at an exact moment: its due dispatcher claims the variant
/// (Scheduled → Publishing, in another connection) either between the page's read and its save, or between the save
/// that moves the post to now and the storing of its Hangfire job. Real races, made deterministic.
/// </summary>
public sealed class RaceWebApp : PublisherWebApp
{
    /// <summary>The variant the worker takes right before the page saves it, once.</summary>
    public Guid? TakeBeforeSave { get; set; }

    /// <summary>The variant the worker takes while its job is being created, once.</summary>
    public Guid? TakeBeforeJob { get; set; }

    /// <summary>Instead of the worker taking it, a person saves another change to it right before the page does.</summary>
    public Guid? EditBeforeSave { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            var original = services.Last(d => d.ServiceType == typeof(IBackgroundJobClient));
            services.Remove(original);
            services.AddSingleton<IBackgroundJobClient>(sp => new RacingJobClient(
                (IBackgroundJobClient)(original.ImplementationInstance ?? original.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, original.ImplementationType!)), this));
            services.ConfigureDbContext<PublisherDbContext>(options => options.AddInterceptors(new RacingSave(this)));
        });
    }

    /// <summary>What the dispatcher's claim does to the row, from a connection of its own.</summary>
    public void Claim(Guid variantId) => Execute($"""UPDATE "Variants" SET "State" = 'Publishing', "Attempts" = "Attempts" + 1 WHERE "Id" = '{variantId}'""");

    public void OtherEdit(Guid variantId) => Execute($"""UPDATE "Variants" SET "UpdatedAt" = now() WHERE "Id" = '{variantId}'""");

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    private sealed class RacingJobClient(IBackgroundJobClient inner, RaceWebApp app) : IBackgroundJobClient
    {
        public string Create(Job job, IState state)
        {
            if (job.Args.Count > 0 && job.Args[0] is Guid id && app.TakeBeforeJob == id)
            {
                app.TakeBeforeJob = null;
                app.Claim(id);
            }
            return inner.Create(job, state);
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => inner.ChangeState(jobId, state, expectedState);
    }

    private sealed class RacingSave(RaceWebApp app) : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            foreach (var entry in eventData.Context!.ChangeTracker.Entries<Variant>().Where(e => e.State == EntityState.Modified))
            {
                if (app.TakeBeforeSave == entry.Entity.Id)
                {
                    app.TakeBeforeSave = null;
                    app.Claim(entry.Entity.Id);
                }
                else if (app.EditBeforeSave == entry.Entity.Id)
                {
                    app.EditBeforeSave = null;
                    app.OtherEdit(entry.Entity.Id);
                }
            }
            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }
}

public class PublishNowRaceTests(RaceWebApp app) : IClassFixture<RaceWebApp>
{
    private async Task<Guid> ScheduledVariantAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var author = await users.FindByEmailAsync(PublisherWebApp.EmailFor(Roles.Marketer));
        var approver = await users.FindByEmailAsync(PublisherWebApp.EmailFor(Roles.Approver));
        var account = new ChannelAccount { Name = $"Mastodon {Guid.NewGuid():N}", Kind = "Mastodon", IsDemo = true };
        var message = new Message { Title = "Spring blend", AuthorId = author!.Id, TimeZone = "Europe/Paris" };
        var variant = new Variant
        {
            MessageId = message.Id, ChannelAccountId = account.Id, RenderedText = "The spring blend is here.", State = VariantState.Scheduled,
            LastEditedById = author.Id, ScheduledAt = DateTimeOffset.UtcNow.AddHours(2), ScheduleToken = Guid.NewGuid(),
        };
        variant.ContentHash = ContentHash.Of(variant);
        message.Variants.Add(variant);
        db.AddRange(account, message);
        db.Approvals.Add(new Approval { VariantId = variant.Id, ApproverId = approver!.Id, ContentHash = variant.ContentHash, Decision = ApprovalDecision.Approved, Role = Roles.Approver, At = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        return variant.Id;
    }

    private async Task<(string Page, VariantState State)> ClickAsync(Guid id, string handler)
    {
        var marketer = await app.SignedInAsync(Roles.Marketer);
        var response = await PublisherWebApp.PostFormAsync(marketer, $"/Variants/{id}", handler);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = WebUtility.HtmlDecode(await marketer.GetStringAsync($"/Variants/{id}"));
        await using var scope = app.Services.CreateAsyncScope();
        var state = await scope.ServiceProvider.GetRequiredService<PublisherDbContext>().Variants.Where(v => v.Id == id).Select(v => v.State).SingleAsync();
        return (page, state);
    }

    [Fact]
    public async Task The_worker_taking_the_post_right_after_Publish_now_moved_it_is_reported_as_being_published_not_as_a_conflict()
    {
        var id = await ScheduledVariantAsync();
        app.TakeBeforeJob = id;

        var (page, state) = await ClickAsync(id, "PublishNow");

        Assert.Null(app.TakeBeforeJob); // the hook ran: the worker took it between the two saves
        Assert.Equal(VariantState.Publishing, state);
        Assert.Contains("A worker has taken it and is publishing it now", page);
        Assert.DoesNotContain("Someone else changed", page);
        Assert.Contains("id=\"being-published\"", page);
        Assert.Contains("data-reload-after", page);
    }

    [Fact]
    public async Task The_worker_taking_the_post_between_the_pages_read_and_its_save_is_reported_as_being_published()
    {
        var id = await ScheduledVariantAsync();
        app.TakeBeforeSave = id;

        var (page, state) = await ClickAsync(id, "PublishNow");

        Assert.Null(app.TakeBeforeSave);
        Assert.Equal(VariantState.Publishing, state);
        Assert.Contains("A worker has taken it and is publishing it now", page);
        Assert.DoesNotContain("Someone else changed", page);

        // A small JSON answer says where it stands, for whatever waits on it.
        var marketer = await app.SignedInAsync(Roles.Marketer);
        var json = JsonDocument.Parse(await marketer.GetStringAsync($"/api/variants/{id}")).RootElement;
        Assert.Equal("Publishing", json.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Unscheduling_too_late_says_the_worker_has_it_and_a_persons_concurrent_edit_is_still_a_conflict()
    {
        var taken = await ScheduledVariantAsync();
        app.TakeBeforeSave = taken;
        var (tooLate, stateTaken) = await ClickAsync(taken, "Unschedule");
        Assert.Equal(VariantState.Publishing, stateTaken);
        Assert.Contains("A worker has just taken this post and is publishing it", tooLate);

        var edited = await ScheduledVariantAsync();
        app.EditBeforeSave = edited;
        var (conflict, stateEdited) = await ClickAsync(edited, "PublishNow");
        Assert.Null(app.EditBeforeSave);
        Assert.Equal(VariantState.Scheduled, stateEdited);
        Assert.Contains("Someone else changed this variant a moment ago", conflict);
        Assert.DoesNotContain("publishing it now", conflict);
    }
}
