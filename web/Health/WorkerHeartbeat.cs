using Hangfire;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Publisher.Web.Health;

/// <summary>
/// Whether any worker process is alive, read from Hangfire's server heartbeats in PostgreSQL. With no
/// worker nothing gets published, so the health endpoint and every page say so.
/// </summary>
public sealed class WorkerHeartbeat(JobStorage storage, IMemoryCache cache, TimeProvider clock) : IHealthCheck
{
    /// <summary>Hangfire servers beat every 30 s; two missed beats means the worker is gone.</summary>
    public static readonly TimeSpan AliveWindow = TimeSpan.FromSeconds(70);

    public int AliveWorkers()
    {
        return cache.GetOrCreate("worker-heartbeat", entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(5);
            var now = clock.GetUtcNow().UtcDateTime;
            return storage.GetMonitoringApi().Servers()
                .Count(s => s.Heartbeat is { } beat && now - DateTime.SpecifyKind(beat, DateTimeKind.Utc) < AliveWindow);
        });
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var alive = AliveWorkers();
            return Task.FromResult(alive > 0
                ? HealthCheckResult.Healthy($"{alive} worker(s) alive")
                : HealthCheckResult.Degraded("No worker is running: nothing will be published until one starts."));
        }
        catch (Exception e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Could not read worker heartbeats: " + e.Message));
        }
    }
}
