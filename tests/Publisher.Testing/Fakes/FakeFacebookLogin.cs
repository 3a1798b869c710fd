using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace Publisher.Testing.Fakes;

/// <summary>
/// Fake Facebook Login and the Graph calls that follow it: the login dialog at <c>/v21.0/dialog/oauth</c> (facebook.com's
/// in real life; client, exact redirect URI, comma-separated scopes, state and an S256 challenge checked), the code
/// exchanged at <c>GET /v21.0/oauth/access_token</c> (client id and secret, the same redirect URI, the verifier; a code
/// works once) for a one-hour user token, which <c>grant_type=fb_exchange_token</c> turns into a 60-day one;
/// <c>GET /v21.0/me/accounts</c> lists the person's <see cref="Pages"/> with a Page token each and their
/// <c>instagram_business_account</c> when the fields ask for it; <c>GET /v21.0/me</c> says whose a token is; and
/// <c>DELETE /v21.0/me/permissions</c> takes the login back, which ends the Page tokens it gave too. Errors are Graph's.
/// </summary>
public sealed partial class FakeFacebookLogin : FakeApiServer
{
    public const string AppId = "fake-meta-app-id";
    public const string AppSecret = "fake-meta-app-secret";
    public static readonly string[] Scopes = ["pages_show_list", "pages_manage_posts", "pages_read_engagement", "business_management", "instagram_basic", "instagram_content_publish", "instagram_manage_insights"];

    public FakeAuthorizationServer Authorization { get; } = new("/v21.0/dialog/oauth", "/v21.0/oauth/access_token", "/v21.0/no-rfc7009-revocation", basicClientAuthentication: false)
    {
        AccessTokenLifetime = TimeSpan.FromHours(1),
        ScopeSeparator = ',',
        TokenByGet = true,
        GraphErrors = true,
    };

    /// <summary>A Page the person manages, and the Instagram business account linked to it, if any.</summary>
    public sealed record Page(string Id, string Name, string? InstagramId = null, string? InstagramUsername = null);

    public List<Page> Pages { get; } = [];

    /// <summary>Page tokens given out: which grant and which Page each belongs to.</summary>
    private readonly Dictionary<string, (FakeAuthorizationServer.Grant Grant, Page Page)> _pageTokens = new(StringComparer.Ordinal);

    public void RegisterApp(string redirectUri) =>
        Authorization.Register(new FakeAuthorizationServer.Client(AppId, AppSecret, [redirectUri], Scopes, "Publisher"));

    public override int PostCount => 0;

    /// <summary>Whether a Page token is live: its login not taken back.</summary>
    public bool IsLivePageToken(string token) => _pageTokens.TryGetValue(token, out var given) && !given.Grant.Revoked;

    /// <summary>The Page tokens given for <paramref name="pageId"/> so far.</summary>
    public IReadOnlyList<string> PageTokensOf(string pageId) => _pageTokens.Where(p => p.Value.Page.Id == pageId).Select(p => p.Key).ToList();

    protected override FakeResponse Respond(RecordedRequest request)
    {
        if (Authorization.Handle(request) is { } oauth)
            return oauth;
        var query = QueryHelpers.ParseQuery(request.QueryString).ToDictionary(p => p.Key, p => p.Value.ToString());
        var token = query.GetValueOrDefault("access_token");
        var path = request.Path.TrimEnd('/');
        if (!Version().IsMatch(path))
            return FakeContainerGraphApi.Error(400, $"Unknown path components: {request.Path}", "OAuthException", 2500);
        var user = Authorization.GrantOf(token);
        var page = token is not null && _pageTokens.TryGetValue(token, out var given) && !given.Grant.Revoked ? given.Page : null;
        if (user is null && page is null)
            return FakeContainerGraphApi.Error(400, "Invalid OAuth access token - Cannot parse access token", "OAuthException", 190);
        switch (request.Method, path[(path.IndexOf('/', 1))..])
        {
            case ("GET", "/me/accounts") when user is not null:
            {
                var fields = (query.GetValueOrDefault("fields") ?? "id,name").Split(',');
                var wantsToken = fields.Contains("access_token");
                var wantsInstagram = (query.GetValueOrDefault("fields") ?? "").Contains("instagram_business_account", StringComparison.Ordinal);
                var data = Pages.Select(p =>
                {
                    var entry = new Dictionary<string, object> { ["id"] = p.Id, ["name"] = p.Name };
                    if (wantsToken)
                    {
                        var pageToken = "EAAG" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
                        _pageTokens[pageToken] = (user, p);
                        entry["access_token"] = pageToken;
                    }
                    if (wantsInstagram && p.InstagramId is not null)
                        entry["instagram_business_account"] = new { id = p.InstagramId, username = p.InstagramUsername };
                    return entry;
                }).ToList();
                return FakeResponse.Json(200, new { data, paging = new { cursors = new { before = "QVFIUa", after = "QVFIUb" } } });
            }
            case ("GET", "/me"):
                return page is not null ? FakeResponse.Json(200, new { id = page.Id, name = page.Name }) : FakeResponse.Json(200, new { id = "10223344556677", name = "Publisher Admin" });
            case ("DELETE", "/me/permissions") when user is not null:
                Authorization.RevokeAll(user);
                return FakeResponse.Json(200, new { success = true });
            default:
                return FakeContainerGraphApi.Error(400, $"Unsupported {request.Method} request.", "GraphMethodException", 100);
        }
    }

    [GeneratedRegex(@"^/v\d+\.\d+/")]
    private static partial Regex Version();
}
