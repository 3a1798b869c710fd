using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Database;
using Publisher.Core.Domain;
using Publisher.Media;
using Publisher.Media.Storage;
using Publisher.Testing;
using Publisher.Testing.Fakes;
using Publisher.Worker.Publishing;
using Xunit.Abstractions;

namespace Publisher.Publishing.Tests;

/// <summary>
/// The worker as a real process against real fakes of the networks: killed mid-call, restarted, started
/// late, and with its database restarted underneath it. None of it may post twice or lose a post.
/// </summary>
[Collection(PostgresCollection.Name)]
public class WorkerProcessTests(PostgresServer postgres, ITestOutputHelper output)
{
    // A deadline for what a worker process does, not a timing: a .NET process's start on two cores shared with other
    // builds and tests has taken minutes.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

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
    public async Task A_worker_killed_mid_way_through_a_Facebook_video_upload_leaves_one_post_the_restart_sending_only_the_rest()
    {
        await using var h = await PublishingHarness.StartAsync(postgres);
        await using var graph = new FakeFacebookGraphApi();
        await h.PointAccountAtAsync("FacebookPage", graph.BaseUri, graph.Credentials, new Dictionary<string, string> { ["page_id"] = graph.PageId });
        var bytes = new byte[400_000];
        Random.Shared.NextBytes(bytes);
        "\0\0\0\u0020ftypisom"u8.CopyTo(bytes);
        var blob = await h.Services.GetRequiredService<IBlobStore>().PutAsync(new MemoryStream(bytes), "video/mp4", CancellationToken.None);
        var id = await h.ScheduledVariantAsync(DateTimeOffset.UtcNow, "A tour of the roastery.", content: v => v.Media =
        [
            new VariantMedia
            {
                Key = blob.Sha256, Kind = MediaKind.Video, ContentType = "video/mp4", Length = blob.Length, Width = 1280, Height = 720,
                DurationSeconds = 20, VideoCodec = "h264", AltText = "The roaster turning beans", FileName = "tour.mp4",
            },
        ]);
        var environment = h.WorkerEnvironment();
        environment["Connect__Facebook__ClientId"] = graph.AppId;
        environment["Connect__Facebook__ClientSecret"] = "fake-meta-app-secret";
        // The bytes' request is held while the worker is killed; when it goes on, Facebook keeps the part that arrived.
        graph.InterruptNextUpload(150_000);
        graph.HoldRequests("/upload:");

        var first = WorkerProcess.Start(environment);
        await graph.WaitForHeldAsync(1, Patience);
        await first.KillAsync();
        graph.ReleaseHeld();
        await WaitUntilAsync(() => graph.Uploads.Values.Sum(u => u.Received.Length) == 150_000);

        await using var second = WorkerProcess.Start(environment);
        var variant = await h.WaitForStateAsync(id, VariantState.Published, Patience, () => second.Output);

        var post = Assert.Single(graph.Posts);
        Assert.Equal(post.Id, variant.ExternalId);
        var upload = Assert.Single(graph.Uploads.Values);
        Assert.Same(upload, post.Video);
        Assert.Equal([0L, 150_000L], upload.Offsets);
        Assert.Equal(bytes, upload.Bytes);
        Assert.Single(graph.Requests, r => r.Path.EndsWith("/videos", StringComparison.Ordinal));
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

    [Fact]
    public async Task A_worker_killed_mid_burst_leaves_its_claims_to_the_other_which_publishes_all_repeating_only_what_was_in_flight()
    {
        await using var h = await PublishingHarness.StartAsync(postgres);
        await using var receiver = new FakeWebhookReceiver { AnswerDelay = TimeSpan.FromSeconds(2) }; // a slow network keeps requests in flight
        await h.PointAccountAtAsync("Webhook", receiver.Url, receiver.Credentials);
        var ids = new List<Guid>();
        for (var i = 0; i < 300; i++)
            ids.Add(await h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddHours(1), $"Post {i}."));

        await using var doomed = WorkerProcess.Start(h.WorkerEnvironment());
        await using var survivor = WorkerProcess.Start(h.WorkerEnvironment());
        await WaitForWorkersAsync(h, 2);
        var due = await DueTogetherAsync(h, ids, TimeSpan.FromSeconds(4));
        await WaitUntilAsync(() => DateTimeOffset.UtcNow >= due + TimeSpan.FromSeconds(5));
        var killedAt = DateTimeOffset.UtcNow;
        await doomed.KillAsync();

        foreach (var id in ids)
            await h.WaitForStateAsync(id, VariantState.Published, Patience, () => survivor.Output);

        var requests = receiver.Requests.GroupBy(r => r.Header("X-Publisher-Delivery")!).ToDictionary(g => g.Key, g => g.OrderBy(r => r.ReceivedAt).ToList());
        Assert.Equal(ids.Count, requests.Count); // every variant delivered
        Assert.Equal(ids.Count, receiver.Deliveries.Count);
        var repeated = requests.Where(r => r.Value.Count > 1).ToList();
        Assert.All(repeated, r =>
        {
            Assert.Equal(2, r.Value.Count);
            // Only a request that had left before the kill is sent again: it may have been in flight.
            Assert.True(r.Value[0].ReceivedAt < killedAt + TimeSpan.FromSeconds(1), $"{r.Key} was first received at {r.Value[0].ReceivedAt:HH:mm:ss.fff}, after the kill at {killedAt:HH:mm:ss.fff}");
        });
        var attempts = await h.QueryAsync(db => db.PublishAttempts.Where(a => ids.Contains(a.VariantId)));
        Assert.All(attempts, a => Assert.NotNull(a.FinishedAt));
        // Claims the dead worker never let go were sent once, without reconciling.
        var unsent = attempts.Where(a => a.Outcome == PublishOutcome.NotSent).Select(a => a.VariantId).ToHashSet();
        var variants = await h.QueryAsync(db => db.Variants.Where(v => unsent.Contains(v.Id)).Select(v => new { v.Id, v.ExternalId }));
        Assert.All(variants, v => Assert.Single(receiver.Requests, r => r.Header("X-Publisher-Delivery") == v.ExternalId));
        var published = await h.QueryAsync(db => db.Variants.Where(v => ids.Contains(v.Id)).Select(v => v.PublishedAt!.Value));
        output.WriteLine($"kill -9 mid-burst: {repeated.Count} request(s) in flight sent again, {unsent.Count} unsent claim(s) taken over; "
            + $"the last variant settled {(published.Max() - due).TotalSeconds:0.0} s after its time");
    }

