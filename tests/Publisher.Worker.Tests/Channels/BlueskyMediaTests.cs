using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Bluesky;

namespace Publisher.Worker.Tests.Channels;

/// <summary>Bluesky: blobs are uploaded with uploadBlob, then embedded in the first post with alt text and aspect ratio.</summary>
public sealed class BlueskyMediaTests : IAsyncLifetime
{
    private readonly FakeBlueskyPds _pds = new();
    private readonly BlueskyClient _client = ChannelKit.Client<BlueskyClient>();

    private PublishRequest Request(params PublishMedia[] media) =>
        ChannelKit.Request(ChannelKit.Connection(ChannelKind.Bluesky, _pds.BaseUri, _pds.Credentials)) with { Media = media };

    [Fact]
    public async Task Images_are_uploaded_as_raw_blobs_and_embedded_in_order_with_alt_text_and_aspect_ratio()
    {
        var wide = TestMedia.Jpeg(320, 180);
        var square = TestMedia.Png(200, 200);
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(Request(wide, square), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var uploads = _pds.Requests.Where(r => r.Path == "/xrpc/com.atproto.repo.uploadBlob").ToList();
        Assert.Equal(2, uploads.Count);
        Assert.Equal(["image/jpeg", "image/png"], uploads.Select(u => u.Header("Content-Type")));
        Assert.Equal(await TestMedia.BytesAsync(wide), uploads[0].BodyBytes);
        Assert.All(uploads, u => Assert.StartsWith("Bearer ", u.Header("Authorization")));
        var embed = Assert.Single(_pds.Records).Value.GetProperty("embed");
        Assert.Equal("app.bsky.embed.images", embed.GetProperty("$type").GetString());
        var images = embed.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal([wide.AltText, square.AltText], images.Select(i => i.GetProperty("alt").GetString()));
        Assert.Equal([(320, 180), (200, 200)], images.Select(i => (i.GetProperty("aspectRatio").GetProperty("width").GetInt32(), i.GetProperty("aspectRatio").GetProperty("height").GetInt32())));
        Assert.Equal(["image/jpeg", "image/png"], images.Select(i => i.GetProperty("image").GetProperty("mimeType").GetString()));
        // Each upload is recorded as the blob object itself, which is what a retry embeds.
        Assert.Equal([wide.Key, square.Key], progress.Media.Select(m => m.Key));
        Assert.Equal(images[0].GetProperty("image").GetRawText(), JsonDocument.Parse(progress.Media[0].NetworkMediaId).RootElement.GetRawText());
    }

    [Fact]
    public async Task A_video_is_embedded_as_app_bsky_embed_video_with_its_alt_text()
    {
        var video = TestMedia.Mp4(300_000);

        var result = await _client.PublishAsync(Request(video), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var embed = Assert.Single(_pds.Records).Value.GetProperty("embed");
        Assert.Equal("app.bsky.embed.video", embed.GetProperty("$type").GetString());
        Assert.Equal(video.AltText, embed.GetProperty("alt").GetString());
        Assert.Equal(300_000, embed.GetProperty("video").GetProperty("size").GetInt32());
        Assert.Equal(1280, embed.GetProperty("aspectRatio").GetProperty("width").GetInt32());
    }

    [Fact]
    public async Task A_retry_within_the_PDSs_window_embeds_the_blob_already_uploaded()
    {
        var image = TestMedia.Jpeg();
        var first = new RecordingProgress();
        _pds.FailNext(1, 502, """{"error":"UpstreamFailure","message":"Upstream Failure"}""", pathContains: "createRecord");
        Assert.Equal(PublishOutcome.Transient, (await _client.PublishAsync(Request(image), first, CancellationToken.None)).Outcome);
        var uploaded = Assert.Single(first.Media);

        var retry = Request(image) with { UploadedMedia = new Dictionary<string, UploadedMedia> { [image.Key] = new(uploaded.NetworkMediaId, uploaded.ExpiresAt) } };
        var result = await _client.PublishAsync(retry, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Single(_pds.Requests, r => r.Path.EndsWith("uploadBlob", StringComparison.Ordinal));
        Assert.NotNull(Assert.Single(_pds.Records).Value.GetProperty("embed").GetProperty("images")[0].GetProperty("image").GetProperty("ref").GetProperty("$link").GetString());
    }

    [Fact]
    public async Task After_the_PDSs_window_the_blob_is_uploaded_again()
    {
        var image = TestMedia.Jpeg();
        var stale = """{"$type":"blob","ref":{"$link":"bafkreigone"},"mimeType":"image/jpeg","size":10}""";
        var retry = Request(image) with { UploadedMedia = new Dictionary<string, UploadedMedia> { [image.Key] = new(stale, DateTimeOffset.UtcNow.AddSeconds(-1)) } };

        var result = await _client.PublishAsync(retry, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Single(_pds.Requests, r => r.Path.EndsWith("uploadBlob", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_expired_session_during_an_upload_signs_in_again_once_and_goes_on()
    {
        Assert.Equal(PublishOutcome.Published, (await _client.PublishAsync(ChannelKit.Request(ChannelKit.Connection(ChannelKind.Bluesky, _pds.BaseUri, _pds.Credentials), "Warm session."), new RecordingProgress(), CancellationToken.None)).Outcome);
        _pds.ExpireSessions();

        var result = await _client.PublishAsync(Request(TestMedia.Jpeg()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal(2, _pds.SessionCount);
        Assert.Equal(2, _pds.Requests.Count(r => r.Path.EndsWith("uploadBlob", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_refused_upload_is_permanent_in_the_PDSs_words_and_nothing_is_posted()
    {
        _pds.FailNext(1, 400, """{"error":"BlobTooLarge","message":"This file is too large"}""", pathContains: "uploadBlob");

        var result = await _client.PublishAsync(Request(TestMedia.Jpeg()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal("Uploading the image: Bluesky answered 400: This file is too large", result.Detail);
        Assert.Empty(_pds.Records);
    }

    [Fact]
    public async Task A_429_on_an_upload_is_transient_with_the_PDSs_reset()
    {
        var reset = DateTimeOffset.UtcNow.AddSeconds(300).ToUnixTimeSeconds();
        _pds.FailNext(1, 429, """{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}""",
            new Dictionary<string, string> { ["ratelimit-reset"] = reset.ToString(System.Globalization.CultureInfo.InvariantCulture) }, pathContains: "uploadBlob");

        var result = await _client.PublishAsync(Request(TestMedia.Jpeg()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.InRange(result.RetryAfter!.Value, TimeSpan.FromSeconds(290), TimeSpan.FromSeconds(300));
        Assert.Empty(_pds.Records);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _pds.DisposeAsync();
}
