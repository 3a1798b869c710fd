using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Bluesky;
using Publisher.Worker.Channels.FacebookPage;
using Publisher.Worker.Channels.LinkedIn;
using Publisher.Worker.Channels.Mastodon;
using Publisher.Worker.Channels.X;

namespace Publisher.Worker.Tests.Channels;

/// <summary>Each network's metrics read from its strict fake, as the account that posted: figures, batching, deletions, errors.</summary>
public sealed class EngagementReaderTests
{
    [Fact]
    public async Task Mastodon_reads_favourites_reblogs_and_replies_of_each_status_with_the_token()
    {
        await using var channel = HttpChannel.Start(ChannelKind.Mastodon);
        var fake = (FakeMastodonApi)channel.Fake;
        var first = await PostAsync(channel, "First post");
        var second = await PostAsync(channel, "Second post");
        fake.SetCounts(first, favourites: 12, reblogs: 3, replies: 2);
        fake.SetCounts(second, favourites: 1, reblogs: 0, replies: 5);

        var read = await Reader<MastodonClient>(channel).ReadEngagementAsync(channel.Connection, [first, second], CancellationToken.None);

        Assert.Null(read.Failure);
        Assert.Equal([(first, 12, 3, 2), (second, 1, 0, 5)], read.Posts.Select(p => (p.PostId, p.Likes!.Value, p.Reposts!.Value, p.Replies!.Value)));
        var requests = fake.Requests.Where(r => r.Method == "GET").ToList();
        Assert.Equal([$"/api/v1/statuses/{first}", $"/api/v1/statuses/{second}"], requests.Select(r => r.Path));
        Assert.All(requests, r => Assert.Equal("Bearer " + fake.AccessToken, r.Header("Authorization")));
    }

    [Fact]
    public async Task Mastodon_leaves_out_a_deleted_status_and_stops_at_a_429_keeping_what_it_read()
    {
        await using var channel = HttpChannel.Start(ChannelKind.Mastodon);
        var fake = (FakeMastodonApi)channel.Fake;
        var (a, b, c) = (await PostAsync(channel, "a"), await PostAsync(channel, "b"), await PostAsync(channel, "c"));
        fake.Delete(a);
        fake.FailNext(1, 429, """{"error":"Too many requests"}""", new Dictionary<string, string> { ["Retry-After"] = "120" }, pathContains: c);

        var read = await Reader<MastodonClient>(channel).ReadEngagementAsync(channel.Connection, [a, b, c], CancellationToken.None);

        Assert.Equal([b], read.Posts.Select(p => p.PostId));
        Assert.Equal(PublishOutcome.Transient, read.Failure?.Outcome);
        Assert.Equal(429, read.Failure?.HttpStatus);
        Assert.Equal(TimeSpan.FromSeconds(120), read.Failure?.RetryAfter);
    }

    [Fact]
    public async Task X_reads_public_metrics_of_many_posts_in_one_signed_call_and_skips_the_ones_it_no_longer_has()
    {
        await using var channel = HttpChannel.Start(ChannelKind.X);
        var fake = (FakeXApi)channel.Fake;
        var first = await PostAsync(channel, "First post on X");
        var second = await PostAsync(channel, "Second post on X");
        fake.SetMetrics(first, likes: 40, reposts: 7, replies: 3, quotes: 1, impressions: 2_345);

        var read = await Reader<XClient>(channel).ReadEngagementAsync(channel.Connection, [first, second, "1999999999999999999"], CancellationToken.None);

        Assert.Null(read.Failure);
        Assert.Equal([first, second], read.Posts.Select(p => p.PostId));
        var metrics = read.Posts[0];
        Assert.Equal((40, 7, 3, 1, 2_345L), (metrics.Likes, metrics.Reposts, metrics.Replies, metrics.Quotes, metrics.Impressions));
        Assert.Equal(0, read.Posts[1].Likes);
        // One call; the fake recomputed its OAuth 1.0a signature over the query, or it would have answered 401.
        var lookup = Assert.Single(fake.Requests, r => r.Method == "GET");
        Assert.Equal("/2/tweets", lookup.Path);
        Assert.Contains("tweet.fields=public_metrics", lookup.QueryString);
    }

