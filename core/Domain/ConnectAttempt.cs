namespace Publisher.Core.Domain;

/// <summary>
/// One admin's Connect in progress: the OAuth <c>state</c> sent to the network (stored as its SHA-256 only), who started
/// it and in which browser, the PKCE verifier (encrypted; it never leaves the server), and, once the network has answered
/// with several accounts to choose from, the token waiting for that choice (encrypted). Used once, and only before it expires.
/// </summary>
public class ConnectAttempt
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>SHA-256 (hex) of the state parameter: a copy of the database cannot finish someone's Connect.</summary>
    public required string StateHash { get; set; }

    /// <summary>The admin who pressed Connect: only they can finish it.</summary>
    public required string UserId { get; set; }

    /// <summary>SHA-256 (hex) of the random value kept in that admin's browser (cookie), so a link carrying the state cannot be finished elsewhere.</summary>
    public required string BrowserHash { get; set; }

    /// <summary>The provider's network name (Mastodon, X, …).</summary>
    public required string Network { get; set; }

    /// <summary>For Mastodon: the instance's address (its origin), the account is created there.</summary>
    public string? Instance { get; set; }

    public required string RedirectUri { get; set; }

    /// <summary>The PKCE code verifier, encrypted with Data Protection.</summary>
    public required string ProtectedVerifier { get; set; }

    /// <summary>The account being reconnected, when Connect was pressed on one.</summary>
    public Guid? ReconnectAccountId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When the network's answer came back and the state was spent: a second answer with it is refused.</summary>
    public DateTimeOffset? UsedAt { get; set; }

    /// <summary>The token and the accounts it may publish as, encrypted, while the admin chooses one; cleared once chosen.</summary>
    public string? ProtectedPending { get; set; }
}

/// <summary>
/// An OAuth client Publisher registered for itself on a server that registers clients on request (a Mastodon instance:
/// <c>POST /api/v1/apps</c>). Kept, so every Connect to the same instance reuses one client.
/// </summary>
public class OAuthAppRegistration
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Network { get; set; }

    /// <summary>The server's origin, e.g. https://mastodon.social.</summary>
    public required string Instance { get; set; }
    public required string RedirectUri { get; set; }
    public required string Scopes { get; set; }
    public required string ClientId { get; set; }

    /// <summary>The client secret, encrypted with Data Protection.</summary>
    public required string ProtectedClientSecret { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
