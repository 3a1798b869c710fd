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
    public async Task A_video_is_refused_with_what_to_do_before_anything_is_sent()
    {
        var result = await _client.PublishAsync(Request(TestMedia.Mp4(10_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("take the video off the LinkedIn variant", result.Detail);
        Assert.Empty(_linkedIn.Requests);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _linkedIn.DisposeAsync();
}

/// <summary>Facebook Page: photos uploaded unpublished, then attached to the post with attached_media.</summary>
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
