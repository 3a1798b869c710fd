using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Core.Workflow;
using Publisher.Testing;
using Publisher.Worker.Publishing;

namespace Publisher.Publishing.Tests;

[Collection(PostgresCollection.Name)]
public class PublishSchedulerTests(PostgresServer postgres) : IAsyncLifetime
{
    private PublishingHarness _h = null!;
    private static readonly Actor Marketer = new(null, "Max");

    public async Task InitializeAsync() => _h = await PublishingHarness.StartAsync(postgres);

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private Task<Guid> ApprovedAsync(DateTimeOffset at) =>
        _h.ScheduledVariantAsync(at, tweak: v => { v.State = VariantState.Approved; v.ScheduleToken = null; });

    private async Task<(WorkflowResult Result, Variant Variant)> WithSchedulerAsync(Guid id, Func<PublishScheduler, Variant, Task<WorkflowResult>> act)
    {
        WorkflowResult result = WorkflowResult.Ok;
        await _h.WithScopeAsync(async sp =>
        {
            var scheduler = sp.GetRequiredService<PublishScheduler>();
            var variant = (await scheduler.FindAsync(id))!;
            result = await act(scheduler, variant);
        });
        return (result, await _h.LoadAsync(id));
    }

    [Fact]
    public async Task Scheduling_creates_a_backstop_Hangfire_job_just_after_the_time_carrying_the_variant_and_its_token()
    {
        var at = DateTimeOffset.UtcNow.AddHours(3);
        var id = await ApprovedAsync(at);

        var (result, variant) = await WithSchedulerAsync(id, (s, v) => s.ScheduleAsync(v, at, Marketer));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(VariantState.Scheduled, variant.State);
        Assert.NotNull(variant.ScheduleToken);
        Assert.Equal("Scheduled", _h.JobState(variant.JobId!));
        Assert.Equal([id, variant.ScheduleToken], _h.JobArguments(variant.JobId!).Take(2));
        var scheduled = _h.Monitoring.ScheduledJobs(0, 100).Single(j => j.Key == variant.JobId);
        // The worker's dispatcher publishes at the time; the job fires 30 s later only if nothing did.
        Assert.InRange(scheduled.Value.EnqueueAt, at.UtcDateTime.AddSeconds(29), at.UtcDateTime.AddSeconds(31));
    }

    [Fact]
    public async Task Rescheduling_replaces_the_job_keeps_the_approval_and_records_the_move()
    {
        var id = await ApprovedAsync(DateTimeOffset.UtcNow.AddHours(3));
        var (_, first) = await WithSchedulerAsync(id, (s, v) => s.ScheduleAsync(v, DateTimeOffset.UtcNow.AddHours(3), Marketer));
        var later = DateTimeOffset.UtcNow.AddDays(2);

        var (result, moved) = await WithSchedulerAsync(id, (s, v) => s.MoveAsync(v, later, Marketer));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(VariantState.Scheduled, moved.State);
        Assert.NotEqual(first.JobId, moved.JobId);
        Assert.NotEqual(first.ScheduleToken, moved.ScheduleToken);
        Assert.Equal("Deleted", _h.JobState(first.JobId!));
        Assert.Equal("Scheduled", _h.JobState(moved.JobId!));
        Assert.Contains(moved.Approvals, a => a.VoidedAt is null && a.ContentHash == moved.ContentHash);
        var audit = await _h.QueryAsync(db => db.AuditEvents.Where(a => a.EntityId == id.ToString() && a.Action == "rescheduled"));
        Assert.Single(audit);

        // The old job, had it fired anyway, finds it is stale.
        await _h.RunJobAsync(id, first.ScheduleToken);
        Assert.Empty(_h.Client.Calls);
    }

    [Fact]
    public async Task Unscheduling_and_cancelling_delete_the_job()
    {
        var a = await ApprovedAsync(DateTimeOffset.UtcNow.AddHours(3));
        var b = await ApprovedAsync(DateTimeOffset.UtcNow.AddHours(3));
        var (_, scheduledA) = await WithSchedulerAsync(a, (s, v) => s.ScheduleAsync(v, DateTimeOffset.UtcNow.AddHours(3), Marketer));
        var (_, scheduledB) = await WithSchedulerAsync(b, (s, v) => s.ScheduleAsync(v, DateTimeOffset.UtcNow.AddHours(3), Marketer));

        var (unscheduled, va) = await WithSchedulerAsync(a, (s, v) => s.UnscheduleAsync(v, Marketer));
        var (cancelled, vb) = await WithSchedulerAsync(b, (s, v) => s.CancelAsync(v, Marketer));

        Assert.True(unscheduled.Succeeded && cancelled.Succeeded);
        Assert.Equal(VariantState.Approved, va.State);
        Assert.Equal(VariantState.Canceled, vb.State);
        Assert.Null(va.JobId);
        Assert.Equal("Deleted", _h.JobState(scheduledA.JobId!));
        Assert.Equal("Deleted", _h.JobState(scheduledB.JobId!));
    }

