using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Mastodon;

namespace Publisher.Worker.Tests.Channels;

public sealed class MastodonTests : IAsyncLifetime
{
    private readonly FakeMastodonApi _mastodon = new();
    private readonly MastodonClient _client = ChannelKit.Client<MastodonClient>();

    private ChannelConnection Connection => ChannelKit.Connection(ChannelKind.Mastodon, _mastodon.BaseUri, _mastodon.Credentials, handle: "publisher");

    [Fact]
    public async Task A_status_is_posted_publicly_with_the_bearer_token_and_the_idempotency_key()
    {
        var request = ChannelKit.Request(Connection, "Autumn sale: 20% off.", key: "variant-1-abc");

        var result = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var status = Assert.Single(_mastodon.Statuses);
        Assert.Equal(status.Id, result.ExternalId);
        Assert.Equal(new Uri(_mastodon.BaseUri, $"@publisher/{status.Id}").ToString(), result.ExternalUrl);
        Assert.Equal("public", status.Visibility);
        var sent = Assert.Single(_mastodon.Requests);
        Assert.Equal("Bearer " + _mastodon.AccessToken, sent.Header("Authorization"));
        Assert.Equal("variant-1-abc", sent.Header("Idempotency-Key"));
        Assert.Equal("Autumn sale: 20% off.", sent.Json().GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("javascript:alert(document.domain)//")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("https://evil.example/a b")]
    public async Task A_status_address_that_is_not_a_web_address_is_not_taken_from_the_server(string hostileUrl)
    {
        await using var hostile = new FakeMastodonApi { StatusUrl = hostileUrl };
        var connection = ChannelKit.Connection(ChannelKind.Mastodon, hostile.BaseUri, hostile.Credentials, handle: "publisher");

        var result = await _client.PublishAsync(ChannelKit.Request(connection, "Autumn sale: 20% off.", key: "k"), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var status = Assert.Single(hostile.Statuses);
        Assert.Equal(new Uri(hostile.BaseUri, $"@publisher/{status.Id}").ToString(), result.ExternalUrl);
    }

    [Fact]
    public async Task A_thread_chains_in_reply_to_id_and_gives_each_part_its_own_key()
    {
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection, thread: ["1/3 a", "2/3 b", "3/3 c"], key: "k"), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var statuses = _mastodon.Statuses;
        Assert.Equal(3, statuses.Count);
        Assert.Null(statuses[0].InReplyToId);
        Assert.Equal(statuses[0].Id, statuses[1].InReplyToId);
        Assert.Equal(statuses[1].Id, statuses[2].InReplyToId);
        Assert.Equal(["k", "k-1", "k-2"], statuses.Select(s => s.IdempotencyKey));
        Assert.Equal(statuses.Select(s => s.Id), progress.Ids);
    }

    [Fact]
    public async Task A_thread_resumes_after_the_posted_parts()
    {
        var first = await _client.PublishAsync(ChannelKit.Request(Connection, "1/2 a", key: "first"), new RecordingProgress(), CancellationToken.None);

        var result = await _client.PublishAsync(ChannelKit.Request(Connection, thread: ["1/2 a", "2/2 b"], key: "k", posted: [first.ExternalId!]), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(first.ExternalId, result.ExternalId);
        var statuses = _mastodon.Statuses;
        Assert.Equal(2, statuses.Count);
        Assert.Equal(first.ExternalId, statuses[1].InReplyToId);
        Assert.Equal("k-1", statuses[1].IdempotencyKey);
    }

    [Fact]
    public async Task After_an_interrupted_post_reconcile_says_retry_and_the_retry_returns_the_same_status()
    {
        var request = ChannelKit.Request(Connection, "Autumn sale: 20% off.");
        _mastodon.AbortNext(1, afterHandling: true);

        var interrupted = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);
        var verdict = await _client.ReconcileAsync(request, CancellationToken.None);
        var retried = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Unknown, interrupted.Outcome);
        Assert.Equal(ReconcileVerdict.SafeToRetry, verdict.Verdict);
        Assert.Equal(PublishOutcome.Published, retried.Outcome);
        var status = Assert.Single(_mastodon.Statuses);
        Assert.Equal(status.Id, retried.ExternalId);
    }

    [Fact]
    public async Task After_the_worker_died_mid_post_the_retry_gets_the_status_the_server_made()
    {
        var request = ChannelKit.Request(Connection, "Autumn sale: 20% off.");
        _mastodon.HoldRequests("/api/v1/statuses");
        using var worker = new CancellationTokenSource();

        var publishing = _client.PublishAsync(request, new RecordingProgress(), worker.Token);
        await _mastodon.WaitForHeldAsync();
        await worker.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publishing);
        _mastodon.ReleaseHeld();
        await Poll.UntilAsync(() => _mastodon.PostCount == 1);
        var retried = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, retried.Outcome);
        Assert.Equal(Assert.Single(_mastodon.Statuses).Id, retried.ExternalId);
    }

    [Fact]
    public async Task A_status_over_500_characters_is_refused_as_permanent_with_Mastodons_words()
    {
        var result = await _client.PublishAsync(ChannelKit.Request(Connection, new string('a', 501)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal(422, result.HttpStatus);
        Assert.Contains("Text character limit of 500 exceeded", result.Detail);
    }

    [Fact]
    public async Task A_revoked_token_is_permanent()
    {
        var connection = Connection with { Credentials = new Dictionary<string, string> { ["access_token"] = "revoked" } };

        var result = await _client.PublishAsync(ChannelKit.Request(connection), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal(401, result.HttpStatus);
        Assert.Contains("The access token is invalid", result.Detail);
    }

    [Fact]
    public async Task A_429_waits_until_the_ISO_8601_rate_limit_reset()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
        var client = ChannelKit.Client<MastodonClient>(clock);
        _mastodon.FailNext(1, 429, """{"error":"Too many requests"}""", new Dictionary<string, string>
        {
            ["X-RateLimit-Limit"] = "300",
            ["X-RateLimit-Remaining"] = "0",
            ["X-RateLimit-Reset"] = "2026-11-24T10:05:30.000Z",
        });

        var result = await client.PublishAsync(ChannelKit.Request(Connection), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(330), result.RetryAfter);
        Assert.Contains("Too many requests", result.Detail);
    }

    [Fact]
    public async Task The_connection_test_calls_verify_credentials()
    {
        var check = await _client.TestConnectionAsync(Connection, CancellationToken.None);

        Assert.True(check.Ok);
        Assert.Contains("@publisher", check.Message);
        Assert.Equal("/api/v1/accounts/verify_credentials", Assert.Single(_mastodon.Requests).Path);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _mastodon.DisposeAsync();
}
