using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Publisher.Core.Domain;
using Publisher.Core.Networking;

namespace Publisher.Core.Connect;

/// <summary>
/// Bluesky with an app password (AT Protocol): the handle is resolved to its DID
/// (<c>com.atproto.identity.resolveHandle</c>), the DID to its document (the PLC directory for <c>did:plc</c>,
/// <c>/.well-known/did.json</c> for <c>did:web</c>) and so to the account's PDS (its <c>#atproto_pds</c> service);
/// <c>com.atproto.server.createSession</c> there gives an access JWT (about two hours) and a refresh JWT (months). The
/// session is stored encrypted with the app password; the worker renews it with <c>refreshSession</c> before the access
/// JWT ends, and Disconnect ends it with <c>deleteSession</c>. There is no consent page: the admin types the handle and
/// an app password on Publisher's own form (<see cref="SignsInOnPublisher"/>).
/// </summary>
public sealed class BlueskyConnect(IHttpClientFactory httpClients, IOptions<ConnectOptions> options) : ConnectProvider(httpClients)
{
    public override string Network => "Bluesky";
    public override string ChannelKind => "Bluesky";
    public override string? Unavailable => null;
    public override bool SignsInOnPublisher => true;

    /// <summary>Where Bluesky's own help says app passwords are made.</summary>
    public const string AppPasswordsUrl = "https://bsky.app/settings/app-passwords";

    private BlueskyConnectOptions Settings => options.Value.Bluesky;

