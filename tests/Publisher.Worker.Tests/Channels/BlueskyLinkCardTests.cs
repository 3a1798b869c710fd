using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Domain;
using Publisher.Core.Networking;
using Publisher.Templates.Channels;
using Publisher.Testing;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Bluesky;

namespace Publisher.Worker.Tests.Channels;

/// <summary>
/// A Bluesky post with a link and no media carries the link's card (app.bsky.embed.external), read from the page's
/// Open Graph tags on a local site through the outbound guard, or made of the message's title and summary when the
/// page cannot be read. The strict fake PDS checks the embed and its thumb blob.
/// </summary>
public sealed class BlueskyLinkCardTests : IAsyncLifetime
{
    private readonly FakeBlueskyPds _pds = new();
    private readonly LinkedPageServer _site = new();
    private readonly BlueskyClient _client = ChannelKit.Client<BlueskyClient>();

    private PublishRequest Request(Uri link, string? summary = "Everything in the shop, this week only.") =>
        ChannelKit.Request(ChannelKit.Connection(ChannelKind.Bluesky, _pds.BaseUri, _pds.Credentials), link: link.AbsoluteUri) with { Summary = summary };

    private static byte[] Png(int width, int height)
    {
        using var image = NetVips.Image.Black(width, height, bands: 3) + new double[] { 30, 90, 160 };
        return image.PngsaveBuffer();
    }

    private static JsonElement External(FakeRecord record)
    {
        var embed = record.Value.GetProperty("embed");
        Assert.Equal("app.bsky.embed.external", embed.GetProperty("$type").GetString());
        return embed.GetProperty("external");
    }

