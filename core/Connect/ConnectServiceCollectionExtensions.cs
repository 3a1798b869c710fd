using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Networking;

namespace Publisher.Core.Connect;

public static class ConnectServiceCollectionExtensions
{
    /// <summary>
    /// The Connect flows (web) and the token refresh (worker): options, one provider per network, and the HTTP client
    /// every OAuth call goes through, behind the outbound address guard like every other call to a named server.
    /// </summary>
    public static IServiceCollection AddConnect(this IServiceCollection services)
    {
        services.AddOptions<ConnectOptions>().BindConfiguration(ConnectOptions.SectionName)
            .Validate(o => o.StateLifetime > TimeSpan.Zero && o.RefreshAhead > TimeSpan.Zero, "Connect: StateLifetime and RefreshAhead must be positive.")
            .Validate(o => o.Networks.All(n => n.Options.IsValid), "Connect:X, Connect:LinkedIn, Connect:Facebook and Connect:Threads each need both ClientId and ClientSecret (or neither), and AuthorizeUrl, ApiUrl (and OAuthUrl when set) as absolute http(s) addresses.")
            // The Facebook Page client uploads videos to this app (POST /{app-id}/uploads), and Facebook Login's client id
            // is the app's numeric App ID: anything else fails only when a video goes out, so it is refused here.
            .Validate(o => string.IsNullOrWhiteSpace(o.Facebook.ClientId) || o.Facebook.ClientId.Trim().All(char.IsAsciiDigit),
                "Connect:Facebook:ClientId (Connect__Facebook__ClientId) must be the Meta app's App ID, the number shown under App settings → Basic: Facebook Login uses it as the client id, and the Facebook Page client uploads videos to that app.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Mastodon.Scopes) && !string.IsNullOrWhiteSpace(o.Mastodon.ClientName), "Connect:Mastodon needs Scopes and a ClientName.")
            .Validate(o => o.Bluesky.IsValid, "Connect:Bluesky needs HandleResolverUrl and PlcDirectoryUrl as absolute http(s) addresses.")
            .ValidateOnStart();
        services.AddHttpClient(ConnectProvider.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30))
            .UseOutboundAddressPolicy(handler => handler.AllowAutoRedirect = false);
        services.AddSingleton<ConnectSecrets>();
        // One line per network: a provider is all a network's Connect needs.
        services.AddScoped<ConnectProvider, MastodonConnect>();
        services.AddScoped<ConnectProvider, XConnect>();
        services.AddScoped<ConnectProvider, LinkedInConnect>();
        services.AddScoped<ConnectProvider, FacebookConnect>();
        services.AddScoped<ConnectProvider, ThreadsConnect>();
        services.AddScoped<ConnectProvider, BlueskyConnect>();
        services.AddScoped<ConnectFlow>();
        services.AddScoped<TokenRefresher>();
        services.AddScoped<AccountDisconnect>();
        return services;
    }
}
