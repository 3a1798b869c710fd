using Npgsql;
using Publisher.Core.Analytics;

namespace Publisher.Web.Analytics;

/// <summary>Writes /t.js conversions; a retried report (same id and type) is skipped by the table's key.</summary>
public sealed class SiteConversionWriter : IEventBatchWriter<SiteConversion>
{
    public Task WriteAsync(NpgsqlConnection connection, IReadOnlyList<SiteConversion> batch, CancellationToken cancellationToken) =>
        ConversionStore.InsertAsync(connection, batch.Select(c => c.Conversion).ToList(), "site", cancellationToken);
}

/// <summary>
/// The web app's part of analytics: the redirect, /t.js's collection and the ingest API, with their in-memory
/// queues and writers, the tracked-link directory and the visitor salts.
/// </summary>
public static class AnalyticsCollection
{
    public static IServiceCollection AddAnalyticsCollection(this IServiceCollection services)
    {
        AddQueue<Click, ClickBatchWriter>(services);
        AddQueue<PageView, PageViewBatchWriter>(services);
        AddQueue<SiteConversion, SiteConversionWriter>(services);
        services.AddSingleton<TrackedLinkDirectory>();
        services.AddHostedService(sp => sp.GetRequiredService<TrackedLinkDirectory>());
        services.AddSingleton<VisitorSalts>();
        services.AddHostedService(sp => sp.GetRequiredService<VisitorSalts>());
        services.AddSingleton<SiteSettingsCache>();
        services.AddHostedService<PartitionsAtStart>();
        return services;
    }

    private static void AddQueue<T, TWriter>(IServiceCollection services) where TWriter : class, IEventBatchWriter<T>
    {
        services.AddSingleton<EventQueue<T>>();
        services.AddSingleton<IEventBatchWriter<T>, TWriter>();
        services.AddSingleton<EventQueueWriter<T>>();
        services.AddHostedService(sp => sp.GetRequiredService<EventQueueWriter<T>>());
    }

    public static IEndpointRouteBuilder MapAnalytics(this IEndpointRouteBuilder app)
    {
        app.MapTrackedLinks();
        app.MapCollect();
        app.MapIngestApi();
        return app;
    }

    /// <summary>Makes this month's and the next months' partitions at start, so the first clicks have a place even if no worker ran yet.</summary>
    private sealed class PartitionsAtStart(AnalyticsDatabase database, ILogger<PartitionsAtStart> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await using var connection = await database.Source.OpenConnectionAsync(stoppingToken);
                await AnalyticsDatabase.EnsurePartitionsAsync(connection, DateTimeOffset.UtcNow, 3, stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning("Could not make this month's analytics partitions ({Error}); the worker's daily job will.", e.Message);
            }
        }
    }
}
