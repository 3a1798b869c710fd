using Publisher.Core.Database;
using Publisher.Core.Domain;
using Publisher.Testing;
using Publisher.Testing.Fakes;

namespace Publisher.Publishing.Tests;

/// <summary>
/// The worker as a real process against real fakes of the networks: killed mid-call, restarted, started
/// late, and with its database restarted underneath it. None of it may post twice or lose a post.
/// </summary>
[Collection(PostgresCollection.Name)]
public class WorkerProcessTests(PostgresServer postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_worker_killed_while_Mastodon_holds_the_request_leaves_one_post_after_restart()
    {
        await using var h = await PublishingHarness.StartAsync(postgres);
        await using var mastodon = new FakeMastodonApi();
        await h.PointAccountAtAsync("Mastodon", mastodon.BaseUri, mastodon.Credentials);
        mastodon.HoldRequests("/api/v1/statuses");
        var id = await h.ScheduledVariantAsync(DateTimeOffset.UtcNow, "Fresh beans on Saturday.");

        var first = WorkerProcess.Start(h.WorkerEnvironment());
        await mastodon.WaitForHeldAsync(1, Patience);
        Assert.Equal(VariantState.Publishing, (await h.LoadAsync(id)).State);
        await first.KillAsync(); // dies after sending, before hearing the answer
        mastodon.ReleaseHeld(); // the network goes on and makes the post
        await WaitUntilAsync(() => mastodon.PostCount == 1);

        await using var second = WorkerProcess.Start(h.WorkerEnvironment());
        var variant = await h.WaitForStateAsync(id, VariantState.Published, Patience, () => second.Output);

        Assert.Equal(1, mastodon.PostCount); // the retry carried the same Idempotency-Key: no second post
        var posts = mastodon.Requests.Where(r => r.Method == "POST" && r.Path == "/api/v1/statuses").ToList();
        Assert.Equal(2, posts.Count);
        Assert.Equal(posts[0].Header("Idempotency-Key"), posts[1].Header("Idempotency-Key"));
        Assert.Equal(mastodon.Statuses[0].Id, variant.ExternalId);
        Assert.Contains(variant.PublishAttempts, a => a.Outcome == PublishOutcome.Unknown && a.Detail!.Contains("interrupted"));
        await first.DisposeAsync();
    }

    [Fact]
    public async Task A_worker_killed_mid_call_to_X_finds_the_post_on_restart_instead_of_posting_again()
    {
        await using var h = await PublishingHarness.StartAsync(postgres);
        await using var x = new FakeXApi();
        await h.PointAccountAtAsync("X", x.BaseUri, x.Credentials);
        x.HoldRequests("/2/tweets");
        var id = await h.ScheduledVariantAsync(DateTimeOffset.UtcNow, "Fresh beans on Saturday.");

        var first = WorkerProcess.Start(h.WorkerEnvironment());
        await x.WaitForHeldAsync(1, Patience);
        await first.KillAsync();
        x.ReleaseHeld();
        await WaitUntilAsync(() => x.PostCount == 1);

        await using var second = WorkerProcess.Start(h.WorkerEnvironment());
        var variant = await h.WaitForStateAsync(id, VariantState.Published, Patience, () => second.Output);

        Assert.Equal(1, x.PostCount);
        Assert.Equal(x.Tweets[0].Id, variant.ExternalId);
        await first.DisposeAsync();
    }

    [Fact]
    public async Task After_downtime_the_worker_publishes_what_is_within_the_grace_window_and_marks_the_rest_missed()
    {
        await using var h = await PublishingHarness.StartAsync(postgres);
        await using var mastodon = new FakeMastodonApi();
        await h.PointAccountAtAsync("Mastodon", mastodon.BaseUri, mastodon.Credentials);
        // Came due while no worker ran: one 3 minutes ago (grace window 15 minutes), one 2 hours ago.
        var recent = await h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddMinutes(-3), "Due three minutes ago.");
        var old = await h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddHours(-2), "Due two hours ago.");
        var future = await h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddHours(2), "Due in two hours.");

        await using var worker = WorkerProcess.Start(h.WorkerEnvironment());
        await h.WaitForStateAsync(recent, VariantState.Published, Patience, () => worker.Output);
        var missed = await h.WaitForStateAsync(old, VariantState.Missed, Patience, () => worker.Output);

        Assert.Equal(["Due three minutes ago."], mastodon.Statuses.Select(s => s.Text));
        Assert.Contains("grace window", missed.LastError);
        var told = await h.QueryAsync(db => db.Notifications.Where(n => n.UserId == h.AuthorId && n.Link == $"/Variants/{old}"));
        Assert.Contains(told, n => n.Text.Contains("too late"));
        await WaitUntilAsync(() => h.LoadAsync(future).GetAwaiter().GetResult().JobId is not null); // the sweep gives it its job
        Assert.Equal(VariantState.Scheduled, (await h.LoadAsync(future)).State);
        Assert.Single(mastodon.Requests, r => r.Method == "POST");
        Assert.Empty((await h.LoadAsync(old)).PublishAttempts); // the missed one was never tried
    }

    [Fact]
    public async Task A_due_variant_goes_out_at_once_even_when_its_Hangfire_job_is_lost()
    {
        await using var h = await PublishingHarness.StartAsync(postgres);
        await using var mastodon = new FakeMastodonApi();
        await h.PointAccountAtAsync("Mastodon", mastodon.BaseUri, mastodon.Credentials);
        var environment = h.WorkerEnvironment();
        environment["Publishing__SweepInterval"] = "01:00:00"; // no help from the sweep after its first pass
        await using var worker = WorkerProcess.Start(environment);
        // The worker is up once its Hangfire server has registered; only then is the variant planned.
        await WaitUntilAsync(() => h.Monitoring.Servers().Any(s => s.Name.Contains($":{worker.Id}", StringComparison.Ordinal)));
        var id = await h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddSeconds(2), "On the dot.", tweak: v => v.JobId = "a-job-that-no-longer-exists");

        var variant = await h.WaitForStateAsync(id, VariantState.Published, Patience, () => worker.Output);

        Assert.Single(mastodon.Statuses);
        Assert.InRange(variant.PublishedAt!.Value - variant.ScheduledAt!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(60)); // not the hour's sweep
    }

    [Fact]
    public async Task The_database_restarted_under_a_running_worker_loses_no_post_and_doubles_none()
    {
        // A cluster of its own, so restarting it disturbs no other test.
        var folder = Path.Combine(Path.GetTempPath(), "publisher-restart-" + Guid.NewGuid().ToString("N")[..8]);
        var cluster = await LocalPostgresCluster.StartAsync(folder, durable: true);
        try
        {
            await using var h = await PublishingHarness.StartAsync(cluster);
            await using var mastodon = new FakeMastodonApi();
            await h.PointAccountAtAsync("Mastodon", mastodon.BaseUri, mastodon.Credentials);
            await using var worker = WorkerProcess.Start(h.WorkerEnvironment());
            var before = await h.ScheduledVariantAsync(DateTimeOffset.UtcNow, "Before the restart.");
            await h.WaitForStateAsync(before, VariantState.Published, Patience, () => worker.Output);

            // The database goes away while a post is in flight, and comes back.
            mastodon.HoldRequests("/api/v1/statuses");
            var during = await h.ScheduledVariantAsync(DateTimeOffset.UtcNow, "During the restart.");
            await mastodon.WaitForHeldAsync(1, Patience);
            await cluster.StopAsync();
            mastodon.ReleaseHeld(); // the answer arrives while the database is down
            await WaitUntilAsync(() => mastodon.PostCount == 2);
            cluster = await LocalPostgresCluster.StartAsync(folder, durable: true);

            await h.WaitForStateAsync(during, VariantState.Published, Patience, () => worker.Output);
            var after = await h.ScheduledVariantAsync(DateTimeOffset.UtcNow, "After the restart.");
            await h.WaitForStateAsync(after, VariantState.Published, Patience, () => worker.Output);

            Assert.False(worker.HasExited, worker.Output);
            Assert.Equal(["Before the restart.", "During the restart.", "After the restart."], mastodon.Statuses.Select(s => s.Text));
        }
        finally
        {
            await cluster.StopAsync();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The condition did not become true in time.");
            await Task.Delay(50);
        }
    }
}
