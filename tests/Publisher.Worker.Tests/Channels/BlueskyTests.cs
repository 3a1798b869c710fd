using Microsoft.Extensions.Time.Testing;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Bluesky;

namespace Publisher.Worker.Tests.Channels;

/// <summary>
/// What only the fake can play: answers Bluesky's own PDS gives rarely or never on demand. Everything else the
/// client does is in <see cref="Bluesky.BlueskyClientContract"/>, run against the fake and the real PDS.
/// </summary>
public sealed class BlueskyTests : IAsyncLifetime
{
    private readonly FakeBlueskyPds _pds = new();

    private ChannelConnection Connection => ChannelKit.Connection(ChannelKind.Bluesky, _pds.BaseUri, _pds.Credentials);

    [Fact]
    public async Task A_429_on_a_post_waits_until_the_ratelimit_reset()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
        var client = ChannelKit.Client<BlueskyClient>(clock);
        var reset = clock.GetUtcNow().AddSeconds(90).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        _pds.FailNext(1, 429, """{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}""",
            new Dictionary<string, string> { ["ratelimit-limit"] = "5000", ["ratelimit-remaining"] = "0", ["ratelimit-reset"] = reset }, "createRecord");

        var result = await client.PublishAsync(ChannelKit.Request(Connection), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(90), result.RetryAfter);
        Assert.Contains("Rate Limit Exceeded", result.Detail);
    }

    [Fact]
    public async Task A_server_error_on_a_key_that_is_still_free_stays_a_transient_failure()
    {
        // A 500 is also how a PDS reports a taken key, so the client looks; here nothing is there.
        _pds.FailNext(1, 500, """{"error":"InternalServerError","message":"Internal Server Error"}""", pathContains: "createRecord");
        var request = ChannelKit.Request(Connection);

        var result = await ChannelKit.Client<BlueskyClient>().PublishAsync(request, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Equal(500, result.HttpStatus);
        Assert.Contains(_pds.Requests, r => r.Path.EndsWith("getRecord", StringComparison.Ordinal) && r.QueryString.Contains(BlueskyRecordKey.For(request.IdempotencyKey, 0), StringComparison.Ordinal));
        Assert.Equal(0, _pds.PostCount);
    }

    [Fact]
    public void Record_keys_are_valid_TIDs_stable_per_key_and_distinct_per_part()
    {
        var keys = Enumerable.Range(0, 5).Select(i => BlueskyRecordKey.For("variant-1", i)).ToList();

        Assert.All(keys, k => Assert.True(BlueskyRecordKey.IsTid(k), k));
        Assert.Equal(keys, Enumerable.Range(0, 5).Select(i => BlueskyRecordKey.For("variant-1", i)));
        Assert.Equal(5, keys.Distinct().Count());
        Assert.NotEqual(keys[0], BlueskyRecordKey.For("variant-2", 0));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _pds.DisposeAsync();
}
