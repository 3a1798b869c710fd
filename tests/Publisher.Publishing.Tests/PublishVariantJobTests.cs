using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Domain;
using Publisher.Testing;
using Publisher.Worker.Channels;
using Publisher.Worker.Publishing;

namespace Publisher.Publishing.Tests;

[Collection(PostgresCollection.Name)]
public class PublishVariantJobTests(PostgresServer postgres) : IAsyncLifetime
{
    private PublishingHarness _h = null!;

    public async Task InitializeAsync() => _h = await PublishingHarness.StartAsync(postgres);

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    private async Task<List<Notification>> NotificationsAsync() =>
        await _h.QueryAsync(db => db.Notifications.Where(n => n.UserId == _h.AuthorId).OrderBy(n => n.CreatedAt));

    private async Task<List<AuditEvent>> AuditAsync(Guid variantId) =>
        await _h.QueryAsync(db => db.AuditEvents.Where(a => a.EntityId == variantId.ToString()).OrderBy(a => a.Id));

    [Fact]
    public async Task A_due_approved_variant_is_published_once_with_its_exact_text_and_the_author_is_told()
    {
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-1), "Fresh beans on Saturday.");

        await _h.RunJobAsync(id);

        var call = Assert.Single(_h.Client.Calls);
        Assert.Equal("Fresh beans on Saturday.", call.Text);
        Assert.Equal("secret-token", call.Connection.Credentials["access_token"]);
        Assert.Equal(new Uri("https://social.example"), call.Connection.BaseAddress);
        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.Published, variant.State);
        Assert.Equal("post-1", variant.ExternalId);
        Assert.NotNull(variant.PublishedAt);
        var attempt = Assert.Single(variant.PublishAttempts);
        Assert.Equal(PublishOutcome.Published, attempt.Outcome);
        Assert.NotNull(attempt.FinishedAt);
        Assert.StartsWith(id.ToString("N"), attempt.IdempotencyKey);
        Assert.Equal(call.IdempotencyKey, attempt.IdempotencyKey);
        Assert.Contains(await NotificationsAsync(), n => n.Text.StartsWith("Published") && n.Text.Contains("https://social.example/@brand/1"));

        // Running the same job again (Hangfire retried it, or a sweep enqueued it) posts nothing more.
        await _h.RunJobAsync(id);
        Assert.Single(_h.Client.Calls);
    }

    [Theory]
    [InlineData("javascript:alert(document.domain)//")]
    [InlineData("JAVASCRIPT:alert(1)")]
    [InlineData("vbscript:x")]
    [InlineData("/relative/only")]
    public async Task A_post_address_from_the_network_that_is_not_a_web_address_is_never_stored_or_shown(string hostileUrl)
    {
        _h.Client.Then(new PublishResult(PublishOutcome.Published, "post-7", hostileUrl));
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-1));

        await _h.RunJobAsync(id);

        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.Published, variant.State);
        Assert.Equal("post-7", variant.ExternalId);
        Assert.Null(variant.ExternalUrl);
        var told = Assert.Single(await NotificationsAsync(), n => n.Text.StartsWith("Published"));
        Assert.DoesNotContain(hostileUrl, told.Text);
    }

    [Fact]
    public async Task A_stale_job_does_nothing_and_records_why()
    {
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-1));

        await _h.RunJobAsync(id, token: Guid.NewGuid());

        Assert.Empty(_h.Client.Calls);
        Assert.Equal(VariantState.Scheduled, (await _h.LoadAsync(id)).State);
        Assert.Contains(await AuditAsync(id), a => a.Action == "publish skipped" && a.Reason!.StartsWith("stale job"));
    }

    [Fact]
    public async Task Two_jobs_racing_for_one_variant_post_it_once()
    {
        var release = new TaskCompletionSource();
        _h.Client.Then(async (_, _, _) =>
        {
            await release.Task;
            return PublishResult.Published("slow-1", null);
        });
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-1));

        var first = _h.RunJobAsync(id);
        await WaitUntilAsync(() => _h.Client.Calls.Count == 1);
        await _h.RunJobAsync(id); // finds the attempt in flight and leaves it alone
        release.SetResult();
        await first;

        Assert.Single(_h.Client.Calls);
        Assert.Equal(VariantState.Published, (await _h.LoadAsync(id)).State);
        Assert.Contains(await AuditAsync(id), a => a.Action == "publish skipped" && a.Reason!.StartsWith("already being published"));
    }

    [Fact]
    public async Task Content_that_no_longer_matches_its_approval_goes_back_to_review_unsent()
    {
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-1), tweak: v => v.ManualOverride = "Edited after approval.");

        await _h.RunJobAsync(id);

        Assert.Empty(_h.Client.Calls);
        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.InReview, variant.State);
        Assert.Contains(await NotificationsAsync(), n => n.Text.Contains("not what was approved"));
    }

    [Theory]
    [InlineData("style")]
    [InlineData("held")]
    [InlineData("render")]
    [InlineData("disabled")]
    public async Task A_variant_the_style_guide_or_renderer_blocks_is_not_published(string blocker)
    {
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-1), tweak: v =>
        {
            switch (blocker)
            {
                case "style": v.HasStyleErrors = true; break;
                case "held": v.HeldByStyleGuide = true; break;
                case "render": v.HasRenderErrors = true; break;
            }
        });
        if (blocker == "disabled")
            await _h.DbAsync(async db =>
            {
                await db.ChannelAccounts.ExecuteUpdateAsync(s => s.SetProperty(a => a.IsEnabled, false));
            });

        await _h.RunJobAsync(id);

        Assert.Empty(_h.Client.Calls);
        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.Failed, variant.State);
        Assert.Contains(blocker == "disabled" ? "switched off" : blocker == "render" ? "rendering errors" : "style guide", variant.LastError);
        Assert.Contains(await NotificationsAsync(), n => n.Text.Contains("was not published"));
    }

    [Fact]
    public async Task A_variant_past_the_grace_window_is_marked_missed_and_its_author_told()
    {
        var id = await _h.ScheduledVariantAsync(Now.AddHours(-2));

        await _h.RunJobAsync(id);

        Assert.Empty(_h.Client.Calls);
        Assert.Equal(VariantState.Missed, (await _h.LoadAsync(id)).State);
        Assert.Contains(await NotificationsAsync(), n => n.Text.Contains("too late") && n.Link == $"/Variants/{id}");
    }

    [Fact]
    public async Task A_variant_within_the_grace_window_is_still_published()
    {
        var id = await _h.ScheduledVariantAsync(Now.AddMinutes(-10));

        await _h.RunJobAsync(id);

        Assert.Equal(VariantState.Published, (await _h.LoadAsync(id)).State);
    }

    [Fact]
    public async Task A_job_that_fires_early_waits_for_its_time()
    {
        var id = await _h.ScheduledVariantAsync(Now.AddHours(1));

        await _h.RunJobAsync(id);

        Assert.Empty(_h.Client.Calls);
        Assert.Equal(VariantState.Scheduled, (await _h.LoadAsync(id)).State);
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_tried_again_no_sooner_than_the_network_asked_with_a_new_job_for_the_same_token()
    {
        _h.Client.Then(ScriptedChannelClient.Failure(PublishOutcome.Transient, 429, "Too many requests", TimeSpan.FromSeconds(70)));
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-1));
        var before = Now;

        await _h.RunJobAsync(id);

        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.Scheduled, variant.State);
        Assert.NotNull(variant.NextAttemptAt);
        Assert.InRange(variant.NextAttemptAt!.Value, before.AddSeconds(70), Now.AddSeconds(70 + 7 + 1));
        Assert.Contains("429", variant.LastError);
        Assert.NotNull(variant.JobId);
        Assert.Equal("Scheduled", _h.JobState(variant.JobId!));
        var args = _h.JobArguments(variant.JobId!);
        Assert.Equal(id, args[0]);
        Assert.Equal(variant.ScheduleToken, args[1]);
        Assert.Equal(PublishOutcome.Transient, Assert.Single(variant.PublishAttempts).Outcome);
        Assert.Contains(await NotificationsAsync(), n => n.Text.Contains("could not be published yet"));

        // The retry, when it comes, publishes.
        await _h.DueNowAsync(id);
        await _h.RunJobAsync(id);
        variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.Published, variant.State);
        Assert.Equal(2, variant.PublishAttempts.Count);
        Assert.Equal(2, _h.Client.Calls.Count);
    }

    [Fact]
    public async Task Server_errors_back_off_exponentially_and_give_up_after_the_configured_attempts()
    {
        for (var i = 0; i < 3; i++)
            _h.Client.Then(ScriptedChannelClient.Failure(PublishOutcome.Transient, 503, "Service unavailable"));
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-1));
        var waits = new List<TimeSpan>();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await _h.RunJobAsync(id);
            var variant = await _h.LoadAsync(id);
            if (attempt < 3)
            {
                Assert.Equal(VariantState.Scheduled, variant.State);
                // Measured from when the failure was recorded, not from the test's clock: a slow machine must not
                // make the back-off look longer than it is.
                waits.Add(variant.NextAttemptAt!.Value - variant.PublishAttempts.MaxBy(a => a.Number)!.FinishedAt!.Value);
                await _h.DueNowAsync(id);
            }
            else
            {
                Assert.Equal(VariantState.Failed, variant.State);
                Assert.Contains("gave up after 3 attempts", variant.LastError);
                Assert.Contains("Service unavailable", variant.LastError);
            }
        }
        // Initial back-off 10 s with jitter in [50 %, 100 %], then doubled: [5, 10] s, then [10, 20] s.
        Assert.InRange(waits[0].TotalSeconds, 4.99, 10.01); // the database keeps microseconds
        Assert.InRange(waits[1].TotalSeconds, 9.99, 20.01);
        Assert.Contains(await NotificationsAsync(), n => n.Text.Contains("failed to publish"));
    }

    [Theory]
    [InlineData(401, "The access token is invalid")]
    [InlineData(422, "Validation failed: Text character limit of 500 exceeded")]
    public async Task A_permanent_failure_fails_at_once_with_the_networks_own_message(int status, string message)
    {
        _h.Client.Then(ScriptedChannelClient.Failure(PublishOutcome.Permanent, status, message));
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-1));

        await _h.RunJobAsync(id);

        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.Failed, variant.State);
        Assert.Equal($"HTTP {status}: {message}", variant.LastError);
        Assert.Single(_h.Client.Calls);
        Assert.Contains(await NotificationsAsync(), n => n.Text.Contains(message));
    }

    [Fact]
    public async Task A_timeout_after_sending_is_reconciled_and_needs_a_person_when_the_network_cannot_tell()
    {
        _h.Client.Then(async (_, _, token) =>
        {
            await Task.Delay(Timeout.Infinite, token); // the request went out; no answer comes
            return PublishResult.Published("never", null);
        });
        _h.Client.ReconcileAnswer = new ReconcileResult(ReconcileVerdict.Unknown, Detail: "X cannot look it up");
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-1));

        await _h.RunJobAsync(id);

        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.NeedsAttention, variant.State);
        Assert.Equal(1, _h.Client.Reconciles);
        Assert.Single(_h.Client.Calls);
        Assert.Contains("not known whether the post went out", variant.LastError);
        Assert.Equal(PublishOutcome.Unknown, Assert.Single(variant.PublishAttempts).Outcome);
    }

    [Fact]
    public async Task A_refusal_only_a_person_can_resolve_needs_attention_with_the_networks_reason_and_no_reconcile()
    {
        const string reason = "Instagram's limit of 50 posts in 24 hours is used up on this account (50 of 50), so nothing was posted. Schedule the post again for later.";
        _h.Client.Then(new PublishResult(PublishOutcome.Unknown, Detail: reason, AskPerson: true));
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-1));

        await _h.RunJobAsync(id);

        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.NeedsAttention, variant.State);
        Assert.Equal(reason, variant.LastError);
        Assert.Equal(0, _h.Client.Reconciles);
        Assert.Contains(await NotificationsAsync(), n => n.Text.Contains("needs attention: " + reason));
    }

    [Fact]
    public async Task A_timeout_the_network_confirms_as_posted_counts_as_published()
    {
        _h.Client.Then(ScriptedChannelClient.Failure(PublishOutcome.Unknown, null, "connection reset"));
        _h.Client.ReconcileAnswer = new ReconcileResult(ReconcileVerdict.Published, "found-9", "https://social.example/@brand/9");
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-1));

        await _h.RunJobAsync(id);

        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.Published, variant.State);
        Assert.Equal("found-9", variant.ExternalId);
        Assert.Single(_h.Client.Calls);
    }

    [Theory]
    [InlineData(ReconcileVerdict.SafeToRetry, VariantState.Published, 1)]
    [InlineData(ReconcileVerdict.Unknown, VariantState.NeedsAttention, 0)]
    [InlineData(ReconcileVerdict.Published, VariantState.Published, 0)]
    public async Task An_attempt_a_dead_worker_may_have_sent_is_reconciled_before_anything_is_posted_again(ReconcileVerdict verdict, VariantState expected, int posts)
    {
        _h.Client.ReconcileAnswer = new ReconcileResult(verdict, verdict == ReconcileVerdict.Published ? "found" : null);
        // What a worker killed mid-call leaves: Publishing, with an attempt let go and never finished, and a heartbeat long stopped.
        var id = await _h.ScheduledVariantAsync(Now.AddMinutes(-3), tweak: v => { v.State = VariantState.Publishing; v.Attempts = 1; });
        await _h.OpenAttemptAsync(id, "dead:1", alive: false, startedAt: Now.AddSeconds(-20), sent: true);
        await _h.WaitUntilJudgingAsync();

        await _h.RunJobAsync(id);

        var variant = await _h.LoadAsync(id);
        Assert.Equal(expected, variant.State);
        Assert.Equal(1, _h.Client.Reconciles);
        Assert.Equal(posts, _h.Client.Calls.Count);
        var first = variant.PublishAttempts.Single(a => a.Number == 1);
        Assert.Equal(PublishOutcome.Unknown, first.Outcome);
        Assert.Contains("interrupted", first.Detail);
    }

    [Fact]
    public async Task An_attempt_a_dead_worker_never_let_go_is_sent_at_once_without_reconciling()
    {
        _h.Client.ReconcileAnswer = new ReconcileResult(ReconcileVerdict.Unknown, Detail: "a reconcile here would leave it to a person");
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-8), tweak: v => { v.State = VariantState.Publishing; v.Attempts = 1; });
        await _h.OpenAttemptAsync(id, "dead:1", alive: false, startedAt: Now.AddSeconds(-8), sent: false);
        await _h.WaitUntilJudgingAsync();

        await _h.RunJobAsync(id);

        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.Published, variant.State);
        Assert.Equal(0, _h.Client.Reconciles);
        Assert.Single(_h.Client.Calls);
        var taken = variant.PublishAttempts.Single(a => a.Worker == "dead:1");
        Assert.Equal(PublishOutcome.NotSent, taken.Outcome);
        Assert.Contains("took it over", taken.Detail);
        Assert.Equal(1, variant.Attempts); // the unsent attempt does not count against MaxAttempts
    }

    [Fact]
    public async Task An_interrupted_Mastodon_attempt_older_than_its_idempotency_window_is_left_to_a_person()
    {
        _h.Client.ReconcileAnswer = new ReconcileResult(ReconcileVerdict.SafeToRetry);
        var id = await _h.ScheduledVariantAsync(Now.AddHours(-3), tweak: v => { v.State = VariantState.Publishing; v.Attempts = 1; });
        await _h.OpenAttemptAsync(id, "dead:1", alive: false, startedAt: Now.AddHours(-2), sent: true);
        await _h.WaitUntilJudgingAsync();

        await _h.RunJobAsync(id);

        Assert.Empty(_h.Client.Calls);
        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.NeedsAttention, variant.State);
        Assert.Contains("Idempotency-Key", variant.LastError);
    }

    [Fact]
    public async Task An_attempt_of_a_worker_whose_heartbeat_is_fresh_is_left_to_it_however_old()
    {
        var id = await _h.ScheduledVariantAsync(Now.AddMinutes(-30), tweak: v => { v.State = VariantState.Publishing; v.Attempts = 1; });
        // Far older than any request timeout: its worker is waiting for the database to take the answer.
        await _h.OpenAttemptAsync(id, "alive:2", alive: true, startedAt: Now.AddMinutes(-29), sent: true);
        await _h.WaitUntilJudgingAsync();

        await _h.RunJobAsync(id);
        await _h.Services.GetRequiredService<PublishSweeper>().SweepAsync(CancellationToken.None);

        Assert.Equal(0, _h.Client.Reconciles);
        Assert.Empty(_h.Client.Calls);
        var variant = await _h.LoadAsync(id);
        Assert.Equal(VariantState.Publishing, variant.State);
        Assert.Null(Assert.Single(variant.PublishAttempts).FinishedAt);
        Assert.Equal(0, _h.Monitoring.EnqueuedCount(Core.Jobs.JobQueues.Publish));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_attempt_of_this_worker_that_it_no_longer_holds_is_taken_over_by_its_own_sweep_and_one_it_holds_is_not(bool held)
    {
        var id = await _h.ScheduledVariantAsync(Now.AddMinutes(-2), tweak: v => { v.State = VariantState.Publishing; v.Attempts = 1; });
        // What a claim leaves whose commit was made but answered with an error: this worker's attempt, never let go.
        var attempt = new PublishAttempt
        {
            VariantId = id, Number = 1, ContentHash = "h", IdempotencyKey = "k", Worker = PublishWorkerHeartbeat.Name, StartedAt = Now - ClaimsInHand.LostAfter * 2,
        };
        await _h.DbAsync(async db =>
        {
            db.PublishAttempts.Add(attempt);
            await db.SaveChangesAsync();
        });
        if (held)
            _h.Services.GetRequiredService<ClaimsInHand>().Hold(attempt.Id);

        await _h.Services.GetRequiredService<PublishSweeper>().SweepAsync(CancellationToken.None);
        await _h.RunJobAsync(id);

        var queued = _h.Monitoring.EnqueuedJobs(Core.Jobs.JobQueues.Publish, 0, 10).Select(j => (Guid)j.Value.Job.Args[0]).ToList();
        var variant = await _h.LoadAsync(id);
        Assert.Equal(0, _h.Client.Reconciles);
        if (held)
        {
            Assert.Empty(queued);
            Assert.Empty(_h.Client.Calls);
            Assert.Equal(VariantState.Publishing, variant.State);
        }
        else
        {
            Assert.Equal([id], queued);
            Assert.Single(_h.Client.Calls); // never let go: sent without reconciling
            Assert.Equal(VariantState.Published, variant.State);
            Assert.Equal(PublishOutcome.NotSent, variant.PublishAttempts.Single(a => a.Id == attempt.Id).Outcome);
        }
    }

    [Fact]
    public async Task A_thread_interrupted_after_its_first_part_resumes_after_it()
    {
        string[] parts = ["1/3 Our spring blend is here.", "2/3 Notes of cherry and cocoa.", "3/3 In the shop Saturday."];
        _h.Client.Then(async (request, progress, token) =>
        {
            await progress.PartPostedAsync("part-1", token);
            return ScriptedChannelClient.Failure(PublishOutcome.Transient, 503, "Service unavailable");
        });
        var id = await _h.ScheduledVariantAsync(Now.AddSeconds(-1), parts[0], parts);

        await _h.RunJobAsync(id);
        Assert.Equal(["part-1"], (await _h.LoadAsync(id)).ExternalPartIds);
        await _h.DueNowAsync(id);
        await _h.RunJobAsync(id);

        var retry = _h.Client.Calls[1];
        Assert.Equal(parts, retry.ThreadParts);
        Assert.Equal(["part-1"], retry.PostedPartIds);
        Assert.Equal(VariantState.Published, (await _h.LoadAsync(id)).State);
    }

    [Fact]
    public async Task A_blog_post_gets_its_address_from_its_title_and_a_second_with_the_same_title_another()
    {
        Guid blog = Guid.Empty;
        await _h.DbAsync(async db =>
        {
            var account = new ChannelAccount { Name = "Northwind blog", Kind = "Blog", IsDemo = true };
            db.ChannelAccounts.Add(account);
            await db.SaveChangesAsync();
            blog = account.Id;
        });
        var first = await _h.ScheduledVariantAsync(Now.AddSeconds(-1), tweak: v => v.ChannelAccountId = blog);
        var second = await _h.ScheduledVariantAsync(Now.AddSeconds(-1), tweak: v => v.ChannelAccountId = blog);
        await _h.DbAsync(db => db.Approvals.Where(a => a.VariantId == first || a.VariantId == second).ExecuteDeleteAsync());
        await _h.DbAsync(async db =>
        {
            foreach (var v in await db.Variants.Where(v => v.Id == first || v.Id == second).ToListAsync())
            {
                v.ContentHash = Core.Workflow.ContentHash.Of(v);
                db.Approvals.Add(new Approval { VariantId = v.Id, ApproverId = _h.ApproverId, ContentHash = v.ContentHash, Decision = ApprovalDecision.Approved, Role = Roles.Approver, At = Now });
            }
            await db.SaveChangesAsync();
        });

        await _h.RunJobAsync(first);
        await _h.RunJobAsync(second);

        var a = await _h.LoadAsync(first);
        var b = await _h.LoadAsync(second);
        Assert.Equal(VariantState.Published, a.State);
        Assert.Equal("roastery-open-day", a.ExternalId);
        Assert.Equal("http://127.0.0.1:5999/blog/roastery-open-day", a.ExternalUrl);
        Assert.Equal("roastery-open-day-2", b.ExternalId);
        Assert.Empty(_h.Client.Calls); // the blog is local: no network client was called
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The condition did not become true within 30 s.");
            await Task.Delay(20);
        }
    }
}
