using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Bluesky;

namespace Publisher.Worker.Tests.Channels;

/// <summary>
/// The link card the author wrote goes out as approved (or none when removed), and a card whose page has no image, or
/// whose image cannot be fetched, takes the message's first image as its thumb. The strict fake PDS checks each embed.
/// </summary>
public sealed class BlueskyEditedLinkCardTests : IAsyncLifetime
{
    private readonly FakeBlueskyPds _pds = new();
    private readonly LinkedPageServer _site = new();
    private readonly BlueskyClient _client = ChannelKit.Client<BlueskyClient>();
    private readonly byte[] _pageImage = Png(600, 315, 160);
    private readonly byte[] _attached = Png(400, 300, 40);

    private PublishRequest Request(LinkCardEdit? card = null, bool withFallback = true) =>
        ChannelKit.Request(ChannelKit.Connection(ChannelKind.Bluesky, _pds.BaseUri, _pds.Credentials), link: _site.Address("sale").AbsoluteUri) with
        {
            LinkCard = card,
            LinkCardImage = withFallback
                ? new PublishMedia(new string('c', 64), PublishMediaKind.Image, "image/png", _attached.Length, 400, 300, null, "Beans in a sack", null,
                    _ => Task.FromResult<Stream>(new MemoryStream(_attached, writable: false)), null)
                : null,
        };

    private static byte[] Png(int width, int height, double blue)
    {
        using var image = NetVips.Image.Black(width, height, bands: 3) + new[] { 30, 90, blue };
        return image.PngsaveBuffer();
    }

    private void PutPage(bool withImage)
    {
        _site.Put("img/card.png", LinkedPage.Bytes("image/png", _pageImage));
        _site.Put("sale", LinkedPage.Html($"""
            <!doctype html><html><head>
            <meta property="og:title" content="The page's own title">
            <meta property="og:description" content="The page's own description.">
            {(withImage ? """<meta property="og:image" content="/img/card.png">""" : "")}
            </head><body></body></html>
            """));
    }

    private async Task<JsonElement> PublishedExternalAsync(PublishRequest request)
    {
        var result = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var embed = Assert.Single(_pds.Records).Value.GetProperty("embed");
        Assert.Equal("app.bsky.embed.external", embed.GetProperty("$type").GetString());
        return embed.GetProperty("external");
    }

    private byte[] ThumbBytes(JsonElement external) => _pds.Blobs[external.GetProperty("thumb").GetProperty("ref").GetProperty("$link").GetString()!].Bytes;

    [Fact]
    public async Task The_authors_card_goes_out_with_its_own_words_and_the_image_it_kept()
    {
        PutPage(withImage: true);
        var card = new LinkCardEdit { Title = "Beans, roasted Friday", Description = "Our words, not the page's.", Thumb = LinkCardThumb.Page, ImageUrl = _site.Address("img/card.png").AbsoluteUri };

        var external = await PublishedExternalAsync(Request(card));

        Assert.Equal(_site.Address("sale").AbsoluteUri, external.GetProperty("uri").GetString());
        Assert.Equal("Beans, roasted Friday", external.GetProperty("title").GetString());
        Assert.Equal("Our words, not the page's.", external.GetProperty("description").GetString());
        Assert.Equal(_pageImage, ThumbBytes(external));
        // The approved words are not read again from the page: only the image is fetched.
        Assert.Equal(["/img/card.png"], _site.Requested);
    }

    [Fact]
    public async Task A_removed_card_posts_without_any_embed_and_reads_nothing_from_the_page()
    {
        PutPage(withImage: true);

        var result = await _client.PublishAsync(Request(new LinkCardEdit { Removed = true }), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.False(Assert.Single(_pds.Records).Value.TryGetProperty("embed", out _));
        Assert.Empty(_site.Requested);
        Assert.DoesNotContain(_pds.Requests, r => r.Path.EndsWith("uploadBlob", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_page_without_an_image_gives_the_card_the_messages_first_image()
    {
        PutPage(withImage: false);

        var external = await PublishedExternalAsync(Request());

        Assert.Equal("The page's own title", external.GetProperty("title").GetString());
        Assert.Equal(_attached, ThumbBytes(external));
        Assert.Equal("image/png", external.GetProperty("thumb").GetProperty("mimeType").GetString());
    }

    [Fact]
    public async Task A_page_image_that_cannot_be_fetched_falls_back_to_the_messages_first_image()
    {
        _site.Put("sale", LinkedPage.Html("""<head><meta property="og:title" content="Sale"><meta property="og:image" content="/img/missing.png"></head>"""));

        var external = await PublishedExternalAsync(Request());

        Assert.Equal(_attached, ThumbBytes(external));
        Assert.Equal(["/sale", "/img/missing.png"], _site.Requested);
    }

    [Fact]
    public async Task Without_a_page_image_or_an_attached_image_the_card_has_no_thumb()
    {
        PutPage(withImage: false);

        var external = await PublishedExternalAsync(Request(withFallback: false));

        Assert.False(external.TryGetProperty("thumb", out _));
    }

    [Fact]
    public async Task The_authors_thumbnail_choice_is_kept_the_attached_image_or_none()
    {
        PutPage(withImage: true);
        var attachment = await PublishedExternalAsync(Request(new LinkCardEdit { Title = "Ours", Thumb = LinkCardThumb.Attachment, ImageUrl = _site.Address("img/card.png").AbsoluteUri }));
        Assert.Equal(_attached, ThumbBytes(attachment));
        Assert.Empty(_site.Requested);
    }

    [Fact]
    public async Task A_card_the_author_left_without_an_image_goes_without_a_thumb_though_one_is_at_hand()
    {
        PutPage(withImage: true);

        var external = await PublishedExternalAsync(Request(new LinkCardEdit { Title = "Ours", Description = "", Thumb = LinkCardThumb.None }));

        Assert.Equal("Ours", external.GetProperty("title").GetString());
        Assert.Equal("", external.GetProperty("description").GetString());
        Assert.False(external.TryGetProperty("thumb", out _));
        Assert.Empty(_site.Requested);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _pds.DisposeAsync();
        await _site.DisposeAsync();
    }
}
