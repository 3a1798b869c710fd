using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Networking;
using Publisher.Core.Publishing;
using Publisher.Core.Review;
using Publisher.Core.Workflow;
using Publisher.Templates.Model;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Publishing;

/// <summary>
/// Writes what each publish attempt came to, and never forgets an answer the network gave: an outcome the
/// database cannot take (it is restarting, or unreachable) stays in this worker's memory and is written again,
/// with back-off, for as long as the process lives. Meanwhile the attempt stays open under this worker's
/// heartbeat, so no other worker reconciles or re-sends it.
/// <para>
/// Outcomes are written as they arrive, all those waiting (up to <see cref="Batch"/>) in one transaction that
/// moves each variant on, writes its audit events and tells its author. A batch that fails for another reason
/// than an outage is split, so one bad outcome cannot hold up the rest.
/// </para>
/// </summary>
public sealed class OutcomeRecorder(IServiceScopeFactory scopes, ClaimsInHand inHand, IOptions<PublishingOptions> options, TimeProvider clock, ILogger<OutcomeRecorder> log)
    : IAsyncDisposable
{
    /// <summary>The most outcomes written in one transaction.</summary>
    public const int Batch = 250;

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(5);

    private sealed record Pending(PublishVariantJob.Claim Claim, PublishResult Result, TaskCompletionSource Written);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _start = new();
    private Task? _writer;
    private int _unwritten;
    private volatile bool _closing;

    private PublishingOptions Options => options.Value;

    /// <summary>How many outcomes are kept, waiting to be written.</summary>
    public int Unwritten => Volatile.Read(ref _unwritten);

    /// <summary>
    /// Keeps the outcome until it is written. The task completes when it is; it never fails (the outcome is
    /// retried for as long as the process lives), so a caller may also leave it and go on.
    /// </summary>
    public Task RecordAsync(PublishVariantJob.Claim claim, PublishResult result)
    {
        var pending = new Pending(claim, result, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        Interlocked.Increment(ref _unwritten);
        if (!_queue.Writer.TryWrite(pending))
            throw new ObjectDisposedException(nameof(OutcomeRecorder));
        lock (_start)
            _writer ??= Task.Run(WriteLoopAsync);
        return pending.Written.Task;
    }

    /// <summary>Waits until every outcome kept so far is written, or <paramref name="limit"/> has passed; true when none is left.</summary>
    public async Task<bool> DrainAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (Unwritten > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        if (Unwritten > 0)
            log.LogError("Stopping with {Count} publish outcome(s) the database would not take; those attempts are reconciled by the next worker", Unwritten);
        return Unwritten == 0;
    }

    private async Task WriteLoopAsync()
    {
        var kept = new List<Pending>();
        var retry = FirstRetry;
        var single = false;
        while (true)
        {
            if (kept.Count == 0 && !await _queue.Reader.WaitToReadAsync())
                return;
            while (kept.Count < Batch && _queue.Reader.TryRead(out var next))
                kept.Add(next);
            var chunk = single ? kept.GetRange(0, 1) : kept.ToList();
            try
            {
                await WriteAsync(chunk.Select(p => (p.Claim, p.Result)).ToList(), CancellationToken.None);
                kept.RemoveRange(0, chunk.Count);
                Interlocked.Add(ref _unwritten, -chunk.Count);
                foreach (var pending in chunk)
                {
                    inHand.Release(pending.Claim.AttemptId);
                    pending.Written.TrySetResult();
                }
                retry = FirstRetry;
                single = single && kept.Count > 0;
            }
            catch (Exception e)
            {
                if (IsDatabaseOutage(e))
                    log.LogWarning("Recording {Count} publish outcome(s) failed ({Error}); they are kept and written again in {Delay}", chunk.Count, e.Message, retry);
                else
                {
                    log.LogError(e, "Recording {Count} publish outcome(s) failed; they are kept and written again in {Delay}, one at a time", chunk.Count, retry);
                    single = true;
                }
                if (_closing)
                {
                    log.LogError("Giving up on {Count} publish outcome(s): the worker's services are being disposed; those attempts are reconciled by the next worker", kept.Count);
                    return;
                }
                await Task.Delay(retry);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
            }
        }
    }

    internal static bool IsDatabaseOutage(Exception e) =>
        e is NpgsqlException or TimeoutException || e.InnerException is NpgsqlException or TimeoutException
        || e is InvalidOperationException { InnerException: NpgsqlException };

    /// <summary>Runs the record path's queries once with nothing to find, so the first outcomes of a burst do not wait for their compilation.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        await LoadAsync(db, [Guid.Empty], [Guid.Empty], cancellationToken);
    }

    private static async Task<(Dictionary<Guid, Variant>, Dictionary<Guid, PublishAttempt>)> LoadAsync(
        PublisherDbContext db, Guid[] ids, Guid[] attemptIds, CancellationToken cancellationToken)
    {
        var variants = await db.Variants.Include(v => v.Message).Include(v => v.ChannelAccount)
            .Where(v => ids.Contains(v.Id)).ToDictionaryAsync(v => v.Id, cancellationToken);
        var attempts = await db.PublishAttempts.Where(a => attemptIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);
        return (variants, attempts);
    }

    /// <summary>One transaction: every outcome's attempt and variant, their audit events and the authors' notifications.</summary>
    private async Task WriteAsync(IReadOnlyList<(PublishVariantJob.Claim Claim, PublishResult Result)> outcomes, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var workflow = scope.ServiceProvider.GetRequiredService<VariantWorkflow>();
        var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
        var now = clock.GetUtcNow();

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Locked in id order, so two workers recording overlapping batches cannot deadlock. The same round trip reads
        // what tells the common case (a publication whose attempt is still open) from the rest.
        var locked = await PublishedOutcomes.LockAsync(db, outcomes, cancellationToken);
        // The common case, in one round trip for the whole batch, as Settle would write it (see PublishedOutcomes).
        var published = PublishedOutcomes.Select(outcomes, locked);
        if (published.Count > 0)
            await PublishedOutcomes.WriteAsync(db, published, now, cancellationToken);
        var written = published.Select(p => p.Claim.AttemptId).ToHashSet();
        var rest = published.Count == 0 ? outcomes : outcomes.Where(o => !written.Contains(o.Claim.AttemptId)).ToList();
        var ids = rest.Select(o => o.Claim.VariantId).Distinct().Order().ToArray();
        var (variants, attempts) = rest.Count == 0 ? ([], []) : await LoadAsync(db, ids, rest.Select(o => o.Claim.AttemptId).ToArray(), cancellationToken);

        var retry = new List<Variant>();
        foreach (var (claim, result) in rest)
        {
            if (!variants.TryGetValue(claim.VariantId, out var variant) || !attempts.TryGetValue(claim.AttemptId, out var attempt))
            {
                log.LogWarning("The outcome {Outcome} of {Variant} has no variant or attempt to record it on any more", result.Outcome, claim.VariantId);
                continue;
            }
            foreach (var part in result.PostedPartIds ?? [])
                if (!variant.ExternalPartIds.Contains(part))
                    variant.ExternalPartIds.Add(part);
            if (attempt.FinishedAt is not null)
            {
                // Written already (a commit whose answer was lost), or taken over by a worker that took this one for
                // dead. Only a publication still counts: the post is out, whatever the other worker finds.
                if (attempt.Outcome == result.Outcome)
                    continue;
                attempt.Outcome = result.Outcome;
                attempt.HttpStatus = result.HttpStatus;
                attempt.Detail = Trim($"{Describe(result)} (this answer came after another worker had taken the attempt over)");
                if (result.Outcome == PublishOutcome.Published && variant.State is VariantState.Publishing or VariantState.NeedsAttention)
                    Settle(variant, claim, result, now, workflow, notifier);
                continue;
            }
            attempt.FinishedAt = now;
            attempt.Outcome = result.Outcome;
            attempt.HttpStatus = result.HttpStatus;
            attempt.Detail = Trim(result.Detail);
            if (Settle(variant, claim, result, now, workflow, notifier))
                retry.Add(variant);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // The outcomes are in: a retry's backstop job is a nicety now (the dispatcher finds the variant by its
        // next attempt time, the sweep gives it a job), so failing to make one must not write the outcomes again.
        var scheduler = scope.ServiceProvider.GetRequiredService<PublishScheduler>();
        foreach (var variant in retry)
        {
            try
            {
                await scheduler.CreateJobAsync(variant, cancellationToken);
            }
            catch (Exception e)
            {
                log.LogWarning("Creating the retry job of {Variant} failed ({Error}); the sweep will make it", variant.Id, e.Message);
            }
        }
    }

    /// <summary>Moves the variant on from its attempt's outcome and tells the author. True when it is to be tried again.</summary>
    private bool Settle(Variant variant, PublishVariantJob.Claim claim, PublishResult result, DateTimeOffset now, VariantWorkflow workflow, Notifier notifier)
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
                workflow.Transition(variant, VariantState.Published, Actor.System, PublishedReason(claim));
                variant.ExternalId = result.ExternalId;
                variant.ExternalUrl = PostAddress(result);
                variant.PublishedAt = now;
                variant.LastError = null;
                notifier.Tell(author, PublishedNotice(what, variant.ExternalUrl), link);
                return false;

            case PublishOutcome.Transient when variant.Attempts < Options.MaxAttempts && variant.State == VariantState.Publishing:
                var wait = Backoff(variant.Attempts, result.RetryAfter);
                variant.NextAttemptAt = now + wait;
                variant.LastError = Trim(Describe(result));
                workflow.Transition(variant, VariantState.Scheduled, Actor.System, $"{variant.LastError}; trying again at {variant.NextAttemptAt:yyyy-MM-dd HH:mm:ss} UTC");
                if (variant.Attempts == 1)
                    notifier.Tell(author, $"{PublishVariantJob.Capital(what)} could not be published yet ({variant.LastError}). Publisher will keep trying, up to {Options.MaxAttempts} attempts.", link);
                return true;

            case PublishOutcome.Transient or PublishOutcome.Permanent:
                variant.LastError = Trim(result.Outcome == PublishOutcome.Transient
                    ? $"gave up after {variant.Attempts} attempts: {Describe(result)}"
                    : Describe(result));
                workflow.Transition(variant, VariantState.Failed, Actor.System, variant.LastError);
                notifier.Tell(author, $"{PublishVariantJob.Capital(what)} failed to publish: {variant.LastError}", link);
                return false;

            default:
                variant.LastError = Trim(result.AskPerson ? result.Detail
                    : $"it is not known whether the post went out ({result.Detail}). Look on the network, then mark it published or schedule it again.");
                if (variant.State != VariantState.NeedsAttention)
                    workflow.Transition(variant, VariantState.NeedsAttention, Actor.System, variant.LastError);
                notifier.Tell(author, $"{PublishVariantJob.Capital(what)} needs attention: {variant.LastError}", link);
                return false;
        }
    }

    // What a publication writes, here and in PublishedOutcomes' batch write alike.
    internal static string PublishedReason(PublishVariantJob.Claim claim) => $"published on attempt {claim.AttemptNumber}";
    internal static string PublishedNotice(string what, string? url) => $"Published {what}" + (url is not null ? $": {url}" : ".");

    /// <summary>
    /// The post's address comes from the network's answer: kept only when it is a web address, so a network (or
    /// something posing as one) cannot put javascript: or the like behind "see the post".
    /// </summary>
    internal static string? PostAddress(PublishResult result) => WebAddress.OrNull(result.ExternalUrl);

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
    internal static string? Trim(string? text) => text is null ? null : NetworkReplyText.Clean(text, 1900);

    public async ValueTask DisposeAsync()
    {
        _closing = true;
        _queue.Writer.TryComplete();
        if (_writer is { } writer)
            await Task.WhenAny(writer, Task.Delay(TimeSpan.FromSeconds(5)));
    }
}
