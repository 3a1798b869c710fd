using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Bluesky;

namespace Publisher.Worker.Tests.Channels;

/// <summary>
/// A card stored when the variant was rendered goes out exactly as stored (its address, words and thumbnail bytes),
/// whatever the page says by then, and the page is not read at all. The strict fake PDS checks the upload and the embed.
/// </summary>
public sealed class BlueskyStoredLinkCardTests : IAsyncLifetime
{
    private readonly FakeBlueskyPds _pds = new();
    private readonly LinkedPageServer _site = new();
    private readonly BlueskyClient _client = ChannelKit.Client<BlueskyClient>();
    private readonly byte[] _storedThumb = Png(1200, 630, 200);

    private static byte[] Png(int width, int height, double blue)
    {
        using var image = NetVips.Image.Black(width, height, bands: 3) + new[] { 30, 90, blue };
        return image.PngsaveBuffer();
    }

    private PublishRequest Request(StoredLinkCard? card) =>
        ChannelKit.Request(ChannelKit.Connection(ChannelKind.Bluesky, _pds.BaseUri, _pds.Credentials), link: "https://pbl.example/r/abc123") with
        {
            LinkDestination = _site.Address("sale").AbsoluteUri,
            LinkCardStored = true,
            StoredLinkCard = card,
        };

    private StoredLinkCard Stored(bool withThumb = true) => new("https://pbl.example/r/abc123", "The title as approved", "The description as approved.",
        withThumb
            ? new PublishMedia(new string('e', 64), PublishMediaKind.Image, "image/png", _storedThumb.Length, 1200, 630, null, "", null,
                _ => Task.FromResult<Stream>(new MemoryStream(_storedThumb, writable: false)), null)
            : null);

    public Task InitializeAsync()
    {
        // The page changed its tags after approval: none of this may reach the post.
        _site.Put("img/new.png", LinkedPage.Bytes("image/png", Png(300, 200, 10)));
        _site.Put("sale", LinkedPage.Html("""<head><meta property="og:title" content="Changed after approval"><meta property="og:image" content="/img/new.png"></head>"""));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_stored_card_goes_out_as_stored_and_the_page_is_not_read()
    {
        var result = await _client.PublishAsync(Request(Stored()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var embed = Assert.Single(_pds.Records).Value.GetProperty("embed");
        Assert.Equal("app.bsky.embed.external", embed.GetProperty("$type").GetString());
        var external = embed.GetProperty("external");
        Assert.Equal("https://pbl.example/r/abc123", external.GetProperty("uri").GetString());
        Assert.Equal("The title as approved", external.GetProperty("title").GetString());
        Assert.Equal("The description as approved.", external.GetProperty("description").GetString());
        var thumb = external.GetProperty("thumb");
        Assert.Equal("image/png", thumb.GetProperty("mimeType").GetString());
        Assert.Equal(_storedThumb, _pds.Blobs[thumb.GetProperty("ref").GetProperty("$link").GetString()!].Bytes);
        Assert.Empty(_site.Requested);
    }

    [Fact]
    public async Task A_stored_card_without_a_thumbnail_uploads_nothing_and_a_removed_one_posts_no_embed()
    {
        Assert.Equal(PublishOutcome.Published, (await _client.PublishAsync(Request(Stored(withThumb: false)), new RecordingProgress(), CancellationToken.None)).Outcome);
        var external = Assert.Single(_pds.Records).Value.GetProperty("embed").GetProperty("external");
        Assert.False(external.TryGetProperty("thumb", out _));
        Assert.DoesNotContain(_pds.Requests, r => r.Path.EndsWith("uploadBlob", StringComparison.Ordinal));

        var removed = Request(null) with { IdempotencyKey = "removed-card-" + Guid.NewGuid() };
        Assert.Equal(PublishOutcome.Published, (await _client.PublishAsync(removed, new RecordingProgress(), CancellationToken.None)).Outcome);
        Assert.Equal(2, _pds.Records.Count);
        Assert.Single(_pds.Records, r => !r.Value.TryGetProperty("embed", out _));
        Assert.Empty(_site.Requested);
    }

    public async Task DisposeAsync()
    {
        await _pds.DisposeAsync();
        await _site.DisposeAsync();
    }
}
