using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Jobs;
using Publisher.Core.Networking;
using Publisher.Core.Publishing;
using Publisher.Core.Review;
using Publisher.Core.Workflow;
using Publisher.Media;
using Publisher.Media.Storage;
using Publisher.Templates.Channels;
using Publisher.Templates.Model;
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
    IBlobStore blobs,
    IHttpClientFactory http,
    IOptions<PublishingOptions> options,
    TimeProvider clock,
    ILogger<PublishVariantJob> log) : IPublishVariantJob
{
    private static readonly string WorkerName = $"{Environment.MachineName}:{Environment.ProcessId}";
    private PublishingOptions Options => options.Value;

    /// <remarks>
    /// Run by the variant's Hangfire job (the backstop, due a little after the variant) and by the sweep. Each
    /// worker's <see cref="DueDispatcher"/> publishes due variants in batches through <see cref="ClaimDueAsync"/>
    /// and <see cref="RecordAsync(IReadOnlyList{ValueTuple{Claim, PublishResult}}, CancellationToken)"/>, which
    /// make the same checks and records; whichever comes first publishes, and the row lock makes the other a no-op.
    /// </remarks>
    public async Task PublishAsync(Guid variantId, Guid scheduleToken, CancellationToken cancellationToken)
    {
        var claims = await ClaimAsync(new ClaimOne(variantId, scheduleToken), cancellationToken);
        foreach (var claim in claims)
        {
            var outcome = await CallNetworkAsync(claim, cancellationToken);
            await RecordAsync([(claim, outcome)], cancellationToken);
        }
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> variants due within <see cref="PublishingOptions.ClaimLead"/> that no
    /// other worker holds (<c>FOR UPDATE SKIP LOCKED</c>), in one transaction: each is checked as the job checks
    /// it, and the ones that pass get their attempt recorded. The caller sends each claim (not before its time:
    /// <see cref="CallNetworkAsync"/> waits for it) and records the outcomes.
    /// </summary>
    public Task<IReadOnlyList<Claim>> ClaimDueAsync(int limit, CancellationToken cancellationToken) =>
        ClaimAsync(new ClaimDue(limit), cancellationToken);

    /// <summary>The earliest a variant may be claimed before its time; sending still waits for the time itself.</summary>
    public static readonly TimeSpan EarliestClaim = TimeSpan.FromSeconds(5);

    private TimeSpan ClaimLead => Options.ClaimLead < TimeSpan.Zero ? TimeSpan.Zero : Options.ClaimLead > EarliestClaim ? EarliestClaim : Options.ClaimLead;

    /// <summary>What the job is about to send, captured under the lock.</summary>
    public sealed record Claim(Guid VariantId, Guid AttemptId, int AttemptNumber, DateTimeOffset SendAt, bool Reconcile, DateTimeOffset? InterruptedAt, ChannelAccount Account, PublishRequest? Request, string? SetupError);

    private abstract record ClaimWhat;
    private sealed record ClaimOne(Guid VariantId, Guid Token) : ClaimWhat;
    private sealed record ClaimDue(int Limit) : ClaimWhat;

    private async Task<IReadOnlyList<Claim>> ClaimAsync(ClaimWhat what, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var workflow = scope.ServiceProvider.GetRequiredService<VariantWorkflow>();
        var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();

        // The row lock. A second job for the same variant waits here, then sees what the first one did; a
        // dispatcher passes over rows another worker holds and takes the next due ones.
        var ids = what switch
        {
            ClaimOne one => await db.Database.SqlQuery<Guid>(
                $"""SELECT "Id" AS "Value" FROM "Variants" WHERE "Id" = {one.VariantId} FOR UPDATE""").ToListAsync(cancellationToken),
            ClaimDue due => await db.Database.SqlQuery<Guid>($"""
                SELECT "Id" AS "Value" FROM "Variants"
                WHERE "State" = 'Scheduled' AND "ScheduleToken" IS NOT NULL AND COALESCE("NextAttemptAt", "ScheduledAt") <= {now + ClaimLead}
                ORDER BY COALESCE("NextAttemptAt", "ScheduledAt") LIMIT {due.Limit}
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        if (ids.Count == 0)
            return [];
        var variants = await LoadForClaimAsync(db, ids, cancellationToken);

        var attempts = new List<(Variant Variant, PublishAttempt Attempt, bool Reconcile, DateTimeOffset? InterruptedAt)>();
        foreach (var variant in variants.OrderBy(v => v.NextAttemptAt ?? v.ScheduledAt))
        {
            // A dispatcher's claim is current by construction: it read the token it acts on under the lock.
            var token = what is ClaimOne one ? one.Token : variant.ScheduleToken!.Value;
            if (Check(variant, token, now, workflow, notifier) is { } attempt)
            {
                // Added to the set, not the navigation: its key is set already, which would read as an existing row.
                db.PublishAttempts.Add(attempt.Item2);
                attempts.Add(attempt);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var withMedia = attempts.Where(a => a.Variant.Media.Count > 0).Select(a => a.Variant.Id).ToList();
        var uploads = withMedia.Count == 0 ? [] : await db.MediaUploads.AsNoTracking()
            .Where(u => withMedia.Contains(u.VariantId)).OrderBy(u => u.UploadedAt).ToListAsync(cancellationToken);
        var claims = new List<Claim>(attempts.Count);
        foreach (var a in attempts)
        {
            var (request, setupError) = BuildRequest(a.Variant, a.Attempt.IdempotencyKey);
            if (request is not null && a.Variant.Media.Count > 0)
            {
                request = request with
                {
                    Media = await PublishMediaAsync(a.Variant, cancellationToken),
                    // The latest upload of each medium by an earlier attempt of this variant (same account, same bytes).
                    UploadedMedia = uploads.Where(u => u.VariantId == a.Variant.Id)
                        .GroupBy(u => u.MediaKey).ToDictionary(g => g.Key, g => new UploadedMedia(g.Last().NetworkMediaId, g.Last().ExpiresAt)),
                };
            }
            claims.Add(new Claim(a.Variant.Id, a.Attempt.Id, a.Attempt.Number, a.Attempt.StartedAt, a.Reconcile, a.InterruptedAt, a.Variant.ChannelAccount!, request, setupError));
        }
        return claims;
    }

    /// <summary>The variant's media as the channel client takes them: each derivative with its facts, how to read it, and its public address.</summary>
    private async Task<IReadOnlyList<PublishMedia>> PublishMediaAsync(Variant variant, CancellationToken cancellationToken)
    {
        var media = new List<PublishMedia>(variant.Media.Count);
        foreach (var m in variant.Media.OrderBy(m => m.Position))
        {
            PublishMedia? poster = null;
            if (m.PosterKey is { } posterKey && await blobs.GetInfoAsync(posterKey, cancellationToken) is { } info)
            {
                var posterName = Publisher.Core.Media.MediaLibrary.ServedName(m.FileName, MediaTypes.Jpeg);
                poster = new PublishMedia(posterKey, PublishMediaKind.Image, info.ContentType, info.Length, m.Width, m.Height, null, m.AltText, null,
                    Opener(posterKey), new Uri(Publisher.Core.Media.MediaLibrary.Url(Options.PublicUrl, posterKey, posterName)));
            }
            media.Add(new PublishMedia(
                m.Key,
                m.Kind switch { MediaKind.Video => PublishMediaKind.Video, MediaKind.AnimatedGif => PublishMediaKind.AnimatedGif, _ => PublishMediaKind.Image },
                m.ContentType, m.Length, m.Width, m.Height,
                m.DurationSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                m.AltText,
                m.FocalX is { } x && m.FocalY is { } y ? new MediaFocalPoint(x, y) : null,
                Opener(m.Key),
                new Uri(Publisher.Core.Media.MediaLibrary.Url(Options.PublicUrl, m.Key, m.FileName)),
                poster));
        }
        return media;
    }

    private Func<CancellationToken, Task<Stream>> Opener(string key) => async cancellationToken =>
        await blobs.OpenReadAsync(key, cancellationToken)
        ?? throw new ChannelConfigurationException($"A medium of this post ({key[..12]}…) is missing from Publisher's media store: attach the file again and have the variant approved again.");

    private static Task<List<Variant>> LoadForClaimAsync(PublisherDbContext db, List<Guid> ids, CancellationToken cancellationToken) =>
        db.Variants
            .Include(v => v.Message).Include(v => v.ChannelAccount).Include(v => v.Approvals).Include(v => v.PublishAttempts)
            .AsSingleQuery()
            .Where(v => ids.Contains(v.Id))
            .ToListAsync(cancellationToken);

    private static async Task<(Dictionary<Guid, Variant>, Dictionary<Guid, PublishAttempt>)> LoadForRecordAsync(
        PublisherDbContext db, Guid[] ids, Guid[] attemptIds, CancellationToken cancellationToken)
    {
        var variants = await db.Variants.Include(v => v.Message).Include(v => v.ChannelAccount)
            .Where(v => ids.Contains(v.Id)).ToDictionaryAsync(v => v.Id, cancellationToken);
        var attempts = await db.PublishAttempts.Where(a => attemptIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);
        return (variants, attempts);
    }

    /// <summary>
    /// Runs the publish path's queries once with nothing to find, loads the key ring and sends one request
    /// through the HTTP stack to loopback, so the first posts of a busy minute do not wait for query
    /// compilation and a cold start.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ClaimDueAsync(0, cancellationToken);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            await LoadForClaimAsync(db, [Guid.Empty], cancellationToken);
            await LoadForRecordAsync(db, [Guid.Empty], [Guid.Empty], cancellationToken);
            credentials.Unprotect(credentials.Protect(new Dictionary<string, string> { ["warm"] = "up" }));
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            await ChannelHttp.WarmUpAsync(http, limit.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            log.LogInformation("Warming up the publish path failed ({Error}); the first posts may be a little slower", e.Message);
        }
    }

    /// <summary>
    /// The checks made under the lock before anything is sent. Returns the attempt to make, or null when the
    /// variant is not to be published now; then why is recorded (and the variant moved, and its author told,
    /// where that is the answer). Changes are left for the caller's one save.
    /// </summary>
    private (Variant, PublishAttempt, bool, DateTimeOffset?)? Check(Variant variant, Guid token, DateTimeOffset now, VariantWorkflow workflow, Notifier notifier)
    {
        (Variant, PublishAttempt, bool, DateTimeOffset?)? Skip(string why)
        {
            workflow.Record(nameof(Variant), variant.Id.ToString(), "publish skipped", Actor.System, why);
            log.LogInformation("Publish job for {Variant} did nothing: {Why}", variant.Id, why);
            return null;
        }

        (Variant, PublishAttempt, bool, DateTimeOffset?)? Stop(VariantState to, string why, string tell)
        {
            variant.LastError = why;
            workflow.Transition(variant, to, Actor.System, why);
            notifier.Tell(variant.Message!.AuthorId, tell, Notifier.VariantLink(variant.Id));
            log.LogWarning("Variant {Variant} was not published: {Why}", variant.Id, why);
            return null;
        }

        if (variant.ScheduleToken != token)
            return Skip("stale job: the variant was rescheduled, unscheduled or cancelled after this job was created");

        var what = AccountWording.VariantOf(variant.ChannelAccount!.Name, variant.Message!.Title);
        var reconcile = false;
        DateTimeOffset? interruptedAt = null;
        if (variant.State == VariantState.Publishing)
        {
            var open = variant.PublishAttempts.Where(a => a.FinishedAt is null).MaxBy(a => a.Number);
            if (open is not null && now - open.StartedAt < InFlightLimit)
                return Skip($"already being published by {open.Worker} (attempt {open.Number})");
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
            return Skip($"the variant is {VariantTransitions.Describe(variant.State)}, not scheduled");
        }
        else
        {
            var due = variant.NextAttemptAt ?? variant.ScheduledAt ?? now;
            if (due > now + EarliestClaim)
                return Skip($"not due until {due:yyyy-MM-dd HH:mm:ss} UTC");
            if (now - due > Options.GraceWindow)
                return Stop(VariantState.Missed,
                    $"no worker ran at its time ({due:yyyy-MM-dd HH:mm} UTC) and it is now past the {Options.GraceWindow.TotalMinutes:0}-minute grace window",
                    $"{Capital(what)} was not published: no worker was running at its time, and it is now too late. Reschedule it to send it.");
            if (PublishScheduler.PublishBlocker(variant) is { } blocked)
                return Stop(VariantState.Failed, blocked, $"{Capital(what)} was not published. {blocked}");
            if (!ApprovalService.IsFullyApproved(variant))
                return Stop(VariantState.InReview, "the content no longer matches what was approved",
                    $"{Capital(what)} was not published: what would go out is not what was approved. It is back in review.");
            workflow.Transition(variant, VariantState.Publishing, Actor.System, $"publishing (attempt {variant.Attempts + 1})");
        }

        var sendAt = variant.NextAttemptAt ?? variant.ScheduledAt ?? now;
        variant.Attempts++;
        variant.NextAttemptAt = null;
        var attempt = new PublishAttempt
        {
            VariantId = variant.Id,
            Number = variant.PublishAttempts.Select(a => a.Number).DefaultIfEmpty(0).Max() + 1,
            ContentHash = variant.ContentHash,
            IdempotencyKey = $"{variant.Id:N}-{variant.ContentHash[..Math.Min(16, variant.ContentHash.Length)]}",
            Worker = WorkerName,
            // Claimed a moment early, it is sent at its time: that is when the attempt starts.
            StartedAt = sendAt > now ? sendAt : now,
        };
        return (variant, attempt, reconcile, interruptedAt);
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

    /// <summary>
    /// Waits for the claim's time: nothing goes out before it, however early it was claimed. Timers count whole
    /// milliseconds and can wake a little early, so the clock has the last word.
    /// </summary>
    public async Task WaitForSendTimeAsync(Claim claim, CancellationToken cancellationToken)
    {
        while (claim.SendAt - clock.GetUtcNow() is { Ticks: > 0 } early)
            await Task.Delay(early + TimeSpan.FromMilliseconds(1), clock, cancellationToken);
    }

    /// <summary>What a claim that was never sent records: the worker stopped while it waited for its time or a free slot.</summary>
    public static readonly PublishResult NotSent =
        new(PublishOutcome.NotSent, Detail: "not sent: the worker stopped before the post's time; it is back on the schedule");

    public async Task<PublishResult> CallNetworkAsync(Claim claim, CancellationToken cancellationToken)
    {
        await WaitForSendTimeAsync(claim, cancellationToken);
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

        var progress = new PartProgress(scopes, claim.VariantId, claim.AttemptId, clock);
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
                result = ChannelHttp.TryMapException(e, request.Connection.Kind, cancellationToken, out var mapped)
                    ? mapped
                    : new PublishResult(PublishOutcome.Unknown, Detail: "the connection to the network failed; the post may have gone out");
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
            return new ReconcileResult(ReconcileVerdict.Unknown, Detail: e is ChannelConfigurationException
                ? $"checking whether it posted failed too ({e.Message})"
                : "checking whether it posted failed too (no usable answer from the network)");
        }
    }

    /// <summary>
    /// Records outcomes, several in one transaction when a dispatcher has a batch of them, retrying through a
    /// database outage: the network's answer must not be lost.
    /// </summary>
    public async Task RecordAsync(IReadOnlyList<(Claim Claim, PublishResult Result)> outcomes, CancellationToken cancellationToken)
    {
        if (outcomes.Count == 0)
            return;
        var delay = TimeSpan.FromMilliseconds(250);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RecordOnceAsync(outcomes, cancellationToken);
                return;
            }
            catch (Exception e) when (IsDatabaseOutage(e) && attempt < 40 && !cancellationToken.IsCancellationRequested)
            {
                log.LogWarning("Recording the outcome of {Count} publish attempt(s) (first {Variant}) failed ({Error}); trying again in {Delay}",
                    outcomes.Count, outcomes[0].Claim.VariantId, e.Message, delay);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    internal static bool IsDatabaseOutage(Exception e) =>
        e is NpgsqlException or TimeoutException || e.InnerException is NpgsqlException or TimeoutException
        || e is InvalidOperationException { InnerException: NpgsqlException };

    private async Task RecordOnceAsync(IReadOnlyList<(Claim Claim, PublishResult Result)> outcomes, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var workflow = scope.ServiceProvider.GetRequiredService<VariantWorkflow>();
        var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
        var scheduler = scope.ServiceProvider.GetRequiredService<PublishScheduler>();
        var now = clock.GetUtcNow();

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Locked in id order, so two workers recording overlapping batches cannot deadlock.
        var ids = outcomes.Select(o => o.Claim.VariantId).Distinct().Order().ToArray();
        await db.Database.SqlQuery<Guid>($"""SELECT "Id" AS "Value" FROM "Variants" WHERE "Id" = ANY({ids}) ORDER BY "Id" FOR UPDATE""").ToListAsync(cancellationToken);
        var (variants, attempts) = await LoadForRecordAsync(db, ids, outcomes.Select(o => o.Claim.AttemptId).ToArray(), cancellationToken);

        var retry = new List<Variant>();
        foreach (var (claim, result) in outcomes)
        {
            var variant = variants[claim.VariantId];
            var attempt = attempts[claim.AttemptId];
            attempt.FinishedAt = now;
            attempt.Outcome = result.Outcome;
            attempt.HttpStatus = result.HttpStatus;
            attempt.Detail = Trim(result.Detail);
            if (Settle(variant, claim, result, now, workflow, notifier))
                retry.Add(variant);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var variant in retry)
            await scheduler.CreateJobAsync(variant, cancellationToken);
    }

    /// <summary>Moves the variant on from its attempt's outcome and tells the author. True when it is to be tried again.</summary>
    private bool Settle(Variant variant, Claim claim, PublishResult result, DateTimeOffset now, VariantWorkflow workflow, Notifier notifier)
    {
        if (variant.State is not (VariantState.Publishing or VariantState.NeedsAttention))
        {
            // Someone (or a reconciling worker) already settled it; keep the attempt's record only.
            log.LogWarning("Outcome {Outcome} of {Variant} arrived after it became {State}", result.Outcome, variant.Id, variant.State);
            return false;
        }

        var what = AccountWording.VariantOf(variant.ChannelAccount!.Name, variant.Message!.Title);
        var author = variant.Message.AuthorId;
        var link = Notifier.VariantLink(variant.Id);
        switch (result.Outcome)
        {
            case PublishOutcome.NotSent when variant.State == VariantState.Publishing:
                // Nothing left the machine: the variant is as it was before the claim, and the attempt does not count.
                variant.Attempts = Math.Max(0, variant.Attempts - 1);
                variant.NextAttemptAt = variant.Attempts == 0 ? null : claim.SendAt;
                workflow.Transition(variant, VariantState.Scheduled, Actor.System, "released unsent: the worker stopped before its time");
                // Its Hangfire job (same token) still stands as the backstop; a next worker's dispatcher takes it first.
                return false;

            case PublishOutcome.Published:
                workflow.Transition(variant, VariantState.Published, Actor.System, $"published on attempt {claim.AttemptNumber}");
                variant.ExternalId = result.ExternalId;
                // The post's address comes from the network's answer: kept only when it is a web address, so a
                // network (or something posing as one) cannot put javascript: or the like behind "see the post".
                variant.ExternalUrl = WebAddress.OrNull(result.ExternalUrl);
                variant.PublishedAt = now;
                variant.LastError = null;
                notifier.Tell(author, $"Published {what}" + (variant.ExternalUrl is { } url ? $": {url}" : "."), link);
                return false;

            case PublishOutcome.Transient when variant.Attempts < Options.MaxAttempts && variant.State == VariantState.Publishing:
                var wait = Backoff(variant.Attempts, result.RetryAfter);
                variant.NextAttemptAt = now + wait;
                variant.LastError = Trim(Describe(result));
                workflow.Transition(variant, VariantState.Scheduled, Actor.System, $"{variant.LastError}; trying again at {variant.NextAttemptAt:yyyy-MM-dd HH:mm:ss} UTC");
                if (variant.Attempts == 1)
                    notifier.Tell(author, $"{Capital(what)} could not be published yet ({variant.LastError}). Publisher will keep trying, up to {Options.MaxAttempts} attempts.", link);
                return true;

            case PublishOutcome.Transient or PublishOutcome.Permanent:
                variant.LastError = Trim(result.Outcome == PublishOutcome.Transient
                    ? $"gave up after {variant.Attempts} attempts: {Describe(result)}"
                    : Describe(result));
                workflow.Transition(variant, VariantState.Failed, Actor.System, variant.LastError);
                notifier.Tell(author, $"{Capital(what)} failed to publish: {variant.LastError}", link);
                return false;

            default:
                variant.LastError = Trim($"it is not known whether the post went out ({result.Detail}). Look on the network, then mark it published or schedule it again.");
                if (variant.State != VariantState.NeedsAttention)
                    workflow.Transition(variant, VariantState.NeedsAttention, Actor.System, variant.LastError);
                notifier.Tell(author, $"{Capital(what)} needs attention: {variant.LastError}", link);
                return false;
        }
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

    // Details carry a network's words (cleaned where the clients read them): stored and shown cleaned again, and short.
    private static string? Trim(string? text) => text is null ? null : NetworkReplyText.Clean(text, 1900);

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>
    /// Stores each thread part's id as soon as it is posted, so a retry resumes after it, and each uploaded medium's
    /// network id with the attempt, so a retry reuses the upload.
    /// </summary>
    private sealed class PartProgress(IServiceScopeFactory scopes, Guid variantId, Guid attemptId, TimeProvider clock) : IPublishProgress
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

        public async Task MediaUploadedAsync(string key, string networkMediaId, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            // Not the caller's token: once the network has the medium, the record must survive a cancelled post.
            db.MediaUploads.Add(new MediaUpload
            {
                VariantId = variantId, AttemptId = attemptId, MediaKey = key, NetworkMediaId = networkMediaId, ExpiresAt = expiresAt, UploadedAt = clock.GetUtcNow(),
            });
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }
}
