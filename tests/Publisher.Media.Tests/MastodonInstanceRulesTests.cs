using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Publisher.Core.Domain;
using Publisher.Core.Media;
using Publisher.Media.Rules;
using Publisher.Testing;

namespace Publisher.Media.Tests;

/// <summary>
/// A Mastodon account's media limits come from its instance's <c>GET /api/v2/instance</c>; whatever that answers
/// when it cannot be read (an error, a page that is not JSON, JSON of another shape, nobody listening), writing goes on
/// with the table's defaults, or with the limits read before.
/// </summary>
public sealed class MastodonInstanceRulesTests
{
    private sealed class Clients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }

    private static ChannelMediaRulesSource Source() => new(new Clients(), TimeProvider.System, NullLogger<ChannelMediaRulesSource>.Instance);

    private static ChannelAccount Account(int port) => new() { Name = "Roastery on Mastodon", Kind = "Mastodon", BaseAddress = $"http://127.0.0.1:{port}" };

    private static string Answer(int status, string contentType, string body) =>
        $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Error")}\r\nContent-Type: {contentType}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";

    private const string SixImages =
        """{"configuration":{"statuses":{"max_media_attachments":6},"media_attachments":{"image_size_limit":8388608,"video_size_limit":41943040,"description_limit":1000}}}""";

    public static TheoryData<string> Unreadable() => new()
    {
        Answer(500, "application/json", """{"error":"Internal server error"}"""),
        Answer(404, "text/html", "<html><body>Not found</body></html>"),
        Answer(200, "text/html", "<html><body>Welcome to our instance</body></html>"),
        Answer(200, "application/json", """{"configuration":"closed"}"""),
        Answer(200, "application/json", """{"configuration":{"statuses":{"max_media_attachments":-3},"media_attachments":{"image_size_limit":"big","video_size_limit":0}}}"""),
        Answer(200, "application/json", "[1, 2, 3]"),
        Answer(200, "application/json", """{"configuration":{"statuses":{"max_media_attachments":6"""),
    };

    [Theory]
    [MemberData(nameof(Unreadable))]
    public async Task An_instance_that_cannot_be_read_leaves_the_table_s_defaults(string answer)
    {
        await using var instance = new CountingHttpServer { Answer = answer };
        var rules = await Source().ForNowAsync(Account(instance.Port));
        Assert.Same(ChannelMediaTable.For("Mastodon"), rules);
        Assert.Equal(1, instance.Connections);
    }

    [Fact]
    public async Task Nobody_listening_leaves_the_defaults_and_limits_read_before_stay_when_a_later_read_fails()
    {
        int closedPort;
        await using (var gone = new CountingHttpServer())
            closedPort = gone.Port;
        Assert.Same(ChannelMediaTable.For("Mastodon"), await Source().ForNowAsync(Account(closedPort)));

        await using var instance = new CountingHttpServer { Answer = Answer(200, "application/json", SixImages) };
        var source = Source();
        var account = Account(instance.Port);
        var read = await source.ForNowAsync(account);
        Assert.Equal((6, 8_388_608L, 41_943_040L, 1000), (read!.MaxItems!.Value, read.MaxImageBytes, read.MaxVideoBytes, read.MaxAltTextLength));

        instance.Answer = Answer(503, "text/plain", "Down for maintenance");
        var after = await source.ForNowAsync(account);
        Assert.Same(read, after);
        Assert.Same(read, source.For(account));
    }
}
