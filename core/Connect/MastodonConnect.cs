using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Publisher.Core.Data;
using Publisher.Core.Domain;

namespace Publisher.Core.Connect;

/// <summary>
/// Mastodon: every instance is its own authorization server, so Publisher registers itself on the instance the admin
/// names (<c>POST /api/v1/apps</c> with the redirect URI and the scopes it needs), keeps that client for the next
/// Connect there, then runs the authorization code flow with PKCE (<c>/oauth/authorize</c>, <c>/oauth/token</c>) and
/// reads the account with <c>GET /api/v1/accounts/verify_credentials</c>. Mastodon's tokens do not expire; a revoked
/// one answers 401, which the connection test and the publish job report.
/// </summary>
public sealed class MastodonConnect(IHttpClientFactory httpClients, PublisherDbContext db, ConnectSecrets secrets, IOptions<ConnectOptions> options, TimeProvider clock)
    : ConnectProvider(httpClients)
{
    public override string Network => "Mastodon";
    public override string ChannelKind => "Mastodon";
    public override bool AsksForInstance => true;
    public override string? Unavailable => null;

    private string Scopes => options.Value.Mastodon.Scopes;

    public override async Task<OAuthClient> ClientAsync(Uri? instance, string redirectUri, CancellationToken cancellationToken)
    {
        var origin = Origin(instance ?? throw new ArgumentNullException(nameof(instance)));
        var known = await db.OAuthAppRegistrations.AsNoTracking()
            .SingleOrDefaultAsync(r => r.Network == Network && r.Instance == origin && r.RedirectUri == redirectUri && r.Scopes == Scopes, cancellationToken);
        if (known is not null)
            return Client(new Uri(origin), known.ClientId, secrets.Unprotect(known.ProtectedClientSecret));

        using var request = new HttpRequestMessage(HttpMethod.Post, Combine(new Uri(origin), "api/v1/apps"));
        request.Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_name"] = options.Value.Mastodon.ClientName,
            ["redirect_uris"] = redirectUri,
            ["scopes"] = Scopes,
        });
        using var response = await Http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw await ErrorAsync(response, cancellationToken);
        var app = await JsonAsync(response, cancellationToken);
        var clientId = Text(app, "client_id");
        var clientSecret = Text(app, "client_secret");
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret))
            throw new OAuthException("invalid_response", $"{new Uri(origin).Host} registered Publisher but sent no client id and secret.", (int)response.StatusCode);
        db.OAuthAppRegistrations.Add(new OAuthAppRegistration
        {
            Network = Network, Instance = origin, RedirectUri = redirectUri, Scopes = Scopes,
            ClientId = clientId, ProtectedClientSecret = secrets.Protect(clientSecret), CreatedAt = clock.GetUtcNow(),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two admins registered at once: the other registration is kept, this one (unused so far) forgotten.
            db.ChangeTracker.Clear();
            var other = await db.OAuthAppRegistrations.AsNoTracking()
                .SingleAsync(r => r.Network == Network && r.Instance == origin && r.RedirectUri == redirectUri && r.Scopes == Scopes, cancellationToken);
            return Client(new Uri(origin), other.ClientId, secrets.Unprotect(other.ProtectedClientSecret));
        }
        return Client(new Uri(origin), clientId, clientSecret);
    }

    public override Task<OAuthClient?> ClientForAsync(ChannelAccount account, IReadOnlyDictionary<string, string> credentials, CancellationToken cancellationToken) =>
        Task.FromResult(Uri.TryCreate(account.BaseAddress, UriKind.Absolute, out var instance)
                        && credentials.TryGetValue("client_id", out var id) && credentials.TryGetValue("client_secret", out var secret)
            ? Client(instance, id, secret) : null);

    public override async Task<IReadOnlyList<ConnectableAccount>> AccountsAsync(OAuthClient client, OAuthToken token, CancellationToken cancellationToken)
    {
        var me = await GetAsBearerAsync(Combine(client.ApiBase, "api/v1/accounts/verify_credentials"), token.AccessToken, cancellationToken);
        var id = Text(me, "id") ?? throw new OAuthException("invalid_response", "verify_credentials answered without an account id.", 200);
        var username = Text(me, "username") ?? Text(me, "acct") ?? id;
        var handle = $"@{username}@{client.ApiBase.Host}";
        return
        [
            new ConnectableAccount(id, Text(me, "display_name") is { Length: > 0 } display ? $"{display} ({handle})" : handle, handle,
                new Dictionary<string, string> { ["client_id"] = client.ClientId, ["client_secret"] = client.ClientSecret ?? "" },
                new Dictionary<string, string>()),
        ];
    }

    /// <summary>The instance as its origin (scheme, host, port), the way registrations are kept and accounts address it.</summary>
    public static string Origin(Uri instance) => instance.GetLeftPart(UriPartial.Authority).ToLowerInvariant();

    private OAuthClient Client(Uri instance, string clientId, string clientSecret) => new(
        clientId, clientSecret,
        Combine(instance, "oauth/authorize"), Combine(instance, "oauth/token"), Combine(instance, "oauth/revoke"),
        Scopes, ClientAuthentication.FormBody, new Uri(Origin(instance)));
}
