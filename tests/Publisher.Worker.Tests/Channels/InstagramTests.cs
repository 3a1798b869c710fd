using Microsoft.AspNetCore.WebUtilities;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Instagram;

namespace Publisher.Worker.Tests.Channels;

public sealed class InstagramTests : IAsyncLifetime
{
    private readonly FakeInstagramGraphApi _instagram = new();
    private readonly InstagramClient _client = ChannelKit.Client<InstagramClient>();

    private ChannelConnection Connection(string? userId = null, string? version = null)
    {
        var settings = new Dictionary<string, string> { ["ig_user_id"] = userId ?? _instagram.UserId };
        if (version is not null) settings["graph_version"] = version;
        return ChannelKit.Connection(ChannelKind.Instagram, _instagram.BaseUri, _instagram.Credentials, settings, handle: _instagram.Username);
    }

    private static Dictionary<string, string> Form(RecordedRequest request) =>
        QueryHelpers.ParseQuery(request.Body).ToDictionary(p => p.Key, p => p.Value.ToString());

    private static PublishRequest Again(PublishRequest request, RecordingProgress progress) => request with
    {
        UploadedMedia = progress.Media.ToDictionary(m => m.Key, m => new UploadedMedia(m.NetworkMediaId, m.ExpiresAt)),
    };

    private PublishMedia Hosted(PublishMedia medium)
    {
        _instagram.Host(medium.PublicUrl!, TestMedia.BytesAsync(medium).GetAwaiter().GetResult());
        return medium;
    }

    private PublishRequest WithImage(string caption = "Autumn is here. #coffee") =>
        ChannelKit.Request(Connection(), caption) with { Media = [Hosted(TestMedia.Jpeg())] };

    [Fact]
    public async Task Engagement_is_read_from_each_posts_media_insights_with_the_metrics_instagram_documents_now()
    {
        var image = await _client.PublishAsync(WithImage("An image"), new RecordingProgress(), CancellationToken.None);
        var other = await _client.PublishAsync(WithImage("Another image"), new RecordingProgress(), CancellationToken.None);
        _instagram.SetInsights(image.ExternalId!, new Dictionary<string, long> { ["reach"] = 900, ["likes"] = 57, ["comments"] = 8, ["saved"] = 12, ["shares"] = 5, ["views"] = 1_400 });

        var read = await _client.ReadEngagementAsync(Connection(), [image.ExternalId!, "17841999999999998", other.ExternalId!], CancellationToken.None);

        Assert.Null(read.Failure);
        Assert.Equal([image.ExternalId, other.ExternalId], read.Posts.Select(p => p.PostId)); // the deleted one left out
        var figures = read.Posts[0];
        Assert.Equal((57, 5, 8, 1_400L), (figures.Likes, figures.Reposts, figures.Replies, figures.Impressions));
        Assert.Contains("\"reach\"", figures.Raw);
        Assert.Contains("\"saved\"", figures.Raw);
        var call = _instagram.Requests.First(r => r.Path.EndsWith("/insights", StringComparison.Ordinal));
        Assert.Equal($"/{InstagramClient.DefaultGraphVersion}/{image.ExternalId}/insights", call.Path);
        Assert.Contains("metric=reach%2Clikes%2Ccomments%2Csaved%2Cshares%2Cviews", call.QueryString);
        Assert.Contains("access_token=" + _instagram.AccessToken, call.QueryString);
    }