    [Fact]
    public async Task PostgreSQL_stopped_and_started_while_answers_come_back_sends_no_request_twice()
    {
        var folder = Path.Combine(Path.GetTempPath(), "publisher-blip-" + Guid.NewGuid().ToString("N")[..8]);
        var cluster = await LocalPostgresCluster.StartAsync(folder, durable: true);
        try
        {
            await using var h = await PublishingHarness.StartAsync(cluster);
            await using var receiver = new FakeWebhookReceiver { AnswerDelay = TimeSpan.FromSeconds(1.5) };
            await h.PointAccountAtAsync("Webhook", receiver.Url, receiver.Credentials);
            var ids = new List<Guid>();
            for (var i = 0; i < 150; i++)
                ids.Add(await h.ScheduledVariantAsync(DateTimeOffset.UtcNow.AddHours(1), $"Post {i}."));
            await using var first = WorkerProcess.Start(h.WorkerEnvironment());
            await using var second = WorkerProcess.Start(h.WorkerEnvironment());
            await WaitForWorkersAsync(h, 2);
            await DueTogetherAsync(h, ids, TimeSpan.FromSeconds(3));

            // Requests are out when the database goes; their answers arrive while it is away, which is longer than
            // it takes a worker to look dead (10 s), and then it comes back.
            await WaitUntilAsync(() => receiver.Requests.Count >= 20);
            await cluster.StopAsync();
            var stoppedAt = DateTime.UtcNow;
            await WaitUntilAsync(() => DateTime.UtcNow - stoppedAt > TimeSpan.FromSeconds(12));
            cluster = await LocalPostgresCluster.StartAsync(folder, durable: true);

            foreach (var id in ids)
                await h.WaitForStateAsync(id, VariantState.Published, Patience, () => first.Output + second.Output);

            Assert.False(first.HasExited, first.Output);
            Assert.False(second.HasExited, second.Output);
            var repeated = receiver.Requests.GroupBy(r => r.Header("X-Publisher-Delivery")).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.Empty(repeated);
            Assert.Equal(ids.Count, receiver.Deliveries.Count);
            var attempts = await h.QueryAsync(db => db.PublishAttempts.Where(a => ids.Contains(a.VariantId)));
            Assert.Equal(ids.Count, attempts.Count); // one attempt each: nothing interrupted, nothing taken over
            Assert.All(attempts, a => Assert.Equal(PublishOutcome.Published, a.Outcome));
        }
        finally
        {
            await cluster.StopAsync();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_worker_started_by_hand_finds_its_settings_whatever_the_current_folder(bool fromFilesystemRoot)
    {
        await using var h = await PublishingHarness.StartAsync(postgres);
        await using var mastodon = new FakeMastodonApi();
        await h.PointAccountAtAsync("Mastodon", mastodon.BaseUri, mastodon.Credentials);
        var id = await h.ScheduledVariantAsync(DateTimeOffset.UtcNow, "Started by hand.");

        // The README's command, from the repository root; or the dll's full path from anywhere else.
        await using var worker = fromFilesystemRoot
            ? WorkerProcess.Start(ByHand(h), "/", Path.Combine(RepositoryRoot.Path, WorkerProcess.RelativeDll), quiet: false)
            : WorkerProcess.Start(ByHand(h), RepositoryRoot.Path, WorkerProcess.RelativeDll, quiet: false);
        await h.WaitForStateAsync(id, VariantState.Published, Patience, () => worker.Output);

        Assert.Equal(["Started by hand."], mastodon.Statuses.Select(s => s.Text));
        // Its appsettings.json was read: Entity Framework logs warnings only, not every SQL command.
        Assert.DoesNotContain("Executed DbCommand", worker.Output);
        Assert.Contains("Application started", worker.Output); // and it does log, at the levels of its own settings
    }

    /// <summary>Waits until <paramref name="count"/> worker processes write their heartbeat (the test process beats too, as a worker would).</summary>
    private static Task WaitForWorkersAsync(PublishingHarness h, int count) =>
        WaitUntilAsync(() => h.QueryAsync(db => db.PublishWorkers.Where(w => w.Name != PublishWorkerHeartbeat.Name)).GetAwaiter().GetResult().Count >= count);

    /// <summary>Only what the README's "Running more workers" sets, and the fake network's loopback address allowed.</summary>
    private static Dictionary<string, string> ByHand(PublishingHarness h) => new()
    {
        ["PUBLISHER_DB"] = h.ConnectionString,
        ["PUBLISHER_MASTER_KEY"] = h.MasterKeyValue,
        [PrivateNetworks.EnvironmentVariable] = "true", // the fake Mastodon listens on 127.0.0.1
    };

    /// <summary>Brings every variant to the same instant, <paramref name="from"/> from now, in one write.</summary>
    private static async Task<DateTimeOffset> DueTogetherAsync(PublishingHarness h, IReadOnlyList<Guid> ids, TimeSpan from)
    {
        var due = DateTimeOffset.UtcNow + from;
        await h.DbAsync(db => db.Variants.Where(v => ids.Contains(v.Id)).ExecuteUpdateAsync(s => s.SetProperty(v => v.ScheduledAt, due)));
        return due;
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
