using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Publisher.Testing.Fakes;

/// <summary>
/// The OAuth 2.0 authorization server a fake network carries (RFC 6749 authorization code, RFC 7636 PKCE, RFC 7009
/// revocation), as strict as the real ones: the consent page (GET <see cref="AuthorizePath"/>) checks the client, the
/// redirect URI (exactly one it registered), the scopes, the state and an S256 challenge before it shows Allow and Deny;
/// Allow sends the browser back with a code that works once, for 60 seconds, for that client and redirect URI, and only
/// with the verifier whose SHA-256 is the challenge; a code used twice revokes what it gave. The token endpoint checks the
/// client's secret (in the body or by HTTP Basic, as the network does, never both), issues refresh tokens and rotates them
/// on use; revocation forgets an access or refresh token and the grant it belongs to. Not thread-safe by itself: the fake
/// calls it under its own lock.
/// </summary>
public sealed class FakeAuthorizationServer(string authorizePath, string tokenPath, string revokePath, bool basicClientAuthentication)
{
    public sealed record Client(string Id, string Secret, IReadOnlyList<string> RedirectUris, IReadOnlyCollection<string> Scopes, string Name);

    private sealed class Code(string value, string clientId, string redirectUri, string challenge, string scope, DateTimeOffset expiresAt)
    {
        public string Value { get; } = value;
        public string ClientId { get; } = clientId;
        public string RedirectUri { get; } = redirectUri;
        public string Challenge { get; } = challenge;
        public string Scope { get; } = scope;
        public DateTimeOffset ExpiresAt { get; } = expiresAt;
        public bool Used { get; set; }
        public Grant? Issued { get; set; }
    }

    /// <summary>What one consent gave: the current access and refresh tokens (both change on a refresh).</summary>
    public sealed class Grant(string clientId, string scope)
    {
        public string ClientId { get; } = clientId;
        public string Scope { get; } = scope;
        public string AccessToken { get; set; } = "";
        public string? RefreshToken { get; set; }
        public DateTimeOffset? AccessExpiresAt { get; set; }

        /// <summary>When the current access token was issued (Threads refreshes only a token at least a day old).</summary>
        public DateTimeOffset IssuedAt { get; set; } = DateTimeOffset.UtcNow;
        public bool Revoked { get; set; }
        public int Refreshes { get; set; }
    }

    private readonly Dictionary<string, Client> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Code> _codes = new(StringComparer.Ordinal);
    private readonly List<Grant> _grants = [];

    public string AuthorizePath { get; } = authorizePath;
    public string TokenPath { get; } = tokenPath;
    public string RevokePath { get; } = revokePath;

    /// <summary>How long access tokens live (sent as <c>expires_in</c>); null: they do not expire and no <c>expires_in</c> is sent (Mastodon).</summary>
    public TimeSpan? AccessTokenLifetime { get; set; }

    /// <summary>Whether the token endpoint gives refresh tokens (X with <c>offline.access</c>).</summary>
    public bool IssueRefreshTokens { get; set; }

    /// <summary>Scopes that give a refresh token when asked for; null: any consent gives one when <see cref="IssueRefreshTokens"/>.</summary>
    public string? RefreshScope { get; set; }

    /// <summary>
    /// Whether the consent page demands an S256 challenge and the token endpoint its verifier. Off for networks that
    /// document none for web apps (LinkedIn, Threads): the client secret is what they check.
    /// </summary>
    public bool RequirePkce { get; set; } = true;

    /// <summary>How the <c>scope</c> parameter separates scopes: a space (RFC 6749, LinkedIn, X) or a comma (Meta).</summary>
    public char ScopeSeparator { get; set; } = ' ';

    /// <summary>Meta's token endpoint is a GET with the client, code and redirect URI in the query (and no grant_type for a code).</summary>
    public bool TokenByGet { get; set; }

    /// <summary>Errors as Graph writes them (<c>{"error":{"message","type","code"}}</c>) rather than RFC 6749's.</summary>
    public bool GraphErrors { get; set; }

    public IReadOnlyCollection<Client> Clients => _clients.Values.ToList();
    public IReadOnlyList<Grant> Grants => _grants.ToList();

    /// <summary>The last consent page's error, when it refused to show Allow and Deny.</summary>
    public string? LastAuthorizeError { get; private set; }

    public void Register(Client client) => _clients[client.Id] = client;

    /// <summary>Whether <paramref name="token"/> is a live access token this server issued.</summary>
    public bool IsValidAccessToken(string? token) =>
        token is not null && _grants.Any(g => !g.Revoked && g.AccessToken == token && (g.AccessExpiresAt is null || g.AccessExpiresAt > DateTimeOffset.UtcNow));