    [Fact]
    public async Task Publish_now_makes_the_variant_due_at_once()
    {
        var id = await ApprovedAsync(DateTimeOffset.UtcNow.AddDays(1));

        var (result, variant) = await WithSchedulerAsync(id, (s, v) => s.PublishNowAsync(v, Marketer));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("Scheduled", _h.JobState(variant.JobId!)); // the backstop
        Assert.True(variant.ScheduledAt <= DateTimeOffset.UtcNow); // due now: the next dispatcher pass takes it
    }

    [Fact]
    public async Task Moves_into_the_past_and_moves_of_published_posts_are_refused_and_change_nothing()
    {
        var id = await ApprovedAsync(DateTimeOffset.UtcNow.AddHours(3));
        var published = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddHours(-1), tweak: v => v.State = VariantState.Published);

        var (past, unchanged) = await WithSchedulerAsync(id, (s, v) => s.MoveAsync(v, DateTimeOffset.UtcNow.AddHours(-2), Marketer));
        var (again, stillPublished) = await WithSchedulerAsync(published, (s, v) => s.MoveAsync(v, DateTimeOffset.UtcNow.AddDays(1), Marketer));

        Assert.False(past.Succeeded);
        Assert.Contains("in the past", past.Error);
        Assert.Equal(VariantState.Approved, unchanged.State);
        Assert.Null(unchanged.JobId);
        Assert.False(again.Succeeded);
        Assert.Contains("already published", again.Error);
        Assert.Equal(VariantState.Published, stillPublished.State);
    }

    [Fact]
    public async Task A_variant_whose_content_changed_after_approval_cannot_be_scheduled()
    {
        var id = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddHours(3),
            tweak: v => { v.State = VariantState.Approved; v.ManualOverride = "Changed after approval."; });

        var (result, variant) = await WithSchedulerAsync(id, (s, v) => s.ScheduleAsync(v, DateTimeOffset.UtcNow.AddHours(4), Marketer));

        Assert.False(result.Succeeded);
        Assert.Contains("not approved", result.Error);
        Assert.Equal(VariantState.Approved, variant.State);
    }

    [Fact]
    public async Task A_draft_moved_on_the_calendar_just_gets_its_new_time()
    {
        var id = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddHours(3), tweak: v => { v.State = VariantState.Draft; v.ScheduleToken = null; });
        var at = DateTimeOffset.UtcNow.AddDays(3);

        var (result, variant) = await WithSchedulerAsync(id, (s, v) => s.MoveAsync(v, at, Marketer));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(VariantState.Draft, variant.State);
        Assert.Equal(at.ToUnixTimeSeconds(), variant.ScheduledAt!.Value.ToUnixTimeSeconds());
        Assert.Null(variant.JobId);
    }

    [Fact]
    public async Task The_sweep_gives_jobs_to_orphans_enqueues_overdue_and_interrupted_variants_and_deletes_stale_jobs()
    {
        var orphan = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddHours(1));
        var overdue = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddMinutes(-5), tweak: v => v.JobId = "lost");
        var interrupted = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddMinutes(-5), tweak: v => { v.State = VariantState.Publishing; v.JobId = "running"; });
        await _h.OpenAttemptAsync(interrupted, "dead:1", alive: false, startedAt: DateTimeOffset.UtcNow.AddMinutes(-4), sent: true);
        await _h.WaitUntilJudgingAsync();
        var id = await ApprovedAsync(DateTimeOffset.UtcNow.AddHours(3));
        var (_, scheduled) = await WithSchedulerAsync(id, (s, v) => s.ScheduleAsync(v, DateTimeOffset.UtcNow.AddHours(3), Marketer));
        // Sent back to review by an edit, which does not touch Hangfire itself.
        await _h.DbAsync(db => db.Variants.Where(v => v.Id == id).ExecuteUpdateAsync(s => s.SetProperty(v => v.State, VariantState.InReview)));
        var enqueuedBefore = _h.Monitoring.EnqueuedCount("publish");

        var sweeper = _h.Services.GetRequiredService<PublishSweeper>();
        await sweeper.SweepAsync(CancellationToken.None);

        var orphanNow = await _h.LoadAsync(orphan);
        Assert.Equal("Scheduled", _h.JobState(orphanNow.JobId!));
        Assert.Equal(enqueuedBefore + 2, _h.Monitoring.EnqueuedCount("publish"));
        var queued = _h.Monitoring.EnqueuedJobs("publish", 0, 100).Select(j => (Guid)j.Value.Job.Args[0]).ToList();
        Assert.Contains(overdue, queued);
        Assert.Contains(interrupted, queued);
        Assert.Equal("Deleted", _h.JobState(scheduled.JobId!));
        Assert.Null((await _h.LoadAsync(id)).JobId);
    }
}
