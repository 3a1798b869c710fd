using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
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
        services.AddSingleton<BlogViewCounter>();
        services.AddHostedService<PartitionsAtStart>();
        // Only /t.js is compressed (see UseSiteScriptCompression): a public script holds no secret to leak.
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.MimeTypes = ["text/javascript", "application/javascript"];
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.SmallestSize);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.SmallestSize);
        return services;
    }

    private static void AddQueue<T, TWriter>(IServiceCollection services) where TWriter : class, IEventBatchWriter<T>
    {
        services.AddSingleton<EventQueue<T>>();
        services.AddSingleton<IEventBatchWriter<T>, TWriter>();
        services.AddSingleton<EventQueueWriter<T>>();
        services.AddHostedService(sp => sp.GetRequiredService<EventQueueWriter<T>>());
    }

    /// <summary>The address of the page-view script the brand's sites load.</summary>
    public const string SiteScriptPath = "/t.js";

    /// <summary>
    /// Compresses /t.js for browsers that take it (it is on every page of the brand's sites: under 2 KB gzipped is what
    /// it promises), and nothing else: compressing pages that carry secrets beside what a visitor typed invites BREACH.
    /// </summary>
    public static IApplicationBuilder UseSiteScriptCompression(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path == SiteScriptPath, script => script.UseResponseCompression());

    public static IEndpointRouteBuilder MapAnalytics(this IEndpointRouteBuilder app)
    {
        app.MapTrackedLinks();
        app.MapSiteScript();
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
