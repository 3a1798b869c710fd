using Microsoft.Extensions.Options;

namespace Publisher.Core.Connect;

/// <summary>
/// Threads API OAuth: the authorization window (<c>threads.net/oauth/authorize</c>, no PKCE), the code exchanged at
/// <c>POST graph.threads.net/oauth/access_token</c> (client id and secret in the form) for a one-hour token, which is
/// exchanged at once for a 60-day one (<c>GET /access_token?grant_type=th_exchange_token</c>). There is no refresh
/// token: the long-lived token renews itself (<c>GET /refresh_access_token?grant_type=th_refresh_token</c>), which the
/// worker does before it ends. The account is read with <c>GET /v1.0/me</c>. Threads documents no revocation endpoint.
/// </summary>
public sealed class ThreadsConnect(IHttpClientFactory httpClients, IOptions<ConnectOptions> options) : ConfiguredConnect(httpClients)
{
    public const string ApiVersion = "v1.0";

    protected override OAuthNetworkOptions Settings => options.Value.Threads;

    public override string Network => "Threads";
    public override string ChannelKind => "Threads";
    protected override bool UsesPkce => false;

    protected override string SetupHint =>
        "Set Connect__Threads__ClientId and Connect__Threads__ClientSecret (the Threads app id and secret of a Meta app with the Threads use case) to connect Threads accounts; until then enter a token on the account's settings page.";

    public override async Task<OAuthToken> ExchangeCodeAsync(OAuthClient client, string code, string redirectUri, string verifier, CancellationToken cancellationToken)
    {
        var shortLived = await TokenRequestAsync(client, CodeGrant(code, redirectUri, verifier), null, cancellationToken);
        return TokenFrom(await GetJsonAsync(WithQuery(Combine(client.ApiBase, "access_token"), new Dictionary<string, string>
        {
            ["grant_type"] = "th_exchange_token", ["client_secret"] = client.ClientSecret ?? "", ["access_token"] = shortLived.AccessToken,
        }), cancellationToken));
    }

    /// <summary>How long Threads' long-lived tokens last (its exchange and refresh both answer 60 days).</summary>
    public static readonly TimeSpan LongLivedLifetime = TimeSpan.FromDays(60);

    /// <summary>Threads documents that a long-lived token can be refreshed once it is at least 24 hours old (and not expired).</summary>
    public static readonly TimeSpan MinimumRefreshAge = TimeSpan.FromHours(24);

    /// <summary>A day after the token was issued, which is its end less the 60 days it was issued for.</summary>
    public override DateTimeOffset? EarliestRefresh(DateTimeOffset expiresAt) => expiresAt - LongLivedLifetime + MinimumRefreshAge;

    public override string? RefreshCredential(IReadOnlyDictionary<string, string> stored) => stored.GetValueOrDefault("access_token");

    public override async Task<OAuthToken> RefreshAsync(OAuthClient client, string refreshToken, CancellationToken cancellationToken) =>
        TokenFrom(await GetJsonAsync(WithQuery(Combine(client.ApiBase, "refresh_access_token"), new Dictionary<string, string>
        {
            ["grant_type"] = "th_refresh_token", ["access_token"] = refreshToken,
        }), cancellationToken));

    public override async Task<IReadOnlyList<ConnectableAccount>> AccountsAsync(OAuthClient client, OAuthToken token, CancellationToken cancellationToken)
    {
        var me = await GetJsonAsync(WithQuery(Combine(client.ApiBase, $"{ApiVersion}/me"), new Dictionary<string, string>
        {
            ["fields"] = "id,username,name", ["access_token"] = token.AccessToken,
        }), cancellationToken);
        var id = Text(me, "id") ?? throw new OAuthException("invalid_response", "Threads' /me answered without a user id.", 200);
        var username = Text(me, "username") ?? id;
        return [new ConnectableAccount(id, Text(me, "name") is { Length: > 0 } name ? $"{name} (@{username} on Threads)" : $"@{username} on Threads", $"@{username}",
            new Dictionary<string, string>(), new Dictionary<string, string> { ["user_id"] = id })];
    }

    protected override OAuthClient Client(OAuthNetworkOptions settings)
    {
        var api = new Uri(settings.ApiUrl);
        return new OAuthClient(settings.ClientId!, settings.ClientSecret, new Uri(settings.AuthorizeUrl),
            Combine(api, "oauth/access_token"), null, settings.Scopes, ClientAuthentication.FormBody, api);
    }
}
