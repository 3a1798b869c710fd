using Publisher.Core.Jobs;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Publishing;

public static class PublishingServices
{
    /// <summary>The publish job, the connection test job and the clients they use (not the sweep: it is a hosted service).</summary>
    public static IServiceCollection AddPublishing(this IServiceCollection services)
    {
        services.AddChannelClients();
        services.AddSingleton<BlogChannelClient>();
        services.AddSingleton<DemoChannelClient>();
        services.AddScoped<ChannelClientResolver>();
        services.AddScoped<IPublishVariantJob, PublishVariantJob>();
        services.AddScoped<IChannelConnectionTestJob, ChannelConnectionTestJob>();
        services.AddSingleton<DispatchActivity>();
        services.AddSingleton<PublishSweeper>();
        return services;
    }
}
