namespace Publisher.Core.Connect;

/// <summary>
/// The Connect flows: each network's OAuth client (registered by the installation's admin with the network) and
/// where its endpoints are. Bound from the section "Connect" (environment: <c>Connect__X__ClientId</c>, …).
/// Mastodon needs nothing here: Publisher registers itself on each instance an admin names.
/// </summary>
public sealed class ConnectOptions
{
    public const string SectionName = "Connect";

    /// <summary>How long a started Connect may take before its state is refused (the admin signs in to the network meanwhile).</summary>
    public TimeSpan StateLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The worker refreshes a token this long before it expires (X's live 2 hours), so a post never meets an expired one.</summary>
    public TimeSpan RefreshAhead { get; set; } = TimeSpan.FromMinutes(30);

    public MastodonConnectOptions Mastodon { get; set; } = new();

    public BlueskyConnectOptions Bluesky { get; set; } = new();

    /// <summary>X: OAuth 2.0 with PKCE (a confidential client: "Web App" in the X developer portal).</summary>
    public OAuthNetworkOptions X { get; set; } = new()
    {
        AuthorizeUrl = "https://x.com/i/oauth2/authorize",
        ApiUrl = "https://api.x.com/",
        Scopes = "tweet.read tweet.write users.read media.write offline.access",
    };

    /// <summary>
    /// LinkedIn: OAuth 2.0 authorization code (3-legged) for an app with the Community Management API; the admin then
    /// chooses among the organization pages they administer.
    /// </summary>
    public OAuthNetworkOptions LinkedIn { get; set; } = new()
    {
        AuthorizeUrl = "https://www.linkedin.com/oauth/v2/authorization",
        OAuthUrl = "https://www.linkedin.com/oauth/v2/",
        ApiUrl = "https://api.linkedin.com/",
        Scopes = "r_organization_admin w_organization_social r_organization_social",
    };

    /// <summary>Facebook Login (a Meta app with the Pages and Instagram permissions): Facebook Pages and the Instagram business accounts linked to them.</summary>
    public OAuthNetworkOptions Facebook { get; set; } = new()
    {
        AuthorizeUrl = "https://www.facebook.com/v21.0/dialog/oauth",
        ApiUrl = "https://graph.facebook.com/",
        Scopes = "pages_show_list,pages_manage_posts,pages_read_engagement,business_management,instagram_basic,instagram_content_publish,instagram_manage_insights",
    };

    /// <summary>Threads API OAuth (the Threads app id and secret of a Meta app with the Threads use case).</summary>
    public OAuthNetworkOptions Threads { get; set; } = new()
    {
        AuthorizeUrl = "https://threads.net/oauth/authorize",
        ApiUrl = "https://graph.threads.net/",
        Scopes = "threads_basic,threads_content_publish,threads_manage_replies,threads_manage_insights",
    };

    public IEnumerable<(string Name, OAuthNetworkOptions Options)> Networks =>
        [("X", X), ("LinkedIn", LinkedIn), ("Facebook", Facebook), ("Threads", Threads)];
}

public sealed class MastodonConnectOptions
{
    /// <summary>Only what the Mastodon client uses: read the account, post statuses and media, read a status's counts.</summary>
    public string Scopes { get; set; } = "read:accounts read:statuses write:statuses write:media";

    /// <summary>The name the instance shows on its consent page and under posts.</summary>
    public string ClientName { get; set; } = "Publisher";
}

/// <summary>Where a Bluesky handle is resolved to its DID, and a did:plc to its document (and so its PDS).</summary>
public sealed class BlueskyConnectOptions
{
    /// <summary>A server answering <c>com.atproto.identity.resolveHandle</c> (Bluesky's entryway does for any handle).</summary>
    public string HandleResolverUrl { get; set; } = "https://bsky.social/";

    /// <summary>The PLC directory that holds did:plc documents.</summary>
    public string PlcDirectoryUrl { get; set; } = "https://plc.directory/";

    public bool IsValid => Uri.TryCreate(HandleResolverUrl, UriKind.Absolute, out var a) && a.Scheme is "https" or "http"
                           && Uri.TryCreate(PlcDirectoryUrl, UriKind.Absolute, out var b) && b.Scheme is "https" or "http";
}

/// <summary>One network's OAuth client and endpoints. Without a client id and secret its Connect button says what to set.</summary>
public sealed class OAuthNetworkOptions
{
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>The consent page people are sent to.</summary>
    public string AuthorizeUrl { get; set; } = "";

    /// <summary>The API the token, revoke and account calls go to (and accounts connected this way publish to).</summary>
    public string ApiUrl { get; set; } = "";

    /// <summary>Where the token and revoke endpoints are when not on the API (LinkedIn's are on www.linkedin.com); empty: on the API.</summary>
    public string? OAuthUrl { get; set; }

    public string Scopes { get; set; } = "";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ClientId) && !string.IsNullOrWhiteSpace(ClientSecret);

    public bool IsValid => (string.IsNullOrWhiteSpace(ClientId) == string.IsNullOrWhiteSpace(ClientSecret))
                           && Uri.TryCreate(AuthorizeUrl, UriKind.Absolute, out var a) && a.Scheme is "https" or "http"
                           && Uri.TryCreate(ApiUrl, UriKind.Absolute, out var b) && b.Scheme is "https" or "http"
                           && (string.IsNullOrWhiteSpace(OAuthUrl) || (Uri.TryCreate(OAuthUrl, UriKind.Absolute, out var c) && c.Scheme is "https" or "http"));

    /// <summary>The token and revoke endpoints' base.</summary>
    public Uri OAuthBase => new(string.IsNullOrWhiteSpace(OAuthUrl) ? ApiUrl : OAuthUrl);
}
