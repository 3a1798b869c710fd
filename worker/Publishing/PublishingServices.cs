using Publisher.Core.Jobs;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Publishing;

public static class PublishingServices
{
    /// <summary>The publish job, the connection test job and the clients they use (not the heartbeat, sweep or dispatcher: they are hosted services the worker starts).</summary>
    public static IServiceCollection AddPublishing(this IServiceCollection services)
    {
        services.AddChannelClients();
        services.AddSingleton<BlogChannelClient>();
        services.AddSingleton<DemoChannelClient>();
        services.AddScoped<ChannelClientResolver>();
        services.AddScoped<IPublishVariantJob, PublishVariantJob>();
        services.AddScoped<IChannelConnectionTestJob, ChannelConnectionTestJob>();
        services.AddSingleton<DispatchActivity>();
        services.AddSingleton<OutcomeRecorder>();
        services.AddSingleton<ClaimsInHand>();
        services.AddSingleton<PublishWorkerHeartbeat>();
        services.AddSingleton<PublishSweeper>();
        return services;
    }
}