    /// <summary>A grant as a finished consent would give it, for tests of what a token does rather than how it is got.</summary>
    public Grant IssueDirectly(string clientId, string scope, bool refresh = true)
    {
        var grant = new Grant(clientId, scope);
        Issue(grant, refresh);
        _grants.Add(grant);
        return grant;
    }

    /// <summary>The person took Publisher's access away in the network's settings: every grant stops working.</summary>
    public void RevokeAll()
    {
        foreach (var grant in _grants) grant.Revoked = true;
    }

    /// <summary>One login taken back (Facebook's <c>DELETE /me/permissions</c>).</summary>
    public void RevokeAll(Grant grant) => grant.Revoked = true;

    /// <summary>Every access token is past its end now (refresh tokens still work).</summary>
    public void ExpireAccessTokens()
    {
        foreach (var grant in _grants) grant.AccessExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1);
    }

    /// <summary>Handles the request when it is for the authorization server; null when it is not.</summary>
    public FakeResponse? Handle(RecordedRequest request)
    {
        var path = request.Path.TrimEnd('/');
        return (request.Method, path) switch
        {
            ("GET", var p) when p == AuthorizePath => ConsentPage(Parameters(request.QueryString)),
            ("POST", var p) when p == AuthorizePath => Decide(Form(request)),
            ("POST", var p) when p == TokenPath && !TokenByGet => Token(request, Form(request)),
            ("GET", var p) when p == TokenPath && TokenByGet => Token(request, Parameters(request.QueryString)),
            ("POST", var p) when p == RevokePath => Revoke(request),
            _ => null,
        };
    }

    private FakeResponse ConsentPage(IReadOnlyDictionary<string, string> q)
    {
        if (Refusal(q) is { } refused) return refused;
        var client = _clients[q["client_id"]];
        var hidden = string.Concat(q.Where(p => p.Key != "decision").Select(p => $"<input type=\"hidden\" name=\"{Html(p.Key)}\" value=\"{Html(p.Value)}\">"));
        var body = $"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Authorize {Html(client.Name)}</title></head>
            <body><h1>Authorize {Html(client.Name)}?</h1><p id="scopes">It asks for: {Html(q["scope"])}</p>
            <form method="post" action="{Html(AuthorizePath)}">{hidden}<button type="submit" name="decision" value="allow" id="allow">Allow</button></form>
            <form method="post" action="{Html(AuthorizePath)}">{hidden}<button type="submit" name="decision" value="deny" id="deny">Deny</button></form>
            </body></html>
            """;
        return new FakeResponse(200, body, new Dictionary<string, string> { ["Content-Type"] = "text/html; charset=utf-8" });
    }

    private FakeResponse Decide(IReadOnlyDictionary<string, string> form)
    {
        if (Refusal(form) is { } refused) return refused;
        var redirect = form["redirect_uri"];
        var state = form["state"];
        if (form.GetValueOrDefault("decision") != "allow")
            return Back(redirect, new() { ["error"] = "access_denied", ["error_description"] = "The user denied the request.", ["state"] = state });
        var code = Token32();
        _codes[code] = new Code(code, form["client_id"], redirect, RequirePkce ? form["code_challenge"] : "", form["scope"], DateTimeOffset.UtcNow.AddSeconds(60));
        return Back(redirect, new() { ["code"] = code, ["state"] = state });
    }

    /// <summary>Why the consent page will not be shown. A bad client or redirect URI is never redirected to (RFC 6749 §4.1.2.1).</summary>
    private FakeResponse? Refusal(IReadOnlyDictionary<string, string> q)
    {
        string? error = null;
        if (!q.TryGetValue("client_id", out var clientId) || !_clients.TryGetValue(clientId, out var client))
            error = "Client authentication failed due to unknown client.";
        else if (!q.TryGetValue("redirect_uri", out var redirect) || !client.RedirectUris.Contains(redirect, StringComparer.Ordinal))
            error = "The redirect uri included is not valid.";
        if (error is not null)
        {
            LastAuthorizeError = error;
            return new FakeResponse(400, $"<!DOCTYPE html><html><body><h1>An error has occurred</h1><p>{Html(error)}</p></body></html>",
                new Dictionary<string, string> { ["Content-Type"] = "text/html; charset=utf-8" });
        }
        var back = q["redirect_uri"];
        var state = q.GetValueOrDefault("state") ?? "";
        string? problem = q.GetValueOrDefault("response_type") != "code" ? "unsupported_response_type"
            : string.IsNullOrEmpty(state) ? "invalid_request"
            : RequirePkce && (q.GetValueOrDefault("code_challenge_method") != "S256" || q.GetValueOrDefault("code_challenge") is not { Length: 43 }) ? "invalid_request"
            : q.GetValueOrDefault("scope") is not { Length: > 0 } scope || scope.Split(ScopeSeparator).Any(s => !_clients[clientId!].Scopes.Contains(s)) ? "invalid_scope"
            : null;
        if (problem is null) return null;
        LastAuthorizeError = problem;
        return Back(back, new() { ["error"] = problem, ["state"] = state });
    }

    private FakeResponse Token(RecordedRequest request, IReadOnlyDictionary<string, string> form)
    {
        if (!TokenByGet && !(request.Header("Content-Type") ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            return Error(400, "invalid_request", "The token endpoint takes a form.");
        if (Authenticate(request, form) is not { } client)
            return Error(401, "invalid_client", "Client authentication failed.");
        var grantType = form.GetValueOrDefault("grant_type") ?? (TokenByGet && form.ContainsKey("code") ? "authorization_code" : null);
        switch (grantType)
        {
            case "authorization_code":
            {
                var verifier = form.GetValueOrDefault("code_verifier");
                if (form.GetValueOrDefault("code") is not { } value || form.GetValueOrDefault("redirect_uri") is not { } redirect || (RequirePkce && verifier is null))
                    return Error(400, "invalid_request", RequirePkce ? "code, redirect_uri and code_verifier are required." : "code and redirect_uri are required.");
                if (RequirePkce && (verifier!.Length is < 43 or > 128 || verifier.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'))))
                    return Error(400, "invalid_request", "The code verifier is malformed.");
                if (!_codes.TryGetValue(value, out var code))
                    return Error(400, "invalid_grant", "The authorization code is invalid.");
                if (code.Used)
                {
                    // A code presented twice was stolen or replayed: what it gave is taken back (RFC 6749 §4.1.2).
                    if (code.Issued is { } issued) issued.Revoked = true;
                    return Error(400, "invalid_grant", "The authorization code has already been used.");
                }
                code.Used = true;
                if (code.ClientId != client.Id) return Error(400, "invalid_grant", "The code was issued to another client.");
                if (code.RedirectUri != redirect) return Error(400, "invalid_grant", "The redirect_uri does not match the authorization request.");
                if (code.ExpiresAt < DateTimeOffset.UtcNow) return Error(400, "invalid_grant", "The authorization code has expired.");
                if (RequirePkce && Challenge(verifier!) != code.Challenge) return Error(400, "invalid_grant", "The code verifier does not match the code challenge.");
                var grant = new Grant(client.Id, code.Scope);
                Issue(grant, refresh: IssueRefreshTokens && (RefreshScope is null || code.Scope.Split(' ').Contains(RefreshScope)));
                _grants.Add(grant);
                code.Issued = grant;
                return TokenAnswer(grant);
            }
            case "refresh_token":
            {
                var refresh = form.GetValueOrDefault("refresh_token");
                var grant = _grants.FirstOrDefault(g => g.RefreshToken is not null && g.RefreshToken == refresh);
                if (grant is null || grant.Revoked || grant.ClientId != client.Id)
                    return Error(400, "invalid_grant", "The refresh token is invalid or was revoked.");
                grant.Refreshes++;
                Issue(grant, refresh: true);
                return TokenAnswer(grant);
            }
            case "fb_exchange_token" when TokenByGet:
                return ExchangeForLongLived(form.GetValueOrDefault("fb_exchange_token"), LongLivedLifetime, client.Id);
            default:
                return Error(400, "unsupported_grant_type", "The grant type is not supported.");
        }
    }

    /// <summary>How long a token exchanged for a long-lived one lives (Meta: 60 days).</summary>
    public TimeSpan LongLivedLifetime { get; set; } = TimeSpan.FromDays(60);

    /// <summary>
    /// Meta's long-lived exchange (and Threads' refresh): a live access token of <paramref name="clientId"/>'s (any
    /// client's when null) is replaced by a new one that lives <paramref name="lifetime"/>; the old one stops working.
    /// </summary>
    public FakeResponse ExchangeForLongLived(string? accessToken, TimeSpan lifetime, string? clientId = null)
    {
        var grant = _grants.FirstOrDefault(g => !g.Revoked && g.AccessToken == accessToken && (clientId is null || g.ClientId == clientId)
                                               && (g.AccessExpiresAt is null || g.AccessExpiresAt > DateTimeOffset.UtcNow));
        if (grant is null)
            return Error(400, "invalid_token", "Error validating access token: the session is invalid or has expired.");
        grant.Refreshes++;
        grant.AccessToken = Token32();
        grant.IssuedAt = DateTimeOffset.UtcNow;
        grant.AccessExpiresAt = DateTimeOffset.UtcNow + lifetime;
        var body = new Dictionary<string, object> { ["access_token"] = grant.AccessToken, ["token_type"] = "bearer", ["expires_in"] = (long)lifetime.TotalSeconds };
        return FakeResponse.Json(200, body);
    }

    /// <summary>The grant a live access token belongs to, or null.</summary>
    public Grant? GrantOf(string? accessToken) =>
        accessToken is null ? null : _grants.FirstOrDefault(g => !g.Revoked && g.AccessToken == accessToken && (g.AccessExpiresAt is null || g.AccessExpiresAt > DateTimeOffset.UtcNow));

    /// <summary>The app's client secret, for Meta's exchanges that name only the secret.</summary>
    public bool IsClientSecret(string? secret) => secret is not null && _clients.Values.Any(c => c.Secret == secret);

    private FakeResponse Revoke(RecordedRequest request)
    {
        var form = Form(request);
        if (Authenticate(request, form) is not { } client)
            return Error(401, "invalid_client", "Client authentication failed.");
        if (form.GetValueOrDefault("token") is not { Length: > 0 } token)
            return Error(400, "invalid_request", "token is required.");
        // RFC 7009 §2.2: an unknown token is answered 200 too.
        foreach (var grant in _grants.Where(g => g.ClientId == client.Id && (g.AccessToken == token || g.RefreshToken == token)))
            grant.Revoked = true;
        return FakeResponse.Json(200, new { });
    }

    private Client? Authenticate(RecordedRequest request, IReadOnlyDictionary<string, string> form)
    {
        string? id, secret;
        var header = request.Header("Authorization");
        if (basicClientAuthentication)
        {
            if (header is null || !header.StartsWith("Basic ", StringComparison.Ordinal) || form.ContainsKey("client_secret")) return null;
            string decoded;
            try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..])); }
            catch (FormatException) { return null; }
            var colon = decoded.IndexOf(':');
            if (colon < 0) return null;
            (id, secret) = (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
            if (form.GetValueOrDefault("client_id") is { } named && named != id) return null;
        }
        else
        {
            if (header is not null) return null;
            (id, secret) = (form.GetValueOrDefault("client_id"), form.GetValueOrDefault("client_secret"));
        }
        return id is not null && _clients.TryGetValue(id, out var client) && client.Secret == secret ? client : null;
    }

    /// <summary>Every live access token was issued <paramref name="by"/> earlier, as if that much time had passed.</summary>
    public void Age(TimeSpan by)
    {
        foreach (var grant in _grants) grant.IssuedAt -= by;
    }

    private void Issue(Grant grant, bool refresh)
    {
        grant.AccessToken = Token32();
        grant.IssuedAt = DateTimeOffset.UtcNow;
        grant.AccessExpiresAt = AccessTokenLifetime is { } life ? DateTimeOffset.UtcNow + life : null;
        if (refresh) grant.RefreshToken = Token32();
    }

    private FakeResponse TokenAnswer(Grant grant)
    {
        var body = new Dictionary<string, object> { ["access_token"] = grant.AccessToken, ["token_type"] = "Bearer", ["scope"] = grant.Scope, ["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() };
        if (AccessTokenLifetime is { } life) body["expires_in"] = (long)life.TotalSeconds;
        if (grant.RefreshToken is not null) body["refresh_token"] = grant.RefreshToken;
        return FakeResponse.Json(200, body, new Dictionary<string, string> { ["Cache-Control"] = "no-store" });
    }

    public static string Challenge(string verifier) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public FakeResponse Error(int status, string error, string description) => GraphErrors
        ? FakeResponse.Json(400, new { error = new { message = $"{description} ({error})", type = "OAuthException", code = error is "invalid_token" or "invalid_grant" ? 190 : error == "invalid_client" ? 1 : 100, fbtrace_id = "AfakeTrace" } })
        : FakeResponse.Json(status, new { error, error_description = description });

    private static FakeResponse Back(string redirectUri, Dictionary<string, string?> parameters) =>
        new(302, null, new Dictionary<string, string> { ["Location"] = QueryHelpers.AddQueryString(redirectUri, parameters) });

    private static IReadOnlyDictionary<string, string> Parameters(string query) =>
        QueryHelpers.ParseQuery(query).ToDictionary(p => p.Key, p => p.Value.ToString());

    private static IReadOnlyDictionary<string, string> Form(RecordedRequest request) => Parameters(request.Body);

    private static string Token32() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Html(string text) => WebUtility.HtmlEncode(text);
}
