using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Jobs;
using Publisher.Core.Review;
using Publisher.Core.Workflow;

namespace Publisher.Core.Publishing;

/// <summary>
/// Schedules, reschedules and cancels publishing. The variant is saved first with a fresh schedule token,
/// then its Hangfire job is created (or replaced, or deleted). A job carries the token it was made with, so
/// an old job that still fires finds it is stale and does nothing; a job that could not be created is
/// created by the worker's sweep. The web app only enqueues: jobs run in the worker.
/// </summary>
public sealed class PublishScheduler(PublisherDbContext db, VariantWorkflow workflow, IBackgroundJobClient jobs, TimeProvider clock, ILogger<PublishScheduler> log,
    Microsoft.Extensions.Options.IOptions<PublishingOptions> options)
{
    /// <summary>A time this close to now counts as now: a drop "at 10:00" made at 10:00:20 is not in the past.</summary>
    public static readonly TimeSpan PastTolerance = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Moves a variant to <paramref name="at"/>. An approved or scheduled variant is (re)scheduled and keeps its
    /// approval, since its content did not change; one still being written or reviewed just gets the new time.
    /// Saves the change.
    /// </summary>
    public async Task<WorkflowResult> MoveAsync(Variant variant, DateTimeOffset at, Actor actor, CancellationToken cancellationToken = default)
    {
        if (MoveRefusal(variant, at) is { } refused)
            return WorkflowResult.Refused(refused);
        if (variant.State is VariantState.Approved or VariantState.Scheduled or VariantState.Missed or VariantState.Failed
            && ApprovalService.IsFullyApproved(variant) && PublishBlocker(variant) is null)
            return await ScheduleAsync(variant, at, actor, cancellationToken);

        var from = variant.ScheduledAt;
        variant.ScheduledAt = at;
        variant.UpdatedAt = clock.GetUtcNow();
        if (variant.State == VariantState.Missed)
            workflow.Transition(variant, VariantState.InReview, actor, "rescheduled after its time was missed: it needs approval before it can go out");
        workflow.Record(nameof(Variant), variant.Id.ToString(), "rescheduled", actor, Describe(from, at));
        await db.SaveChangesAsync(cancellationToken);
        return WorkflowResult.Ok;
    }

    /// <summary>Why a move to <paramref name="at"/> is refused, or null.</summary>
    public string? MoveRefusal(Variant variant, DateTimeOffset at)
    {
        if (MoveBlocker(variant) is { } blocked)
            return blocked;
        if (at < clock.GetUtcNow() - PastTolerance)
            return "That time is in the past: pick a time from now on, or use Publish now.";
        return PlanningWindow.TooFarAhead(at, clock.GetUtcNow());
    }

    /// <summary>
    /// Why the variant cannot be moved to any time, or null. Pages offer Move (and Next free slot, and a place in a
    /// queue) only when this is null, so nothing is offered that would be refused.
    /// </summary>
    public static string? MoveBlocker(Variant variant)
    {
        if (variant.State is VariantState.Published)
            return "This post is already published: it cannot be moved. Write a new message to post again.";
        if (variant.State is VariantState.Publishing)
            return "This post is being published right now: it cannot be moved.";
        if (variant.State is VariantState.Canceled)
            return "This variant is cancelled: restore it as a draft before giving it a time.";
        if (variant.HeldByStyleGuide)
            return HeldRefusal;
        return null;
    }

    /// <summary>What a held post says when an action cannot go ahead.</summary>
    public const string HeldRefusal =
        "This post is held back: the style guide now finds errors in it. Fix them in the editor (it then goes back to review), and it can be moved and published again.";

    /// <summary>Why "Publish now" would be refused, or null: the page offers it only when this is null.</summary>
    public static string? PublishNowRefusal(Variant variant)
    {
        if (variant.State is VariantState.Publishing)
            return "It is being published right now.";
        if (variant.State is VariantState.Published)
            return "It is published already.";
        if (variant.State is not (VariantState.Approved or VariantState.Scheduled or VariantState.Missed or VariantState.Failed or VariantState.NeedsAttention))
            return $"It is {VariantTransitions.Describe(variant.State)}: only an approved variant can be published.";
        if (!ApprovalService.IsFullyApproved(variant))
            return "What would go out is not what was approved: send it for review first.";
        return PublishBlocker(variant);
    }

    /// <summary>
    /// Schedules a fully approved variant for <paramref name="at"/>, replacing any job it had. Saves the change.
    /// </summary>
    public async Task<WorkflowResult> ScheduleAsync(Variant variant, DateTimeOffset at, Actor actor, CancellationToken cancellationToken = default)
    {
        if (MoveRefusal(variant, at) is { } refused)
            return WorkflowResult.Refused(refused);
        if (variant.State is not (VariantState.Approved or VariantState.Scheduled or VariantState.Missed or VariantState.Failed or VariantState.NeedsAttention))
            return WorkflowResult.Refused($"Only an approved variant can be scheduled; this one is {VariantTransitions.Describe(variant.State)}.");
        if (!ApprovalService.IsFullyApproved(variant))
            return WorkflowResult.Refused("This content is not approved as it stands: send it for review, and it is scheduled once approved.");
        if (PublishBlocker(variant) is { } blocked)
            return WorkflowResult.Refused(blocked);

        var from = variant.ScheduledAt;
        var oldJob = variant.JobId;
        if (variant.State == VariantState.Scheduled)
        {
            workflow.Record(nameof(Variant), variant.Id.ToString(), "rescheduled", actor, Describe(from, at));
        }
        else
        {
            var result = workflow.Transition(variant, VariantState.Scheduled, actor, $"scheduled for {at:yyyy-MM-dd HH:mm} UTC");
            if (!result.Succeeded)
                return result;
        }
        variant.ScheduledAt = at;
        variant.ScheduleToken = Guid.NewGuid();
        variant.NextAttemptAt = null;
        variant.JobId = null;
        variant.Attempts = 0;
        variant.LastError = null;
        variant.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);

        DeleteJob(oldJob);
        await CreateJobAsync(variant, cancellationToken);
        return WorkflowResult.Ok;
    }

    /// <summary>Publishes as soon as a worker picks it up.</summary>
    public Task<WorkflowResult> PublishNowAsync(Variant variant, Actor actor, CancellationToken cancellationToken = default) =>
        ScheduleAsync(variant, clock.GetUtcNow(), actor, cancellationToken);

    /// <summary>After the last approval: a variant with a time still ahead is scheduled for it at once. Saves the change.</summary>
    public async Task<WorkflowResult> ScheduleIfApprovedAsync(Variant variant, Actor actor, CancellationToken cancellationToken = default)
    {
        if (variant.State != VariantState.Approved || variant.ScheduledAt is not { } at || at < clock.GetUtcNow())
            return WorkflowResult.Ok;
        return await ScheduleAsync(variant, at, actor, cancellationToken);
    }

    /// <summary>Takes a scheduled variant off the schedule; it stays approved and keeps its time as a plan. Saves the change.</summary>
    public async Task<WorkflowResult> UnscheduleAsync(Variant variant, Actor actor, CancellationToken cancellationToken = default)
    {
        if (variant.State != VariantState.Scheduled)
            return WorkflowResult.Refused($"Only a scheduled variant can be unscheduled; this one is {VariantTransitions.Describe(variant.State)}.");
        return await StopAsync(variant, VariantState.Approved, actor, "unscheduled", cancellationToken);
    }

    /// <summary>Cancels a variant that has not been published; its job, if any, is deleted. Saves the change.</summary>
    public Task<WorkflowResult> CancelAsync(Variant variant, Actor actor, CancellationToken cancellationToken = default) =>
        StopAsync(variant, VariantState.Canceled, actor, "cancelled", cancellationToken);

    private async Task<WorkflowResult> StopAsync(Variant variant, VariantState to, Actor actor, string why, CancellationToken cancellationToken)
    {
        var result = workflow.Transition(variant, to, actor, why);
        if (!result.Succeeded)
            return result;
        var oldJob = variant.JobId;
        variant.ScheduleToken = null;
        variant.JobId = null;
        variant.NextAttemptAt = null;
        await db.SaveChangesAsync(cancellationToken);
        DeleteJob(oldJob);
        return WorkflowResult.Ok;
    }

    /// <summary>
    /// Creates the Hangfire job for a saved, scheduled variant and stores its id. Used after scheduling, by the
    /// worker after a transient failure, and by the sweep for variants with no job. The job is the durable
    /// backstop: it is due <see cref="PublishingOptions.JobBackstopDelay"/> after the variant, because each
    /// worker's due dispatcher publishes at the due time itself and then deletes the job.
    /// </summary>
    public async Task CreateJobAsync(Variant variant, CancellationToken cancellationToken = default)
    {
        if (variant.State != VariantState.Scheduled || variant.ScheduleToken is not { } token)
            return;
        var due = (variant.NextAttemptAt ?? variant.ScheduledAt ?? clock.GetUtcNow()) + options.Value.JobBackstopDelay;
        var id = variant.Id;
        variant.JobId = due <= clock.GetUtcNow()
            ? jobs.Enqueue<IPublishVariantJob>(JobQueues.Publish, job => job.PublishAsync(id, token, CancellationToken.None))
            : jobs.Schedule<IPublishVariantJob>(JobQueues.Publish, job => job.PublishAsync(id, token, CancellationToken.None), due);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // A post scheduled for now is due at once: a worker's dispatcher can claim it between the save that scheduled
            // it and this one. Then the job is not needed (the dispatcher publishes; the job would find it taken), and the
            // schedule stands. Storing the job's id matters only while the variant is still scheduled with this token.
            var jobId = variant.JobId;
            var entry = db.Entry(variant);
            await entry.ReloadAsync(cancellationToken);
            if (entry.State == EntityState.Detached || variant.State != VariantState.Scheduled || variant.ScheduleToken != token)
            {
                log.LogInformation("Variant {Variant} was taken by a worker (now {State}) before its job id was stored", id, variant.State);
                DeleteJob(jobId);
                return;
            }
            // Still scheduled with this token (another column changed): store the job's id on the row as it is now.
            variant.JobId = jobId;
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Swaps the times of two variants of a queue: the posts change places, the slot times stay. Both moves go through
    /// <see cref="MoveAsync"/> (approvals kept, jobs replaced) in one transaction; either is refused, neither happens.
    /// </summary>
    public async Task<WorkflowResult> SwapAsync(Variant first, Variant second, Actor actor, CancellationToken cancellationToken = default)
    {
        if (first.ScheduledAt is not { } firstAt || second.ScheduledAt is not { } secondAt)
            return WorkflowResult.Refused("Both posts need a time to change places.");
        if ((MoveRefusal(first, secondAt) ?? MoveRefusal(second, firstAt)) is { } refused)
            return WorkflowResult.Refused(refused);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var moved = await MoveAsync(first, secondAt, actor, cancellationToken);
        if (moved.Succeeded)
            moved = await MoveAsync(second, firstAt, actor, cancellationToken);
        if (!moved.Succeeded)
        {
            await transaction.RollbackAsync(cancellationToken);
            return moved;
        }
        await transaction.CommitAsync(cancellationToken);
        return WorkflowResult.Ok;
    }

    /// <summary>
    /// Deletes a job that is no longer wanted. Best effort: a job that is gone already, or cannot be deleted
    /// now, would find itself stale when it fires, so a failure here must not stop the caller.
    /// </summary>
    public void DeleteJob(string? jobId)
    {
        if (string.IsNullOrEmpty(jobId))
            return;
        try
        {
            jobs.Delete(jobId);
        }
        catch (Exception e)
        {
            log.LogWarning("Could not delete Hangfire job {JobId} ({Error}); it will find itself stale if it fires", jobId, e.Message);
        }
    }

    /// <summary>What stops the variant from going out as it stands, or null: the same checks the worker makes at publish time.</summary>
    public static string? PublishBlocker(Variant variant)
    {
        if (variant.HasRenderErrors)
            return "The variant has rendering errors: fix them in the editor first.";
        if (variant.HeldByStyleGuide)
            return HeldRefusal;
        if (variant.HasStyleErrors)
            return "The style guide finds errors in this variant: fix them in the editor first.";
        if (variant.ChannelAccount is { DisconnectedAt: not null } disconnected)
            return $"{AccountWording.TheCapitalized(disconnected.Name)} account was disconnected: an admin can connect it again under Channels.";
        if (variant.ChannelAccount is { IsEnabled: false } account)
            return $"{AccountWording.TheCapitalized(account.Name)} account is switched off: an admin can switch it on under Channels.";
        return null;
    }

    private static string Describe(DateTimeOffset? from, DateTimeOffset to) =>
        from is { } f ? $"from {f:yyyy-MM-dd HH:mm} to {to:yyyy-MM-dd HH:mm} UTC" : $"to {to:yyyy-MM-dd HH:mm} UTC";

    /// <summary>Loads a variant with what scheduling needs (its account, message and approvals).</summary>
    public Task<Variant?> FindAsync(Guid variantId, CancellationToken cancellationToken = default) =>
        db.Variants.Include(v => v.ChannelAccount).Include(v => v.Message).Include(v => v.Approvals)
            .SingleOrDefaultAsync(v => v.Id == variantId, cancellationToken);
}
