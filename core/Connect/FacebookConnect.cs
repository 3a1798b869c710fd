using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Publisher.Core.Connect;

/// <summary>
/// Facebook Login for Facebook Pages and Instagram business accounts: the login dialog (<c>/dialog/oauth</c>, with
/// PKCE), the code exchanged at <c>GET /oauth/access_token</c>, and that short-lived user token exchanged for a
/// long-lived one (<c>grant_type=fb_exchange_token</c>). The Pages the person manages come from <c>GET /me/accounts</c>,
/// each with its own Page token (which does not expire when got with a long-lived user token) and its linked
/// <c>instagram_business_account</c>; the admin chooses which Page or Instagram account becomes a channel account. The
/// person's token is kept only to revoke the login (<c>DELETE /me/permissions</c>) when the account is disconnected.
/// </summary>
public sealed class FacebookConnect(IHttpClientFactory httpClients, IOptions<ConnectOptions> options) : ConfiguredConnect(httpClients)
{
    /// <summary>The Graph API version the Facebook Page and Instagram clients were tested with.</summary>
    public const string GraphVersion = "v21.0";

    protected override OAuthNetworkOptions Settings => options.Value.Facebook;

    public override string Network => "Facebook";
    public override string DisplayName => "Facebook Pages and Instagram";
    public override string ChannelKind => "FacebookPage";
    public override IReadOnlyCollection<string> ChannelKinds => ["FacebookPage", "Instagram"];

    protected override string SetupHint =>
        "Set Connect__Facebook__ClientId and Connect__Facebook__ClientSecret (a Meta app with Facebook Login and the Pages and Instagram permissions) to connect Facebook Pages and Instagram accounts; until then enter tokens on the account's settings page.";

    public override async Task<OAuthToken> ExchangeCodeAsync(OAuthClient client, string code, string redirectUri, string verifier, CancellationToken cancellationToken)
    {
        var shortLived = TokenFrom(await GetJsonAsync(WithQuery(client.TokenEndpoint, new Dictionary<string, string>
        {
            ["client_id"] = client.ClientId, ["client_secret"] = client.ClientSecret ?? "", ["redirect_uri"] = redirectUri,
            ["code"] = code, ["code_verifier"] = verifier,
        }), cancellationToken));
        var longLived = TokenFrom(await GetJsonAsync(WithQuery(client.TokenEndpoint, new Dictionary<string, string>
        {
            ["grant_type"] = "fb_exchange_token", ["client_id"] = client.ClientId, ["client_secret"] = client.ClientSecret ?? "",
            ["fb_exchange_token"] = shortLived.AccessToken,
        }), cancellationToken));
        // What the accounts publish with are Page tokens, which do not end; the person's token is kept only to revoke.
        return longLived with { ExpiresAt = null };
    }

    public override async Task<IReadOnlyList<ConnectableAccount>> AccountsAsync(OAuthClient client, OAuthToken token, CancellationToken cancellationToken)
    {
        var accounts = new List<ConnectableAccount>();
        Uri? next = WithQuery(Graph(client, "me/accounts"), new Dictionary<string, string>
        {
            ["fields"] = "id,name,access_token,instagram_business_account{id,username,name}", ["limit"] = "100", ["access_token"] = token.AccessToken,
        });
        for (var pages = 0; next is not null && pages < 10; pages++)
        {
            var answer = await GetJsonAsync(next, cancellationToken);
            foreach (var page in answer.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array ? data.EnumerateArray().ToList() : [])
            {
                if (Text(page, "id") is not { } pageId || Text(page, "access_token") is not { } pageToken)
                    continue; // a Page this person cannot post to (no task that gives a token)
                var pageName = Text(page, "name") ?? pageId;
                accounts.Add(new ConnectableAccount(pageId, $"{pageName} (Facebook Page)", null,
                    new Dictionary<string, string> { ["page_access_token"] = pageToken, ["user_access_token"] = token.AccessToken },
                    new Dictionary<string, string> { ["page_id"] = pageId }, "FacebookPage"));
                if (page.TryGetProperty("instagram_business_account", out var instagram) && Text(instagram, "id") is { } igId)
                {
                    var username = Text(instagram, "username");
                    accounts.Add(new ConnectableAccount(igId, username is null ? $"{pageName} (Instagram)" : $"@{username} (Instagram)", username is null ? null : $"@{username}",
                        new Dictionary<string, string> { ["access_token"] = pageToken, ["user_access_token"] = token.AccessToken },
                        new Dictionary<string, string> { ["ig_user_id"] = igId }, "Instagram"));
                }
            }
            // Graph pages with an absolute "next" address; only one on the same API is followed.
            next = answer.TryGetProperty("paging", out var paging) && Text(paging, "next") is { } more && Uri.TryCreate(more, UriKind.Absolute, out var moreUri)
                   && moreUri.Host == client.ApiBase.Host && moreUri.Port == client.ApiBase.Port ? moreUri : null;
        }
        return accounts;
    }

    /// <summary>A Page's (or its Instagram account's) token still works when Graph still says whose it is.</summary>
    public override Task CheckAsync(OAuthClient client, IReadOnlyDictionary<string, string> stored, CancellationToken cancellationToken) =>
        GetJsonAsync(WithQuery(Graph(client, "me"), new Dictionary<string, string>
        {
            ["fields"] = "id", ["access_token"] = stored.GetValueOrDefault("page_access_token") ?? stored.GetValueOrDefault("access_token") ?? "",
        }), cancellationToken);

    public override bool RevocationEndsEveryToken => true;

    public override string? RefreshCredential(IReadOnlyDictionary<string, string> stored) => null;

    public override string? RevocableToken(IReadOnlyDictionary<string, string> stored) => stored.GetValueOrDefault("user_access_token");

    /// <summary><c>DELETE /me/permissions</c> with the person's token takes the whole login back.</summary>
    public override async Task RevokeAsync(OAuthClient client, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, WithQuery(client.RevokeEndpoint!, new Dictionary<string, string> { ["access_token"] = token }));
        using var response = await Http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw await ErrorAsync(response, cancellationToken);
    }

    private static Uri Graph(OAuthClient client, string path) => Combine(client.ApiBase, $"{GraphVersion}/{path}");

    protected override OAuthClient Client(OAuthNetworkOptions settings)
    {
        var api = new Uri(settings.ApiUrl);
        return new OAuthClient(settings.ClientId!, settings.ClientSecret, new Uri(settings.AuthorizeUrl),
            Combine(api, $"{GraphVersion}/oauth/access_token"), Combine(api, $"{GraphVersion}/me/permissions"), settings.Scopes, ClientAuthentication.FormBody, api);
    }
}
