namespace Publisher.Core.Domain;

/// <summary>A place the brand publishes to: one X account, one LinkedIn page, one newsletter list, …</summary>
public class ChannelAccount
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }

    /// <summary>The channel kind, as named by <c>Publisher.Templates.ChannelKind</c> (X, Mastodon, Bluesky, …).</summary>
    public required string Kind { get; set; }

    /// <summary>How the account shows on its network, e.g. @northwind.</summary>
    public string? Handle { get; set; }

    /// <summary>Split an over-long post into a numbered thread where the network allows it.</summary>
    public bool AllowThreads { get; set; }

    /// <summary>The API base address; the demo accounts point at the built-in demo destination.</summary>
    public string? BaseAddress { get; set; }

    /// <summary>Credentials, encrypted with ASP.NET Data Protection; never shown back in the UI.</summary>
    public string? EncryptedCredentials { get; set; }

    /// <summary>Publishes to the built-in demo destination instead of a real network (the demo data uses it).</summary>
    public bool IsDemo { get; set; }

    public bool IsEnabled { get; set; } = true;

    /// <summary>Publish every link as a first-party tracked short link ({PublicUrl}/l/{code}), so clicks are counted. On by default.</summary>
    public bool TrackLinks { get; set; } = true;

    /// <summary>Tag this account's links with UTM parameters. Parts left empty take the channel's defaults.</summary>
    public bool UtmEnabled { get; set; } = true;
    public string? UtmSource { get; set; }
    public string? UtmMedium { get; set; }
    public string? UtmContent { get; set; }

    /// <summary>Who must approve a variant for this account, in order: one role per step. Default: one Approver.</summary>
    public List<string> ApprovalSteps { get; set; } = [Roles.Approver];
    public string? Color { get; set; }

    /// <summary>Settings that are not secret (a page id, an author URN, a recipient list), as JSON; the channel client reads them.</summary>
    public string? SettingsJson { get; set; }

    /// <summary>Posting slots in the brand's zone, e.g. "Mon 09:00": "add to next free slot" uses them.</summary>
    public List<string> PostingSlots { get; set; } = [];

    /// <summary>The outcome of the last "test connection", run by the worker.</summary>
    public DateTimeOffset? ConnectionCheckedAt { get; set; }
    public bool? ConnectionOk { get; set; }
    public string? ConnectionMessage { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The network whose Connect flow issued the stored token (its <c>ConnectProvider.Network</c>), or null when the
    /// credentials were typed in. The worker refreshes such a token before <see cref="TokenExpiresAt"/>.
    /// </summary>
    public string? ConnectedWith { get; set; }

    /// <summary>The account on its network (a user id, an organization URN, a page id): a second Connect of the same one updates this account.</summary>
    public string? ExternalId { get; set; }

    /// <summary>When the stored access token stops working, as the network said; null when it did not say (or never expires).</summary>
    public DateTimeOffset? TokenExpiresAt { get; set; }

    /// <summary>
    /// The network refused the stored token for good (revoked, expired, refresh refused): an admin must Connect again.
    /// Shown on Channels and in the banner, and told to Admins, before a post fails on it.
    /// </summary>
    public bool NeedsReconnect { get; set; }
    public string? ReconnectReason { get; set; }

    /// <summary>
    /// When an admin pressed Disconnect: the token was revoked at the network (where it can be) and the stored
    /// credentials cleared; the account stays (with its posts and history), switched off, until it is connected again.
    /// </summary>
    public DateTimeOffset? DisconnectedAt { get; set; }
}