    [Fact]
    public async Task X_refused_credentials_are_a_permanent_failure_and_nothing_is_read()
    {
        await using var channel = HttpChannel.Start(ChannelKind.X);
        var id = await PostAsync(channel, "A post");
        var wrong = ChannelKit.Connection(ChannelKind.X, channel.Fake.BaseUri,
            new Dictionary<string, string>(((FakeXApi)channel.Fake).Credentials) { ["access_token_secret"] = "not-the-secret" });

        var read = await Reader<XClient>(channel).ReadEngagementAsync(wrong, [id], CancellationToken.None);

        Assert.Empty(read.Posts);
        Assert.Equal(PublishOutcome.Permanent, read.Failure?.Outcome);
        Assert.Equal(401, read.Failure?.HttpStatus);
    }

    [Fact]
    public async Task Bluesky_reads_likes_reposts_replies_and_quotes_with_the_session_and_renews_an_expired_one()
    {
        await using var channel = HttpChannel.Start(ChannelKind.Bluesky);
        var fake = (FakeBlueskyPds)channel.Fake;
        var uri = await PostAsync(channel, "A post on Bluesky");
        fake.SetCounts(uri, likes: 9, reposts: 2, replies: 4, quotes: 1);
        fake.ExpireSessions();

        var read = await Reader<BlueskyClient>(channel).ReadEngagementAsync(channel.Connection, [uri, $"at://{fake.Did}/app.bsky.feed.post/3aaaaaaaaaaaa"], CancellationToken.None);

        Assert.Null(read.Failure);
        var post = Assert.Single(read.Posts);
        Assert.Equal((uri, 9, 2, 4, 1), (post.PostId, post.Likes, post.Reposts, post.Replies, post.Quotes));
        Assert.Equal(2, fake.SessionCount); // the one that posted, then a fresh one after ExpiredToken
        Assert.Equal(2, fake.Requests.Count(r => r.Path == "/xrpc/app.bsky.feed.getPosts"));
    }

    [Fact]
    public async Task Bluesky_asks_for_at_most_25_posts_a_call()
    {
        await using var channel = HttpChannel.Start(ChannelKind.Bluesky);
        var reader = Reader<BlueskyClient>(channel);
        var uris = Enumerable.Range(0, 26).Select(i => $"at://{((FakeBlueskyPds)channel.Fake).Did}/app.bsky.feed.post/3aaaaaaaaaa{i:00}").ToList();

        var tooMany = await reader.ReadEngagementAsync(channel.Connection, uris, CancellationToken.None);

        Assert.Equal(25, reader.MaxPostsPerRead);
        Assert.Equal(PublishOutcome.Permanent, tooMany.Failure?.Outcome); // the fake refuses 26, as the AppView does
        Assert.Null((await reader.ReadEngagementAsync(channel.Connection, uris.Take(25).ToList(), CancellationToken.None)).Failure);
    }

    [Fact]
    public async Task LinkedIn_reads_likes_and_comments_from_social_actions_with_the_version_headers()
    {
        await using var channel = HttpChannel.Start(ChannelKind.LinkedIn);
        var fake = (FakeLinkedInApi)channel.Fake;
        var urn = await PostAsync(channel, "A post on LinkedIn");
        fake.SetSocialActions(urn, likes: 31, comments: 6);

        var read = await Reader<LinkedInClient>(channel).ReadEngagementAsync(channel.Connection, [urn, "urn:li:share:1"], CancellationToken.None);

        Assert.Null(read.Failure);
        var post = Assert.Single(read.Posts);
        Assert.Equal((urn, 31, 6), (post.PostId, post.Likes, post.Replies));
        var sent = fake.Requests.First(r => r.Method == "GET");
        Assert.Equal("/rest/socialActions/" + urn, sent.Path);
        Assert.Equal(LinkedInClient.DefaultVersion, sent.Header("LinkedIn-Version"));
        Assert.Equal("2.0.0", sent.Header("X-Restli-Protocol-Version"));
    }

