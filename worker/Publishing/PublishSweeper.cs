using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Jobs;
using Publisher.Core.Publishing;
using Hangfire;

namespace Publisher.Worker.Publishing;

/// <summary>
/// The safety net under the Hangfire jobs, run by every worker every few seconds (and at start, which is the
/// catch-up after downtime). It gives a scheduled variant with no job its job; re-enqueues variants that are
/// overdue (their job was lost, or failed on a database outage); hands attempts left open by a dead worker
/// to the job, which reconciles them; and deletes the jobs of variants that are no longer scheduled. Every
/// job it enqueues is checked under the variant's lock, so sweeping twice never publishes twice.
/// </summary>
public sealed class PublishSweeper(
    IServiceScopeFactory scopes, DispatchActivity dispatch, PublishWorkerHeartbeat heartbeat, ClaimsInHand inHand, IOptions<PublishingOptions> options, TimeProvider clock,
    ILogger<PublishSweeper> log) : BackgroundService
{
    /// <summary>How long past due a scheduled variant may wait for its own job before the sweep enqueues another.</summary>
    public static readonly TimeSpan OverdueAfter = TimeSpan.FromSeconds(20);

    /// <summary>The most stale jobs one sweep deletes.</summary>
    private const int DeleteAtMost = 5000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "The publish sweep failed; it runs again in {Interval}", options.Value.SweepInterval);
            }
            try
            {
                await Task.Delay(options.Value.SweepInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var scheduler = scope.ServiceProvider.GetRequiredService<PublishScheduler>();
        var jobs = scope.ServiceProvider.GetRequiredService<IBackgroundJobClient>();
        var now = clock.GetUtcNow();
        var acted = 0;

        // Scheduled with no job: the job could not be created, or the variant was scheduled by the seeder.
        foreach (var variant in await db.Variants.Where(v => v.State == VariantState.Scheduled && v.JobId == null && v.ScheduleToken != null).OrderBy(v => v.ScheduledAt).Take(500).ToListAsync(cancellationToken))
        {
            await scheduler.CreateJobAsync(variant, cancellationToken);
            acted++;
        }

        // Attempts of this very worker that it no longer holds in memory (a claim whose commit answered with an
        // error though it was made, a send that broke off): nobody else may touch them while it lives, so it hands
        // them to the job, which takes them over. Cheap (an index on open attempts by worker), so even in a burst.
        var me = PublishWorkerHeartbeat.Name;
        var lostBefore = now - ClaimsInHand.LostAfter;
        var mine = await db.PublishAttempts.Where(a => a.Worker == me && a.FinishedAt == null && a.StartedAt < lostBefore)
            .Select(a => new { a.Id, a.VariantId }).ToListAsync(cancellationToken);
        var lostIds = mine.Where(a => !inHand.Holds(a.Id)).Select(a => a.VariantId).Distinct().ToList();
        var lost = await db.Variants.Where(v => lostIds.Contains(v.Id) && v.State == VariantState.Publishing && v.ScheduleToken != null)
            .Select(v => new { v.Id, Token = v.ScheduleToken!.Value }).ToListAsync(cancellationToken);
        foreach (var v in lost)
            jobs.Enqueue<IPublishVariantJob>(JobQueues.Publish, job => job.PublishAsync(v.Id, v.Token, CancellationToken.None));
        if (lost.Count > 0)
            log.LogWarning("Sweep found {Count} attempt(s) of this worker that it no longer held; the publish job takes them over", lost.Count);
        acted += lost.Count;

        // While this worker's dispatcher is working through a burst, due variants are being published and the
        // sweep would only compete with it for the database: overdue ones wait for the next sweep, and so do
        // the stale jobs (deleting one is a Hangfire state change, with its lock).
        if (dispatch.BusySince(now - DispatchActivity.BusyWindow))
        {
            await db.SaveChangesAsync(cancellationToken);
            return acted;
        }

        // Overdue: the worker was down when it came due, or its job died. The job applies the grace window.
        var overdueBefore = now - OverdueAfter;
        var overdue = await db.Variants
            .Where(v => v.State == VariantState.Scheduled && v.ScheduleToken != null && (v.NextAttemptAt ?? v.ScheduledAt) < overdueBefore)
            .OrderBy(v => v.NextAttemptAt ?? v.ScheduledAt)
            .Select(v => new { v.Id, Token = v.ScheduleToken!.Value }).Take(1000).ToListAsync(cancellationToken);
        foreach (var v in overdue)
            jobs.Enqueue<IPublishVariantJob>(JobQueues.Publish, job => job.PublishAsync(v.Id, v.Token, CancellationToken.None));
        acted += overdue.Count;

        // Attempts left open by a worker whose heartbeat stopped, that no dispatcher has taken over (they do so
        // within a second): the job takes them over. Never those of a live worker, however old: it holds their
        // answer until the database takes it. Only judged once this worker's own heartbeat has run long enough.
        var abandonedBefore = now - options.Value.RequestTimeout - TimeSpan.FromSeconds(5);
        var deadAfter = options.Value.WorkerDeadAfter;
        var abandoned = !heartbeat.CanJudgeOthers ? [] : await db.Variants
            .Where(v => v.State == VariantState.Publishing && v.ScheduleToken != null
                        && v.PublishAttempts.Any(a => a.FinishedAt == null && a.StartedAt < abandonedBefore
                            && !db.PublishWorkers.Any(w => w.Name == a.Worker && w.SeenAt > DateTimeOffset.UtcNow - deadAfter)))
            .OrderBy(v => v.Id)
            .Select(v => new { v.Id, Token = v.ScheduleToken!.Value }).Take(500).ToListAsync(cancellationToken);
        foreach (var v in abandoned)
            jobs.Enqueue<IPublishVariantJob>(JobQueues.Publish, job => job.PublishAsync(v.Id, v.Token, CancellationToken.None));
        acted += abandoned.Count;

        // Jobs of variants no longer scheduled (edited back to review, published, cancelled): delete them.
        // In chunks, each saved as it goes, so a sweep after a big campaign clears its jobs before they fire.
        for (var deleted = 0; deleted < DeleteAtMost && !dispatch.BusySince(clock.GetUtcNow() - DispatchActivity.BusyWindow);)
        {
            var stale = await db.Variants
                .Where(v => v.JobId != null && v.State != VariantState.Scheduled && v.State != VariantState.Publishing)
                .OrderBy(v => v.Id)
                .Take(250).ToListAsync(cancellationToken);
            foreach (var variant in stale)
            {
                scheduler.DeleteJob(variant.JobId);
                variant.JobId = null;
            }
            await db.SaveChangesAsync(cancellationToken);
            deleted += stale.Count;
            acted += stale.Count;
            if (stale.Count < 250)
                break;
        }
        await db.SaveChangesAsync(cancellationToken);
        if (overdue.Count + abandoned.Count > 0)
            log.LogInformation("Sweep enqueued {Overdue} overdue and {Abandoned} interrupted variant(s)", overdue.Count, abandoned.Count);
        return acted;
    }
}
