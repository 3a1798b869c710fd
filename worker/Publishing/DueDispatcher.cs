using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Jobs;
using Publisher.Core.Publishing;

namespace Publisher.Worker.Publishing;

/// <summary>
/// Publishes variants the moment they come due. Hangfire's delayed-job scheduler on PostgreSQL moves due jobs
/// to the queue one at a time (in the publish-lag harness, 100 jobs due at one instant took 16 s to start),
/// too slow for a campaign that goes out everywhere at 09:00. So each worker also looks for due variants
/// every <see cref="PublishingOptions.DispatchInterval"/> and runs the same publish job on them directly, a
/// few at a time. The Hangfire job stays the durable trigger (and carries retries); whichever comes first
/// publishes, and the variant's row lock makes the other a no-op.
/// </summary>
public sealed class DueDispatcher(IServiceScopeFactory scopes, IOptions<PublishingOptions> options, TimeProvider clock, ILogger<DueDispatcher> log) : BackgroundService
{
    private readonly HashSet<Guid> _running = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WarmUpAsync(stoppingToken);
        var concurrency = Math.Max(1, options.Value.DispatchConcurrency);
        using var slots = new SemaphoreSlim(concurrency);
        var tasks = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var (id, token) in await DueAsync(concurrency * 4, stoppingToken))
                {
                    lock (_running)
                    {
                        if (!_running.Add(id))
                            continue;
                    }
                    await slots.WaitAsync(stoppingToken);
                    tasks.Add(RunAsync(id, token, slots, stoppingToken));
                }
                tasks.RemoveAll(t => t.IsCompleted);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                log.LogWarning("Looking for due variants failed ({Error}); trying again shortly", e.Message);
            }
            try
            {
                await Task.Delay(options.Value.DispatchInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await Task.WhenAll(tasks).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// Compiles the publish path's queries and loads the key ring before anything is due, so the first posts
    /// of a busy minute do not wait for a cold start.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DueAsync(1, cancellationToken);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            await db.Variants.Include(v => v.Message).Include(v => v.ChannelAccount).Include(v => v.Approvals).Include(v => v.PublishAttempts)
                .Where(v => v.Id == Guid.Empty).ToListAsync(cancellationToken);
            var credentials = scope.ServiceProvider.GetRequiredService<ChannelCredentials>();
            credentials.Unprotect(credentials.Protect(new Dictionary<string, string> { ["warm"] = "up" }));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            log.LogInformation("Warming up the publish path failed ({Error}); the first posts may be a little slower", e.Message);
        }
    }

    private async Task<List<(Guid, Guid)>> DueAsync(int limit, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
        var now = clock.GetUtcNow();
        var due = await db.Variants.AsNoTracking()
            .Where(v => v.State == VariantState.Scheduled && v.ScheduleToken != null && (v.NextAttemptAt ?? v.ScheduledAt) <= now)
            .OrderBy(v => v.NextAttemptAt ?? v.ScheduledAt)
            .Select(v => new { v.Id, Token = v.ScheduleToken!.Value })
            .Take(limit)
            .ToListAsync(cancellationToken);
        return due.Select(v => (v.Id, v.Token)).ToList();
    }

    private async Task RunAsync(Guid id, Guid token, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IPublishVariantJob>().PublishAsync(id, token, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The Hangfire job and the sweep try again; the log says why this one did not get through.
            log.LogWarning("Publishing {Variant} from the dispatcher failed: {Error}", id, e.Message);
        }
        finally
        {
            lock (_running) _running.Remove(id);
            slots.Release();
        }
    }
}
