namespace Publisher.Core.Connect;

/// <summary>
/// A network with one OAuth client for the whole installation, registered by its admin with the network and set in
/// <see cref="ConnectOptions"/> (X, LinkedIn, Facebook, Threads), unlike Mastodon's client per instance. Without a
/// client id and secret its Connect button says what to set.
/// </summary>
public abstract class ConfiguredConnect(IHttpClientFactory httpClients) : ConnectProvider(httpClients)
{
    protected abstract OAuthNetworkOptions Settings { get; }

    /// <summary>What to set, and where the admin gets it, to connect this network.</summary>
    protected abstract string SetupHint { get; }

    /// <summary>The client and its endpoints from the settings (configured ones only).</summary>
    protected abstract OAuthClient Client(OAuthNetworkOptions settings);

    public override string? Unavailable => Settings.IsConfigured ? null : SetupHint;

    public override Task<OAuthClient> ClientAsync(Uri? instance, string redirectUri, CancellationToken cancellationToken) =>
        Task.FromResult(Settings.IsConfigured ? Client(Settings) : throw new InvalidOperationException(Unavailable));

    public override Task<OAuthClient?> ClientForAsync(Domain.ChannelAccount account, IReadOnlyDictionary<string, string> credentials, CancellationToken cancellationToken) =>
        Task.FromResult(Settings.IsConfigured ? Client(Settings) : null);
}
