using System.Net;

namespace Publisher.Core.Networking;

/// <summary>
/// Turns a host name into the addresses to connect to. <see cref="OutboundConnector"/> asks once per connection
/// and connects only to what it got; tests replace the resolver to answer what a hostile DNS server would.
/// </summary>
public interface IHostAddressResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The machine's resolver (getaddrinfo): hosts file, DNS, whatever the system is configured with.</summary>
public sealed class SystemHostAddressResolver : IHostAddressResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
