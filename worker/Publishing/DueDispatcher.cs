using Microsoft.Extensions.Options;
using Publisher.Core.Domain;
using Publisher.Core.Jobs;
using Publisher.Core.Publishing;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Publishing;

/// <summary>
/// Publishes variants the moment they come due. Hangfire's delayed-job scheduler on PostgreSQL moves due jobs
/// to the queue one at a time (in the publish-lag harness, 100 jobs due at one instant took 16 s to start),
/// too slow for a campaign that goes out everywhere at 09:00. So each worker also looks for due variants every
/// <see cref="PublishingOptions.DispatchInterval"/> and publishes them itself, in four stages:
/// <list type="number">
/// <item>claim: one transaction takes as many due variants as there is room for, passing over rows another
/// worker holds (<c>FOR UPDATE SKIP LOCKED</c>), checks each as the publish job does and records its attempt.
/// The attempts of workers whose heartbeat stopped are taken over first. A worker told to stop gives back the
/// claims whose time has not come;</item>
/// <item>let go: at its time, each claim waits for one of <see cref="PublishingOptions.DispatchConcurrency"/>
/// slots; the claims that got one since the last round are marked sent in one write (<see cref="SendRounds"/>)
/// before any of their requests leaves, so a worker that dies leaves only those to be reconciled;</item>
/// <item>send: the network calls, which are let finish even when the worker is told to stop;</item>
/// <item>record: the <see cref="OutcomeRecorder"/> writes outcomes as they arrive, and keeps any the database
/// cannot take until it can.</item>
/// </list>
/// The Hangfire job stays the durable trigger (and the sweep the net under it); whichever comes first
/// publishes, and the variant's row lock makes the other a no-op.
/// </summary>
public sealed class DueDispatcher(
    IServiceScopeFactory scopes, DispatchActivity activity, OutcomeRecorder outcomes, PublishWorkerHeartbeat heartbeat, ClaimsInHand inHand,
    IOptions<PublishingOptions> options, TimeProvider clock, ILogger<DueDispatcher> log)
    : BackgroundService
{
    private PublishVariantJob _publisher = null!;

    /// <summary>How often the claim also looks for attempts of dead workers to take over.</summary>
    private static readonly TimeSpan TakeOverEvery = TimeSpan.FromSeconds(1);

    /// <summary>How long a stopping worker waits for the database to take the outcomes it still keeps.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The job makes its own scope for each transaction; this one only holds the job and its clients.
        await using var scope = scopes.CreateAsyncScope();
        _publisher = (PublishVariantJob)scope.ServiceProvider.GetRequiredService<IPublishVariantJob>();
        // Claims are known as this worker's only once its heartbeat is written.
        if (!await heartbeat.WaitUntilBeatingAsync(stoppingToken))
            return;
        await _publisher.WarmUpAsync(stoppingToken);
        var concurrency = Math.Max(1, options.Value.DispatchConcurrency);
        // Claimed and not yet settled: two rounds of sends, so the next claim is made while a round is out (a
        // claim transaction takes about as long as a round of sends), and a burst is shared between workers.
        var inHand = concurrency * 2;
        using var room = new SemaphoreSlim(inHand);
        using var slots = new SemaphoreSlim(concurrency);
        var rounds = new SendRounds(_publisher, log);
        var sends = new List<Task>();
        var lastTakeOver = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                // Wait for room, then a moment for more to free up, so claims come in batches.
                await room.WaitAsync(stoppingToken);
                room.Release();
                if (room.CurrentCount < inHand / 2)
                    await Task.Delay(TimeSpan.FromMilliseconds(5), clock, stoppingToken);
                var free = room.CurrentCount;
                var takeOver = clock.GetUtcNow() - lastTakeOver >= TakeOverEvery;
                if (takeOver)
                    lastTakeOver = clock.GetUtcNow();
                var claims = await _publisher.ClaimDueAsync(free, stoppingToken, takeOver);
                foreach (var claim in claims)
                {
                    // Never waits (only this loop takes room) and never gives up: every claim must reach SendAsync,
                    // which sends it or, if the worker is stopping, releases it unsent.
                    await room.WaitAsync(CancellationToken.None);
                    sends.Add(SendAsync(claim, room, slots, rounds, stoppingToken));
                }
                if (claims.Count > 0)
                    activity.Claimed(clock.GetUtcNow());
                sends.RemoveAll(t => t.IsCompleted);
                // A full claim means more may be due: go again as soon as there is room.
                more = claims.Count == free;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                log.LogWarning("Looking for due variants failed ({Error}); trying again shortly", e.Message);
            }
            if (more)
                continue;
            try
            {
                await Task.Delay(options.Value.DispatchInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await Task.WhenAll(sends).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await outcomes.DrainAsync(DrainLimit);
    }

    private async Task SendAsync(PublishVariantJob.Claim claim, SemaphoreSlim room, SemaphoreSlim slots, SendRounds rounds, CancellationToken stoppingToken)
    {
        var slot = false;
        var requested = false;
        try
        {
            await Task.Yield();
            await _publisher.WaitForSendTimeAsync(claim, stoppingToken);
            await slots.WaitAsync(stoppingToken);
            slot = true;
            if (!await rounds.LetGoAsync(claim, stoppingToken))
            {
                log.LogWarning("Another worker took over {Variant} before its request left (this worker's heartbeat looked dead to it); not sending it", claim.VariantId);
                inHand.Release(claim.AttemptId);
                return;
            }
            requested = true;
            // Once let go, the call runs to its answer (or the request timeout) even if the worker is stopping:
            // an answer recorded now is a reconcile saved later.
            var result = await _publisher.CallNetworkAsync(claim, CancellationToken.None);
            _ = outcomes.RecordAsync(claim, result);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested && !requested && !claim.Reconcile)
        {
            // Stopping before the post's time (or before a free slot): nothing left the machine, so the variant
            // goes back on the schedule for the next worker instead of waiting to be taken over.
            _ = outcomes.RecordAsync(claim, PublishVariantJob.NotSent);
        }
        catch (Exception e) when (requested)
        {
            log.LogError(e, "Publishing {Variant} from the dispatcher failed after its request was let go", claim.VariantId);
            _ = outcomes.RecordAsync(claim, new PublishResult(PublishOutcome.Unknown, Detail: $"the worker failed while publishing ({e.Message})"));
        }
        catch (Exception e)
        {
            // Left open and let out of hand: this worker's sweep hands it to the publish job, which takes it over
            // (or, if this worker is stopping, the worker that takes over from it does).
            log.LogWarning("Publishing {Variant} from the dispatcher stopped before its request left ({Error}); it will be taken over", claim.VariantId, e.Message);
            inHand.Release(claim.AttemptId);
        }
        finally
        {
            if (slot)
                slots.Release();
            room.Release();
        }
    }
}

