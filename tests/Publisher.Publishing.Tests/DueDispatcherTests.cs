using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Publisher.Core.Domain;
using Publisher.Core.Jobs;
using Publisher.Testing;
using Publisher.Worker.Channels;
using Publisher.Worker.Publishing;

namespace Publisher.Publishing.Tests;

/// <summary>The batch path each worker's dispatcher takes: claim due variants together, send, record outcomes together.</summary>
[Collection(PostgresCollection.Name)]
public class DueDispatcherTests(PostgresServer postgres) : IAsyncLifetime
{
    private PublishingHarness _h = null!;

    public async Task InitializeAsync() => _h = await PublishingHarness.StartAsync(postgres);

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    private async Task<T> WithJobAsync<T>(Func<PublishVariantJob, Task<T>> act)
    {
        await using var scope = _h.Services.CreateAsyncScope();
        return await act((PublishVariantJob)scope.ServiceProvider.GetRequiredService<IPublishVariantJob>());
    }

    [Fact]
    public async Task A_claim_takes_the_earliest_due_variants_up_to_its_limit_and_passes_over_rows_another_worker_holds()
    {
        var held = await _h.ScheduledVariantAsync(Now.AddSeconds(-50));
        var first = await _h.ScheduledVariantAsync(Now.AddSeconds(-40));
        var second = await _h.ScheduledVariantAsync(Now.AddSeconds(-30));
        var third = await _h.ScheduledVariantAsync(Now.AddSeconds(-20));
        var later = await _h.ScheduledVariantAsync(Now.AddMinutes(10));

        // Another worker is in the middle of claiming the earliest one.
        await using var other = new NpgsqlConnection(_h.ConnectionString);
        await other.OpenAsync();
        await using var otherTransaction = await other.BeginTransactionAsync();
        await using (var lockIt = new NpgsqlCommand("""SELECT 1 FROM "Variants" WHERE "Id" = @id FOR UPDATE""", other, otherTransaction))
        {
            lockIt.Parameters.AddWithValue("id", held);
            await lockIt.ExecuteScalarAsync();
        }

        var claims = await WithJobAsync(job => job.ClaimDueAsync(2, CancellationToken.None));

        Assert.Equal([first, second], claims.Select(c => c.VariantId));
        foreach (var claim in claims)
        {
            var variant = await _h.LoadAsync(claim.VariantId);
            Assert.Equal(VariantState.Publishing, variant.State);
            var attempt = Assert.Single(variant.PublishAttempts);
            Assert.Equal(claim.AttemptId, attempt.Id);
            Assert.Null(attempt.FinishedAt);
            Assert.Equal("Fresh beans on Saturday.", claim.Request!.Text);
        }
        Assert.Equal(VariantState.Scheduled, (await _h.LoadAsync(held)).State);
        Assert.Empty((await _h.LoadAsync(held)).PublishAttempts);

        // The lock is let go: the next claim takes what is left and due, and never what is not yet due.
        await otherTransaction.RollbackAsync();
        var rest = await WithJobAsync(job => job.ClaimDueAsync(10, CancellationToken.None));
        Assert.Equal([held, third], rest.Select(c => c.VariantId));
        Assert.Equal(VariantState.Scheduled, (await _h.LoadAsync(later)).State);
        Assert.Empty(await WithJobAsync(job => job.ClaimDueAsync(10, CancellationToken.None)));
        Assert.Empty(_h.Client.Calls);
    }

    [Fact]
    public async Task A_claim_applies_the_jobs_checks_to_every_variant_it_takes()
    {
        var fine = await _h.ScheduledVariantAsync(Now.AddSeconds(-1));
        var edited = await _h.ScheduledVariantAsync(Now.AddSeconds(-1), tweak: v => v.ManualOverride = "Edited after approval.");
        var missed = await _h.ScheduledVariantAsync(Now.AddHours(-2));
        var held = await _h.ScheduledVariantAsync(Now.AddSeconds(-1), tweak: v => v.HeldByStyleGuide = true);

        var claims = await WithJobAsync(job => job.ClaimDueAsync(10, CancellationToken.None));

        Assert.Equal([fine], claims.Select(c => c.VariantId));
        Assert.Equal(VariantState.InReview, (await _h.LoadAsync(edited)).State);
        Assert.Equal(VariantState.Missed, (await _h.LoadAsync(missed)).State);
        Assert.Equal(VariantState.Failed, (await _h.LoadAsync(held)).State);
    }

