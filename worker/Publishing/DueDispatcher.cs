using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Publisher.Core.Jobs;
using Publisher.Core.Publishing;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Publishing;

/// <summary>
/// Publishes variants the moment they come due. Hangfire's delayed-job scheduler on PostgreSQL moves due jobs
/// to the queue one at a time (in the publish-lag harness, 100 jobs due at one instant took 16 s to start),
/// too slow for a campaign that goes out everywhere at 09:00. So each worker also looks for due variants every
/// <see cref="PublishingOptions.DispatchInterval"/> and publishes them itself, in three stages:
/// <list type="number">
/// <item>claim: one transaction takes as many due variants as there is room for, passing over rows another
/// worker holds (<c>FOR UPDATE SKIP LOCKED</c>), checks each as the publish job does and records its attempt.
/// It holds no more than two rounds of sends, so a crash leaves few attempts to reconcile, and a worker told
/// to stop gives back the claims whose time has not come;</item>
/// <item>send: up to <see cref="PublishingOptions.DispatchConcurrency"/> network calls at a time;</item>
/// <item>record: outcomes are written as they arrive, all those waiting in one transaction.</item>
/// </list>
/// The Hangfire job stays the durable trigger (and the sweep the net under it); whichever comes first
/// publishes, and the variant's row lock makes the other a no-op.
/// </summary>
public sealed class DueDispatcher(IServiceScopeFactory scopes, DispatchActivity activity, IOptions<PublishingOptions> options, TimeProvider clock, ILogger<DueDispatcher> log)
    : BackgroundService
{
    private PublishVariantJob _publisher = null!;

    /// <summary>The most outcomes written in one transaction.</summary>
    private const int RecordBatch = 100;

    private readonly Channel<(PublishVariantJob.Claim, PublishResult)> _outcomes =
        Channel.CreateUnbounded<(PublishVariantJob.Claim, PublishResult)>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The job makes its own scope for each transaction; this one only holds the job and its clients.
        await using var scope = scopes.CreateAsyncScope();
        _publisher = (PublishVariantJob)scope.ServiceProvider.GetRequiredService<IPublishVariantJob>();
        await _publisher.WarmUpAsync(stoppingToken);
        var recorder = RecordLoopAsync();
        var concurrency = Math.Max(1, options.Value.DispatchConcurrency);
        // Claimed and not yet settled: two rounds of sends, so the next claim is made while a round is out (a
        // claim transaction takes about as long as a round of sends) and a crash leaves few attempts to reconcile.
        var inHand = concurrency * 2;
        using var room = new SemaphoreSlim(inHand);
        using var slots = new SemaphoreSlim(concurrency);
        var sends = new List<Task>();
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
                var claims = await _publisher.ClaimDueAsync(free, stoppingToken);
                foreach (var claim in claims)
                {
                    // Never waits (only this loop takes room) and never gives up: every claim must reach SendAsync,
                    // which sends it or, if the worker is stopping, releases it unsent.
                    await room.WaitAsync(CancellationToken.None);
                    sends.Add(SendAsync(claim, room, slots, stoppingToken));
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
        _outcomes.Writer.TryComplete();
        await recorder;
    }

    private async Task SendAsync(PublishVariantJob.Claim claim, SemaphoreSlim room, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        var sending = false;
        var requested = false;
        try
        {
            await Task.Yield();
            await slots.WaitAsync(stoppingToken);
            sending = true;
            await _publisher.WaitForSendTimeAsync(claim, stoppingToken);
            requested = true;
            var result = await _publisher.CallNetworkAsync(claim, stoppingToken);
            _outcomes.Writer.TryWrite((claim, result));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested && !requested && !claim.Reconcile)
        {
            // Stopping before the post's time (or before a free slot): nothing left the machine, so the variant
            // goes back on the schedule for the next worker instead of waiting to be reconciled.
            _outcomes.Writer.TryWrite((claim, PublishVariantJob.NotSent));
        }
        catch (Exception e)
        {
            // Left open, the attempt is reconciled by the sweep once it is older than the request timeout.
            log.LogWarning("Publishing {Variant} from the dispatcher stopped before an answer ({Error}); it will be reconciled", claim.VariantId, e.Message);
        }
        finally
        {
            if (sending)
                slots.Release();
            room.Release();
        }
    }

    /// <summary>
    /// Writes outcomes as they come, each time all those waiting (up to <see cref="RecordBatch"/>) in one
    /// transaction. It runs on until the dispatcher has stopped and every answer received is written.
    /// </summary>
    private async Task RecordLoopAsync()
    {
        var batch = new List<(PublishVariantJob.Claim, PublishResult)>(RecordBatch);
        while (await _outcomes.Reader.WaitToReadAsync())
        {
            while (batch.Count < RecordBatch && _outcomes.Reader.TryRead(out var outcome))
                batch.Add(outcome);
            try
            {
                await _publisher.RecordAsync(batch, CancellationToken.None);
            }
            catch (Exception e)
            {
                // The database stayed away through every retry: the attempts stay open and are reconciled later.
                log.LogError(e, "Recording {Count} publish outcome(s) failed; the sweep will reconcile them", batch.Count);
            }
            batch.Clear();
        }
    }
}
