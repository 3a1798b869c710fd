using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Core.Networking;

namespace Publisher.Core.Connect;

/// <summary>
/// One network's Connect: its OAuth client, consent page, token exchange, refresh, revocation and the accounts a
/// token may publish as. The OAuth 2.0 parts every network shares (RFC 6749 with PKCE, RFC 7009 revocation) are
/// here; a network overrides only what it does differently. Adding a network is one subclass registered with
/// <see cref="ConnectServiceCollectionExtensions.AddConnect"/>.
/// </summary>
public abstract class ConnectProvider(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "connect";

    /// <summary>The network's name in Publisher (what <see cref="ChannelAccount.ConnectedWith"/> holds).</summary>
    public abstract string Network { get; }

    /// <summary>How the Connect button names the network.</summary>
    public virtual string DisplayName => Network;

    /// <summary>The channel kind an account connected here publishes as.</summary>
    public abstract string ChannelKind { get; }

    /// <summary>Every channel kind this Connect may create (Facebook Login gives Pages and Instagram accounts).</summary>
    public virtual IReadOnlyCollection<string> ChannelKinds => [ChannelKind];

    /// <summary>
    /// Whether the network takes a PKCE challenge from a server-side client. LinkedIn (outside its native-app program)
    /// and Threads document none: they rely on the client secret, so none is sent to them.
    /// </summary>
    protected virtual bool UsesPkce => true;

    /// <summary>The admin names a server first (Mastodon's instance).</summary>
    public virtual bool AsksForInstance => false;

    /// <summary>The admin signs in on Publisher's own form (Bluesky's app password), not on the network's consent page.</summary>
    public virtual bool SignsInOnPublisher => false;

    /// <summary>Why Connect cannot start here (what the installation must configure), or null when it can.</summary>
    public abstract string? Unavailable { get; }

    /// <summary>The client to use for a new Connect (a Mastodon instance registers one on first use).</summary>
    public abstract Task<OAuthClient> ClientAsync(Uri? instance, string redirectUri, CancellationToken cancellationToken);

    /// <summary>The client an account was connected with, to refresh or revoke its token; null when it cannot be known any more.</summary>
    public abstract Task<OAuthClient?> ClientForAsync(ChannelAccount account, IReadOnlyDictionary<string, string> credentials, CancellationToken cancellationToken);

    /// <summary>The accounts the token may publish as, with what the channel client needs for each.</summary>
    public abstract Task<IReadOnlyList<ConnectableAccount>> AccountsAsync(OAuthClient client, OAuthToken token, CancellationToken cancellationToken);

    /// <summary>The consent page's address: authorization code, the client, the exact redirect URI, the scopes, the state and the S256 challenge.</summary>
    public virtual Uri AuthorizeUri(OAuthClient client, string redirectUri, string state, string codeChallenge)
    {
        var query = new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = client.ClientId,
            ["redirect_uri"] = redirectUri,
            ["scope"] = client.Scopes,
            ["state"] = state,
        };
        if (UsesPkce)
        {
            query["code_challenge"] = codeChallenge;
            query["code_challenge_method"] = "S256";
        }
        var separator = client.AuthorizeEndpoint.Query.Length > 0 ? "&" : "?";
        return new Uri(client.AuthorizeEndpoint + separator + string.Join("&", query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
    }

    public virtual Task<OAuthToken> ExchangeCodeAsync(OAuthClient client, string code, string redirectUri, string verifier, CancellationToken cancellationToken) =>
        TokenRequestAsync(client, CodeGrant(code, redirectUri, verifier), null, cancellationToken);

    /// <summary>The authorization code grant's parameters (with the verifier when the network takes PKCE).</summary>
    protected Dictionary<string, string> CodeGrant(string code, string redirectUri, string verifier)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri };
        if (UsesPkce)
            form["code_verifier"] = verifier;
        return form;
    }

    /// <summary>What renews an account's token: its refresh token, or (Threads) the long-lived access token itself.</summary>
    public virtual string? RefreshCredential(IReadOnlyDictionary<string, string> stored) => stored.GetValueOrDefault("refresh_token");

    /// <summary>
    /// The earliest time a token ending at <paramref name="expiresAt"/> may be renewed (Threads: a day after it was
    /// issued); null when any time will do. Before it the worker leaves the token alone: it still works.
    /// </summary>
    public virtual DateTimeOffset? EarliestRefresh(DateTimeOffset expiresAt) => null;

    /// <summary>Revoking takes back everything the person allowed (Facebook), not just this account's token.</summary>
    public virtual bool RevocationEndsEveryToken => false;

    /// <summary>The token to revoke when the account is disconnected (Facebook: the person's token, not the Page's).</summary>
    public virtual string? RevocableToken(IReadOnlyDictionary<string, string> stored) => stored.GetValueOrDefault("access_token");

    /// <summary>Whether a token without an end still works: the network is asked who it belongs to. Throws as the network refuses.</summary>
    public virtual Task CheckAsync(OAuthClient client, IReadOnlyDictionary<string, string> stored, CancellationToken cancellationToken) =>
        AccountsAsync(client, new OAuthToken(stored.GetValueOrDefault("access_token") ?? "", null, null, null), cancellationToken);

    /// <summary>The refresh token grant. A network that rotates refresh tokens sends a new one; otherwise the old one stays good.</summary>
    public virtual Task<OAuthToken> RefreshAsync(OAuthClient client, string refreshToken, CancellationToken cancellationToken) =>
        TokenRequestAsync(client, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        }, refreshToken, cancellationToken);

    /// <summary>RFC 7009: the network forgets the token. A network without revocation does nothing.</summary>
    public virtual async Task RevokeAsync(OAuthClient client, string token, CancellationToken cancellationToken)
    {
        if (client.RevokeEndpoint is null)
            return;
        using var request = new HttpRequestMessage(HttpMethod.Post, client.RevokeEndpoint);
        request.Content = new FormUrlEncodedContent(WithClient(client, new Dictionary<string, string> { ["token"] = token }));
        Authenticate(request, client);
        using var response = await Http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw await ErrorAsync(response, cancellationToken);
    }

    protected HttpClient Http => httpClients.CreateClient(HttpClientName);

    /// <summary>A POST to the token endpoint; the answer as RFC 6749 §5.1 gives it, or its §5.2 error thrown.</summary>
    protected async Task<OAuthToken> TokenRequestAsync(OAuthClient client, Dictionary<string, string> form, string? previousRefreshToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, client.TokenEndpoint);
        request.Content = new FormUrlEncodedContent(WithClient(client, form));
        Authenticate(request, client);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await Http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw await ErrorAsync(response, cancellationToken);
        var root = await JsonAsync(response, cancellationToken);
        var accessToken = root.TryGetProperty("access_token", out var at) && at.ValueKind == JsonValueKind.String ? at.GetString() : null;
        if (string.IsNullOrEmpty(accessToken))
            throw new OAuthException("invalid_response", "The token endpoint answered without an access token.", (int)response.StatusCode);
        DateTimeOffset? expiresAt = root.TryGetProperty("expires_in", out var ei) && ei.TryGetInt64(out var seconds) && seconds > 0
            ? DateTimeOffset.UtcNow.AddSeconds(seconds) : null;
        var refresh = root.TryGetProperty("refresh_token", out var rt) && rt.ValueKind == JsonValueKind.String ? rt.GetString() : null;
        var scope = root.TryGetProperty("scope", out var sc) && sc.ValueKind == JsonValueKind.String ? sc.GetString() : null;
        return new OAuthToken(accessToken, refresh ?? previousRefreshToken, expiresAt, scope);
    }

    private static Dictionary<string, string> WithClient(OAuthClient client, Dictionary<string, string> form)
    {
        // RFC 6749 §2.3.1: a client authenticating with Basic does not repeat its secret in the body; a public
        // client, or one authenticating in the body, names itself there.
        form["client_id"] = client.ClientId;
        if (client.Authentication == ClientAuthentication.FormBody && client.ClientSecret is not null)
            form["client_secret"] = client.ClientSecret;
        return form;
    }

    private static void Authenticate(HttpRequestMessage request, OAuthClient client)
    {
        if (client.Authentication == ClientAuthentication.Basic && client.ClientSecret is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(client.ClientId)}:{Uri.EscapeDataString(client.ClientSecret)}")));
    }

    /// <summary>An error answer as an <see cref="OAuthException"/>: its <c>error</c> code, or the status when it has none.</summary>
    protected static async Task<OAuthException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string? error = null, description = null;
        try
        {
            var root = await JsonAsync(response, cancellationToken);
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var graph) && graph.ValueKind == JsonValueKind.Object)
            {
                // Meta's Graph errors ({"error":{"message","type","code"}}): code 190 is a token that no longer works.
                error = graph.TryGetProperty("code", out var c) && c.TryGetInt32(out var number) && number == 190 ? "invalid_token"
                    : Text(graph, "type") ?? "graph_error";
                description = Text(graph, "message");
            }
            else if (root.ValueKind == JsonValueKind.Object)
            {
                error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                description = root.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()
                    : Text(root, "message"); // LinkedIn's REST errors: {"status","code","message"}
            }
        }
        catch (JsonException)
        {
        }
        return new OAuthException(NetworkReplyText.Clean(error ?? $"http_{status}", 60), description is null ? $"HTTP {status}" : NetworkReplyText.Clean(description), status);
    }

    protected static async Task<JsonElement> JsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        using var document = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return document.RootElement.Clone();
    }

    /// <summary>A GET with the user's bearer token; the JSON answer, or the failure thrown as an <see cref="OAuthException"/>.</summary>
    protected Task<JsonElement> GetAsBearerAsync(Uri uri, string accessToken, CancellationToken cancellationToken, Action<HttpRequestMessage>? prepare = null) =>
        GetJsonAsync(uri, cancellationToken, request =>
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            prepare?.Invoke(request);
        });

    /// <summary>A GET whose JSON answer is returned, or the failure thrown (Graph's calls carry the token in the query).</summary>
    protected async Task<JsonElement> GetJsonAsync(Uri uri, CancellationToken cancellationToken, Action<HttpRequestMessage>? prepare = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        prepare?.Invoke(request);
        using var response = await Http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw await ErrorAsync(response, cancellationToken);
        return await JsonAsync(response, cancellationToken);
    }

    /// <summary>An access token answer (Graph's exchanges answer <c>access_token</c> and <c>expires_in</c> like RFC 6749).</summary>
    protected static OAuthToken TokenFrom(JsonElement root, string? refreshToken = null)
    {
        var accessToken = Text(root, "access_token");
        if (string.IsNullOrEmpty(accessToken))
            throw new OAuthException("invalid_response", "The network answered without an access token.", 200);
        DateTimeOffset? expiresAt = root.TryGetProperty("expires_in", out var ei) && ei.TryGetInt64(out var seconds) && seconds > 0
            ? DateTimeOffset.UtcNow.AddSeconds(seconds) : null;
        return new OAuthToken(accessToken, refreshToken, expiresAt, Text(root, "scope"));
    }

    protected static Uri WithQuery(Uri uri, IReadOnlyDictionary<string, string> query) =>
        new(uri + (uri.Query.Length > 0 ? "&" : "?") + string.Join("&", query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));

    protected static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    protected static Uri Combine(Uri baseAddress, string path) => new(new Uri(baseAddress.AbsoluteUri.TrimEnd('/') + "/"), path);
}
