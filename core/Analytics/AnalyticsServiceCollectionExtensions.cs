using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Publisher.Core.Analytics;

public static class AnalyticsServiceCollectionExtensions
{
    /// <summary>
    /// Analytics for the web app and the worker: its settings (section "Analytics"), the connection pool it writes
    /// through, the rollups, the reports the dashboard and exports read, and the maintenance jobs. Needs AddCore (the
    /// database) first.
    /// </summary>
    public static IServiceCollection AddAnalytics(this IServiceCollection services)
    {
        services.AddOptions<AnalyticsOptions>().BindConfiguration(AnalyticsOptions.SectionName)
            .Validate(o => o.RetentionMonths is >= 1 and <= 120, "Analytics:RetentionMonths must be between 1 and 120.")
            .Validate(o => o.QueueCapacity >= 1000 && o.FlushBatchSize >= 1 && o.FlushInterval > TimeSpan.Zero, "Analytics: QueueCapacity must be at least 1000, FlushBatchSize and FlushInterval positive.")
            .Validate(o => o.SettleDelay >= TimeSpan.Zero && o.RollupBatchSize >= 100, "Analytics: SettleDelay must not be negative and RollupBatchSize at least 100.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => new AnalyticsDatabase(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString));
        services.TryAddScoped<AnalyticsRollups>();
        services.TryAddScoped<AnalyticsMaintenance>();
        services.TryAddScoped<AnalyticsReport>();
        return services;
    }
}
