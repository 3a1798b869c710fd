using System.Net;
using Publisher.Core.Networking;

namespace Publisher.Core.Tests.Networking;

public class OutboundAddressPolicyTests
{
    private static readonly OutboundAddressPolicy PublicOnly = new(allowPrivateNetworks: false);
    private static readonly OutboundAddressPolicy PrivateAllowed = new(allowPrivateNetworks: true);

    [Theory]
    [InlineData("127.0.0.1", "a loopback address")]
    [InlineData("127.255.255.254", "a loopback address")]
    [InlineData("10.0.0.5", "a private network address")]
    [InlineData("172.16.0.1", "a private network address")]
    [InlineData("172.31.255.255", "a private network address")]
    [InlineData("192.168.1.10", "a private network address")]
    [InlineData("100.64.0.1", "a shared (carrier-grade NAT) address")]
    [InlineData("100.127.255.254", "a shared (carrier-grade NAT) address")]
    [InlineData("169.254.169.254", "a link-local address")]
    [InlineData("0.0.0.0", "an unspecified address")]
    [InlineData("0.1.2.3", "an unspecified address")]
    [InlineData("255.255.255.255", "a broadcast address")]
    [InlineData("224.0.0.251", "a multicast address")]
    [InlineData("239.255.255.250", "a multicast address")]
    [InlineData("240.0.0.1", "a reserved address")]
    [InlineData("192.0.2.1", "a documentation address")]
    [InlineData("198.18.0.1", "a reserved address")]
    [InlineData("::1", "a loopback address")]
    [InlineData("::", "an unspecified address")]
    [InlineData("fe80::1", "a link-local address")]
    [InlineData("febf:ffff::1", "a link-local address")]
    [InlineData("fc00::1", "a private network address")]
    [InlineData("fd12:3456:789a::1", "a private network address")]
    [InlineData("ff02::1", "a multicast address")]
    [InlineData("2001:db8::1", "a documentation address")]
    // IPv6 spellings that carry an IPv4 address inside are judged by that address.
    [InlineData("::ffff:127.0.0.1", "a loopback address")]
    [InlineData("::ffff:10.1.2.3", "a private network address")]
    [InlineData("::ffff:169.254.169.254", "a link-local address")]
    [InlineData("::ffff:7f00:1", "a loopback address")]
    [InlineData("::127.0.0.1", "a loopback address")]
    [InlineData("64:ff9b::a00:1", "a private network address")]
    [InlineData("64:ff9b::7f00:1", "a loopback address")]
    [InlineData("2002:7f00:1::1", "a loopback address")]
    [InlineData("2002:c0a8:101::1", "a private network address")]
    public void Every_non_public_range_is_refused_and_named(string address, string kind)
    {
        Assert.Equal(kind, PublicOnly.Refuses(IPAddress.Parse(address)));
        Assert.Null(PrivateAllowed.Refuses(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")] // just past 172.16/12
    [InlineData("172.15.255.255")]
    [InlineData("100.128.0.1")] // just past 100.64/10
    [InlineData("192.169.0.1")]
    [InlineData("169.255.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4007:80e::200e")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.Null(PublicOnly.Refuses(IPAddress.Parse(address)));

    [Theory]
    [InlineData("0x7f000001", "127.0.0.1")]
    [InlineData("2130706433", "127.0.0.1")]
    [InlineData("017700000001", "127.0.0.1")]
    [InlineData("127.1", "127.0.0.1")]
    [InlineData("0x7f.0.0.1", "127.0.0.1")]
    [InlineData("0251.0376.0251.0376", "169.254.169.254")]
    [InlineData("[::ffff:127.0.0.1]", "::ffff:127.0.0.1")]
    [InlineData("[::1]", "::1")]
    [InlineData("::1", "::1")]
    public void Odd_spellings_of_an_address_are_read_as_the_address_they_are(string host, string address)
    {
        Assert.True(OutboundAddressPolicy.TryParseLiteral(host, out var parsed));
        Assert.Equal(IPAddress.Parse(address), parsed);
        Assert.NotNull(PublicOnly.RefusesLiteral(host));
    }

    [Fact]
    public void A_name_is_not_judged_before_it_is_resolved()
    {
        Assert.False(OutboundAddressPolicy.TryParseLiteral("localhost", out _));
        Assert.Null(PublicOnly.RefusesLiteral("localhost"));
        Assert.Null(PublicOnly.RefusesLiteral("mastodon.example"));
    }

    [Fact]
    public void The_refusal_says_how_to_allow_a_server_on_ones_own_network_and_names_no_resolved_address()
    {
        var typed = OutboundAddressPolicy.RefusalMessage("127.0.0.1", "a loopback address");
        Assert.Contains("127.0.0.1 is a loopback address", typed);
        Assert.Contains("Publishing__AllowPrivateNetworks=true", typed);

        var resolved = OutboundAddressPolicy.RefusalMessage("intranet.example", null);
        Assert.Contains("intranet.example resolves to an address that is not on the public internet", resolved);
        Assert.DoesNotContain("private", resolved.Split(',')[0]);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", "a loopback address")]
    [InlineData("http://[::1]:5080", "a loopback address")]
    [InlineData("http://localhost:5080", "a loopback address")]
    [InlineData("https://publisher.localhost", "a loopback address")]
    [InlineData("http://10.1.2.3", "a private network address")]
    [InlineData("http://intranet:8080", "a name without a domain, known only on this network")]
    [InlineData("not an address", "not a web address")]
    [InlineData("https://go.northwind.coffee", null)]
    [InlineData("http://8.8.8.8", null)]
    public void An_address_of_this_app_is_one_readers_can_open_only_when_it_is_a_domain_name_or_a_public_ip(string url, string? problem)
    {
        Assert.Equal(problem, OutboundAddressPolicy.UnreachableFromInternet(url));
    }
}