/// <summary>
/// Lets requests go in rounds. Every claim that gets a send slot joins the round being gathered; one write marks
/// the whole round sent (<see cref="PublishVariantJob.MarkSentAsync"/>), and only then do its requests leave. So a
/// worker that dies leaves only the requests it may have sent to be reconciled: the others are simply sent by the
/// worker that takes over. While the database cannot take the write, nothing is sent, and the round waits.
/// </summary>
internal sealed class SendRounds(PublishVariantJob publisher, ILogger log)
{
    private readonly Lock _gate = new();
    private List<(Guid AttemptId, TaskCompletionSource<bool> Go)> _gathering = [];
    private bool _writing;

    /// <summary>True once the round with this claim is marked sent; false when another worker took the attempt over.</summary>
    public Task<bool> LetGoAsync(PublishVariantJob.Claim claim, CancellationToken cancellationToken)
    {
        var go = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _gathering.Add((claim.AttemptId, go));
            start = !_writing;
            _writing = true;
        }
        if (start)
            _ = Task.Run(WriteRoundsAsync);
        return go.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteRoundsAsync()
    {
        while (true)
        {
            List<(Guid AttemptId, TaskCompletionSource<bool> Go)> round;
            lock (_gate)
            {
                if (_gathering.Count == 0)
                {
                    _writing = false;
                    return;
                }
                round = _gathering;
                _gathering = [];
            }
            var retry = TimeSpan.FromMilliseconds(100);
            while (true)
            {
                try
                {
                    var open = await publisher.MarkSentAsync(round.Select(r => r.AttemptId).ToList(), CancellationToken.None);
                    foreach (var (attemptId, go) in round)
                        go.TrySetResult(open.Contains(attemptId));
                    break;
                }
                catch (Exception e)
                {
                    log.LogWarning("Marking {Count} request(s) as let go failed ({Error}); they wait and it is tried again in {Delay}", round.Count, e.Message, retry);
                    await Task.Delay(retry);
                    retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                }
            }
        }
    }
}