    [Fact]
    public async Task The_fake_refuses_insight_metrics_instagram_no_longer_has_as_graph_does()
    {
        var image = await _client.PublishAsync(WithImage(), new RecordingProgress(), CancellationToken.None);
        using var http = new HttpClient();

        using var answer = await http.GetAsync(new Uri(_instagram.BaseUri, $"{InstagramClient.DefaultGraphVersion}/{image.ExternalId}/insights?metric=reach,impressions&access_token={_instagram.AccessToken}"));

        Assert.Equal(400, (int)answer.StatusCode);
        Assert.Contains("metric[1] must be one of the following values", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Too_few_viewers_for_insights_is_a_reading_without_figures_not_a_failure()
    {
        var image = await _client.PublishAsync(WithImage(), new RecordingProgress(), CancellationToken.None);
        _instagram.FailNext(1, 400, """{"error":{"message":"(#10) Not enough viewers for the media to show insights","type":"OAuthException","code":10,"fbtrace_id":"Ab2"}}""", pathContains: "/insights");

        var read = await _client.ReadEngagementAsync(Connection(), [image.ExternalId!], CancellationToken.None);

        Assert.Null(read.Failure);
        var only = Assert.Single(read.Posts);
        Assert.Equal((image.ExternalId, (int?)null, (long?)null), (only.PostId, only.Likes, only.Impressions));
    }

    [Fact]
    public async Task An_image_post_is_an_image_container_with_its_caption_then_media_publish()
    {
        var progress = new RecordingProgress();
        var request = WithImage();

        var result = await _client.PublishAsync(request, progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var post = Assert.Single(_instagram.Posts);
        Assert.Equal(post.Id, result.ExternalId);
        Assert.Equal(post.Permalink, result.ExternalUrl);
        Assert.Equal("Autumn is here. #coffee", post.Text);
        var create = _instagram.Requests.First(r => r.Method == "POST");
        Assert.Equal($"/{InstagramClient.DefaultGraphVersion}/{_instagram.UserId}/media", create.Path);
        var fields = Form(create);
        Assert.False(fields.ContainsKey("media_type"));
        Assert.Equal(request.Media[0].PublicUrl!.AbsoluteUri, fields["image_url"]);
        Assert.Equal(request.Media[0].AltText, fields["alt_text"]);
        Assert.Equal(_instagram.AccessToken, fields["access_token"]);
        var publish = _instagram.Requests.Last(r => r.Method == "POST");
        Assert.EndsWith("/media_publish", publish.Path);
        Assert.Equal(post.ContainerId, Form(publish)["creation_id"]);
        Assert.Contains(_instagram.Requests, r => r.Method == "GET" && r.QueryString.Contains("fields=status_code,status"));
        Assert.Equal(post.ContainerId, Assert.Single(progress.Media).NetworkMediaId);
        Assert.Equal([post.Id], progress.Ids);
    }

    [Fact]
    public async Task A_used_up_publishing_limit_is_said_plainly_before_anything_is_made_and_a_person_decides()
    {
        _instagram.QuotaTotal = 3;
        _instagram.PublishedElsewhere = 2;
        Assert.Equal(PublishOutcome.Published, (await _client.PublishAsync(WithImage("The first of the day"), new RecordingProgress(), CancellationToken.None)).Outcome);
        var limit = _instagram.Requests.First(r => r.Path.EndsWith("/content_publishing_limit", StringComparison.Ordinal));
        Assert.Contains("quota_usage", limit.QueryString);
        var containers = _instagram.Containers.Count;

        var full = await _client.PublishAsync(WithImage("One too many"), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Unknown, full.Outcome);
        Assert.True(full.AskPerson);
        Assert.Equal("Instagram's limit of 3 posts in 24 hours is used up on this account (3 of 3), so nothing was posted. Schedule the post again for later (a post leaves the count once it is more than that old).", full.Detail);
        Assert.Equal(containers, _instagram.Containers.Count); // nothing made
        Assert.Single(_instagram.Posts);
    }

    [Fact]
    public async Task The_fake_refuses_media_publish_past_the_limit_as_instagram_does()
    {
        _instagram.QuotaTotal = 1;
        _instagram.PublishedElsewhere = 1;
        _instagram.FailNext(1, 500, pathContains: "content_publishing_limit"); // the limit cannot be read: the publish answers for itself

        var result = await _client.PublishAsync(WithImage(), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("maximum number of posts that can be published in 24 hours", result.Detail);
        Assert.Empty(_instagram.Posts);
    }

    [Fact]
    public async Task A_post_without_media_is_refused_without_a_call()
    {
        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Just words"), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("no post without an image or a video", result.Detail);
        Assert.Empty(_instagram.Requests);
    }

    [Fact]
    public async Task A_video_is_a_reel_published_once_its_status_code_is_FINISHED()
    {
        _instagram.VideoPolls = 3;
        var video = Hosted(TestMedia.Mp4(4096));

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Watch the roast") with { Media = [video] }, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var container = Assert.Single(_instagram.Containers);
        Assert.Equal("REELS", container.MediaType);
        Assert.Equal(video.PublicUrl!.AbsoluteUri, container.MediaUrl);
        Assert.Equal("true", container.Fields["share_to_feed"]);
        Assert.Equal(3, _instagram.Requests.Count(r => r.Method == "GET" && r.Path.EndsWith("/" + container.Id, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_reels_cover_is_the_videos_poster_frame()
    {
        _instagram.VideoPolls = 1;
        var poster = Hosted(TestMedia.Jpeg(1080, 1920));
        var video = Hosted(TestMedia.Mp4(4096)) with { Poster = poster };

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Watch the roast") with { Media = [video] }, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var container = Assert.Single(_instagram.Containers);
        Assert.Equal(poster.PublicUrl!.AbsoluteUri, container.Fields["cover_url"]);
        // Without a poster no cover is sent, and Instagram picks a frame.
        var plain = await _client.PublishAsync(ChannelKit.Request(Connection(), "Again") with { Media = [Hosted(TestMedia.Mp4(2048))] }, new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, plain.Outcome);
        Assert.False(_instagram.Containers.Last().Fields.ContainsKey("cover_url"));
    }

    [Fact]
    public async Task A_reel_Instagram_cannot_fetch_fails_permanently_in_Instagrams_words()
    {
        _instagram.VideoPolls = 1;

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Watch") with { Media = [TestMedia.Mp4(2048)] }, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("Media download has failed", result.Detail);
        Assert.Equal(0, _instagram.PostCount);
    }

    [Fact]
    public async Task Several_media_are_a_carousel_whose_items_carry_no_caption_and_the_carousel_carries_it()
    {
        var media = new[] { Hosted(TestMedia.Jpeg()), Hosted(TestMedia.Jpeg(400, 500)), Hosted(TestMedia.Mp4(3000)) };

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Three looks") with { Media = media }, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var carousel = Assert.Single(_instagram.Containers, c => c.MediaType == "CAROUSEL");
        Assert.Equal("Three looks", carousel.Text);
        var items = carousel.Children.Select(id => _instagram.Containers.Single(c => c.Id == id)).ToList();
        Assert.All(items, i => Assert.True(i.IsCarouselItem));
        Assert.All(items, i => Assert.Null(i.Text));
        Assert.Equal(["IMAGE", "IMAGE", "VIDEO"], items.Select(i => i.MediaType));
        Assert.Equal(media.Select(m => m.PublicUrl!.AbsoluteUri), Assert.Single(_instagram.Posts).MediaUrls);
    }

    [Fact]
    public async Task A_png_is_refused_by_Instagram_at_the_container_and_nothing_is_posted()
    {
        var result = await _client.PublishAsync(ChannelKit.Request(Connection()) with { Media = [Hosted(TestMedia.Png())] }, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("Only photo or video", result.Detail);
        Assert.Equal(0, _instagram.PostCount);
    }

    [Fact]
    public async Task More_than_ten_media_are_refused_without_a_call()
    {
        var media = Enumerable.Range(0, 11).Select(i => TestMedia.Jpeg(320 + i, 320)).ToList();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection()) with { Media = media }, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("at most 10", result.Detail);
        Assert.Empty(_instagram.Requests);
    }

    [Fact]
    public async Task A_429_on_publishing_is_transient_with_its_Retry_After_and_the_retry_publishes_the_same_container()
    {
        _instagram.FailNext(1, 429, FakeContainerGraphApi.RateLimitBody, new Dictionary<string, string> { ["Retry-After"] = "30" }, "/media_publish");
        var progress = new RecordingProgress();
        var request = WithImage();

        var first = await _client.PublishAsync(request, progress, CancellationToken.None);
        Assert.Equal(PublishOutcome.Transient, first.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(30), first.RetryAfter);

        var retry = await _client.PublishAsync(Again(request, progress), new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, retry.Outcome);
        Assert.Single(_instagram.Containers);
        Assert.Equal(1, _instagram.PostCount);
    }

    [Fact]
    public async Task A_lost_publish_answer_is_unknown_and_reconciled_as_published_by_its_caption()
    {
        _instagram.AbortNext(1, afterHandling: true, "/media_publish");
        var progress = new RecordingProgress();
        var request = WithImage("The answer got lost");

        var result = await _client.PublishAsync(request, progress, CancellationToken.None);
        Assert.Equal(PublishOutcome.Unknown, result.Outcome);

        var check = await _client.ReconcileAsync(Again(request, progress), CancellationToken.None);

        Assert.Equal(ReconcileVerdict.Published, check.Verdict);
        var post = Assert.Single(_instagram.Posts);
        Assert.Equal(post.Id, check.ExternalId);
        Assert.Equal(post.Permalink, check.ExternalUrl);
    }

    [Fact]
    public async Task A_retry_after_a_lost_answer_finds_the_post_instead_of_publishing_again()
    {
        _instagram.AbortNext(1, afterHandling: true, "/media_publish");
        var progress = new RecordingProgress();
        var request = WithImage("Only once");
        await _client.PublishAsync(request, progress, CancellationToken.None);

        var retry = await _client.PublishAsync(Again(request, progress), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, retry.Outcome);
        Assert.Equal(1, _instagram.PostCount);
        Assert.Equal(_instagram.Posts[0].Id, retry.ExternalId);
    }

    [Fact]
    public async Task A_container_Instagram_forgot_needs_a_person()
    {
        _instagram.AbortNext(1, afterHandling: true, "/media_publish");
        var progress = new RecordingProgress();
        var request = WithImage();
        await _client.PublishAsync(request, progress, CancellationToken.None);
        _instagram.Forget(progress.Media[0].NetworkMediaId);

        var check = await _client.ReconcileAsync(Again(request, progress), CancellationToken.None);

        Assert.Equal(ReconcileVerdict.Unknown, check.Verdict);
        Assert.Contains("look on Instagram", check.Detail);
    }

    [Fact]
    public async Task Without_a_recorded_container_reconcile_says_safe_to_retry_without_a_call()
    {
        var check = await _client.ReconcileAsync(WithImage(), CancellationToken.None);

        Assert.Equal(ReconcileVerdict.SafeToRetry, check.Verdict);
        Assert.Empty(_instagram.Requests);
    }

    [Fact]
    public async Task A_wrong_account_is_permanent_with_Graphs_message_and_the_graph_version_setting_is_used()
    {
        var request = ChannelKit.Request(Connection(userId: "42", version: "v22.0"), "x") with { Media = [Hosted(TestMedia.Jpeg())] };

        var result = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("Object with ID '42' does not exist", result.Detail);
        Assert.All(_instagram.Requests, r => Assert.StartsWith("/v22.0/42/", r.Path)); // the publishing limit is asked first, then the container
        Assert.Contains(_instagram.Requests, r => r.Path == "/v22.0/42/media");
    }

    [Fact]
    public async Task The_connection_test_names_the_account_and_fails_with_a_wrong_token()
    {
        var good = await _client.TestConnectionAsync(Connection(), CancellationToken.None);
        var bad = await _client.TestConnectionAsync(Connection() with { Credentials = new Dictionary<string, string> { ["access_token"] = "nope" } }, CancellationToken.None);

        Assert.True(good.Ok, good.Message);
        Assert.Contains("@" + _instagram.Username, good.Message);
        Assert.False(bad.Ok);
        Assert.Contains("Invalid OAuth access token", bad.Message);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _instagram.DisposeAsync();
}
