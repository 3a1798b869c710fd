using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Publisher.Core.Networking;

/// <summary>
/// Opens every outbound TCP connection to a server someone else named: resolves the host once, asks
/// <see cref="OutboundAddressPolicy"/> about every address it resolved to, and connects only to one of those
/// checked addresses. Because the check is made on the address actually connected to, a host that resolves to a
/// public address for a check and to 127.0.0.1 for the connection (DNS rebinding), an IP written oddly
/// (<c>0x7f000001</c>, <c>2130706433</c>, <c>[::ffff:127.0.0.1]</c>) or a redirect to an internal address all get
/// refused. Use it through <see cref="OutboundHttp"/> for HTTP, or <see cref="ConnectAsync"/> for a socket
/// (MailKit's <c>ConnectAsync(Socket, host, port, …)</c> takes one).
/// </summary>
public class OutboundConnector(OutboundAddressPolicy policy, IHostAddressResolver resolver, ILogger<OutboundConnector> log)
{
    public OutboundAddressPolicy Policy => policy;

    /// <summary>A connected socket to <paramref name="host"/>:<paramref name="port"/>, on an address the policy allows.</summary>
    /// <exception cref="OutboundAddressRefusedException">The host is, or resolves to, an address the policy refuses; nothing was sent.</exception>
    /// <exception cref="SocketException">The name did not resolve or no address accepted the connection.</exception>
    public async Task<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var literal = OutboundAddressPolicy.TryParseLiteral(host, out var parsed);
        var addresses = literal ? [parsed] : await resolver.ResolveAsync(host, cancellationToken);
        if (addresses.Length == 0)
            throw new SocketException((int)SocketError.HostNotFound);
        // One refused address refuses the host: a name that mixes public and private answers is how rebinding
        // starts, and a failed public address must not fall through to a private one.
        foreach (var address in addresses)
        {
            if (policy.Refuses(address) is not { } kind)
                continue;
            log.LogWarning("Refused to connect to {Host}:{Port}: {Address} is {Kind} (Publishing__AllowPrivateNetworks is off)", host, port, address, kind);
            throw new OutboundAddressRefusedException(host, literal ? kind : null);
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await DialAsync(address, port, cancellationToken);
            }
            catch (SocketException e)
            {
                last = e;
            }
        }
        throw last!;
    }

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/> that makes an HttpClient connect through this connector.</summary>
    public async ValueTask<Stream> ConnectCallbackAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = await ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Opens the TCP connection to an address that was checked. Tests override it to stand in for the network's routing.</summary>
    protected virtual async Task<Socket> DialAsync(IPAddress address, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>
/// Publisher would not connect: the host is, or resolves to, an address that is not on the public internet, and
/// <c>Publishing__AllowPrivateNetworks</c> is off. Nothing was sent. The message is fit to show an admin; it names
/// the kind of address only when the admin typed the address itself, so it tells nothing about internal DNS.
/// </summary>
public sealed class OutboundAddressRefusedException(string host, string? kind)
    : Exception(OutboundAddressPolicy.RefusalMessage(host, kind))
{
    public string Host { get; } = host;

    /// <summary>The refusal in <paramref name="exception"/> or any exception inside it (HttpClient wraps what its connect callback throws).</summary>
    public static OutboundAddressRefusedException? In(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is OutboundAddressRefusedException refused)
                return refused;
        return null;
    }
}
