using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Jobs;
using Publisher.Core.Publishing;
using Publisher.Core.Review;
using Publisher.Core.Workflow;
using Publisher.Templates.Channels;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Publishing;

/// <summary>
/// Publishes one variant, exactly once. Under a row lock it re-checks that the job is current, the variant
/// is due, approved with the same content hash, clean by the style guide and not already published or in
/// flight; then it records the attempt, calls the network, and records the result. An attempt left open by a
/// worker that died is reconciled before anything is posted again.
/// </summary>
public sealed class PublishVariantJob(
    IServiceScopeFactory scopes,
    ChannelClientResolver clients,
    ChannelCredentials credentials,
    IOptions<PublishingOptions> options,
    TimeProvider clock,
    ILogger<PublishVariantJob> log) : IPublishVariantJob
{
    private static readonly string WorkerName = $"{Environment.MachineName}:{Environment.ProcessId}";
    private PublishingOptions Options => options.Value;

    /// <remarks>
    /// Run by the variant's Hangfire job and by each worker's <see cref="DueDispatcher"/>. The dispatcher leaves the
    /// job (the backstop, due a little later) for the sweep to delete: deleting it here would put a Hangfire state
    /// change, with its lock, on every publish's path.
    /// </remarks>
    public async Task PublishAsync(Guid variantId, Guid scheduleToken, CancellationToken cancellationToken)
    {
        var claim = await ClaimAsync(variantId, scheduleToken, cancellationToken);
        if (claim is null)
            return;
        var outcome = await CallNetworkAsync(claim, cancellationToken);
        await RecordAsync(claim, outcome, cancellationToken);
    }

    /// <summary>What the job is about to send, captured under the lock.</summary>
    private sealed record Claim(Guid VariantId, Guid AttemptId, int AttemptNumber, bool Reconcile, DateTimeOffset? InterruptedAt, ChannelAccount Account, PublishRequest? Request, string? SetupError);

    private async Task<Claim?> ClaimAsync(Guid variantId, Guid token, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var workflow = scope.ServiceProvider.GetRequiredService<VariantWorkflow>();
        var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // The row lock: a second job for the same variant waits here, then sees what the first one did.
        var locked = await db.Database.SqlQuery<Guid>($"""SELECT "Id" AS "Value" FROM "Variants" WHERE "Id" = {variantId} FOR UPDATE""").ToListAsync(cancellationToken);
        if (locked.Count == 0)
            return null;
        var variant = await db.Variants
            .Include(v => v.Message).Include(v => v.ChannelAccount).Include(v => v.Approvals).Include(v => v.PublishAttempts)
            .SingleAsync(v => v.Id == variantId, cancellationToken);
        var now = clock.GetUtcNow();

        async Task<Claim?> Skip(string why)
        {
            workflow.Record(nameof(Variant), variant.Id.ToString(), "publish skipped", Actor.System, why);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            log.LogInformation("Publish job for {Variant} did nothing: {Why}", variantId, why);
            return null;
        }

        async Task<Claim?> Stop(VariantState to, string why, string tell)
        {
            variant.LastError = why;
            workflow.Transition(variant, to, Actor.System, why);
            notifier.Tell(variant.Message!.AuthorId, tell, Notifier.VariantLink(variant.Id));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            log.LogWarning("Variant {Variant} was not published: {Why}", variantId, why);
            return null;
        }

        if (variant.ScheduleToken != token)
            return await Skip("stale job: the variant was rescheduled, unscheduled or cancelled after this job was created");

        var what = $"the {variant.ChannelAccount!.Name} variant of “{variant.Message!.Title}”";
        var reconcile = false;
        DateTimeOffset? interruptedAt = null;
        if (variant.State == VariantState.Publishing)
        {
            var open = variant.PublishAttempts.Where(a => a.FinishedAt is null).MaxBy(a => a.Number);
            if (open is not null && now - open.StartedAt < InFlightLimit)
                return await Skip($"already being published by {open.Worker} (attempt {open.Number})");
            if (open is not null)
            {
                interruptedAt = open.StartedAt;
                open.FinishedAt = now;
                open.Outcome = PublishOutcome.Unknown;
                open.Detail = "interrupted: the worker stopped before the network's answer was recorded";
            }
            reconcile = true;
        }
        else if (variant.State != VariantState.Scheduled)
        {
            return await Skip($"the variant is {VariantTransitions.Describe(variant.State)}, not scheduled");
        }
        else
        {
            var due = variant.NextAttemptAt ?? variant.ScheduledAt ?? now;
            if (due > now + TimeSpan.FromSeconds(5))
                return await Skip($"not due until {due:yyyy-MM-dd HH:mm:ss} UTC");
            if (now - due > Options.GraceWindow)
                return await Stop(VariantState.Missed,
                    $"no worker ran at its time ({due:yyyy-MM-dd HH:mm} UTC) and it is now past the {Options.GraceWindow.TotalMinutes:0}-minute grace window",
                    $"{Capital(what)} was not published: no worker was running at its time, and it is now too late. Reschedule it to send it.");
            if (PublishScheduler.PublishBlocker(variant) is { } blocked)
                return await Stop(VariantState.Failed, blocked, $"{Capital(what)} was not published. {blocked}");
            if (!ApprovalService.IsFullyApproved(variant))
                return await Stop(VariantState.InReview, "the content no longer matches what was approved",
                    $"{Capital(what)} was not published: what would go out is not what was approved. It is back in review.");
            workflow.Transition(variant, VariantState.Publishing, Actor.System, $"publishing (attempt {variant.Attempts + 1})");
        }

        variant.Attempts++;
        variant.NextAttemptAt = null;
        var attempt = new PublishAttempt
        {
            VariantId = variant.Id,
            Number = variant.PublishAttempts.Select(a => a.Number).DefaultIfEmpty(0).Max() + 1,
            ContentHash = variant.ContentHash,
            IdempotencyKey = $"{variant.Id:N}-{variant.ContentHash[..Math.Min(16, variant.ContentHash.Length)]}",
            Worker = WorkerName,
            StartedAt = now,
        };
        db.PublishAttempts.Add(attempt);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var (request, setupError) = BuildRequest(variant, attempt.IdempotencyKey);
        return new Claim(variant.Id, attempt.Id, attempt.Number, reconcile, interruptedAt, variant.ChannelAccount, request, setupError);
    }

    private static readonly TimeSpan MastodonIdempotencyWindow = TimeSpan.FromMinutes(50);

    /// <summary>An attempt open longer than this belongs to a worker that died: the network call would have timed out by now.</summary>
    private TimeSpan InFlightLimit => Options.RequestTimeout + TimeSpan.FromSeconds(5);

    private (PublishRequest?, string?) BuildRequest(Variant variant, string idempotencyKey)
    {
        ChannelConnection connection;
        try
        {
            connection = AccountConnection.For(variant.ChannelAccount!, credentials);
        }
        catch (Exception e) when (e is ChannelConfigurationException or JsonException)
        {
            return (null, e.Message);
        }
        return (new PublishRequest(
            variant.Id, connection, variant.EffectiveText, variant.ThreadParts, variant.Subject, variant.Preheader, variant.RenderedHtml,
            variant.Link, variant.FacetsJson, variant.JsonPayload, variant.Message!.Title, idempotencyKey, variant.ExternalPartIds,
            variant.ScheduledAt ?? clock.GetUtcNow()), null);
    }

    private async Task<PublishResult> CallNetworkAsync(Claim claim, CancellationToken cancellationToken)
    {
        if (claim.Request is not { } request)
            return new PublishResult(PublishOutcome.Permanent, Detail: claim.SetupError);
        var client = clients.For(claim.Account);
        if (claim.Reconcile)
        {
            var found = await ReconcileAsync(client, request, cancellationToken);
            switch (found.Verdict)
            {
                case ReconcileVerdict.Published:
                    return PublishResult.Published(found.ExternalId ?? "", found.ExternalUrl);
                case ReconcileVerdict.Unknown:
                    return new PublishResult(PublishOutcome.Unknown, Detail: found.Detail ?? "an earlier attempt was interrupted and the network cannot tell whether it posted");
            }
            // Mastodon remembers an Idempotency-Key for about an hour: after that, sending it again could post twice.
            if (request.Connection.Kind == ChannelKind.Mastodon && claim.InterruptedAt is { } started && clock.GetUtcNow() - started > MastodonIdempotencyWindow)
                return new PublishResult(PublishOutcome.Unknown, Detail: "the interrupted attempt is older than the hour Mastodon remembers its Idempotency-Key for");
            log.LogInformation("Attempt for {Variant} was interrupted; {Kind} says posting again is safe", claim.VariantId, request.Connection.Kind);
        }

        var progress = new PartProgress(scopes, claim.VariantId);
        PublishResult result;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(Options.RequestTimeout);
            try
            {
                result = await client.PublishAsync(request, progress, timeout.Token);
            }
            catch (ChannelConfigurationException e)
            {
                result = new PublishResult(PublishOutcome.Permanent, Detail: e.Message);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                result = new PublishResult(PublishOutcome.Unknown, Detail: $"no answer within {Options.RequestTimeout.TotalSeconds:0} s");
            }
            catch (HttpRequestException e)
            {
                result = new PublishResult(PublishOutcome.Unknown, Detail: e.Message);
            }
        }

        if (result.Outcome != PublishOutcome.Unknown)
            return result;
        // The request may have gone out: ask before anyone posts again.
        var check = await ReconcileAsync(client, request with { PostedPartIds = request.PostedPartIds.Concat(progress.Posted).ToList() }, cancellationToken);
        return check.Verdict switch
        {
            ReconcileVerdict.Published => PublishResult.Published(check.ExternalId ?? "", check.ExternalUrl),
            ReconcileVerdict.SafeToRetry => result with { Outcome = PublishOutcome.Transient },
            _ => result with { Detail = $"{result.Detail}; {check.Detail ?? "the network cannot tell whether it posted"}" },
        };
    }

    private async Task<ReconcileResult> ReconcileAsync(IChannelClient client, PublishRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        try
        {
            return await client.ReconcileAsync(request, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or ChannelConfigurationException && !cancellationToken.IsCancellationRequested)
        {
            return new ReconcileResult(ReconcileVerdict.Unknown, Detail: $"checking whether it posted failed too ({e.Message})");
        }
    }

    /// <summary>Records the outcome, retrying through a database outage: the network's answer must not be lost.</summary>
    private async Task RecordAsync(Claim claim, PublishResult result, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RecordOnceAsync(claim, result, cancellationToken);
                return;
            }
            catch (Exception e) when (IsDatabaseOutage(e) && attempt < 40 && !cancellationToken.IsCancellationRequested)
            {
                log.LogWarning("Recording the outcome of {Variant} failed ({Error}); trying again in {Delay}", claim.VariantId, e.Message, delay);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    internal static bool IsDatabaseOutage(Exception e) =>
        e is NpgsqlException or TimeoutException || e.InnerException is NpgsqlException or TimeoutException
        || e is InvalidOperationException { InnerException: NpgsqlException };

    private async Task RecordOnceAsync(Claim claim, PublishResult result, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var workflow = scope.ServiceProvider.GetRequiredService<VariantWorkflow>();
        var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
        var scheduler = scope.ServiceProvider.GetRequiredService<PublishScheduler>();
        var now = clock.GetUtcNow();

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.SqlQuery<Guid>($"""SELECT "Id" AS "Value" FROM "Variants" WHERE "Id" = {claim.VariantId} FOR UPDATE""").ToListAsync(cancellationToken);
        var variant = await db.Variants.Include(v => v.Message).Include(v => v.ChannelAccount).SingleAsync(v => v.Id == claim.VariantId, cancellationToken);
        var attempt = await db.PublishAttempts.SingleAsync(a => a.Id == claim.AttemptId, cancellationToken);
        attempt.FinishedAt = now;
        attempt.Outcome = result.Outcome;
        attempt.HttpStatus = result.HttpStatus;
        attempt.Detail = Trim(result.Detail);
        var what = $"the {variant.ChannelAccount!.Name} variant of “{variant.Message!.Title}”";
        var author = variant.Message.AuthorId;
        var link = Notifier.VariantLink(variant.Id);

        if (variant.State is not (VariantState.Publishing or VariantState.NeedsAttention))
        {
            // Someone (or a reconciling worker) already settled it; keep the attempt's record only.
            log.LogWarning("Outcome {Outcome} of {Variant} arrived after it became {State}", result.Outcome, variant.Id, variant.State);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return;
        }

        var createJob = false;
        switch (result.Outcome)
        {
            case PublishOutcome.Published:
                workflow.Transition(variant, VariantState.Published, Actor.System, $"published on attempt {claim.AttemptNumber}");
                variant.ExternalId = result.ExternalId;
                variant.ExternalUrl = result.ExternalUrl;
                variant.PublishedAt = now;
                variant.LastError = null;
                notifier.Tell(author, $"Published {what}" + (result.ExternalUrl is { } url ? $": {url}" : "."), link);
                break;

            case PublishOutcome.Transient when variant.Attempts < Options.MaxAttempts && variant.State == VariantState.Publishing:
                var wait = Backoff(variant.Attempts, result.RetryAfter);
                variant.NextAttemptAt = now + wait;
                variant.LastError = Trim(Describe(result));
                workflow.Transition(variant, VariantState.Scheduled, Actor.System, $"{variant.LastError}; trying again at {variant.NextAttemptAt:HH:mm:ss} UTC");
                if (variant.Attempts == 1)
                    notifier.Tell(author, $"{Capital(what)} could not be published yet ({variant.LastError}). Publisher will keep trying, up to {Options.MaxAttempts} attempts.", link);
                createJob = true;
                break;

            case PublishOutcome.Transient or PublishOutcome.Permanent:
                variant.LastError = Trim(result.Outcome == PublishOutcome.Transient
                    ? $"gave up after {variant.Attempts} attempts: {Describe(result)}"
                    : Describe(result));
                workflow.Transition(variant, VariantState.Failed, Actor.System, variant.LastError);
                notifier.Tell(author, $"{Capital(what)} failed to publish: {variant.LastError}", link);
                break;

            default:
                variant.LastError = Trim($"it is not known whether the post went out ({result.Detail}). Look on the network, then mark it published or schedule it again.");
                if (variant.State != VariantState.NeedsAttention)
                    workflow.Transition(variant, VariantState.NeedsAttention, Actor.System, variant.LastError);
                notifier.Tell(author, $"{Capital(what)} needs attention: {variant.LastError}", link);
                break;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (createJob)
            await scheduler.CreateJobAsync(variant, cancellationToken);
    }

    /// <summary>Exponential back-off with jitter; a Retry-After or rate-limit reset is honoured and never shortened.</summary>
    internal TimeSpan Backoff(int attempts, TimeSpan? retryAfter)
    {
        var exponential = Options.InitialBackoff.TotalSeconds * Math.Pow(2, Math.Max(0, attempts - 1));
        var capped = Math.Min(exponential, Options.MaxBackoff.TotalSeconds);
        var jittered = capped * (0.5 + Random.Shared.NextDouble() * 0.5);
        if (retryAfter is { } after && after > TimeSpan.Zero)
            return after + TimeSpan.FromSeconds(Math.Min(after.TotalSeconds * 0.1, 5) * Random.Shared.NextDouble());
        return TimeSpan.FromSeconds(jittered);
    }

    private static string Describe(PublishResult result) =>
        (result.HttpStatus is { } status ? $"HTTP {status}: " : "") + (result.Detail ?? result.Outcome.ToString().ToLowerInvariant());

    private static string? Trim(string? text) => text is { Length: > 1900 } ? text[..1900] + "…" : text;

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>Stores each thread part's id as soon as it is posted, so a retry resumes after it.</summary>
    private sealed class PartProgress(IServiceScopeFactory scopes, Guid variantId) : IPublishProgress
    {
        private readonly List<string> _posted = [];

        public IReadOnlyList<string> Posted
        {
            get { lock (_posted) return _posted.ToList(); }
        }

        public async Task PartPostedAsync(string externalId, CancellationToken cancellationToken)
        {
            lock (_posted) _posted.Add(externalId);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""UPDATE "Variants" SET "ExternalPartIds" = array_append("ExternalPartIds", {externalId}) WHERE "Id" = {variantId}""", CancellationToken.None);
        }
    }
}
