using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Publisher.Core.Networking;

/// <summary>
/// HTTP handlers whose every connection goes through <see cref="OutboundConnector"/>: the one way Publisher makes
/// an HTTP request to an address it did not choose itself (a channel's API, a webhook, a page fetched for a link
/// card, an OAuth token endpoint). Redirects, retries and keep-alive reconnects open their connections through the
/// same check, so a server cannot send a request on to an internal address.
/// </summary>
public static class OutboundHttp
{
    /// <summary>
    /// A handler that connects only to addresses the policy allows. No proxy: a proxy would make the connection
    /// to itself and the real target would go unchecked. <paramref name="configure"/> sets the rest (redirects,
    /// connection lifetime) but must not replace <see cref="SocketsHttpHandler.ConnectCallback"/>.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(OutboundConnector connector, Action<SocketsHttpHandler>? configure = null)
    {
        var handler = new SocketsHttpHandler { UseProxy = false };
        configure?.Invoke(handler);
        handler.UseProxy = false;
        handler.ConnectCallback = connector.ConnectCallbackAsync;
        return handler;
    }

    /// <summary>Makes a named or typed HttpClient connect through the registered <see cref="OutboundConnector"/>.</summary>
    public static IHttpClientBuilder UseOutboundAddressPolicy(this IHttpClientBuilder builder, Action<SocketsHttpHandler>? configure = null)
    {
        builder.Services.AddOutboundNetworkGuard();
        return builder.ConfigurePrimaryHttpMessageHandler(services => CreateHandler(services.GetRequiredService<OutboundConnector>(), configure));
    }

    /// <summary>
    /// The policy, the system resolver and the connector. Options are bound by <c>AddCore</c>; without it
    /// (a test, a tool) the default applies: public addresses only.
    /// </summary>
    public static IServiceCollection AddOutboundNetworkGuard(this IServiceCollection services)
    {
        services.AddLogging();
        services.AddOptions<OutboundNetworkOptions>();
        services.TryAddSingleton(sp => new OutboundAddressPolicy(sp.GetRequiredService<IOptions<OutboundNetworkOptions>>()));
        services.TryAddSingleton<IHostAddressResolver, SystemHostAddressResolver>();
        services.TryAddSingleton<OutboundConnector>();
        return services;
    }
}
