using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Publisher.Core.Networking;
using Publisher.Testing;

namespace Publisher.Core.Tests.Networking;

/// <summary>
/// The connector behind every outbound HTTP client and SMTP connection, against a real socket on loopback: the
/// check is made on the address actually connected to, whatever the URL says and whatever DNS answers later.
/// </summary>
public class OutboundConnectorTests
{
    private static HttpClient Client(OutboundConnector connector, bool followRedirects = false) =>
        new(OutboundHttp.CreateHandler(connector, h =>
        {
            h.AllowAutoRedirect = followRedirects;
            h.PooledConnectionLifetime = TimeSpan.Zero; // a new connection (and a new resolution) for every request
        }))
        { Timeout = TimeSpan.FromSeconds(30) };

    private static OutboundConnector Connector(bool allowPrivateNetworks, IHostAddressResolver? resolver = null) =>
        new(new OutboundAddressPolicy(allowPrivateNetworks), resolver ?? new SystemHostAddressResolver(), NullLogger<OutboundConnector>.Instance);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("0x7f000001")]
    [InlineData("2130706433")]
    [InlineData("017700000001")]
    [InlineData("127.1")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("[::ffff:7f00:1]")]
    [InlineData("localhost")]
    public async Task Loopback_in_any_spelling_is_refused_before_a_connection_is_made(string host)
    {
        await using var server = new CountingHttpServer();
        using var http = Client(Connector(allowPrivateNetworks: false));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://{host}:{server.Port}/"));

        var refused = OutboundAddressRefusedException.In(error);
        Assert.NotNull(refused);
        Assert.Contains("Publishing__AllowPrivateNetworks=true", refused.Message);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task Private_networks_are_reached_only_when_the_setting_allows_them()
    {
        await using var server = new CountingHttpServer();
        var url = $"http://127.0.0.1:{server.Port}/";

        using (var publicOnly = Client(Connector(allowPrivateNetworks: false)))
            await Assert.ThrowsAsync<HttpRequestException>(() => publicOnly.GetAsync(url));
        Assert.Equal(0, server.Connections);

        using var allowed = Client(Connector(allowPrivateNetworks: true));
        Assert.Equal("hello from loopback", await allowed.GetStringAsync(url));
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task A_name_that_resolves_public_for_one_connection_and_to_loopback_for_the_next_never_reaches_loopback()
    {
        // DNS rebinding: the attacker's name answers a public address first, then 127.0.0.1. The "network" here
        // routes the public address to a server of its own, so the first request can succeed as it would.
        await using var publicSide = new CountingHttpServer();
        await using var internalSide = new CountingHttpServer();
        var resolver = ScriptedResolver.OneEach(IPAddress.Parse("93.184.215.14"), IPAddress.Loopback);
        var connector = new RoutedConnector(resolver, publicPort: publicSide.Port);
        using var http = Client(connector);
        var url = $"http://rebind.example:{internalSide.Port}/";

        Assert.Equal("hello from loopback", await http.GetStringAsync(url));
        var second = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(url));

        Assert.NotNull(OutboundAddressRefusedException.In(second));
        Assert.Equal(2, resolver.Lookups); // resolved once per connection, and the answer checked is the one used
        Assert.Equal(new[] { IPAddress.Parse("93.184.215.14") }, connector.Dialed);
        Assert.Equal(1, publicSide.Connections);
        Assert.Equal(0, internalSide.Connections);
    }

    [Fact]
    public async Task A_name_that_answers_a_public_and_a_private_address_at_once_is_refused_whole()
    {
        await using var server = new CountingHttpServer();
        var resolver = new ScriptedResolver(new[] { IPAddress.Parse("93.184.215.14"), IPAddress.Loopback }); // one answer, two addresses
        var connector = new RoutedConnector(resolver, publicPort: server.Port);
        using var http = Client(connector);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://mixed.example:{server.Port}/"));

        Assert.NotNull(OutboundAddressRefusedException.In(error));
        Assert.Empty(connector.Dialed);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task A_redirect_to_an_internal_address_is_refused_at_its_connection()
    {
        // A link-card fetch follows redirects; a public page that redirects to the metadata service or loopback
        // must not get the request through.
        await using var internalSide = new CountingHttpServer();
        await using var publicSide = new CountingHttpServer
        {
            Answer = $"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{internalSide.Port}/latest/meta-data/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        };
        var connector = new RoutedConnector(ScriptedResolver.OneEach(IPAddress.Parse("93.184.215.14")), publicPort: publicSide.Port);
        using var http = Client(connector, followRedirects: true);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://public.example:{publicSide.Port}/"));

        Assert.NotNull(OutboundAddressRefusedException.In(error));
        Assert.Equal(1, publicSide.Connections);
        Assert.Equal(0, internalSide.Connections);
    }

    [Fact]
    public async Task A_socket_for_smtp_is_checked_the_same_way()
    {
        await using var smtp = new LoopbackSmtpServer();

        await Assert.ThrowsAsync<OutboundAddressRefusedException>(() => Connector(allowPrivateNetworks: false).ConnectAsync("127.0.0.1", smtp.Port, CancellationToken.None));
        Assert.Equal(0, smtp.Connections);

        using var socket = await Connector(allowPrivateNetworks: true).ConnectAsync("127.0.0.1", smtp.Port, CancellationToken.None);
        Assert.True(socket.Connected);
    }

    /// <summary>Answers each lookup with the next scripted answer; the last one repeats.</summary>
    private sealed class ScriptedResolver(params IPAddress[][] answers) : IHostAddressResolver
    {
        private int _lookups;

        public static ScriptedResolver OneEach(params IPAddress[] addresses) => new(addresses.Select(a => new[] { a }).ToArray());

        public int Lookups => Volatile.Read(ref _lookups);

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            var index = Interlocked.Increment(ref _lookups) - 1;
            return Task.FromResult(answers[Math.Min(index, answers.Length - 1)]);
        }
    }

    /// <summary>
    /// Stands in for the internet's routing: a public address it dials reaches a loopback server of the test's.
    /// Any non-public address is dialed for real, so a mistake in the check would show as a connection.
    /// </summary>
    private sealed class RoutedConnector(IHostAddressResolver resolver, int publicPort)
        : OutboundConnector(new OutboundAddressPolicy(allowPrivateNetworks: false), resolver, NullLogger<OutboundConnector>.Instance)
    {
        private readonly ConcurrentQueue<IPAddress> _dialed = new();

        public IReadOnlyList<IPAddress> Dialed => _dialed.ToList();

        protected override Task<Socket> DialAsync(IPAddress address, int port, CancellationToken cancellationToken)
        {
            _dialed.Enqueue(address);
            return OutboundAddressPolicy.NonPublicKind(address) is null
                ? base.DialAsync(IPAddress.Loopback, publicPort, cancellationToken)
                : base.DialAsync(address, port, cancellationToken);
        }
    }
}