    [Fact]
    public async Task Outcomes_recorded_together_each_move_their_own_variant()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++)
            ids.Add(await _h.ScheduledVariantAsync(Now.AddSeconds(-10 + i)));
        var claims = await WithJobAsync(job => job.ClaimDueAsync(10, CancellationToken.None));
        Assert.Equal(ids, claims.Select(c => c.VariantId));
        PublishResult[] results =
        [
            PublishResult.Published("p-1", "https://social.example/@brand/p-1"),
            ScriptedChannelClient.Failure(PublishOutcome.Transient, 503, "down for maintenance", TimeSpan.FromMinutes(2)),
            ScriptedChannelClient.Failure(PublishOutcome.Permanent, 422, "Text is too long"),
            ScriptedChannelClient.Failure(PublishOutcome.Unknown, null, "no answer within 5 s"),
        ];

        await WithJobAsync(async job =>
        {
            await job.RecordAsync(claims.Zip(results).ToList(), CancellationToken.None);
            return 0;
        });

        var published = await _h.LoadAsync(ids[0]);
        Assert.Equal((VariantState.Published, "p-1"), (published.State, published.ExternalId));
        var retried = await _h.LoadAsync(ids[1]);
        Assert.Equal(VariantState.Scheduled, retried.State);
        Assert.True(retried.NextAttemptAt >= Now.AddMinutes(2).AddSeconds(-5), $"retry at {retried.NextAttemptAt}");
        Assert.NotNull(retried.JobId);
        var failed = await _h.LoadAsync(ids[2]);
        Assert.Equal(VariantState.Failed, failed.State);
        Assert.Contains("Text is too long", failed.LastError);
        Assert.Equal(VariantState.NeedsAttention, (await _h.LoadAsync(ids[3])).State);
        foreach (var id in ids)
            Assert.NotNull(Assert.Single((await _h.LoadAsync(id)).PublishAttempts).FinishedAt);
        var told = await _h.QueryAsync(db => db.Notifications.Where(n => n.UserId == _h.AuthorId).Select(n => n.Text));
        Assert.Equal(4, told.Count);
    }

    [Fact]
    public async Task A_variant_claimed_ahead_of_its_time_is_sent_at_its_time_and_not_before()
    {
        // Claims are made up to 5 s ahead here, and the claim comes within 4.5 s of the due time being chosen even on
        // a machine loaded far past its cores (with the default lead of ~1 s, a slow insert made the claim late).
        await _h.DisposeAsync();
        _h = await PublishingHarness.StartAsync(postgres, new Dictionary<string, string?> { ["Publishing:ClaimLead"] = "00:00:05" });
        var notYet = await _h.ScheduledVariantAsync(Now.AddSeconds(30));
        var due = Now.AddMilliseconds(4_500);
        var soon = await _h.ScheduledVariantAsync(due);

        var claims = await WithJobAsync(job => job.ClaimDueAsync(10, CancellationToken.None));

        Assert.True(Now < due, "the claim was to be made before the due time; the machine was too slow for this test");
        var claim = Assert.Single(claims);
        Assert.Equal(soon, claim.VariantId);
        Assert.InRange((claim.SendAt - due).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        var result = await WithJobAsync(job => job.CallNetworkAsync(claim, CancellationToken.None));
        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.True(_h.Client.CallTimes.Single() >= claim.SendAt, $"sent at {_h.Client.CallTimes.Single():HH:mm:ss.fff}, due {due:HH:mm:ss.fff}");
        Assert.Equal(VariantState.Scheduled, (await _h.LoadAsync(notYet)).State);
    }

    [Fact]
    public async Task Two_dispatchers_sharing_the_database_publish_every_due_variant_once_and_none_early()
    {
        var due = Now.AddSeconds(2);
        var ids = new List<Guid>();
        for (var i = 0; i < 60; i++)
            ids.Add(await _h.ScheduledVariantAsync(due.AddMilliseconds(i * 10), text: $"Post {i}."));

        // Two dispatchers, as two worker processes would run: each with its own services and activity.
        var dispatchers = Enumerable.Range(0, 2)
            .Select(_ => (IHostedService)ActivatorUtilities.CreateInstance<DueDispatcher>(_h.Services, new DispatchActivity()))
            .ToList();
        foreach (var dispatcher in dispatchers)
            await dispatcher.StartAsync(CancellationToken.None);
        try
        {
            foreach (var id in ids)
                await _h.WaitForStateAsync(id, VariantState.Published, TimeSpan.FromSeconds(60));
        }
        finally
        {
            foreach (var dispatcher in dispatchers)
                await dispatcher.StopAsync(CancellationToken.None);
        }

        var calls = _h.Client.Calls;
        Assert.Equal(ids.Count, calls.Count);
        Assert.Equal(ids.Order(), calls.Select(c => c.VariantId).Order());
        foreach (var (call, at) in calls.Zip(_h.Client.CallTimes))
        {
            var scheduled = (await _h.LoadAsync(call.VariantId)).ScheduledAt!.Value;
            Assert.True(at >= scheduled, $"{call.Text} was sent at {at:HH:mm:ss.fff}, before its time {scheduled:HH:mm:ss.fff}");
        }
        foreach (var id in ids)
            Assert.Single((await _h.LoadAsync(id)).PublishAttempts);
    }

    [Fact]
    public async Task A_dispatcher_stopped_before_its_claims_time_gives_them_back_unsent_and_the_next_one_sends_them_on_time()
    {
        await _h.DisposeAsync();
        // Claims are made up to 5 s ahead here, so the dispatcher holds them well before their time.
        _h = await PublishingHarness.StartAsync(postgres, new Dictionary<string, string?> { ["Publishing:ClaimLead"] = "00:00:05" });
        var due = Now.AddSeconds(4);
        var ids = new List<Guid> { await _h.ScheduledVariantAsync(due), await _h.ScheduledVariantAsync(due.AddMilliseconds(200)) };

        var first = (IHostedService)ActivatorUtilities.CreateInstance<DueDispatcher>(_h.Services, new DispatchActivity());
        await first.StartAsync(CancellationToken.None);
        foreach (var id in ids)
            await _h.WaitForStateAsync(id, VariantState.Publishing, TimeSpan.FromSeconds(3));
        await first.StopAsync(CancellationToken.None);

        Assert.True(Now < due, "the claims were to be given back before their time; the machine was too slow for this test");
        Assert.Empty(_h.Client.Calls);
        foreach (var id in ids)
        {
            var variant = await _h.LoadAsync(id);
            Assert.Equal(VariantState.Scheduled, variant.State);
            Assert.Equal(0, variant.Attempts);
            Assert.Null(variant.NextAttemptAt);
            var attempt = Assert.Single(variant.PublishAttempts);
            Assert.Equal(PublishOutcome.NotSent, attempt.Outcome);
            Assert.NotNull(attempt.FinishedAt);
        }
        var told = await _h.QueryAsync(db => db.Notifications.Where(n => n.UserId == _h.AuthorId));
        Assert.Empty(told);

        var next = (IHostedService)ActivatorUtilities.CreateInstance<DueDispatcher>(_h.Services, new DispatchActivity());
        await next.StartAsync(CancellationToken.None);
        try
        {
            foreach (var id in ids)
                await _h.WaitForStateAsync(id, VariantState.Published, TimeSpan.FromSeconds(30));
        }
        finally
        {
            await next.StopAsync(CancellationToken.None);
        }
        Assert.Equal(ids.Order(), _h.Client.Calls.Select(c => c.VariantId).Order());
        foreach (var (call, at) in _h.Client.Calls.Zip(_h.Client.CallTimes))
            Assert.True(at >= (await _h.LoadAsync(call.VariantId)).ScheduledAt, $"sent at {at:HH:mm:ss.fff}, before its time");
        foreach (var id in ids)
            Assert.Equal(1, (await _h.LoadAsync(id)).Attempts);
    }

    [Fact]
    public async Task A_round_is_marked_sent_in_one_write_and_an_attempt_another_worker_took_over_is_not_let_go()
    {
        var mine = await _h.ScheduledVariantAsync(Now.AddSeconds(-2));
        var takenOver = await _h.ScheduledVariantAsync(Now.AddSeconds(-1));
        var claims = await WithJobAsync(job => job.ClaimDueAsync(10, CancellationToken.None));
        Assert.Equal([mine, takenOver], claims.Select(c => c.VariantId));
        foreach (var claim in claims)
            Assert.Null((await _h.LoadAsync(claim.VariantId)).PublishAttempts.Single().SentAt); // claimed, not let go
        // Another worker judged this one dead and closed its attempt.
        await _h.DbAsync(db => db.PublishAttempts.Where(a => a.Id == claims[1].AttemptId)
            .ExecuteUpdateAsync(a => a.SetProperty(x => x.FinishedAt, DateTimeOffset.UtcNow).SetProperty(x => x.Outcome, PublishOutcome.NotSent)));

        var open = await WithJobAsync(job => job.MarkSentAsync(claims.Select(c => c.AttemptId).ToList(), CancellationToken.None));

        Assert.Equal([claims[0].AttemptId], open);
        Assert.NotNull((await _h.LoadAsync(mine)).PublishAttempts.Single().SentAt);
        Assert.Null((await _h.LoadAsync(takenOver)).PublishAttempts.Single().SentAt);
    }

    [Fact]
    public async Task A_dispatcher_takes_over_a_dead_workers_claims_sending_the_unsent_and_reconciling_only_what_may_have_gone_out()
    {
        _h.Client.ReconcileAnswer = new ReconcileResult(ReconcileVerdict.SafeToRetry);
        var unsent = await _h.ScheduledVariantAsync(Now.AddSeconds(-6), "Claimed, never let go.", tweak: v => { v.State = VariantState.Publishing; v.Attempts = 1; });
        var inFlight = await _h.ScheduledVariantAsync(Now.AddSeconds(-6), "Let go, no answer recorded.", tweak: v => { v.State = VariantState.Publishing; v.Attempts = 1; });
        var alive = await _h.ScheduledVariantAsync(Now.AddSeconds(-6), "Held by a live worker.", tweak: v => { v.State = VariantState.Publishing; v.Attempts = 1; });
        await _h.OpenAttemptAsync(unsent, "dead:1", alive: false, startedAt: Now.AddSeconds(-6), sent: false);
        await _h.OpenAttemptAsync(inFlight, "dead:2", alive: false, startedAt: Now.AddSeconds(-6), sent: true);
        await _h.OpenAttemptAsync(alive, "alive:3", alive: true, startedAt: Now.AddSeconds(-6), sent: true);

        var dispatcher = (IHostedService)ActivatorUtilities.CreateInstance<DueDispatcher>(_h.Services, new DispatchActivity());
        await dispatcher.StartAsync(CancellationToken.None);
        try
        {
            await _h.WaitForStateAsync(unsent, VariantState.Published, TimeSpan.FromSeconds(60));
            await _h.WaitForStateAsync(inFlight, VariantState.Published, TimeSpan.FromSeconds(60));
        }
        finally
        {
            await dispatcher.StopAsync(CancellationToken.None);
        }

        Assert.Equal(1, _h.Client.Reconciles); // only the one that may have gone out
        Assert.Equal(["Claimed, never let go.", "Let go, no answer recorded."], _h.Client.Calls.Select(c => c.Text).Order());
        Assert.Equal(PublishOutcome.NotSent, (await _h.LoadAsync(unsent)).PublishAttempts.Single(a => a.Worker == "dead:1").Outcome);
        Assert.Equal(PublishOutcome.Unknown, (await _h.LoadAsync(inFlight)).PublishAttempts.Single(a => a.Worker == "dead:2").Outcome);
        var untouched = await _h.LoadAsync(alive);
        Assert.Equal(VariantState.Publishing, untouched.State);
        Assert.Null(Assert.Single(untouched.PublishAttempts).FinishedAt);
    }

    [Fact]
    public async Task The_sweep_leaves_overdue_variants_and_stale_jobs_alone_while_the_dispatcher_is_busy()
    {
        var overdue = await _h.ScheduledVariantAsync(Now.AddMinutes(-5), tweak: v => v.JobId = "lost");
        var activity = _h.Services.GetRequiredService<DispatchActivity>();
        var sweeper = _h.Services.GetRequiredService<PublishSweeper>();
        var enqueuedBefore = _h.Monitoring.EnqueuedCount(JobQueues.Publish);

        activity.Claimed(Now);
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.Equal(enqueuedBefore, _h.Monitoring.EnqueuedCount(JobQueues.Publish));

        activity.Claimed(Now - DispatchActivity.BusyWindow - TimeSpan.FromSeconds(1));
        await sweeper.SweepAsync(CancellationToken.None);
        var queued = _h.Monitoring.EnqueuedJobs(JobQueues.Publish, 0, 100).Select(j => (Guid)j.Value.Job.Args[0]).ToList();
        Assert.Contains(overdue, queued);
    }
}