    public override Task<OAuthClient> ClientAsync(Uri? instance, string redirectUri, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Bluesky connects with an app password on Publisher's own form, not through a consent page.");

    public override Task<OAuthClient?> ClientForAsync(ChannelAccount account, IReadOnlyDictionary<string, string> credentials, CancellationToken cancellationToken) =>
        Task.FromResult(Uri.TryCreate(account.BaseAddress, UriKind.Absolute, out var pds) ? Client(pds) : null);

    /// <summary>The account's PDS as an "OAuth client": refreshSession is its token endpoint, deleteSession its revocation.</summary>
    public static OAuthClient Client(Uri pds) => new("bluesky", null, Combine(pds, "xrpc/com.atproto.server.createSession"),
        Combine(pds, "xrpc/com.atproto.server.refreshSession"), Combine(pds, "xrpc/com.atproto.server.deleteSession"), "", ClientAuthentication.FormBody,
        new Uri(pds.GetLeftPart(UriPartial.Authority)));

    public override Task<IReadOnlyList<ConnectableAccount>> AccountsAsync(OAuthClient client, OAuthToken token, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Bluesky's account comes from its sign-in.");

    /// <summary>The access JWT's own end is when the worker must have renewed it.</summary>
    public override Task<OAuthToken> RefreshAsync(OAuthClient client, string refreshToken, CancellationToken cancellationToken) =>
        SessionRequestAsync(client.TokenEndpoint, refreshToken, cancellationToken);

    /// <summary>deleteSession takes the refresh JWT: it ends the whole session.</summary>
    public override string? RevocableToken(IReadOnlyDictionary<string, string> stored) => stored.GetValueOrDefault("refresh_token");

    public override async Task RevokeAsync(OAuthClient client, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, client.RevokeEndpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw await XrpcErrorAsync(response, cancellationToken);
    }

    /// <summary>A session is checked by renewing it (an access JWT says nothing about a revoked app password).</summary>
    public override Task CheckAsync(OAuthClient client, IReadOnlyDictionary<string, string> stored, CancellationToken cancellationToken) =>
        RefreshAsync(client, stored.GetValueOrDefault("refresh_token") ?? "", cancellationToken);

    /// <summary>
    /// Signs in as <paramref name="identifier"/> (a handle, with or without @, or a DID) with an app password: the PDS
    /// client, the session and the account; or what the admin must do, in words.
    /// </summary>
    public async Task<(OAuthClient? Client, OAuthToken? Token, ConnectableAccount? Account, string? Error)> SignInAsync(string? identifier, string? appPassword, CancellationToken cancellationToken)
    {
        identifier = identifier?.Trim().TrimStart('@').ToLowerInvariant() ?? "";
        appPassword = appPassword?.Trim() ?? "";
        if (identifier.Length == 0 || appPassword.Length == 0)
            return Failed("Enter the account's handle (e.g. yourbrand.bsky.social) and an app password made for Publisher.");
        if (identifier.Length > 253 || !(identifier.StartsWith("did:plc:", StringComparison.Ordinal) || identifier.StartsWith("did:web:", StringComparison.Ordinal) || IsHandle(identifier)))
            return Failed($"“{NetworkReplyText.Clean(identifier, 80)}” is not a Bluesky handle: enter it as shown on the profile, e.g. yourbrand.bsky.social (or the account's DID, did:plc:…).");

        string did;
        Uri pds;
        try
        {
            did = identifier.StartsWith("did:", StringComparison.Ordinal) ? identifier : await ResolveHandleAsync(identifier, cancellationToken);
            pds = await PdsOfAsync(did, cancellationToken);
        }
        catch (OAuthException e)
        {
            return Failed(e.Error == "not_found"
                ? $"Bluesky knows no account {NetworkReplyText.Clean(identifier, 80)}: check the handle (as on the profile) and try again."
                : $"Could not find where {NetworkReplyText.Clean(identifier, 80)} is hosted ({e.Description}). Check the handle and try again.");
        }

        var client = Client(pds);
        using var response = await Http.PostAsJsonAsync(client.AuthorizeEndpoint, new { identifier = did, password = appPassword }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var refused = await XrpcErrorAsync(response, cancellationToken);
            return Failed(refused.Error switch
            {
                "AuthFactorTokenRequired" => "Bluesky asked for the sign-in code it emails, so that was the account's own password. Publisher needs an app password instead (it needs no code): make one in Bluesky under Settings → Privacy and security → App passwords, and enter it here.",
                "AuthenticationRequired" => "Bluesky refused the handle and app password. Check the app password (four groups of four letters, xxxx-xxxx-xxxx-xxxx) or make a new one in Bluesky's Settings → Privacy and security → App passwords, and try again.",
                "AccountTakedown" => "Bluesky says this account is taken down, so Publisher cannot post as it.",
                "RateLimitExceeded" => "Bluesky has had too many sign-ins for this account lately: wait a few minutes and try again.",
                _ => $"Bluesky refused the sign-in ({refused.Error}: {refused.Description}). Try again, or make a new app password.",
            });
        }
        var root = await JsonAsync(response, cancellationToken);
        var token = Session(root);
        if (Text(root, "did") is not { } signedIn || signedIn != did)
            return Failed("Bluesky signed in a different account than the handle names. Nothing was connected: check the handle and try again.");
        // Kept without the @, as Bluesky's post addresses (bsky.app/profile/{handle}/post/…) use it.
        var handle = Text(root, "handle") is { Length: > 0 } h && h != "handle.invalid" ? h : did;
        return (client, token, new ConnectableAccount(did, handle == did ? $"{did} on Bluesky" : $"@{handle} on Bluesky", handle,
            new Dictionary<string, string> { ["identifier"] = did, ["app_password"] = appPassword }, new Dictionary<string, string>()), null);

        static (OAuthClient?, OAuthToken?, ConnectableAccount?, string?) Failed(string message) => (null, null, null, message);
    }

    private async Task<string> ResolveHandleAsync(string handle, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(WithQuery(Combine(new Uri(Settings.HandleResolverUrl), "xrpc/com.atproto.identity.resolveHandle"),
            new Dictionary<string, string> { ["handle"] = handle }), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var refused = await XrpcErrorAsync(response, cancellationToken);
            throw refused.Status == 400 ? new OAuthException("not_found", refused.Description, 400) : refused;
        }
        return Text(await JsonAsync(response, cancellationToken), "did") is { } did && did.StartsWith("did:", StringComparison.Ordinal)
            ? did : throw new OAuthException("invalid_response", "the handle resolver answered without a DID", 200);
    }

    /// <summary>The PDS the DID document names (its service <c>#atproto_pds</c> of type <c>AtprotoPersonalDataServer</c>).</summary>
    private async Task<Uri> PdsOfAsync(string did, CancellationToken cancellationToken)
    {
        var document = did.StartsWith("did:plc:", StringComparison.Ordinal)
            ? Combine(new Uri(Settings.PlcDirectoryUrl), Uri.EscapeDataString(did))
            : new Uri($"https://{Uri.UnescapeDataString(did["did:web:".Length..])}/.well-known/did.json");
        using var response = await Http.GetAsync(document, cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            throw new OAuthException("not_found", "no DID document", 404);
        if (!response.IsSuccessStatusCode)
            throw new OAuthException("did_unavailable", $"its DID document answered HTTP {(int)response.StatusCode}", (int)response.StatusCode);
        var root = await JsonAsync(response, cancellationToken);
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("service", out var services) && services.ValueKind == JsonValueKind.Array)
            foreach (var service in services.EnumerateArray())
                if (Text(service, "id") is { } id && (id == "#atproto_pds" || id == did + "#atproto_pds") && Text(service, "type") == "AtprotoPersonalDataServer"
                    && Uri.TryCreate(Text(service, "serviceEndpoint"), UriKind.Absolute, out var endpoint) && endpoint.Scheme is "https" or "http")
                    return endpoint;
        throw new OAuthException("no_pds", "its DID document names no PDS", 200);
    }

    private async Task<OAuthToken> SessionRequestAsync(Uri endpoint, string bearer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await Http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw await XrpcErrorAsync(response, cancellationToken);
        return Session(await JsonAsync(response, cancellationToken));
    }

    private static OAuthToken Session(JsonElement root)
    {
        var access = Text(root, "accessJwt");
        var refresh = Text(root, "refreshJwt");
        if (string.IsNullOrEmpty(access) || string.IsNullOrEmpty(refresh))
            throw new OAuthException("invalid_response", "Bluesky's session answer had no accessJwt and refreshJwt.", 200);
        return new OAuthToken(access, refresh, JwtExpiry(access), null);
    }

    /// <summary>The <c>exp</c> of a JWT (read, not verified: it only says when to renew); null when it has none.</summary>
    public static DateTimeOffset? JwtExpiry(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length < 2) return null;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// XRPC's errors (<c>{"error","message"}</c>) as an <see cref="OAuthException"/>; a refresh JWT the PDS no longer takes
    /// (<c>ExpiredToken</c>, <c>InvalidToken</c>) is a refused grant, so the account asks for a reconnect.
    /// </summary>
    private static async Task<OAuthException> XrpcErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string? error = null, message = null;
        try
        {
            var root = await JsonAsync(response, cancellationToken);
            error = Text(root, "error");
            message = Text(root, "message");
        }
        catch (JsonException)
        {
        }
        error = error is "ExpiredToken" or "InvalidToken" ? "invalid_grant" : error;
        return new OAuthException(NetworkReplyText.Clean(error ?? $"http_{status}", 60), NetworkReplyText.Clean(message ?? $"HTTP {status}"), status);
    }

    /// <summary>A handle: a domain name of at least two labels (letters, digits, hyphens; not starting or ending with a hyphen).</summary>
    private static bool IsHandle(string text)
    {
        var labels = text.Split('.');
        return labels.Length >= 2 && labels.All(l => l.Length is > 0 and <= 63 && l[0] != '-' && l[^1] != '-' && l.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
               && !char.IsDigit(labels[^1][0]);
    }
}
