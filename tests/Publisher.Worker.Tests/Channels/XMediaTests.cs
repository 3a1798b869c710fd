using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.X;

namespace Publisher.Worker.Tests.Channels;

/// <summary>X: media are uploaded as X's v2 media endpoints document, then attached to the first post.</summary>
public sealed class XMediaTests : IAsyncLifetime
{
    private readonly FakeXApi _x = new();
    private readonly XClient _client = ChannelKit.Client<XClient>();

    private PublishRequest Request(params PublishMedia[] media) =>
        ChannelKit.Request(ChannelKit.Connection(ChannelKind.X, _x.BaseUri, _x.Credentials, handle: "@publisher_test"), "Autumn sale: 20% off.") with { Media = media };

    [Fact]
    public async Task Images_go_up_in_one_signed_multipart_request_each_with_their_alt_text_then_the_post_carries_their_ids_in_order()
    {
        var first = TestMedia.Jpeg();
        var second = TestMedia.Png();
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(Request(first, second), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var uploads = _x.Requests.Where(r => r.Path == "/2/media/upload").ToList();
        Assert.Equal(2, uploads.Count);
        foreach (var (upload, medium) in uploads.Zip([first, second]))
        {
            Assert.StartsWith("OAuth ", upload.Header("Authorization"));
            Assert.Equal(["media", "media_category"], upload.Parts!.Select(p => p.Name).Order());
            Assert.Equal("tweet_image", upload.Field("media_category"));
            var file = upload.Parts!.Single(p => p.Name == "media");
            Assert.True(file.IsFile);
            Assert.Equal(medium.ContentType, file.ContentType);
            Assert.Equal(await TestMedia.BytesAsync(medium), file.Bytes);
        }
        var tweet = Assert.Single(_x.Tweets);
        Assert.Equal(2, tweet.MediaIds.Count);
        Assert.Equal([first.AltText, second.AltText], tweet.MediaIds.Select(id => _x.Media[id].AltText));
        Assert.Equal([first.Key, second.Key], progress.Media.Select(m => m.Key));
        Assert.Equal(tweet.MediaIds, progress.Media.Select(m => m.NetworkMediaId));
        // X keeps an unattached upload for expires_after_secs: a retry may reuse it until then.
        Assert.All(progress.Media, m => Assert.InRange(m.ExpiresAt!.Value, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25)));
        var metadata = _x.Requests.Where(r => r.Path == "/2/media/metadata").Select(r => r.Json()).ToList();
        Assert.Equal(first.AltText, metadata[0].GetProperty("metadata").GetProperty("alt_text").GetProperty("text").GetString());
        // Uploads and alt texts all come before the post.
        Assert.Equal("/2/tweets", _x.Requests[^1].Path);
    }

