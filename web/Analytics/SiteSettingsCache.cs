using Microsoft.EntityFrameworkCore;
using Npgsql;
using Publisher.Core.Analytics;
using Publisher.Core.Data;

namespace Publisher.Web.Analytics;

/// <summary>
/// The sites allowed to send page views and conversions (the brand's origins; not this app's own: its blog counts its
/// views as it serves them, with no script) and whether consent is required, read from the analytics settings at most every 30 seconds; while the database is
/// away the last answer stands.
/// </summary>
public sealed class SiteSettingsCache(IServiceScopeFactory scopes, ILogger<SiteSettingsCache> logger)
{
    public sealed record Snapshot(IReadOnlySet<string> Origins, bool RequireConsent, DateTimeOffset ReadAt);

    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private volatile Snapshot? _snapshot;
    private readonly SemaphoreSlim _reading = new(1);

    /// <summary>Forgets what was read, so the next request reads again (after an admin changed the settings).</summary>
    public void Invalidate() => _snapshot = null;

    public async ValueTask<Snapshot> GetAsync(CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        if (snapshot is not null && DateTimeOffset.UtcNow - snapshot.ReadAt < MaxAge)
            return snapshot;
        if (!await _reading.WaitAsync(snapshot is null ? TimeSpan.FromSeconds(5) : TimeSpan.Zero, cancellationToken))
            return snapshot ?? new Snapshot(new HashSet<string>(), false, DateTimeOffset.MinValue);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PublisherDbContext>();
            var settings = await db.AnalyticsSettings.AsNoTracking().FirstOrDefaultAsync(s => s.Id == AnalyticsSettings.SingletonId, cancellationToken);
            var origins = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var origin in settings?.SiteOrigins ?? [])
            {
                if (OriginOf(origin) is { } o)
                    origins.Add(o);
            }
            return _snapshot = new Snapshot(origins, settings?.RequireConsent ?? false, DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            logger.LogWarning("Could not read the analytics settings ({Error}); keeping the last ones.", e.Message);
            return snapshot ?? new Snapshot(new HashSet<string>(), false, DateTimeOffset.MinValue);
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>"https://shop.example.com:8443/x" → "https://shop.example.com:8443"; null when it is not an http(s) address.</summary>
    public static string? OriginOf(string? url) =>
        Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.Host.Length > 0
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;
}
