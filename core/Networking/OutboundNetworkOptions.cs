namespace Publisher.Core.Networking;

/// <summary>
/// Which addresses Publisher may connect to when it calls out to a server an admin named (a channel's API, a
/// webhook, an SMTP server, later a page fetched for a link card). Bound from the section "Publishing", so the
/// setting reads <c>Publishing__AllowPrivateNetworks=true</c> next to the other publishing settings.
/// </summary>
public sealed class OutboundNetworkOptions
{
    public const string SectionName = "Publishing";

    /// <summary>
    /// Allow connections to loopback, private, link-local and other non-public addresses
    /// (Publishing__AllowPrivateNetworks). Default: false. Tests whose fake networks listen on 127.0.0.1 need it,
    /// and so does an installation that publishes to a server on its own network (a self-hosted Mastodon on the
    /// LAN, a mail server on this machine). It opens every such address to whoever may edit channel accounts.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }
}