    [Fact]
    public async Task Facebook_reads_reactions_comments_shares_and_insights_with_the_page_token()
    {
        await using var channel = HttpChannel.Start(ChannelKind.FacebookPage);
        var fake = (FakeFacebookGraphApi)channel.Fake;
        var shared = await PostAsync(channel, "A Page post");
        var unshared = await PostAsync(channel, "Another Page post");
        fake.SetFigures(shared, reactions: 25, comments: 4, shares: 3, impressions: 1_800, clicks: 95);
        fake.SetFigures(unshared, reactions: 1, comments: 0, shares: 0, impressions: 60, clicks: 2);

        var read = await Reader<FacebookPageClient>(channel).ReadEngagementAsync(channel.Connection, [shared, unshared, fake.PageId + "_999"], CancellationToken.None);

        Assert.Null(read.Failure);
        Assert.Equal([(shared, 25, 3, 4, 1_800L, 95L), (unshared, 1, 0, 0, 60L, 2L)],
            read.Posts.Select(p => (p.PostId, p.Likes!.Value, p.Reposts!.Value, p.Replies!.Value, p.Impressions!.Value, p.Clicks!.Value)));
        Assert.All(fake.Requests.Where(r => r.Method == "GET"), r => Assert.Contains("access_token=" + fake.PageAccessToken, r.QueryString));
    }

    [Fact]
    public async Task Threads_reads_each_posts_media_insights_with_the_token_and_leaves_out_a_post_it_no_longer_has()
    {
        await using var channel = HttpChannel.Start(ChannelKind.Threads);
        var fake = (FakeThreadsApi)channel.Fake;
        var first = await PostAsync(channel, "First thread");
        var second = await PostAsync(channel, "Second thread");
        fake.SetInsights(first, new Dictionary<string, long> { ["views"] = 4_200, ["likes"] = 31, ["replies"] = 6, ["reposts"] = 4, ["quotes"] = 2, ["shares"] = 9 });

        var read = await Reader<Publisher.Worker.Channels.Threads.ThreadsClient>(channel).ReadEngagementAsync(channel.Connection, [first, "17841999999999999", second], CancellationToken.None);

        Assert.Null(read.Failure);
        Assert.Equal([first, second], read.Posts.Select(p => p.PostId));
        var figures = read.Posts[0];
        Assert.Equal((31, 4, 6, 2, 4_200L), (figures.Likes, figures.Reposts, figures.Replies, figures.Quotes, figures.Impressions));
        Assert.Contains("\"shares\"", figures.Raw);
        Assert.Equal((0, 0L), (read.Posts[1].Likes, read.Posts[1].Impressions));
        var calls = fake.Requests.Where(r => r.Method == "GET" && r.Path.EndsWith("/insights", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, r => Assert.Contains("metric=views%2Clikes%2Creplies%2Creposts%2Cquotes%2Cshares", r.QueryString));
        Assert.All(calls, r => Assert.Contains("access_token=" + fake.AccessToken, r.QueryString));
    }

    [Fact]
    public async Task Threads_throttling_stops_the_reading_keeping_what_was_read()
    {
        await using var channel = HttpChannel.Start(ChannelKind.Threads);
        var fake = (FakeThreadsApi)channel.Fake;
        var (a, b) = (await PostAsync(channel, "a"), await PostAsync(channel, "b"));
        fake.FailNext(1, 400, FakeContainerGraphApi.RateLimitBody, pathContains: b + "/insights");

        var read = await Reader<Publisher.Worker.Channels.Threads.ThreadsClient>(channel).ReadEngagementAsync(channel.Connection, [a, b], CancellationToken.None);

        Assert.Equal([a], read.Posts.Select(p => p.PostId));
        Assert.Equal(PublishOutcome.Transient, read.Failure?.Outcome);
    }

    [Fact]
    public async Task A_network_that_is_down_is_a_transient_failure()
    {
        var connection = ChannelKit.Connection(ChannelKind.Mastodon, ChannelKit.ClosedPort(), new Dictionary<string, string> { ["access_token"] = "t" });

        var read = await ChannelKit.Client<MastodonClient>().ReadEngagementAsync(connection, ["1"], CancellationToken.None);

        Assert.Empty(read.Posts);
        Assert.Equal(PublishOutcome.Transient, read.Failure?.Outcome);
    }

    private static IEngagementReader Reader<T>(HttpChannel channel) where T : IEngagementReader => (IEngagementReader)channel.Client;

    private static async Task<string> PostAsync(HttpChannel channel, string text)
    {
        var result = await channel.Client.PublishAsync(channel.Request(text), new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, result.Outcome);
        return result.ExternalId!;
    }
}
