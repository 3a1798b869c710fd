using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Domain;
using Publisher.Testing;
using Publisher.Testing.Fakes;
using Publisher.Worker.Analytics;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Mastodon;

namespace Publisher.Publishing.Tests;

/// <summary>The engagement job on a real database against the strict Mastodon fake: readings on the decaying schedule, one row each.</summary>
[Collection(PostgresCollection.Name)]
public class EngagementJobTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_published_post_is_read_on_the_schedule_and_each_reading_is_a_new_snapshot()
    {
        await using var h = await PublishingHarness.StartAsync(postgres);
        await using var mastodon = new FakeMastodonApi();
        await h.PointAccountAtAsync("Mastodon", mastodon.BaseUri, mastodon.Credentials);
        var publishedAt = DateTimeOffset.UtcNow.AddDays(-1).AddHours(-1);
        var (variantId, statusId) = await PublishedAsync(h, mastodon, publishedAt);
        var clock = new SettableClock(publishedAt.AddMinutes(30));

        var early = await RunAsync(h, clock);
        Assert.Equal((0, 0), (early.PostsDue, early.Readings)); // nothing before the 1-hour point
        Assert.DoesNotContain(mastodon.Requests, r => r.Method == "GET");

        mastodon.SetCounts(statusId, favourites: 4, reblogs: 1, replies: 0);
        clock.Now = publishedAt.AddHours(2);
        var first = await RunAsync(h, clock);
        Assert.Equal((1, 1), (first.PostsDue, first.Readings));
        Assert.Empty(first.Problems);

        var again = await RunAsync(h, clock);
        Assert.Equal(0, again.PostsDue); // the next point is 6 hours after publishing

        mastodon.SetCounts(statusId, favourites: 10, reblogs: 3, replies: 2);
        clock.Now = publishedAt.AddHours(7);
        await RunAsync(h, clock);

        var snapshots = await h.QueryAsync(db => db.EngagementSnapshots.AsNoTracking().Where(s => s.VariantId == variantId).OrderBy(s => s.FetchedAt));
        Assert.Equal([(4, 1, 0), (10, 3, 2)], snapshots.Select(s => (s.Likes!.Value, s.Reposts!.Value, s.Replies!.Value)));
        Assert.All(snapshots, s => Assert.Equal((statusId, h.AccountId), (s.ExternalId, s.ChannelAccountId)));
        Assert.Equal(2, mastodon.Requests.Count(r => r.Method == "GET" && r.Path == $"/api/v1/statuses/{statusId}"));
    }

    [Fact]
    public async Task A_rate_limited_read_stores_nothing_and_the_post_stays_due_for_the_next_run()
    {
        await using var h = await PublishingHarness.StartAsync(postgres);
        await using var mastodon = new FakeMastodonApi();
        await h.PointAccountAtAsync("Mastodon", mastodon.BaseUri, mastodon.Credentials);
        var publishedAt = DateTimeOffset.UtcNow.AddHours(-3);
        var (variantId, statusId) = await PublishedAsync(h, mastodon, publishedAt);
        mastodon.SetCounts(statusId, favourites: 2, reblogs: 0, replies: 1);
        mastodon.FailNext(1, 429, """{"error":"Too many requests"}""", new Dictionary<string, string> { ["Retry-After"] = "60" }, pathContains: "/api/v1/statuses/");
        var clock = new SettableClock(DateTimeOffset.UtcNow);

        var limited = await RunAsync(h, clock);
        Assert.Equal(0, limited.Readings);
        Assert.Contains("retry after 60 s", Assert.Single(limited.Problems));
        Assert.Empty(await h.QueryAsync(db => db.EngagementSnapshots.Where(s => s.VariantId == variantId)));

        var next = await RunAsync(h, clock);
        Assert.Equal(1, next.Readings);
        Assert.Equal(2, (await h.QueryAsync(db => db.EngagementSnapshots.Where(s => s.VariantId == variantId))).Single().Likes);
    }

    [Fact]
    public async Task A_deleted_post_gets_one_empty_reading_and_is_not_asked_for_again_at_every_run()
    {
        await using var h = await PublishingHarness.StartAsync(postgres);
        await using var mastodon = new FakeMastodonApi();
        await h.PointAccountAtAsync("Mastodon", mastodon.BaseUri, mastodon.Credentials);
        var publishedAt = DateTimeOffset.UtcNow.AddHours(-2);
        var (variantId, statusId) = await PublishedAsync(h, mastodon, publishedAt);
        mastodon.Delete(statusId);
        var clock = new SettableClock(DateTimeOffset.UtcNow);

        await RunAsync(h, clock);
        var second = await RunAsync(h, clock);

        var snapshot = (await h.QueryAsync(db => db.EngagementSnapshots.Where(s => s.VariantId == variantId))).Single();
        Assert.Equal((null, EngagementJob.MissingRaw), (snapshot.Likes, snapshot.Raw));
        Assert.Equal(0, second.PostsDue);
    }

    private static async Task<EngagementRun> RunAsync(PublishingHarness h, TimeProvider clock)
    {
        EngagementRun? run = null;
        await h.WithScopeAsync(async sp => run = await ActivatorUtilities.CreateInstance<EngagementJob>(sp, clock).ReadDueAsync(CancellationToken.None));
        return run!;
    }

    /// <summary>A status made on the fake by the real client, and a variant that says it was published as that status.</summary>
    private static async Task<(Guid VariantId, string StatusId)> PublishedAsync(PublishingHarness h, FakeMastodonApi mastodon, DateTimeOffset publishedAt)
    {
        var client = h.Services.GetServices<IChannelClient>().OfType<MastodonClient>().Single();
        var connection = new ChannelConnection(Templates.Channels.ChannelKind.Mastodon, "Northwind on Mastodon", "@northwind", mastodon.BaseUri, mastodon.Credentials, new Dictionary<string, string>());
        var posted = await client.PublishAsync(new PublishRequest(Guid.NewGuid(), connection, "Open day on Saturday.", [], null, null, null, null, null, null,
            "Open day", "key-" + Guid.NewGuid(), [], publishedAt), new NoProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, posted.Outcome);
        var variantId = await h.ScheduledVariantAsync(publishedAt.AddMinutes(-1), "Open day on Saturday.", tweak: v =>
        {
            v.State = VariantState.Published;
            v.PublishedAt = publishedAt;
            v.ExternalId = posted.ExternalId;
            v.ExternalPartIds = [posted.ExternalId!];
        });
        return (variantId, posted.ExternalId!);
    }

    private sealed class NoProgress : IPublishProgress
    {
        public Task PartPostedAsync(string externalId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task MediaUploadedAsync(string key, string networkMediaId, DateTimeOffset? expiresAt, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
