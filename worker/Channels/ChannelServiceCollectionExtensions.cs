using Microsoft.Extensions.DependencyInjection.Extensions;
using Publisher.Core.Networking;
using Publisher.Templates.Channels;
using Publisher.Worker.Channels.Bluesky;
using Publisher.Worker.Channels.Email;
using Publisher.Worker.Channels.FacebookPage;
using Publisher.Worker.Channels.Instagram;
using Publisher.Worker.Channels.LinkedIn;
using Publisher.Worker.Channels.Mastodon;
using Publisher.Worker.Channels.Threads;
using Publisher.Worker.Channels.Webhook;
using Publisher.Worker.Channels.X;

namespace Publisher.Worker.Channels;

public static class ChannelServiceCollectionExtensions
{
    /// <summary>
    /// Registers the channel clients (each as an <see cref="IChannelClient"/>), one named HttpClient per kind and
    /// the <see cref="ChannelClients"/> resolver. The Blog client is registered by whoever owns it, as another
    /// <see cref="IChannelClient"/>.
    /// </summary>
    public static IServiceCollection AddChannelClients(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        foreach (var kind in Enum.GetValues<ChannelKind>())
        {
            // No retry handler here: the publish job retries (a blind retry of a POST could post twice), and no
            // timeout of our own: the caller's cancellation token decides how long a call may take.
            // Redirects are not followed: a redirected POST turns into a GET and loses its Authorization header, so a
            // moved API address is reported (with where it moved) for an admin to fix rather than half-followed.
            // Every connection goes through the outbound address policy: an account's address is typed by an
            // admin, and must not reach loopback, the private network or the cloud metadata service.
            services.AddHttpClient(ChannelHttp.ClientName(kind), http => http.Timeout = Timeout.InfiniteTimeSpan)
                .UseOutboundAddressPolicy(handler => handler.AllowAutoRedirect = false);
        }
        // The warm-up's own client: the same handler chain, aimed only at the loopback listener the warm-up opens
        // itself, so it warms the path whatever the policy allows.
        services.AddHttpClient(ChannelHttp.WarmUpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services => OutboundHttp.CreateHandler(
                new OutboundConnector(new OutboundAddressPolicy(allowPrivateNetworks: true), services.GetRequiredService<IHostAddressResolver>(),
                    services.GetRequiredService<ILogger<OutboundConnector>>()),
                handler => handler.AllowAutoRedirect = false));
        // Bluesky's link cards read the linked page through the outbound guard.
        services.AddLinkCardReader();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelClient, XClient>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelClient, MastodonClient>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelClient, BlueskyClient>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelClient, LinkedInClient>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelClient, FacebookPageClient>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelClient, EmailNewsletterClient>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelClient, WebhookClient>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelClient, ThreadsClient>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelClient, InstagramClient>());
        services.TryAddSingleton<ChannelClients>();
        // The same instances read the metrics, so Bluesky's session cache serves both.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEngagementReader, XClient>(sp => sp.GetServices<IChannelClient>().OfType<XClient>().Single()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEngagementReader, MastodonClient>(sp => sp.GetServices<IChannelClient>().OfType<MastodonClient>().Single()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEngagementReader, BlueskyClient>(sp => sp.GetServices<IChannelClient>().OfType<BlueskyClient>().Single()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEngagementReader, LinkedInClient>(sp => sp.GetServices<IChannelClient>().OfType<LinkedInClient>().Single()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEngagementReader, FacebookPageClient>(sp => sp.GetServices<IChannelClient>().OfType<FacebookPageClient>().Single()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEngagementReader, ThreadsClient>(sp => sp.GetServices<IChannelClient>().OfType<ThreadsClient>().Single()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEngagementReader, InstagramClient>(sp => sp.GetServices<IChannelClient>().OfType<InstagramClient>().Single()));
        return services;
    }
}
