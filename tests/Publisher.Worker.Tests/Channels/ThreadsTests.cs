using Microsoft.AspNetCore.WebUtilities;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Threads;

namespace Publisher.Worker.Tests.Channels;

public sealed class ThreadsTests : IAsyncLifetime
{
    private readonly FakeThreadsApi _threads = new();
    private readonly ThreadsClient _client = ChannelKit.Client<ThreadsClient>();

    private ChannelConnection Connection(string? userId = null) =>
        ChannelKit.Connection(ChannelKind.Threads, _threads.BaseUri, _threads.Credentials, new Dictionary<string, string> { ["user_id"] = userId ?? _threads.UserId }, handle: "@" + _threads.Username);

    private static Dictionary<string, string> Form(RecordedRequest request) =>
        QueryHelpers.ParseQuery(request.Body).ToDictionary(p => p.Key, p => p.Value.ToString());

    /// <summary>The request as the job builds it for the next attempt: with what the earlier one recorded.</summary>
    private static PublishRequest Again(PublishRequest request, RecordingProgress progress, IReadOnlyList<string>? posted = null) => request with
    {
        UploadedMedia = progress.Media.ToDictionary(m => m.Key, m => new UploadedMedia(m.NetworkMediaId, m.ExpiresAt)),
        PostedPartIds = posted ?? request.PostedPartIds,
    };

    private PublishMedia Hosted(PublishMedia medium)
    {
        _threads.Host(medium.PublicUrl!, TestMedia.BytesAsync(medium).GetAwaiter().GetResult());
        return medium;
    }

