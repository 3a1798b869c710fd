using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Mastodon;

namespace Publisher.Worker.Tests.Channels;

/// <summary>Mastodon: each medium goes up with POST /api/v2/media (description, focus), processing is awaited, then the status carries the ids.</summary>
public sealed class MastodonMediaTests : IAsyncLifetime
{
    private readonly FakeMastodonApi _mastodon = new();
    private readonly MastodonClient _client = ChannelKit.Client<MastodonClient>();

    private PublishRequest Request(params PublishMedia[] media) =>
        ChannelKit.Request(ChannelKit.Connection(ChannelKind.Mastodon, _mastodon.BaseUri, _mastodon.Credentials, handle: _mastodon.Username)) with { Media = media };

    [Fact]
    public async Task Images_go_up_as_multipart_with_their_description_and_focus_and_the_status_carries_their_ids_in_order()
    {
        var first = TestMedia.Jpeg(focus: new MediaFocalPoint(0.25, 0.25));
        var second = TestMedia.Png();
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(Request(first, second), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var uploads = _mastodon.Requests.Where(r => r.Path == "/api/v2/media").ToList();
        Assert.Equal(2, uploads.Count);
        Assert.All(uploads, u => Assert.Equal($"Bearer {_mastodon.AccessToken}", u.Header("Authorization")));
        var file = uploads[0].Parts!.Single(p => p.Name == "file");
        Assert.Equal("image/jpeg", file.ContentType);
        Assert.Equal(await TestMedia.BytesAsync(first), file.Bytes);
        Assert.Equal(first.AltText, uploads[0].Field("description"));
        // A quarter in from the top-left is (-0.5, 0.5) in Mastodon's focus, whose y runs upwards.
        Assert.Equal("-0.5,0.5", uploads[0].Field("focus"));
        Assert.Null(uploads[1].Field("focus"));
        // Only a video has a poster frame to send as its thumbnail.
        Assert.All(uploads, u => Assert.DoesNotContain(u.Parts!, p => p.Name == "thumbnail"));
        var status = Assert.Single(_mastodon.Statuses);
        Assert.Equal(progress.Media.Select(m => m.NetworkMediaId), status.MediaIds);
        Assert.Equal([first.AltText, second.AltText], status.MediaIds.Select(id => _mastodon.Media[id].Description));
        // An image is processed at once (200): nobody asks after it.
        Assert.DoesNotContain(_mastodon.Requests, r => r.Method == "GET" && r.Path.StartsWith("/api/v1/media/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_video_answered_202_is_polled_until_processed_before_the_status_is_posted()
    {
        _mastodon.ProcessingChecks = 1;

        var result = await _client.PublishAsync(Request(TestMedia.Mp4(200_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var polls = _mastodon.Requests.Where(r => r.Method == "GET" && r.Path.StartsWith("/api/v1/media/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, polls.Count);
        Assert.Single(Assert.Single(_mastodon.Statuses).MediaIds);
    }

    [Fact]
    public async Task A_video_goes_up_with_its_poster_frame_as_the_thumbnail()
    {
        var poster = TestMedia.Jpeg(1280, 720, alt: "A 20-second tour of the shop");
        var video = TestMedia.Mp4(150_000) with { Poster = poster };

        var result = await _client.PublishAsync(Request(video), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var upload = Assert.Single(_mastodon.Requests, r => r.Path == "/api/v2/media");
        var thumbnail = Assert.Single(upload.Parts!, p => p.Name == "thumbnail");
        Assert.True(thumbnail.IsFile);
        Assert.Equal("image/jpeg", thumbnail.ContentType);
        Assert.Equal(await TestMedia.BytesAsync(poster), thumbnail.Bytes);
        Assert.Equal(await TestMedia.BytesAsync(video), upload.Parts!.Single(p => p.Name == "file").Bytes);
        var id = Assert.Single(Assert.Single(_mastodon.Statuses).MediaIds);
        Assert.Equal(await TestMedia.BytesAsync(poster), _mastodon.Media[id].Thumbnail?.Bytes);
    }

    [Fact]
    public async Task The_fake_refuses_a_thumbnail_that_is_not_the_image_it_claims_to_be()
    {
        var notAnImage = TestMedia.Mp4(1_000) with { ContentType = "image/jpeg", Kind = PublishMediaKind.Image };
        var video = TestMedia.Mp4(150_000) with { Poster = notAnImage };

        var result = await _client.PublishAsync(Request(video), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("Thumbnail content type is invalid", result.Detail);
        Assert.Empty(_mastodon.Statuses);
    }

    [Fact]
    public async Task A_video_Mastodon_cannot_process_fails_permanently_and_nothing_is_posted()
    {
        _mastodon.FailProcessing = true;
        _mastodon.ProcessingChecks = 0;

        var result = await _client.PublishAsync(Request(TestMedia.Mp4(100_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal("Mastodon could not process the video: Validation failed: File could not be processed", result.Detail);
        Assert.Empty(_mastodon.Statuses);
    }

    [Fact]
    public async Task A_retry_reuses_the_upload_and_sets_its_description_again()
    {
        var image = TestMedia.Jpeg();
        var first = new RecordingProgress();
        _mastodon.FailNext(1, 503, """{"error":"Service Unavailable"}""", pathContains: "/api/v1/statuses");
        Assert.Equal(PublishOutcome.Transient, (await _client.PublishAsync(Request(image), first, CancellationToken.None)).Outcome);
        var uploaded = Assert.Single(first.Media);

        var retry = Request(image) with { UploadedMedia = new Dictionary<string, UploadedMedia> { [image.Key] = new(uploaded.NetworkMediaId, uploaded.ExpiresAt) } };
        var result = await _client.PublishAsync(retry, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Single(_mastodon.Requests, r => r.Path == "/api/v2/media");
        Assert.Contains(_mastodon.Requests, r => r.Method == "PUT" && r.Path == $"/api/v1/media/{uploaded.NetworkMediaId}");
        Assert.Equal([uploaded.NetworkMediaId], Assert.Single(_mastodon.Statuses).MediaIds);
    }

    [Fact]
    public async Task An_upload_Mastodon_no_longer_has_is_sent_again()
    {
        var image = TestMedia.Jpeg();
        var retry = Request(image) with { UploadedMedia = new Dictionary<string, UploadedMedia> { [image.Key] = new("999", DateTimeOffset.UtcNow.AddHours(1)) } };

        var result = await _client.PublishAsync(retry, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Single(_mastodon.Requests, r => r.Path == "/api/v2/media");
        Assert.NotEqual("999", Assert.Single(Assert.Single(_mastodon.Statuses).MediaIds));
    }

    [Fact]
    public async Task A_refused_upload_is_permanent_in_Mastodons_words_and_a_429_is_transient()
    {
        _mastodon.FailNext(1, 422, """{"error":"Validation failed: File content type is invalid, File is invalid"}""", pathContains: "/api/v2/media");
        var refused = await _client.PublishAsync(Request(TestMedia.Jpeg()), new RecordingProgress(), CancellationToken.None);
        _mastodon.FailNext(1, 429, """{"error":"Too many requests"}""", new Dictionary<string, string> { ["Retry-After"] = "120" }, pathContains: "/api/v2/media");
        var limited = await _client.PublishAsync(Request(TestMedia.Jpeg()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, refused.Outcome);
        Assert.Equal("Uploading the image: Mastodon answered 422: Validation failed: File content type is invalid, File is invalid", refused.Detail);
        Assert.Equal(PublishOutcome.Transient, limited.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(120), limited.RetryAfter);
        Assert.Empty(_mastodon.Statuses);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _mastodon.DisposeAsync();
}
