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
/// flight; then it records the attempt, calls the network, and hands the result to the <see cref="OutcomeRecorder"/>.
/// An attempt belongs to the worker that made it for as long as that worker's heartbeat is written; once it stops,
/// another worker takes the attempt over: one whose request never left is simply sent, one that may have gone
/// out is reconciled before anything is posted again.
/// </summary>
public sealed class PublishVariantJob(
    IServiceScopeFactory scopes,
    ChannelClientResolver clients,
    ChannelCredentials credentials,
    IBlobStore blobs,
    IHttpClientFactory http,
    OutcomeRecorder outcomes,
    PublishWorkerHeartbeat heartbeat,
    ClaimsInHand inHand,
    IOptions<PublishingOptions> options,
    TimeProvider clock,
    ILogger<PublishVariantJob> log) : IPublishVariantJob
{
    private static string WorkerName => PublishWorkerHeartbeat.Name;
    private PublishingOptions Options => options.Value;

    /// <remarks>
    /// Run by the variant's Hangfire job (the backstop, due a little after the variant) and by the sweep. Each
    /// worker's <see cref="DueDispatcher"/> publishes due variants in batches through <see cref="ClaimDueAsync"/>
    /// and <see cref="RecordAsync(IReadOnlyList{ValueTuple{Claim, PublishResult}}, CancellationToken)"/>, which
    /// make the same checks and records; whichever comes first publishes, and the row lock makes the other a no-op.
    /// </remarks>
    public async Task PublishAsync(Guid variantId, Guid scheduleToken, CancellationToken cancellationToken)
    {
        if (!heartbeat.IsBeating)
            // Thrown, so Hangfire tries again: an attempt made now would not be known as this worker's.
            throw new InvalidOperationException("This worker's heartbeat is not being written (is the database reachable?); it claims nothing until it is.");
        var claims = await ClaimAsync(new ClaimOne(variantId, scheduleToken), cancellationToken);
        foreach (var claim in claims)
        {
            PublishResult outcome;
            try
            {
                outcome = await CallNetworkAsync(claim, cancellationToken);
            }
            catch
            {
                // Left open (stopping mid-call): the sweep, or the worker taking over, reconciles it.
                inHand.Release(claim.AttemptId);
                throw;
            }
            // Kept by the recorder until the database takes it, even if this job is stopped while it waits.
            await outcomes.RecordAsync(claim, outcome).WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> variants due within <see cref="PublishingOptions.ClaimLead"/> that no
    /// other worker holds (<c>FOR UPDATE SKIP LOCKED</c>), in one transaction: each is checked as the job checks
    /// it, and the ones that pass get their attempt recorded. The caller sends each claim (not before its time:
    /// <see cref="CallNetworkAsync"/> waits for it) and records the outcomes.
    /// </summary>
    /// <param name="takeOver">
    /// Also take over, first, the attempts of workers whose heartbeat stopped (they are late already). When this
    /// worker cannot judge yet (see <see cref="PublishWorkerHeartbeat.CanJudgeOthers"/>) nothing is taken over.
    /// </param>
    public Task<IReadOnlyList<Claim>> ClaimDueAsync(int limit, CancellationToken cancellationToken, bool takeOver = true) =>
        heartbeat.IsBeating ? ClaimAsync(new ClaimDue(limit, takeOver && heartbeat.CanJudgeOthers), cancellationToken) : Task.FromResult<IReadOnlyList<Claim>>([]);

    /// <summary>The earliest a variant may be claimed before its time; sending still waits for the time itself.</summary>
    public static readonly TimeSpan EarliestClaim = TimeSpan.FromSeconds(5);

    private TimeSpan ClaimLead => Options.ClaimLead < TimeSpan.Zero ? TimeSpan.Zero : Options.ClaimLead > EarliestClaim ? EarliestClaim : Options.ClaimLead;

    /// <summary>What the job is about to send, captured under the lock.</summary>
    public sealed record Claim(Guid VariantId, Guid AttemptId, int AttemptNumber, DateTimeOffset SendAt, bool Reconcile, DateTimeOffset? InterruptedAt, ChannelAccount Account, PublishRequest? Request, string? SetupError);

    private abstract record ClaimWhat;
    private sealed record ClaimOne(Guid VariantId, Guid Token) : ClaimWhat;
    private sealed record ClaimDue(int Limit, bool TakeOver) : ClaimWhat;

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
        var ids = new List<Guid>();
        if (what is ClaimOne one)
            ids.AddRange(await db.Database.SqlQuery<Guid>(
                $"""SELECT "Id" AS "Value" FROM "Variants" WHERE "Id" = {one.VariantId} FOR UPDATE""").ToListAsync(cancellationToken));
        if (what is ClaimDue { TakeOver: true } takeOver && takeOver.Limit > 0)
            // Attempts of a worker whose heartbeat stopped: they are late already, so they go first.
            ids.AddRange(await db.Database.SqlQuery<Guid>($"""
                SELECT v."Id" AS "Value" FROM "Variants" v
                WHERE v."State" = 'Publishing' AND v."ScheduleToken" IS NOT NULL
                  AND EXISTS (SELECT 1 FROM "PublishAttempts" a WHERE a."VariantId" = v."Id" AND a."FinishedAt" IS NULL
                      AND NOT EXISTS (SELECT 1 FROM "PublishWorkers" w WHERE w."Name" = a."Worker" AND w."SeenAt" > now() - {Options.WorkerDeadAfter}))
                ORDER BY v."Id" LIMIT {takeOver.Limit}
                FOR UPDATE OF v SKIP LOCKED
                """).ToListAsync(cancellationToken));
        if (what is ClaimDue due && due.Limit > ids.Count)
            ids.AddRange(await db.Database.SqlQuery<Guid>($"""
                SELECT "Id" AS "Value" FROM "Variants"
                WHERE "State" = 'Scheduled' AND "ScheduleToken" IS NOT NULL AND COALESCE("NextAttemptAt", "ScheduledAt") <= {now + ClaimLead}
                ORDER BY COALESCE("NextAttemptAt", "ScheduledAt") LIMIT {due.Limit - ids.Count}
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken));
        if (ids.Count == 0)
            return [];
        // The open attempts too: a worker letting a round of sends go marks them (see MarkSentAsync), and must either
        // have done so before they are read here, or find them closed afterwards and not send.
        await db.Database.SqlQuery<Guid>(
            $"""SELECT "Id" AS "Value" FROM "PublishAttempts" WHERE "VariantId" = ANY({ids}) AND "FinishedAt" IS NULL FOR UPDATE""").ToListAsync(cancellationToken);
        // The common case of a burst, a scheduled variant that is ready to go, is read without the change tracker and
        // written for the whole batch at once (see ClaimWrites); the rest goes through Check as before.
        var ready = new List<(Variant Variant, PublishAttempt Attempt, bool Reconcile, DateTimeOffset? InterruptedAt)>();
        if (what is ClaimDue)
            foreach (var variant in await LoadForClaimAsync(db.Variants.AsNoTracking(), ids, cancellationToken))
                if (ReadyToSend(variant, now))
                {
                    variant.State = VariantState.Publishing;
                    variant.UpdatedAt = now;
                    ready.Add((variant, NewAttempt(variant, now), false, null));
                }
        var rest = ready.Count == 0 ? ids : ids.Except(ready.Select(r => r.Variant.Id)).ToList();
        var variants = rest.Count == 0 ? [] : await LoadForClaimAsync(db.Variants, rest, cancellationToken);
        // Whose attempts are still owned: only needed when one is open, and null when this worker cannot judge yet.
        var live = variants.Any(v => v.State == VariantState.Publishing) ? await LiveWorkersAsync(db, cancellationToken) : null;

        var attempts = new List<(Variant Variant, PublishAttempt Attempt, bool Reconcile, DateTimeOffset? InterruptedAt)>();
        foreach (var variant in variants.OrderBy(v => v.NextAttemptAt ?? v.ScheduledAt))
        {
            // A dispatcher's claim is current by construction: it read the token it acts on under the lock.
            var token = what is ClaimOne single ? single.Token : variant.ScheduleToken!.Value;
            if (Check(variant, token, now, live, workflow, notifier) is { } attempt)
            {
                // The job sends at once: its request counts as let go from the claim on. So does a reconcile: if this
                // worker dies too, the interrupted request before it may still have gone out.
                if (what is ClaimOne || attempt.Item3)
                    attempt.Item2.SentAt = attempt.Item2.StartedAt;
                // Added to the set, not the navigation: its key is set already, which would read as an existing row.
                db.PublishAttempts.Add(attempt.Item2);
                attempts.Add(attempt);
            }
        }
        if (ready.Count > 0)
        {
            await ClaimWrites.WriteAsync(db, ready.Select(r => (r.Variant, r.Attempt)).ToList(), now, cancellationToken);
            attempts.AddRange(ready);
            attempts.Sort((a, b) => Nullable.Compare(a.Variant.NextAttemptAt ?? a.Variant.ScheduledAt, b.Variant.NextAttemptAt ?? b.Variant.ScheduledAt));
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var (_, attempt, _, _) in attempts)
            inHand.Hold(attempt.Id);

        // One decryption per account, however many of its variants the batch holds; the media uploads of earlier
        // attempts in one query. Threads and Instagram record their containers the same way (text posts too): a retry
        // publishes the container an earlier attempt made instead of making a second post.
        var connections = new Dictionary<Guid, (ChannelConnection?, string?)>();
        var withMedia = attempts.Where(a => a.Variant.Media.Count > 0 || RecordsContainers(a.Variant.ChannelAccount!.Kind)).Select(a => a.Variant.Id).ToList();
        var uploads = withMedia.Count == 0 ? [] : await db.MediaUploads.AsNoTracking()
            .Where(u => withMedia.Contains(u.VariantId)).OrderBy(u => u.UploadedAt).ToListAsync(cancellationToken);
        var claims = new List<Claim>(attempts.Count);
        foreach (var a in attempts)
        {
            var account = a.Variant.ChannelAccount!;
            if (!connections.TryGetValue(account.Id, out var connection))
                connections[account.Id] = connection = Connect(account);
            var (request, setupError) = BuildRequest(a.Variant, connection, a.Attempt.IdempotencyKey);
            if (request is not null && (a.Variant.Media.Count > 0 || RecordsContainers(account.Kind)))
            {
                request = request with
                {
                    Media = a.Variant.Media.Count > 0 ? await PublishMediaAsync(a.Variant, cancellationToken) : [],
                    // The latest upload of each medium by an earlier attempt of this variant (same account, same bytes).
                    UploadedMedia = uploads.Where(u => u.VariantId == a.Variant.Id)
                        .GroupBy(u => u.MediaKey).ToDictionary(g => g.Key, g => new UploadedMedia(g.Last().NetworkMediaId, g.Last().ExpiresAt)),
                };
            }
            claims.Add(new Claim(a.Variant.Id, a.Attempt.Id, a.Attempt.Number, a.Attempt.StartedAt, a.Reconcile, a.InterruptedAt, account, request, setupError));
        }
        return claims;
    }

    private static bool RecordsContainers(string kind) => kind is nameof(ChannelKind.Threads) or nameof(ChannelKind.Instagram);

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

    private PublishMedia CardImage(Publisher.Core.Domain.LinkCardImage image) =>
        new(image.Key, PublishMediaKind.Image, image.ContentType, image.Length, image.Width, image.Height, null, image.AltText, null,
            Opener(image.Key), new Uri(Publisher.Core.Media.MediaLibrary.Url(Options.PublicUrl, image.Key, image.FileName)));

    private Func<CancellationToken, Task<Stream>> Opener(string key) => async cancellationToken =>
        await blobs.OpenReadAsync(key, cancellationToken)
        ?? throw new ChannelConfigurationException($"A medium of this post ({key[..12]}…) is missing from Publisher's media store: attach the file again and have the variant approved again.");

    private static Task<List<Variant>> LoadForClaimAsync(IQueryable<Variant> variants, List<Guid> ids, CancellationToken cancellationToken) =>
        variants
            .Include(v => v.Message).Include(v => v.ChannelAccount).Include(v => v.Approvals).Include(v => v.PublishAttempts)
            .AsSingleQuery()
            .Where(v => ids.Contains(v.Id))
            .ToListAsync(cancellationToken);

    /// <summary>
    /// The workers whose heartbeat is fresh (by the database's clock): their attempts are theirs alone. Null when
    /// this worker cannot judge yet (its own heartbeat has not run unbroken long enough): then every attempt is
    /// taken to be owned.
    /// </summary>
    private async Task<HashSet<string>?> LiveWorkersAsync(PublisherDbContext db, CancellationToken cancellationToken)
    {
        if (!heartbeat.CanJudgeOthers)
            return null;
        var names = await db.Database.SqlQuery<string>(
            $"""SELECT "Name" AS "Value" FROM "PublishWorkers" WHERE "SeenAt" > now() - {Options.WorkerDeadAfter}""").ToListAsync(cancellationToken);
        return names.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Records that a round of sends is let go, in one write, before any of its requests leaves. Returns the
    /// attempts that are still open and may be sent: one another worker took over (its heartbeat looked dead to
    /// them) is closed, and must not go out from here.
    /// </summary>
    public async Task<IReadOnlySet<Guid>> MarkSentAsync(IReadOnlyList<Guid> attemptIds, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var ids = attemptIds.ToArray();
        var open = await db.Database.SqlQuery<Guid>($"""
            UPDATE "PublishAttempts" SET "SentAt" = {clock.GetUtcNow()} WHERE "Id" = ANY({ids}) AND "FinishedAt" IS NULL RETURNING "Id" AS "Value"
            """).ToListAsync(cancellationToken);
        return open.ToHashSet();
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
            await ClaimAsync(new ClaimDue(0, false), cancellationToken);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            await LoadForClaimAsync(db.Variants, [Guid.Empty], cancellationToken);
            await LoadForClaimAsync(db.Variants.AsNoTracking(), [Guid.Empty], cancellationToken);
            await outcomes.WarmUpAsync(cancellationToken);
            await MarkSentAsync([Guid.Empty], cancellationToken);
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
    private (Variant, PublishAttempt, bool, DateTimeOffset?)? Check(Variant variant, Guid token, DateTimeOffset now, HashSet<string>? live, VariantWorkflow workflow, Notifier notifier)
    {
        (Variant, PublishAttempt, bool, DateTimeOffset?)? Skip(string why)
        {
            workflow.Record(nameof(Variant), variant.Id.ToString(), "publish skipped", Actor.System, why);
            log.LogInformation("Publishing {Variant} did nothing: {Why}", variant.Id, why);
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
            // Its worker's heartbeat is fresh (or this worker cannot tell yet): the attempt is that worker's alone,
            // even when its answer is taking long to be recorded (it keeps the answer until the database takes it).
            if (open is not null && (live is null || live.Contains(open.Worker)) && !LostHere(open, now))
                return Skip($"already being published by {open.Worker} (attempt {open.Number})");
            if (open is { SentAt: null })
            {
                // Its worker died before letting the request go: nothing left the machine, so it is simply sent.
                open.FinishedAt = now;
                open.Outcome = PublishOutcome.NotSent;
                open.Detail = $"not sent: its worker stopped before the post's request left; {WorkerName} took it over";
                variant.Attempts = Math.Max(0, variant.Attempts - 1);
                log.LogInformation("Took over {Variant} from {Worker}, which stopped before sending it", variant.Id, open.Worker);
            }
            else
            {
                if (open is not null)
                {
                    interruptedAt = open.StartedAt;
                    open.FinishedAt = now;
                    open.Outcome = PublishOutcome.Unknown;
                    open.Detail = "interrupted: the worker stopped before the network's answer was recorded";
                    log.LogInformation("Took over {Variant} from {Worker}, which stopped while its request may have been out; reconciling", variant.Id, open.Worker);
                }
                reconcile = true;
            }
        }
        else if (variant.State != VariantState.Scheduled)
        {
            return Skip($"the variant is {VariantTransitions.Describe(variant.State)}, not scheduled");
        }
        else
        {
            var due = DueAt(variant, now);
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
            workflow.Transition(variant, VariantState.Publishing, Actor.System, PublishingReason(variant.Attempts + 1));
        }

        return (variant, NewAttempt(variant, now), reconcile, interruptedAt);
    }

    private static DateTimeOffset DueAt(Variant variant, DateTimeOffset now) => variant.NextAttemptAt ?? variant.ScheduledAt ?? now;

    internal static string PublishingReason(int attempt) => $"publishing (attempt {attempt})";

    /// <summary>
    /// A scheduled variant that <see cref="Check"/> would simply move to Publishing, with nothing else to record: its
    /// time has come (within the grace window), nothing blocks it and it is fully approved as it stands. The same tests
    /// as Check's, in the same order; whatever this refuses goes through Check, which records why.
    /// </summary>
    private bool ReadyToSend(Variant variant, DateTimeOffset now)
    {
        if (variant.State != VariantState.Scheduled || variant.ScheduleToken is null)
            return false;
        var due = DueAt(variant, now);
        return due <= now + EarliestClaim && now - due <= Options.GraceWindow && PublishScheduler.PublishBlocker(variant) is null
               && ApprovalService.IsFullyApproved(variant)
               && VariantTransitions.Refusal(VariantState.Scheduled, VariantState.Publishing, PublishingReason(variant.Attempts + 1)) is null;
    }

    /// <summary>The attempt a claim records: it counts against the variant's attempts, and starts at the post's time.</summary>
    private static PublishAttempt NewAttempt(Variant variant, DateTimeOffset now)
    {
        var sendAt = DueAt(variant, now);
        variant.Attempts++;
        variant.NextAttemptAt = null;
        return new PublishAttempt
        {
            VariantId = variant.Id,
            Number = variant.PublishAttempts.Select(a => a.Number).DefaultIfEmpty(0).Max() + 1,
            ContentHash = variant.ContentHash,
            IdempotencyKey = $"{variant.Id:N}-{variant.ContentHash[..Math.Min(16, variant.ContentHash.Length)]}",
            Worker = WorkerName,
            // Claimed a moment early, it is sent at its time: that is when the attempt starts.
            StartedAt = sendAt > now ? sendAt : now,
        };
    }

    private static readonly TimeSpan MastodonIdempotencyWindow = TimeSpan.FromMinutes(50);

    /// <summary>An attempt of this very worker that it no longer holds (see <see cref="ClaimsInHand"/>): nobody would settle it.</summary>
    private bool LostHere(PublishAttempt open, DateTimeOffset now) =>
        open.Worker == WorkerName && !inHand.Holds(open.Id) && now - open.StartedAt > ClaimsInHand.LostAfter;

    private (ChannelConnection?, string?) Connect(ChannelAccount account)
    {
        try
        {
            return (AccountConnection.For(account, credentials), null);
        }
        catch (Exception e) when (e is ChannelConfigurationException or JsonException)
        {
            return (null, e.Message);
        }
    }

    private (PublishRequest?, string?) BuildRequest(Variant variant, (ChannelConnection? Connection, string? Error) account, string idempotencyKey)
    {
        if (account.Connection is not { } connection)
            return (null, account.Error);
        return (new PublishRequest(
            variant.Id, connection, variant.EffectiveText, variant.ThreadParts, variant.Subject, variant.Preheader, variant.RenderedHtml,
            variant.Link, variant.FacetsJson, variant.JsonPayload, variant.Message!.Title, idempotencyKey, variant.ExternalPartIds,
            variant.ScheduledAt ?? clock.GetUtcNow())
        {
            Summary = variant.Message.Summary, LinkDestination = variant.Message.Link, LinkCard = variant.LinkCard,
            LinkCardImage = variant.LinkCardImage is { } image ? CardImage(image) : null,
            LinkCardStored = variant.LinkCardSnapshot is not null,
            StoredLinkCard = OutgoingLinkCard.Of(variant.LinkCardSnapshot, variant.LinkCard, variant.LinkCardImage) is { } card
                ? new StoredLinkCard(card.Uri, card.Title, card.Description, card.Thumb is { } thumb ? CardImage(thumb) : null)
                : null,
        }, null);
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

        var progress = new PartProgress(scopes, claim.VariantId, claim.AttemptId, request.PostedPartIds.Count, request.Parts.Count, clock, log);
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
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Whatever broke, the request may have gone out: the outcome is unknown until reconciled, never lost.
                result = ChannelHttp.TryMapException(e, request.Connection.Kind, cancellationToken, out var mapped)
                    ? mapped
                    : new PublishResult(PublishOutcome.Unknown, Detail: "the connection to the network failed; the post may have gone out");
            }
        }
        var posted = progress.Posted;
        if (posted.Count > 0)
            result = result with { PostedPartIds = posted };

        if (result.Outcome != PublishOutcome.Unknown || result.AskPerson)
            return result;
        // The request may have gone out: ask before anyone posts again.
        // What this attempt uploaded counts too: a client that records containers before publishing them reconciles by them.
        var uploaded = new Dictionary<string, UploadedMedia>(request.UploadedMedia);
        foreach (var (key, upload) in progress.Uploaded) uploaded[key] = upload;
        var check = await ReconcileAsync(client, request with { PostedPartIds = request.PostedPartIds.Concat(posted).ToList(), UploadedMedia = uploaded }, cancellationToken);
        return check.Verdict switch
        {
            ReconcileVerdict.Published => PublishResult.Published(check.ExternalId ?? "", check.ExternalUrl) with { PostedPartIds = result.PostedPartIds },
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
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ReconcileResult(ReconcileVerdict.Unknown, Detail: e is ChannelConfigurationException
                ? $"checking whether it posted failed too ({e.Message})"
                : "checking whether it posted failed too (no usable answer from the network)");
        }
    }

    /// <summary>Records outcomes (several in one transaction) and returns once they are written; see <see cref="OutcomeRecorder"/>.</summary>
    public Task RecordAsync(IReadOnlyList<(Claim Claim, PublishResult Result)> results, CancellationToken cancellationToken) =>
        Task.WhenAll(results.Select(r => outcomes.RecordAsync(r.Claim, r.Result))).WaitAsync(cancellationToken);

    internal static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>
    /// Remembers each part's id as it is posted, so the outcome carries them all. Before a further part goes out
    /// it also stores the ids so far, so that if this worker dies mid-thread the next attempt resumes after them.
    /// A database that cannot take that write does not stop the thread, and never loses the ids: they are
    /// recorded with the outcome. Each uploaded medium's network id is stored with the attempt, so a retry reuses
    /// the upload.
    /// </summary>
    private sealed class PartProgress(IServiceScopeFactory scopes, Guid variantId, Guid attemptId, int postedBefore, int parts, TimeProvider clock, ILogger log) : IPublishProgress
    {
        private readonly List<string> _posted = [];
        private readonly List<(string Key, UploadedMedia Upload)> _uploaded = [];

        /// <summary>What this attempt uploaded (or, for Threads and Instagram, which containers it made), in order.</summary>
        public IReadOnlyList<(string Key, UploadedMedia Upload)> Uploaded
        {
            get { lock (_uploaded) return _uploaded.ToList(); }
        }

        public IReadOnlyList<string> Posted
        {
            get { lock (_posted) return _posted.ToList(); }
        }

        public async Task PartPostedAsync(string externalId, CancellationToken cancellationToken)
        {
            int posted;
            lock (_posted)
            {
                _posted.Add(externalId);
                posted = postedBefore + _posted.Count;
            }
            // The last part (or a single post) is recorded with the outcome, in the same write.
            if (posted >= parts)
                return;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
                await db.Database.ExecuteSqlInterpolatedAsync(
                    $"""UPDATE "Variants" SET "ExternalPartIds" = array_append("ExternalPartIds", {externalId}) WHERE "Id" = {variantId}""", CancellationToken.None);
            }
            catch (Exception e)
            {
                log.LogWarning("Storing part {Part} of {Variant} as posted failed ({Error}); it is kept and recorded with the outcome", posted, variantId, e.Message);
            }
        }

        public async Task MediaUploadedAsync(string key, string networkMediaId, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
        {
            lock (_uploaded) _uploaded.Add((key, new UploadedMedia(networkMediaId, expiresAt)));
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
