using Publisher.Core.Domain;
using Publisher.Core.Workflow;
using Publisher.Testing;
using Publisher.Testing.Fakes;

namespace Publisher.Publishing.Tests;

/// <summary>
/// Threads (and Instagram) record each container before publishing it: the job hands those records to reconcile within
/// the attempt, and to the next attempt, text posts included, so an interrupted publish never becomes a second post.
/// </summary>
[Collection(PostgresCollection.Name)]
public class ContainerPublishingTests(PostgresServer postgres) : IAsyncLifetime
{
    private PublishingHarness _h = null!;
    private readonly FakeThreadsApi _threads = new();

    public async Task InitializeAsync()
    {
        _h = await PublishingHarness.StartAsync(postgres);
        await _h.PointAccountAtAsync("Threads", _threads.BaseUri, _threads.Credentials, new Dictionary<string, string> { ["user_id"] = _threads.UserId });
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        await _threads.DisposeAsync();
    }

    [Fact]
    public async Task A_lost_publish_answer_is_resolved_within_the_attempt_by_the_container_it_made()
    {
        var id = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddSeconds(-1), "Fresh beans on Saturday.");
        _threads.AbortNext(1, afterHandling: true, "/threads_publish");

        await _h.RunJobAsync(id);

        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.Published, variant.State);
        var post = Assert.Single(_threads.Posts);
        Assert.Equal(post.Id, variant.ExternalId);
        Assert.Equal(post.Permalink, variant.ExternalUrl);
    }

    [Fact]
    public async Task The_next_attempt_of_a_text_post_publishes_the_container_the_interrupted_one_made()
    {
        var id = await _h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddSeconds(-1), "Fresh beans on Saturday.");
        // The publish request never arrives: the container is made and recorded, not published.
        _threads.AbortNext(1, afterHandling: false, "/threads_publish");

        await _h.RunJobAsync(id);
        Assert.NotEqual(VariantState.Published, (await _h.LoadAsync(id)).State);
        Assert.Equal(0, _threads.PostCount);

        await _h.DueNowAsync(id);
        await _h.RunJobAsync(id);

        Assert.Equal(VariantState.Published, (await _h.LoadAsync(id)).State);
        var container = Assert.Single(_threads.Containers);
        Assert.Equal(container.Id, Assert.Single(_threads.Posts).ContainerId);
    }
}