    [Fact]
    public async Task A_video_goes_up_in_chunks_in_order_with_exact_byte_counts_and_is_posted_once_processing_succeeds()
    {
        var video = TestMedia.Mp4(XMediaUploader.ChunkSize + 123_457);
        _x.ProcessingChecks = 2;

        var result = await _client.PublishAsync(Request(video), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var init = Assert.Single(_x.Requests, r => r.Path == "/2/media/upload/initialize").Json();
        Assert.Equal("video/mp4", init.GetProperty("media_type").GetString());
        Assert.Equal(video.Length, init.GetProperty("total_bytes").GetInt64());
        Assert.Equal("tweet_video", init.GetProperty("media_category").GetString());
        var appends = _x.Requests.Where(r => r.Path.EndsWith("/append", StringComparison.Ordinal)).ToList();
        Assert.Equal(["0", "1"], appends.Select(a => a.Field("segment_index")));
        Assert.Equal([XMediaUploader.ChunkSize, 123_457], appends.Select(a => a.Parts!.Single(p => p.Name == "media").Bytes.Length));
        var medium = Assert.Single(_x.Media.Values);
        Assert.Equal(await TestMedia.BytesAsync(video), medium.Bytes);
        // Asked until X said succeeded (in_progress twice, then succeeded), and no alt text for a video: X keeps none.
        Assert.Equal(3, medium.StatusChecks);
        Assert.DoesNotContain(_x.Requests, r => r.Path == "/2/media/metadata");
        Assert.Equal([medium.Id], Assert.Single(_x.Tweets).MediaIds);
    }

    [Fact]
    public async Task An_animated_GIF_goes_up_in_chunks_as_tweet_gif_with_its_alt_text()
    {
        var gif = TestMedia.AnimatedGif();
        _x.ProcessingChecks = 0;

        var result = await _client.PublishAsync(Request(gif), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var init = Assert.Single(_x.Requests, r => r.Path == "/2/media/upload/initialize").Json();
        Assert.Equal("tweet_gif", init.GetProperty("media_category").GetString());
        Assert.Equal("image/gif", init.GetProperty("media_type").GetString());
        Assert.Equal(gif.AltText, Assert.Single(_x.Media.Values).AltText);
    }

    [Fact]
    public async Task A_retry_attaches_what_an_earlier_attempt_uploaded_instead_of_sending_it_again()
    {
        var image = TestMedia.Jpeg();
        var firstProgress = new RecordingProgress();
        _x.FailNext(1, 503, """{"title":"Service Unavailable","detail":"Over capacity","type":"about:blank","status":503}""", pathContains: "/2/tweets");
        var failed = await _client.PublishAsync(Request(image), firstProgress, CancellationToken.None);
        Assert.Equal(PublishOutcome.Transient, failed.Outcome);
        var uploaded = Assert.Single(firstProgress.Media);

        var retry = Request(image) with { UploadedMedia = new Dictionary<string, UploadedMedia> { [image.Key] = new(uploaded.NetworkMediaId, uploaded.ExpiresAt) } };
        var result = await _client.PublishAsync(retry, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Single(_x.Requests, r => r.Path == "/2/media/upload");
        Assert.Equal([uploaded.NetworkMediaId], Assert.Single(_x.Tweets).MediaIds);
    }

    [Fact]
    public async Task An_upload_past_its_expiry_is_sent_again()
    {
        var image = TestMedia.Jpeg();
        var retry = Request(image) with { UploadedMedia = new Dictionary<string, UploadedMedia> { [image.Key] = new("1234", DateTimeOffset.UtcNow.AddSeconds(30)) } };

        var result = await _client.PublishAsync(retry, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Single(_x.Requests, r => r.Path == "/2/media/upload");
        Assert.NotEqual("1234", Assert.Single(Assert.Single(_x.Tweets).MediaIds));
    }

    [Fact]
    public async Task A_reused_video_X_has_forgotten_is_uploaded_again()
    {
        var video = TestMedia.Mp4(50_000);
        _x.ProcessingChecks = 0;
        var retry = Request(video) with { UploadedMedia = new Dictionary<string, UploadedMedia> { [video.Key] = new("1999", null) } };

        var result = await _client.PublishAsync(retry, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Contains(_x.Requests, r => r.Path == "/2/media/upload" && r.QueryString.Contains("media_id=1999"));
        Assert.Single(_x.Requests, r => r.Path == "/2/media/upload/initialize");
    }

    [Fact]
    public async Task A_429_on_an_upload_is_transient_with_Xs_reset_and_nothing_is_posted()
    {
        var reset = DateTimeOffset.UtcNow.AddSeconds(600).ToUnixTimeSeconds();
        _x.FailNext(1, 429, """{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}""",
            new Dictionary<string, string> { ["x-rate-limit-reset"] = reset.ToString(System.Globalization.CultureInfo.InvariantCulture) }, pathContains: "/2/media/upload");

        var result = await _client.PublishAsync(Request(TestMedia.Jpeg()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.InRange(result.RetryAfter!.Value, TimeSpan.FromSeconds(590), TimeSpan.FromSeconds(600));
        Assert.StartsWith("Uploading the image: X answered 429", result.Detail);
        Assert.Empty(_x.Tweets);
    }

    [Fact]
    public async Task An_upload_X_refuses_is_permanent_in_its_words_and_nothing_is_posted()
    {
        _x.FailNext(1, 400, """{"errors":[{"message":"media type unrecognized."}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}""", pathContains: "/2/media/upload");

        var result = await _client.PublishAsync(Request(TestMedia.Jpeg(), TestMedia.Png()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("image 1 of 2", result.Detail);
        Assert.Contains("media type unrecognized", result.Detail);
        Assert.Empty(_x.Tweets);
    }

    [Fact]
    public async Task A_video_X_cannot_process_fails_permanently_with_Xs_reason_and_nothing_is_posted()
    {
        _x.FailProcessing = true;
        _x.ProcessingChecks = 0;

        var result = await _client.PublishAsync(Request(TestMedia.Mp4(40_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal("X could not process the video: Unsupported video codec.", result.Detail);
        Assert.Empty(_x.Tweets);
    }

    [Fact]
    public async Task A_broken_connection_during_an_upload_is_transient_and_nothing_is_posted()
    {
        _x.AbortNext(1, afterHandling: false, pathContains: "/append");

        var result = await _client.PublishAsync(Request(TestMedia.Mp4(30_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Contains("nothing was posted", result.Detail);
        Assert.Empty(_x.Tweets);
    }

    [Fact]
    public async Task In_a_thread_the_media_go_with_the_first_post_only()
    {
        var request = Request(TestMedia.Jpeg()) with { ThreadParts = ["Part one.", "Part two."], Text = "Part one." };

        var result = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Single(_x.Tweets[0].MediaIds);
        Assert.Empty(_x.Tweets[1].MediaIds);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _x.DisposeAsync();
}

public sealed class XMediaGuardTests
{
    [Fact]
    public async Task Uploads_go_through_the_outbound_guard_so_a_private_address_is_refused_before_any_byte_is_sent()
    {
        await using var x = new FakeXApi();
        var client = ChannelKit.Client<XClient>(allowPrivateNetworks: false);
        var request = ChannelKit.Request(ChannelKit.Connection(ChannelKind.X, x.BaseUri, x.Credentials)) with { Media = [TestMedia.Jpeg()] };

        var result = await client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Empty(x.Requests);
    }
}
