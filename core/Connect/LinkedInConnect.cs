using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Publisher.Core.Connect;

/// <summary>
/// LinkedIn: the 3-legged authorization code flow (<c>www.linkedin.com/oauth/v2/authorization</c>, then
/// <c>/oauth/v2/accessToken</c> with the client id and secret in the form; LinkedIn takes no PKCE from a web app). Its
/// access tokens live 60 days; only apps LinkedIn enrolled for programmatic refresh get a refresh token, so without one
/// the worker asks for a reconnect when the token ends. The token is the member's: the pages it may post as are the
/// organizations they administer (<c>GET /rest/organizationAcls?q=roleAssignee&amp;role=ADMINISTRATOR&amp;state=APPROVED</c>),
/// each named by <c>GET /rest/organizations/{id}</c>, and the admin chooses which becomes a channel account.
/// Revocation is <c>POST /oauth/v2/revoke</c>.
/// </summary>
public sealed class LinkedInConnect(IHttpClientFactory httpClients, IOptions<ConnectOptions> options) : ConfiguredConnect(httpClients)
{
    /// <summary>The versioned REST API's version (yyyyMM) the LinkedIn channel client was tested with.</summary>
    public const string ApiVersion = "202411";

    private const int PageSize = 100;

    protected override OAuthNetworkOptions Settings => options.Value.LinkedIn;

    public override string Network => "LinkedIn";
    public override string ChannelKind => "LinkedIn";
    protected override bool UsesPkce => false;

    protected override string SetupHint =>
        "Set Connect__LinkedIn__ClientId and Connect__LinkedIn__ClientSecret (a LinkedIn app with the Community Management API) to connect LinkedIn pages; until then enter a token on the account's settings page.";

    public override async Task<IReadOnlyList<ConnectableAccount>> AccountsAsync(OAuthClient client, OAuthToken token, CancellationToken cancellationToken)
    {
        var organizations = new List<string>();
        for (var start = 0; start < 10 * PageSize; start += PageSize)
        {
            var page = await RestAsync(client, $"rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&start={start}&count={PageSize}", token.AccessToken, cancellationToken);
            var elements = page.TryGetProperty("elements", out var e) && e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().ToList() : [];
            // Asked for administrators only; an answer that mixes in other roles is not taken at its word.
            organizations.AddRange(elements.Where(a => Text(a, "role") == "ADMINISTRATOR" && Text(a, "state") is null or "APPROVED")
                .Select(a => Text(a, "organization")).OfType<string>().Where(u => u.StartsWith("urn:li:organization:", StringComparison.Ordinal)));
            if (elements.Count < PageSize)
                break;
        }

        var accounts = new List<ConnectableAccount>();
        foreach (var urn in organizations.Distinct(StringComparer.Ordinal))
        {
            var id = urn["urn:li:organization:".Length..];
            var organization = await RestAsync(client, $"rest/organizations/{Uri.EscapeDataString(id)}", token.AccessToken, cancellationToken);
            var name = Text(organization, "localizedName") is { Length: > 0 } n ? n : urn;
            var vanity = Text(organization, "vanityName");
            accounts.Add(new ConnectableAccount(urn, $"{name} (LinkedIn page)", vanity is { Length: > 0 } ? $"linkedin.com/company/{vanity}" : null,
                new Dictionary<string, string>(), new Dictionary<string, string> { ["author_urn"] = urn }));
        }
        return accounts;
    }

    /// <summary>A page's token still works when LinkedIn still lists the page as one the member administers.</summary>
    public override Task CheckAsync(OAuthClient client, IReadOnlyDictionary<string, string> stored, CancellationToken cancellationToken) =>
        RestAsync(client, "rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&start=0&count=1", stored.GetValueOrDefault("access_token") ?? "", cancellationToken);

    private Task<JsonElement> RestAsync(OAuthClient client, string path, string accessToken, CancellationToken cancellationToken) =>
        GetAsBearerAsync(Combine(client.ApiBase, path), accessToken, cancellationToken, request =>
        {
            request.Headers.Add("LinkedIn-Version", ApiVersion);
            request.Headers.Add("X-Restli-Protocol-Version", "2.0.0");
        });

    protected override OAuthClient Client(OAuthNetworkOptions settings) =>
        new(settings.ClientId!, settings.ClientSecret, new Uri(settings.AuthorizeUrl),
            Combine(settings.OAuthBase, "accessToken"), Combine(settings.OAuthBase, "revoke"), settings.Scopes, ClientAuthentication.FormBody, new Uri(settings.ApiUrl));
}
