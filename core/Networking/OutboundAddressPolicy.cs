using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Publisher.Core.Networking;

/// <summary>
/// Decides whether Publisher may open a connection to an IP address it is about to call on someone's behalf: by
/// default only public internet addresses. Loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), carrier-grade
/// NAT (100.64/10), link-local (169.254/16 with the cloud metadata service, fe80::/10), unspecified, broadcast,
/// multicast, documentation and reserved ranges are refused, and so are the IPv6 spellings that carry one of those
/// IPv4 addresses inside (::ffff:127.0.0.1, ::127.0.0.1, 64:ff9b::a00:1, 2002:7f00:1::). With
/// <see cref="OutboundNetworkOptions.AllowPrivateNetworks"/> every address is allowed.
/// </summary>
/// <remarks>
/// The policy judges addresses, never names: <see cref="OutboundConnector"/> resolves a host name once, asks the
/// policy about every address the name resolved to, and connects only to an address it asked about, so a name
/// that answers a public address to a check and a private one to the connection (DNS rebinding) gets nowhere.
/// Anything that connects out to an address an admin or a user typed, or a server sent back, goes through the
/// connector: channel clients (<see cref="OutboundHttp"/>), the SMTP clients, link-card page fetches, OAuth calls.
/// </remarks>
public sealed class OutboundAddressPolicy
{
    private readonly bool _allowPrivateNetworks;

    public OutboundAddressPolicy(IOptions<OutboundNetworkOptions> options) => _allowPrivateNetworks = options.Value.AllowPrivateNetworks;

    /// <summary>A policy with the setting given directly (a process that runs without configuration, a test).</summary>
    public OutboundAddressPolicy(bool allowPrivateNetworks) => _allowPrivateNetworks = allowPrivateNetworks;

    public bool AllowsPrivateNetworks => _allowPrivateNetworks;

    /// <summary>Null when Publisher may connect to <paramref name="address"/>; else what kind of address it is ("a loopback address").</summary>
    public string? Refuses(IPAddress address) => _allowPrivateNetworks ? null : NonPublicKind(address);

    /// <summary>
    /// For a host that is an IP literal (127.0.0.1, [::1], 0x7f000001, 2130706433), what <see cref="Refuses"/> says
    /// about it; null for a name, which can only be judged once resolved. Lets a settings page refuse an address
    /// at once, with the connector still deciding at connection time.
    /// </summary>
    public string? RefusesLiteral(string host) => TryParseLiteral(host, out var address) ? Refuses(address) : null;

    /// <summary>
    /// Why Publisher will not connect to <paramref name="host"/>, for an admin. <paramref name="kind"/> (from
    /// <see cref="Refuses"/>) is named only for an address the admin typed: for a name, saying what it resolved to
    /// would describe the internal network to whoever can edit an account.
    /// </summary>
    public static string RefusalMessage(string host, string? kind) =>
        (kind is null ? $"{host} resolves to an address that is not on the public internet" : $"{host} is {kind}")
        + ", and Publisher only connects to public internet addresses. To publish to a server on your own network, "
        + "whoever runs Publisher can set Publishing__AllowPrivateNetworks=true.";

    /// <summary>
    /// Reads a host that is an IP address in any spelling the resolver would accept: dotted, one number, hex or
    /// octal parts (0x7f000001, 2130706433, 0177.1), or IPv6 with or without brackets.
    /// </summary>
    public static bool TryParseLiteral(string host, out IPAddress address)
    {
        var text = host.Trim();
        if (text.StartsWith('[') && text.EndsWith(']'))
            text = text[1..^1];
        return IPAddress.TryParse(text, out address!);
    }

    /// <summary>
    /// Why readers on the internet could not open an address of this app (<paramref name="url"/>, e.g. the public
    /// address tracked links and images are served from), or null when its host is a name with a dot or a public IP
    /// address. A name is not resolved: what it resolves to here says nothing of what readers reach.
    /// </summary>
    public static string? UnreachableFromInternet(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return "not a web address";
        if (TryParseLiteral(uri.Host, out var address))
            return NonPublicKind(address);
        return uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            ? Loopback
            : uri.Host.Contains('.') ? null : "a name without a domain, known only on this network";
    }

