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
    public async Task A_connected_account_posts_with_the_session_connect_stored_and_signs_in_with_its_app_password_once_that_runs_out()
    {
        // What Connect stores: the DID, the app password and a session made at the PDS.
        using var http = new HttpClient();
        using var signIn = await http.PostAsync(new Uri(_pds.BaseUri, "xrpc/com.atproto.server.createSession"),
            new StringContent($$"""{"identifier":"{{_pds.Did}}","password":"{{_pds.AppPassword}}"}""", System.Text.Encoding.UTF8, "application/json"));
        using var session = System.Text.Json.JsonDocument.Parse(await signIn.Content.ReadAsStringAsync());
        var stored = new Dictionary<string, string>
        {
            ["identifier"] = _pds.Did, ["app_password"] = _pds.AppPassword,
            ["access_token"] = session.RootElement.GetProperty("accessJwt").GetString()!, ["refresh_token"] = session.RootElement.GetProperty("refreshJwt").GetString()!,
        };
        var connection = ChannelKit.Connection(ChannelKind.Bluesky, _pds.BaseUri, stored);
        var client = ChannelKit.Client<BlueskyClient>();

        var first = await client.PublishAsync(ChannelKit.Request(connection, key: "stored-session-1"), new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, first.Outcome);
        Assert.Equal(1, _pds.Requests.Count(r => r.Path == "/xrpc/com.atproto.server.createSession")); // only the one above
        Assert.Equal("Bearer " + stored["access_token"], _pds.Requests.Last(r => r.Path == "/xrpc/com.atproto.repo.createRecord").Header("Authorization"));

        // The stored access JWT expired: the client signs in with the app password, and leaves the stored refresh JWT
        // alone (only the worker's refresh rotates it, and stores the new one).
        _pds.ExpireSessions();
        var second = await client.PublishAsync(ChannelKit.Request(connection, key: "stored-session-2"), new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, second.Outcome);
        Assert.Equal(2, _pds.Requests.Count(r => r.Path == "/xrpc/com.atproto.server.createSession"));
        Assert.DoesNotContain(_pds.Requests, r => r.Path == "/xrpc/com.atproto.server.refreshSession");
        Assert.Equal(2, _pds.PostCount);
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