    [Fact]
    public async Task A_text_post_is_a_TEXT_container_then_its_publication_and_links_to_its_permalink()
    {
        var progress = new RecordingProgress();
        var request = ChannelKit.Request(Connection(), "Autumn sale & more 🍂");

        var result = await _client.PublishAsync(request, progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var post = Assert.Single(_threads.Posts);
        Assert.Equal(post.Id, result.ExternalId);
        Assert.Equal(post.Permalink, result.ExternalUrl);
        Assert.Equal("Autumn sale & more 🍂", post.Text);
        Assert.NotEqual(post.ContainerId, post.Id);
        var create = _threads.Requests.First(r => r.Method == "POST");
        Assert.Equal($"/{ThreadsClient.DefaultApiVersion}/{_threads.UserId}/threads", create.Path);
        Assert.Equal("application/x-www-form-urlencoded", create.Header("Content-Type")?.Split(';')[0]);
        var fields = Form(create);
        Assert.Equal("TEXT", fields["media_type"]);
        Assert.Equal(_threads.AccessToken, fields["access_token"]);
        Assert.False(fields.ContainsKey("reply_to_id"));
        var publish = _threads.Requests.Last(r => r.Method == "POST");
        Assert.Equal($"/{ThreadsClient.DefaultApiVersion}/{_threads.UserId}/threads_publish", publish.Path);
        Assert.Equal(post.ContainerId, Form(publish)["creation_id"]);
        // The container was recorded before it was published, under a key bound to the approved content.
        var recorded = Assert.Single(progress.Media);
        Assert.Equal(post.ContainerId, recorded.NetworkMediaId);
        Assert.Equal(GraphContainers.Key(request, 0), recorded.Key);
        Assert.Equal([post.Id], progress.Ids);
    }

    [Fact]
    public async Task A_text_post_with_a_link_attaches_it_as_a_preview_and_a_post_with_media_does_not()
    {
        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Autumn sale: https://northwind.example/autumn", link: "https://northwind.example/autumn?utm_source=threads"), new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var text = Assert.Single(_threads.Containers);
        Assert.Equal("https://northwind.example/autumn?utm_source=threads", text.Fields["link_attachment"]);

        var thread = await _client.PublishAsync(ChannelKit.Request(Connection(), thread: ["One 1/2", "Two 2/2"], link: "https://northwind.example/x"), new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, thread.Outcome);
        Assert.Single(_threads.Containers.Skip(1), c => c.Fields.ContainsKey("link_attachment")); // the first part only

        var image = await _client.PublishAsync(ChannelKit.Request(Connection(), "With a photo", link: "https://northwind.example/x") with { Media = [Hosted(TestMedia.Jpeg())] }, new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, image.Outcome);
        Assert.False(_threads.Containers.Last().Fields.ContainsKey("link_attachment"));
    }

    [Fact]
    public async Task A_thread_goes_out_as_replies_each_to_the_part_before_it()
    {
        var progress = new RecordingProgress();
        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), thread: ["One 1/3", "Two 2/3", "Three 3/3"]), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var posts = _threads.Posts;
        Assert.Equal(["One 1/3", "Two 2/3", "Three 3/3"], posts.Select(p => p.Text));
        Assert.Null(posts[0].ReplyToId);
        Assert.Equal(posts[0].Id, posts[1].ReplyToId);
        Assert.Equal(posts[1].Id, posts[2].ReplyToId);
        Assert.Equal(posts.Select(p => p.Id), progress.Ids);
        Assert.Equal(posts[0].Id, result.ExternalId);
        Assert.Equal(3, progress.Media.Select(m => m.Key).Distinct().Count());
    }

    [Fact]
    public async Task A_thread_resumes_after_the_parts_already_posted()
    {
        var first = _threads.Seed("One 1/2");
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), thread: ["One 1/2", "Two 2/2"], posted: [first.Id]), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal(first.Id, result.ExternalId);
        var reply = Assert.Single(_threads.Posts, p => p.Text == "Two 2/2");
        Assert.Equal(first.Id, reply.ReplyToId);
        Assert.Equal(2, _threads.PostCount);
    }

    [Fact]
    public async Task A_refused_reply_says_which_part_and_that_the_first_is_out()
    {
        var progress = new RecordingProgress();

        // Threads refuses the second part's container (over 500 characters as Threads counts them).
        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), thread: ["One 1/2", new string('b', 497) + "🍂"]), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.StartsWith("Part 2 of 2:", result.Detail);
        Assert.Contains("Part 1 is already posted", result.Detail);
        Assert.Single(progress.Ids);
        Assert.Equal(1, _threads.PostCount);
    }

    [Fact]
    public async Task An_image_is_an_IMAGE_container_fetched_from_its_public_address_with_its_alt_text()
    {
        var image = Hosted(TestMedia.Jpeg());
        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Look") with { Media = [image] }, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var container = Assert.Single(_threads.Containers);
        Assert.Equal("IMAGE", container.MediaType);
        Assert.Equal(image.PublicUrl!.AbsoluteUri, container.MediaUrl);
        Assert.Equal(image.AltText, container.AltText);
        Assert.Equal("Look", container.Text);
        Assert.Equal([image.PublicUrl.AbsoluteUri], Assert.Single(_threads.Posts).MediaUrls);
    }

    [Fact]
    public async Task A_video_is_published_only_once_its_container_is_FINISHED()
    {
        _threads.VideoPolls = 3;
        var video = Hosted(TestMedia.Mp4(4096));

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Watch") with { Media = [video] }, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var container = Assert.Single(_threads.Containers);
        Assert.Equal("VIDEO", container.MediaType);
        var statusChecks = _threads.Requests.Where(r => r.Method == "GET" && r.Path.EndsWith("/" + container.Id, StringComparison.Ordinal)).ToList();
        Assert.Equal(3, statusChecks.Count);
        Assert.All(statusChecks, r => Assert.Contains("fields=status,error_message", r.QueryString));
        var publish = _threads.Requests.Single(r => r.Path.EndsWith("/threads_publish", StringComparison.Ordinal));
        Assert.True(publish.ReceivedAt >= statusChecks[^1].ReceivedAt);
    }

    [Fact]
    public async Task A_video_Threads_cannot_fetch_is_a_permanent_failure_in_Threads_words_and_nothing_is_posted()
    {
        _threads.VideoPolls = 1;
        var video = TestMedia.Mp4(2048); // not hosted: the download fails

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Watch") with { Media = [video] }, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("FAILED_DOWNLOADING_VIDEO", result.Detail);
        Assert.Equal(0, _threads.PostCount);
    }

    [Fact]
    public async Task Several_media_are_a_carousel_of_items_each_ready_before_the_carousel_is_made()
    {
        _threads.VideoPolls = 2;
        var media = new[] { Hosted(TestMedia.Jpeg()), Hosted(TestMedia.Png()), Hosted(TestMedia.Mp4(3000)) };

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Three things") with { Media = media }, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var carousel = Assert.Single(_threads.Containers, c => c.MediaType == "CAROUSEL");
        Assert.Equal(3, carousel.Children.Count);
        Assert.All(carousel.Children, id => Assert.True(_threads.Containers.Single(c => c.Id == id).IsCarouselItem));
        Assert.Equal("Three things", carousel.Text);
        Assert.Equal(media.Select(m => m.PublicUrl!.AbsoluteUri), Assert.Single(_threads.Posts).MediaUrls);
    }

    [Fact]
    public async Task A_medium_without_a_public_address_is_permanent_and_nothing_is_sent()
    {
        var hidden = TestMedia.Jpeg() with { PublicUrl = null };

        var result = await _client.PublishAsync(ChannelKit.Request(Connection()) with { Media = [hidden] }, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("PUBLISHER_URL", result.Detail);
        Assert.Empty(_threads.Requests);
    }

    [Fact]
    public async Task Graphs_rate_limit_answer_is_transient_although_it_comes_as_a_400()
    {
        _threads.FailNext(1, 400, FakeContainerGraphApi.RateLimitBody, pathContains: "/threads_publish");

        var result = await _client.PublishAsync(ChannelKit.Request(Connection()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Contains("Application request limit reached", result.Detail);
    }

    [Fact]
    public async Task A_text_too_long_for_Threads_is_refused_with_Threads_message()
    {
        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), new string('a', 490) + "🍂🍂🍂"), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("at most 500 characters", result.Detail);
        Assert.Empty(_threads.Containers);
    }

    [Fact]
    public async Task A_publish_whose_answer_was_lost_is_unknown_then_reconciled_as_published_by_its_container()
    {
        _threads.AbortNext(1, afterHandling: true, "/threads_publish");
        var progress = new RecordingProgress();
        var request = ChannelKit.Request(Connection(), "The answer got lost");

        var result = await _client.PublishAsync(request, progress, CancellationToken.None);
        Assert.Equal(PublishOutcome.Unknown, result.Outcome);
        _threads.Seed("A later post by hand");

        var check = await _client.ReconcileAsync(Again(request, progress), CancellationToken.None);

        Assert.Equal(ReconcileVerdict.Published, check.Verdict);
        var post = Assert.Single(_threads.Posts, p => p.Text == "The answer got lost");
        Assert.Equal(post.Id, check.ExternalId);
        Assert.Equal(post.Permalink, check.ExternalUrl);
        Assert.Equal(2, _threads.PostCount);
    }

    [Fact]
    public async Task A_container_made_but_not_published_is_safe_to_retry_and_the_retry_publishes_that_same_container()
    {
        _threads.AbortNext(1, afterHandling: false, "/threads_publish");
        var progress = new RecordingProgress();
        var request = ChannelKit.Request(Connection(), "Made, not published");

        var first = await _client.PublishAsync(request, progress, CancellationToken.None);
        Assert.Equal(PublishOutcome.Unknown, first.Outcome);

        var check = await _client.ReconcileAsync(Again(request, progress), CancellationToken.None);
        Assert.Equal(ReconcileVerdict.SafeToRetry, check.Verdict);

        var retry = await _client.PublishAsync(Again(request, progress), new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, retry.Outcome);
        Assert.Single(_threads.Containers);
        Assert.Equal(_threads.Containers[0].Id, Assert.Single(_threads.Posts).ContainerId);
    }

    [Fact]
    public async Task A_retry_after_the_container_was_published_finds_the_post_instead_of_posting_again()
    {
        var progress = new RecordingProgress();
        var request = ChannelKit.Request(Connection(), thread: ["One 1/2", "Two 2/2"]);
        await _client.PublishAsync(request, progress, CancellationToken.None);
        Assert.Equal(2, _threads.PostCount);

        // The worker died before it stored any part: the next attempt knows only the recorded containers.
        var retry = await _client.PublishAsync(Again(request, progress), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, retry.Outcome);
        Assert.Equal(2, _threads.PostCount);
        Assert.Equal(2, _threads.Containers.Count);
        Assert.Equal(_threads.Posts[0].Id, retry.ExternalId);
    }

    [Fact]
    public async Task Without_a_recorded_container_reconcile_says_safe_to_retry_without_a_call()
    {
        var check = await _client.ReconcileAsync(ChannelKit.Request(Connection()), CancellationToken.None);

        Assert.Equal(ReconcileVerdict.SafeToRetry, check.Verdict);
        Assert.Empty(_threads.Requests);
    }

    [Fact]
    public async Task A_published_container_whose_post_is_not_among_the_latest_needs_a_person()
    {
        var progress = new RecordingProgress();
        var request = ChannelKit.Request(Connection(), "Buried under newer posts");
        await _client.PublishAsync(request, progress, CancellationToken.None);
        for (var i = 0; i < GraphContainers.LookupDepth; i++) _threads.Seed($"Newer {i}");

        var check = await _client.ReconcileAsync(Again(request, progress), CancellationToken.None);

        Assert.Equal(ReconcileVerdict.Unknown, check.Verdict);
        Assert.Contains("look on Threads", check.Detail);
    }

    [Fact]
    public async Task An_expired_container_is_replaced_by_a_new_one()
    {
        _threads.AbortNext(1, afterHandling: false, "/threads_publish");
        var progress = new RecordingProgress();
        var request = ChannelKit.Request(Connection(), "Late");
        await _client.PublishAsync(request, progress, CancellationToken.None);
        _threads.Expire(progress.Media[0].NetworkMediaId);

        Assert.Equal(ReconcileVerdict.SafeToRetry, (await _client.ReconcileAsync(Again(request, progress), CancellationToken.None)).Verdict);
        var retry = await _client.PublishAsync(Again(request, progress), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, retry.Outcome);
        Assert.Equal(2, _threads.Containers.Count);
        Assert.Equal(1, _threads.PostCount);
    }

    [Fact]
    public async Task The_connection_test_names_the_account_and_refuses_a_token_of_another_user()
    {
        var good = await _client.TestConnectionAsync(Connection(), CancellationToken.None);
        var other = await _client.TestConnectionAsync(Connection(userId: "999"), CancellationToken.None);

        Assert.True(good.Ok, good.Message);
        Assert.Contains("@" + _threads.Username, good.Message);
        Assert.False(other.Ok);
        Assert.Contains("not to the user id 999", other.Message);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _threads.DisposeAsync();
}