    [Fact]
    public async Task The_pages_Open_Graph_title_description_and_image_make_the_card_with_the_image_as_its_thumb()
    {
        var thumb = Png(600, 315);
        _site.Put("img/card.png", LinkedPage.Bytes("image/png", thumb));
        _site.Put("sale", LinkedPage.Html("""
            <!doctype html><html><head><title>Shop – Autumn</title>
            <meta property="og:title" content="Autumn sale: 20% off &amp; free delivery">
            <meta content='Every jacket, boot and scarf, until Sunday.' property='og:description'>
            <meta property="og:image" content="/img/card.png">
            </head><body><h1>Sale</h1></body></html>
            """));

        var result = await _client.PublishAsync(Request(_site.Address("sale")), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var external = External(Assert.Single(_pds.Records));
        Assert.Equal(_site.Address("sale").AbsoluteUri, external.GetProperty("uri").GetString());
        Assert.Equal("Autumn sale: 20% off & free delivery", external.GetProperty("title").GetString());
        Assert.Equal("Every jacket, boot and scarf, until Sunday.", external.GetProperty("description").GetString());
        var blob = external.GetProperty("thumb");
        Assert.Equal("image/png", blob.GetProperty("mimeType").GetString());
        Assert.Equal(thumb.Length, blob.GetProperty("size").GetInt32());
        Assert.Equal(thumb, _pds.Blobs[blob.GetProperty("ref").GetProperty("$link").GetString()!].Bytes);
        var upload = Assert.Single(_pds.Requests, r => r.Path.EndsWith("uploadBlob", StringComparison.Ordinal));
        Assert.Equal("image/png", upload.Header("Content-Type"));
        Assert.Equal(["/sale", "/img/card.png"], _site.Requested);
        Assert.All(_site.UserAgents, agent => Assert.StartsWith("PublisherLinkCards/", agent));
    }

    [Fact]
    public async Task A_page_that_cannot_be_read_gives_a_card_of_the_messages_title_and_summary_without_a_thumb()
    {
        var link = _site.Address("gone");

        var result = await _client.PublishAsync(Request(link), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var external = External(Assert.Single(_pds.Records));
        Assert.Equal(link.AbsoluteUri, external.GetProperty("uri").GetString());
        Assert.Equal("Autumn sale", external.GetProperty("title").GetString());
        Assert.Equal("Everything in the shop, this week only.", external.GetProperty("description").GetString());
        Assert.False(external.TryGetProperty("thumb", out _));
        Assert.DoesNotContain(_pds.Requests, r => r.Path.EndsWith("uploadBlob", StringComparison.Ordinal));
        Assert.Equal(["/gone"], _site.Requested);
    }

    [Fact]
    public async Task Without_a_summary_the_fallback_description_is_empty_as_the_lexicon_still_requires_one()
    {
        var result = await _client.PublishAsync(Request(_site.Address("missing"), summary: null), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal("", External(Assert.Single(_pds.Records)).GetProperty("description").GetString());
    }

    [Fact]
    public async Task A_pages_markup_and_invisible_characters_are_not_carried_into_the_card_and_long_text_is_cut()
    {
        var longDescription = string.Concat(Enumerable.Repeat("Warm coats for cold days. ", 100));
        _site.Put("odd", LinkedPage.Html($"""
            <html><head>
            <meta property="og:title" content="&lt;script&gt;alert(1)&lt;/script&gt;Coats&#x202E; &#x200B;on sale">
            <meta name="description" content="{longDescription}">
            </head></html>
            """));

        await _client.PublishAsync(Request(_site.Address("odd")), new RecordingProgress(), CancellationToken.None);

        var external = External(Assert.Single(_pds.Records));
        var title = external.GetProperty("title").GetString()!;
        Assert.DoesNotContain("<", title);
        Assert.DoesNotContain('\u202E', title);
        Assert.DoesNotContain('\u200B', title);
        Assert.EndsWith("Coats on sale", title);
        var description = external.GetProperty("description").GetString()!;
        Assert.True(description.Length <= LinkCardReader.MaxDescriptionLength + 1, $"{description.Length} characters");
        Assert.EndsWith("…", description);
    }

    [Fact]
    public async Task A_thumb_over_Blueskys_limit_or_not_an_image_is_left_out_and_the_card_still_goes()
    {
        var huge = new byte[LinkCardReader.MaxImageBytes + 1];
        Png(8, 8).CopyTo(huge, 0);
        _site.Put("big.png", LinkedPage.Bytes("image/png", huge));
        _site.Put("fake.png", LinkedPage.Html("<html><head><title>not a picture</title></head></html>"));
        _site.Put("a", LinkedPage.Html("""<head><meta property="og:title" content="A"><meta property="og:image" content="big.png"></head>"""));
        _site.Put("b", LinkedPage.Html("""<head><meta property="og:title" content="B"><meta property="og:image" content="fake.png"></head>"""));

        foreach (var path in new[] { "a", "b" })
            Assert.Equal(PublishOutcome.Published, (await _client.PublishAsync(Request(_site.Address(path)), new RecordingProgress(), CancellationToken.None)).Outcome);

        Assert.Equal(["A", "B"], _pds.Records.Select(r => External(r).GetProperty("title").GetString()));
        Assert.All(_pds.Records, r => Assert.False(External(r).TryGetProperty("thumb", out _)));
        Assert.DoesNotContain(_pds.Requests, r => r.Path.EndsWith("uploadBlob", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redirect_is_followed_and_the_card_keeps_the_posts_own_link()
    {
        _site.Put("short", LinkedPage.Redirect("/articles/autumn"));
        _site.Put("articles/autumn", LinkedPage.Html("""<head><meta property="og:title" content="Moved here"><meta property="og:image" content="cover.png"></head>"""));
        _site.Put("articles/cover.png", LinkedPage.Bytes("image/png", Png(40, 20)));

        await _client.PublishAsync(Request(_site.Address("short")), new RecordingProgress(), CancellationToken.None);

        var external = External(Assert.Single(_pds.Records));
        Assert.Equal(_site.Address("short").AbsoluteUri, external.GetProperty("uri").GetString());
        Assert.Equal("Moved here", external.GetProperty("title").GetString());
        // The image address is relative to where the page really was.
        Assert.Equal("image/png", external.GetProperty("thumb").GetProperty("mimeType").GetString());
        Assert.Contains("/articles/cover.png", _site.Requested);
    }

    [Fact]
    public async Task A_tracked_link_is_read_where_it_leads_and_the_card_links_to_the_tracked_address()
    {
        _site.Put("roast", LinkedPage.Html("""<head><meta property="og:title" content="The real page"></head>"""));
        var tracked = new Uri("https://publisher.example/l/Ab12Cd34Ef");

        await _client.PublishAsync(Request(tracked) with { LinkDestination = _site.Address("roast").AbsoluteUri }, new RecordingProgress(), CancellationToken.None);

        var external = External(Assert.Single(_pds.Records));
        Assert.Equal(tracked.AbsoluteUri, external.GetProperty("uri").GetString());
        Assert.Equal("The real page", external.GetProperty("title").GetString());
        Assert.Equal(["/roast"], _site.Requested);
    }

    [Fact]
    public async Task Tags_past_the_read_limit_are_not_read_and_the_messages_words_stand_in()
    {
        var padding = new string(' ', LinkCardReader.MaxPageBytes + 10);
        _site.Put("long", LinkedPage.Html("<html><head>" + padding + """<meta property="og:title" content="Too far down"><title>Too far</title></head></html>"""));

        await _client.PublishAsync(Request(_site.Address("long")), new RecordingProgress(), CancellationToken.None);

        Assert.Equal("Autumn sale", External(Assert.Single(_pds.Records)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_post_with_media_embeds_the_media_and_never_reads_the_linked_page()
    {
        _site.Put("sale", LinkedPage.Html("""<head><meta property="og:title" content="Sale"></head>"""));

        await _client.PublishAsync(Request(_site.Address("sale")) with { Media = [TestMedia.Jpeg()] }, new RecordingProgress(), CancellationToken.None);

        Assert.Equal("app.bsky.embed.images", Assert.Single(_pds.Records).Value.GetProperty("embed").GetProperty("$type").GetString());
        Assert.Empty(_site.Requested);
    }

    [Fact]
    public async Task The_reader_refuses_a_private_address_without_AllowPrivateNetworks_and_never_connects()
    {
        _site.Put("sale", LinkedPage.Html("""<head><meta property="og:title" content="Internal"></head>"""));
        var reader = Reader(allowPrivateNetworks: false);

        Assert.Null(await reader.ReadAsync(_site.Address("sale"), CancellationToken.None));
        Assert.Null(await reader.ReadImageAsync(_site.Address("sale"), CancellationToken.None));
        Assert.Null(await reader.ReadAsync(new Uri("http://169.254.169.254/latest/meta-data/"), CancellationToken.None));
        Assert.Empty(_site.Requested);
        // The same page with private networks allowed is read, so the refusal above was the guard's.
        Assert.Equal("Internal", (await Reader(allowPrivateNetworks: true).ReadAsync(_site.Address("sale"), CancellationToken.None))?.Title);
    }

    [Fact]
    public async Task A_page_slower_than_the_time_limit_is_given_up_on()
    {
        _site.Put("slow", LinkedPage.Html("""<head><meta property="og:title" content="Slow"></head>""") with { Delay = LinkCardReader.Timeout + TimeSpan.FromSeconds(20) });

        Assert.Null(await Reader(allowPrivateNetworks: true).ReadAsync(_site.Address("slow"), CancellationToken.None));
    }

    [Fact]
    public void Parsing_reads_Twitter_and_plain_title_and_description_when_Open_Graph_is_missing_and_never_a_script_address()
    {
        var link = new Uri("https://shop.example/sale");
        var card = LinkCardReader.Parse(link, link, """
            <head><title> Plain title </title><meta name="twitter:description" content="From Twitter">
            <meta name="twitter:image" content="javascript:alert(1)"></head>
            """);

        Assert.NotNull(card);
        Assert.Equal("Plain title", card.Title);
        Assert.Equal("From Twitter", card.Description);
        Assert.Null(card.ImageUrl);
        Assert.Null(LinkCardReader.Parse(link, link, "<html><body>no head at all</body></html>"));
    }

    private static LinkCardReader Reader(bool allowPrivateNetworks)
    {
        var services = new ServiceCollection().AddLogging();
        services.Configure<OutboundNetworkOptions>(o => o.AllowPrivateNetworks = allowPrivateNetworks);
        services.AddLinkCardReader();
        return services.BuildServiceProvider().GetRequiredService<LinkCardReader>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _pds.DisposeAsync();
        await _site.DisposeAsync();
    }
}
