using Microsoft.Extensions.Options;

namespace Publisher.Core.Connect;

/// <summary>
/// X: OAuth 2.0 authorization code with PKCE, as a confidential client (HTTP Basic at <c>/2/oauth2/token</c>). With
/// <c>offline.access</c> X sends a refresh token; access tokens live two hours and each refresh brings a new refresh
/// token (the old one stops working), so the worker keeps both. The account is read with <c>GET /2/users/me</c>.
/// Accounts set up with OAuth 1.0a keys on the settings page keep working as they are.
/// </summary>
public sealed class XConnect(IHttpClientFactory httpClients, IOptions<ConnectOptions> options) : ConfiguredConnect(httpClients)
{
    protected override OAuthNetworkOptions Settings => options.Value.X;

    public override string Network => "X";
    public override string ChannelKind => "X";

    protected override string SetupHint =>
        "Set Connect__X__ClientId and Connect__X__ClientSecret (an OAuth 2.0 “Web App” client in the X developer portal) to connect X accounts; until then enter OAuth 1.0a keys on the account's settings page.";

    public override async Task<IReadOnlyList<ConnectableAccount>> AccountsAsync(OAuthClient client, OAuthToken token, CancellationToken cancellationToken)
    {
        var me = await GetAsBearerAsync(Combine(client.ApiBase, "2/users/me"), token.AccessToken, cancellationToken);
        var data = me.TryGetProperty("data", out var d) ? d : default;
        var id = Text(data, "id") ?? throw new OAuthException("invalid_response", "X's /2/users/me answered without a user id.", 200);
        var username = Text(data, "username") ?? id;
        return [new ConnectableAccount(id, Text(data, "name") is { Length: > 0 } name ? $"{name} (@{username})" : $"@{username}", $"@{username}",
            new Dictionary<string, string>(), new Dictionary<string, string>())];
    }

    protected override OAuthClient Client(OAuthNetworkOptions settings)
    {
        var api = new Uri(settings.ApiUrl);
        return new OAuthClient(settings.ClientId!, settings.ClientSecret, new Uri(settings.AuthorizeUrl),
            Combine(api, "2/oauth2/token"), Combine(api, "2/oauth2/revoke"), settings.Scopes, ClientAuthentication.Basic, api);
    }
}