    /// <summary>Null for a public internet address; else what kind of address it is, for the refusal's message.</summary>
    public static string? NonPublicKind(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return V4Kind(address.GetAddressBytes());
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return "not an internet address";
        var bytes = address.GetAddressBytes();
        if (address.Equals(IPAddress.IPv6Loopback))
            return Loopback;
        if (address.Equals(IPAddress.IPv6Any))
            return Unspecified;
        // IPv6 forms that carry an IPv4 address: judged by that address.
        if (address.IsIPv4MappedToIPv6 || Within(bytes, V4Compatible) || Within(bytes, Nat64))
            return V4Kind(bytes[12..16]);
        if (Within(bytes, SixToFour))
            return V4Kind(bytes[2..6]);
        foreach (var range in V6Ranges)
            if (Within(bytes, range))
                return range.Kind;
        return null;
    }

    private const string Loopback = "a loopback address";
    private const string Unspecified = "an unspecified address";
    private const string Private = "a private network address";
    private const string LinkLocal = "a link-local address";
    private const string Reserved = "a reserved address";

    private sealed record Range(byte[] Prefix, int Bits, string Kind);

    private static Range V4(string prefix, int bits, string kind) => new(IPAddress.Parse(prefix).GetAddressBytes(), bits, kind);

    private static Range V6(string prefix, int bits, string kind) => new(IPAddress.Parse(prefix).GetAddressBytes(), bits, kind);

    // RFC 6890 and the IANA special-purpose registries: every range that is not globally reachable.
    private static readonly Range[] V4Ranges =
    [
        V4("0.0.0.0", 8, Unspecified),
        V4("10.0.0.0", 8, Private),
        V4("100.64.0.0", 10, "a shared (carrier-grade NAT) address"),
        V4("127.0.0.0", 8, Loopback),
        V4("169.254.0.0", 16, LinkLocal),
        V4("172.16.0.0", 12, Private),
        V4("192.0.0.0", 24, Reserved),
        V4("192.0.2.0", 24, "a documentation address"),
        V4("192.88.99.0", 24, Reserved),
        V4("192.168.0.0", 16, Private),
        V4("198.18.0.0", 15, Reserved),
        V4("198.51.100.0", 24, "a documentation address"),
        V4("203.0.113.0", 24, "a documentation address"),
        V4("224.0.0.0", 4, "a multicast address"),
        V4("255.255.255.255", 32, "a broadcast address"),
        V4("240.0.0.0", 4, Reserved),
    ];

    private static readonly Range V4Compatible = V6("::", 96, Unspecified);
    private static readonly Range Nat64 = V6("64:ff9b::", 96, Reserved);
    private static readonly Range SixToFour = V6("2002::", 16, Reserved);

    private static readonly Range[] V6Ranges =
    [
        V6("64:ff9b:1::", 48, Reserved),
        V6("100::", 64, Reserved),
        V6("2001::", 32, Reserved), // Teredo tunnels
        V6("2001:db8::", 32, "a documentation address"),
        V6("fc00::", 7, Private),
        V6("fe80::", 10, LinkLocal),
        V6("fec0::", 10, Private), // site-local, deprecated but still routed inside some sites
        V6("ff00::", 8, "a multicast address"),
    ];

    private static string? V4Kind(byte[] bytes)
    {
        foreach (var range in V4Ranges)
            if (Within(bytes, range))
                return range.Kind;
        return null;
    }

    private static bool Within(byte[] address, Range range)
    {
        if (address.Length != range.Prefix.Length)
            return false;
        var whole = range.Bits / 8;
        for (var i = 0; i < whole; i++)
            if (address[i] != range.Prefix[i])
                return false;
        var rest = range.Bits % 8;
        if (rest == 0)
            return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (address[whole] & mask) == (range.Prefix[whole] & mask);
    }
}
