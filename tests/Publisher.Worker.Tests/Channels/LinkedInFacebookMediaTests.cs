using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.FacebookPage;
using Publisher.Worker.Channels.LinkedIn;

namespace Publisher.Worker.Tests.Channels;

/// <summary>LinkedIn: images registered with the Images API, PUT to the upload address, then named in the post's content.</summary>
public sealed class LinkedInMediaTests : IAsyncLifetime
{
    private readonly FakeLinkedInApi _linkedIn = new();
    private readonly LinkedInClient _client = ChannelKit.Client<LinkedInClient>();

    private PublishRequest Request(params PublishMedia[] media) =>
        ChannelKit.Request(ChannelKit.Connection(ChannelKind.LinkedIn, _linkedIn.BaseUri, _linkedIn.Credentials,
            new Dictionary<string, string> { ["author_urn"] = _linkedIn.AuthorUrn })) with { Media = media };

    [Fact]
    public async Task One_image_is_initialized_for_the_author_uploaded_and_posted_as_content_media_with_its_alt_text()
    {
        var image = TestMedia.Jpeg();
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(Request(image), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var init = Assert.Single(_linkedIn.Requests, r => r.Path == "/rest/images");
        Assert.Equal("?action=initializeUpload", init.QueryString);
        Assert.Equal("2.0.0", init.Header("X-Restli-Protocol-Version"));
        Assert.Equal(_linkedIn.AuthorUrn, init.Json().GetProperty("initializeUploadRequest").GetProperty("owner").GetString());
        var put = Assert.Single(_linkedIn.Requests, r => r.Method == "PUT");
        Assert.Equal(await TestMedia.BytesAsync(image), put.BodyBytes);
        var post = Assert.Single(_linkedIn.Posts);
        var (urn, alt) = Assert.Single(post.Images);
        Assert.Equal(image.AltText, alt);
        Assert.Equal(urn, Assert.Single(progress.Media).NetworkMediaId);
        Assert.True(Assert.Single(_linkedIn.Requests, r => r.Path == "/rest/posts").Json().GetProperty("content").TryGetProperty("media", out _));
    }

    [Fact]
    public async Task Several_images_make_a_MultiImage_post_in_order()
    {
        var first = TestMedia.Jpeg();
        var second = TestMedia.Png();

        var result = await _client.PublishAsync(Request(first, second), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal([first.AltText, second.AltText], Assert.Single(_linkedIn.Posts).Images.Select(i => i.AltText));
        var images = Assert.Single(_linkedIn.Requests, r => r.Path == "/rest/posts").Json().GetProperty("content").GetProperty("multiImage").GetProperty("images");
        Assert.Equal(2, images.GetArrayLength());
    }

    [Fact]
    public async Task A_retry_names_the_image_already_uploaded()
    {
        var image = TestMedia.Jpeg();
        var first = new RecordingProgress();
        _linkedIn.FailNext(1, 503, """{"status":503,"code":"SERVICE_UNAVAILABLE","message":"Service Unavailable"}""", pathContains: "/rest/posts");
        Assert.Equal(PublishOutcome.Transient, (await _client.PublishAsync(Request(image), first, CancellationToken.None)).Outcome);
        var uploaded = Assert.Single(first.Media);

        var retry = Request(image) with { UploadedMedia = new Dictionary<string, UploadedMedia> { [image.Key] = new(uploaded.NetworkMediaId, uploaded.ExpiresAt) } };
        var result = await _client.PublishAsync(retry, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Single(_linkedIn.Requests, r => r.Path == "/rest/images");
        Assert.Equal(uploaded.NetworkMediaId, Assert.Single(Assert.Single(_linkedIn.Posts).Images).Urn);
    }

    [Fact]
    public async Task A_refused_upload_is_permanent_and_nothing_is_posted()
    {
        _linkedIn.FailNext(1, 400, """{"status":400,"code":"INVALID_IMAGE","message":"The uploaded file is not a JPG, PNG or GIF image"}""", pathContains: "/dms-uploads/");

        var result = await _client.PublishAsync(Request(TestMedia.Jpeg()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal("Uploading the image: LinkedIn answered 400: The uploaded file is not a JPG, PNG or GIF image", result.Detail);
        Assert.Empty(_linkedIn.Posts);
    }

    [Fact]
    public async Task A_video_goes_up_in_parts_by_LinkedIns_byte_ranges_is_finalized_with_their_ETags_and_posted_as_content_media()
    {
        // 9 MiB and a bit: two whole 4 MiB parts and a short last one.
        var video = TestMedia.Mp4(9 * 1024 * 1024 + 1234);
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(Request(video), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var init = Assert.Single(_linkedIn.Requests, r => r.Path == "/rest/videos" && r.QueryString == "?action=initializeUpload");
        var request = init.Json().GetProperty("initializeUploadRequest");
        Assert.Equal(_linkedIn.AuthorUrn, request.GetProperty("owner").GetString());
        Assert.Equal(video.Length, request.GetProperty("fileSizeBytes").GetInt64());
        Assert.False(request.GetProperty("uploadCaptions").GetBoolean());
        Assert.False(request.GetProperty("uploadThumbnail").GetBoolean());
        var puts = _linkedIn.Requests.Where(r => r.Method == "PUT").ToList();
        Assert.Equal([4 * 1024 * 1024, 4 * 1024 * 1024, 1024 * 1024 + 1234], puts.Select(p => p.BodyBytes.Length));
        Assert.All(puts, p => Assert.Equal("application/octet-stream", p.Header("Content-Type")));
        var stored = Assert.Single(_linkedIn.Videos.Values);
        Assert.Equal(await TestMedia.BytesAsync(video), stored.Bytes);
        var finalize = Assert.Single(_linkedIn.Requests, r => r.QueryString == "?action=finalizeUpload").Json().GetProperty("finalizeUploadRequest");
        Assert.Equal(stored.Urn, finalize.GetProperty("video").GetString());
        Assert.Equal(stored.UploadToken, finalize.GetProperty("uploadToken").GetString());
        Assert.Equal(stored.PartETags, finalize.GetProperty("uploadedPartIds").EnumerateArray().Select(e => e.GetString()));
        Assert.All(_linkedIn.Requests.Where(r => r.Path.StartsWith("/rest/", StringComparison.Ordinal)), r =>
        {
            Assert.Equal(LinkedInClient.DefaultVersion, r.Header("LinkedIn-Version"));
            Assert.Equal("2.0.0", r.Header("X-Restli-Protocol-Version"));
        });
        var post = Assert.Single(_linkedIn.Posts);
        Assert.Equal(stored.Urn, post.Video);
        Assert.Equal("Autumn sale", post.VideoTitle);
        Assert.Equal(stored.Urn, Assert.Single(progress.Media).NetworkMediaId);
        Assert.Equal(stored.Urn, Assert.Single(_linkedIn.Requests, r => r.Path == "/rest/posts").Json().GetProperty("content").GetProperty("media").GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_video_still_processing_is_asked_about_until_AVAILABLE_before_the_post()
    {
        _linkedIn.VideoProcessingChecks = 1;

        var result = await _client.PublishAsync(Request(TestMedia.Mp4(100_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var statusReads = _linkedIn.Requests.Where(r => r.Method == "GET" && r.Path.StartsWith("/rest/videos/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, statusReads.Count);
        Assert.All(statusReads, r => Assert.True(r.ReceivedAt < _linkedIn.Requests.Single(p => p.Path == "/rest/posts").ReceivedAt));
        Assert.Equal(Assert.Single(_linkedIn.Videos.Keys), Assert.Single(_linkedIn.Posts).Video);
    }

    [Fact]
    public async Task A_video_LinkedIn_cannot_process_fails_permanently_in_its_words_and_nothing_is_posted()
    {
        _linkedIn.VideoProcessingFails = true;

        var result = await _client.PublishAsync(Request(TestMedia.Mp4(100_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal("LinkedIn could not process the video: Video format is not supported", result.Detail);
        Assert.Empty(_linkedIn.Posts);
    }

    [Fact]
    public async Task A_connection_broken_mid_part_is_transient_and_the_retry_uploads_the_video_again_posting_once()
    {
        var video = TestMedia.Mp4(5 * 1024 * 1024);
        _linkedIn.AbortNext(1, afterHandling: false, pathContains: "/dms-uploads/video/");
        var first = new RecordingProgress();

        var broken = await _client.PublishAsync(Request(video), first, CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, broken.Outcome);
        Assert.Empty(first.Media);
        var result = await _client.PublishAsync(Request(video), new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Single(_linkedIn.Posts);
    }

    [Fact]
    public async Task A_retry_after_the_post_failed_posts_the_finalized_video_without_sending_its_bytes_again()
    {
        var video = TestMedia.Mp4(100_000);
        var first = new RecordingProgress();
        _linkedIn.FailNext(1, 503, """{"status":503,"code":"SERVICE_UNAVAILABLE","message":"Service Unavailable"}""", pathContains: "/rest/posts");
        Assert.Equal(PublishOutcome.Transient, (await _client.PublishAsync(Request(video), first, CancellationToken.None)).Outcome);
        var uploaded = Assert.Single(first.Media);
        var putsBefore = _linkedIn.Requests.Count(r => r.Method == "PUT");

        var retry = Request(video) with { UploadedMedia = new Dictionary<string, UploadedMedia> { [video.Key] = new(uploaded.NetworkMediaId, uploaded.ExpiresAt) } };
        var result = await _client.PublishAsync(retry, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal(putsBefore, _linkedIn.Requests.Count(r => r.Method == "PUT"));
        Assert.Single(_linkedIn.Requests, r => r.QueryString == "?action=initializeUpload");
        Assert.Equal(uploaded.NetworkMediaId, Assert.Single(_linkedIn.Posts).Video);
    }

    [Fact]
    public async Task A_reused_video_LinkedIn_has_forgotten_is_uploaded_again()
    {
        var video = TestMedia.Mp4(100_000);
        var retry = Request(video) with { UploadedMedia = new Dictionary<string, UploadedMedia> { [video.Key] = new("urn:li:video:C5F10AQgone", null) } };

        var result = await _client.PublishAsync(retry, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Single(_linkedIn.Requests, r => r.QueryString == "?action=initializeUpload");
        Assert.NotEqual("urn:li:video:C5F10AQgone", Assert.Single(_linkedIn.Posts).Video);
    }

    [Fact]
    public async Task A_video_LinkedIn_refuses_to_take_is_permanent_in_its_words_and_nothing_is_sent_or_posted()
    {
        _linkedIn.MaxVideoBytes = 50_000;

        var result = await _client.PublishAsync(Request(TestMedia.Mp4(100_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal("Uploading the video: LinkedIn answered 400: fileSizeBytes 100000 is outside 1 to 50000", result.Detail);
        Assert.DoesNotContain(_linkedIn.Requests, r => r.Method == "PUT");
        Assert.Empty(_linkedIn.Posts);
    }

    [Fact]
    public async Task A_rate_limited_status_read_is_transient_and_the_retry_posts_the_recorded_video_once()
    {
        var video = TestMedia.Mp4(100_000);
        _linkedIn.FailNext(1, 429, """{"status":429,"code":"TOO_MANY_REQUESTS","message":"Resource level throttle limit reached"}""", pathContains: "/rest/videos/");
        var first = new RecordingProgress();

        Assert.Equal(PublishOutcome.Transient, (await _client.PublishAsync(Request(video), first, CancellationToken.None)).Outcome);
        var uploaded = Assert.Single(first.Media);
        var retry = Request(video) with { UploadedMedia = new Dictionary<string, UploadedMedia> { [video.Key] = new(uploaded.NetworkMediaId, uploaded.ExpiresAt) } };
        var result = await _client.PublishAsync(retry, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal(uploaded.NetworkMediaId, Assert.Single(_linkedIn.Posts).Video);
    }

    [Fact]
    public async Task The_post_that_broke_off_after_LinkedIn_made_it_is_unknown_not_posted_again()
    {
        _linkedIn.AbortNext(1, afterHandling: true, pathContains: "/rest/posts");

        var result = await _client.PublishAsync(Request(TestMedia.Mp4(100_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Unknown, result.Outcome);
        Assert.Single(_linkedIn.Posts);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _linkedIn.DisposeAsync();
}

/// <summary>Facebook Page: photos uploaded unpublished, then attached to the post with attached_media (videos: FacebookPageVideoTests).</summary>
public sealed class FacebookPageMediaTests : IAsyncLifetime
{
    private readonly FakeFacebookGraphApi _graph = new();
    private readonly FacebookPageClient _client = ChannelKit.Client<FacebookPageClient>();

    private PublishRequest Request(string? link, params PublishMedia[] media) =>
        ChannelKit.Request(ChannelKit.Connection(ChannelKind.FacebookPage, _graph.BaseUri, _graph.Credentials,
            new Dictionary<string, string> { ["page_id"] = _graph.PageId }), link: link) with { Media = media };

    [Fact]
    public async Task Photos_go_up_unpublished_with_alt_text_and_the_post_attaches_them_in_order()
    {
        var first = TestMedia.Jpeg();
        var second = TestMedia.Png();
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(Request(null, first, second), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var uploads = _graph.Requests.Where(r => r.Path.EndsWith("/photos", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, uploads.Count);
        Assert.All(uploads, u => Assert.Equal("false", u.Field("published")));
        Assert.Equal(await TestMedia.BytesAsync(first), uploads[0].Parts!.Single(p => p.Name == "source").Bytes);
        var post = Assert.Single(_graph.Posts);
        Assert.Equal(progress.Media.Select(m => m.NetworkMediaId), post.PhotoIds);
        Assert.Equal([first.AltText, second.AltText], post.PhotoIds.Select(id => _graph.Photos[id].AltText));
        Assert.All(post.PhotoIds, id => Assert.False(_graph.Photos[id].Published));
    }

    [Fact]
    public async Task With_photos_the_link_goes_in_the_message_so_Facebook_shows_the_photos_not_the_card()
    {
        var result = await _client.PublishAsync(Request("https://shop.example/autumn", TestMedia.Jpeg()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var post = Assert.Single(_graph.Posts);
        Assert.Null(post.Link);
        Assert.EndsWith("https://shop.example/autumn", post.Message);
    }

    [Fact]
    public async Task A_Graph_rate_limit_on_a_photo_is_transient_and_nothing_is_posted()
    {
        _graph.FailNext(1, 400, FakeFacebookGraphApi.RateLimitBody, pathContains: "/photos");

        var result = await _client.PublishAsync(Request(null, TestMedia.Jpeg()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Empty(_graph.Posts);
    }

    [Fact]
    public async Task A_retry_attaches_the_photo_already_uploaded()
    {
        var image = TestMedia.Jpeg();
        var first = new RecordingProgress();
        _graph.FailNext(1, 500, """{"error":{"message":"An unknown error occurred","type":"OAuthException","code":1,"is_transient":true}}""", pathContains: "/feed");
        Assert.Equal(PublishOutcome.Transient, (await _client.PublishAsync(Request(null, image), first, CancellationToken.None)).Outcome);
        var uploaded = Assert.Single(first.Media);

        var retry = Request(null, image) with { UploadedMedia = new Dictionary<string, UploadedMedia> { [image.Key] = new(uploaded.NetworkMediaId, uploaded.ExpiresAt) } };
        var result = await _client.PublishAsync(retry, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Single(_graph.Requests, r => r.Path.EndsWith("/photos", StringComparison.Ordinal));
        Assert.Equal([uploaded.NetworkMediaId], Assert.Single(_graph.Posts).PhotoIds);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _graph.DisposeAsync();
}
