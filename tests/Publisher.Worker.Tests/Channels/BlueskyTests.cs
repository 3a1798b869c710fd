using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Publisher.Core.Domain;
using Publisher.Templates.Bluesky;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Bluesky;

namespace Publisher.Worker.Tests.Channels;

public sealed class BlueskyTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private readonly FakeBlueskyPds _pds = new();
    private readonly BlueskyClient _client = ChannelKit.Client<BlueskyClient>();

    private ChannelConnection Connection => ChannelKit.Connection(ChannelKind.Bluesky, _pds.BaseUri, _pds.Credentials);

    /// <summary>Facets as the composer stores them: one array per part, serialized with web defaults.</summary>
    private static string FacetsJson(params string[] parts) =>
        JsonSerializer.Serialize(parts.Select(p => BlueskyFacets.Extract(p)), Web);

    [Fact]
    public async Task A_post_is_a_record_under_a_derived_key_with_the_renderers_facets()
    {
        const string text = "Herbst-Sale 🍂 startet: example.com/sale #AutumnSale";
        var request = ChannelKit.Request(Connection, text, key: "variant-7", facetsJson: FacetsJson(text));

        var result = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var record = Assert.Single(_pds.Records);
        var rkey = BlueskyRecordKey.For("variant-7", 0);
        Assert.Equal(rkey, record.Rkey);
        Assert.Equal($"at://{_pds.Did}/app.bsky.feed.post/{rkey}", result.ExternalId);
        Assert.Equal($"https://bsky.app/profile/{_pds.Handle}/post/{rkey}", result.ExternalUrl);
        var facets = record.Value.GetProperty("facets").EnumerateArray().ToList();
        Assert.Equal(2, facets.Count);
        var bytes = Encoding.UTF8.GetBytes(text);
        string Covered(JsonElement facet) => Encoding.UTF8.GetString(bytes[facet.GetProperty("index").GetProperty("byteStart").GetInt32()..facet.GetProperty("index").GetProperty("byteEnd").GetInt32()]);
        Assert.Equal("example.com/sale", Covered(facets[0]));
        Assert.Equal("https://example.com/sale", facets[0].GetProperty("features")[0].GetProperty("uri").GetString());
        Assert.Equal("#AutumnSale", Covered(facets[1]));
        Assert.Equal("AutumnSale", facets[1].GetProperty("features")[0].GetProperty("tag").GetString());
        var create = _pds.Requests.Single(r => r.Path.EndsWith("createRecord", StringComparison.Ordinal));
        Assert.StartsWith("Bearer ey", create.Header("Authorization"));
    }

    [Fact]
    public async Task Cashtags_and_fullwidth_tags_go_out_as_tag_facets_and_short_links_with_their_full_address()
    {
        var post = BlueskyFacets.Prepare("Buy $nwnd and \uFF03coffee at https://example.com/a/very/long/path?utm_source=bluesky");

        await _client.PublishAsync(ChannelKit.Request(Connection, post.Text, facetsJson: JsonSerializer.Serialize(new[] { post.Facets }, Web)),
            new RecordingProgress(), CancellationToken.None);

        var features = Assert.Single(_pds.Records).Value.GetProperty("facets").EnumerateArray()
            .Select(f => f.GetProperty("features")[0]).ToList();
        Assert.Equal(["$NWND", "coffee"], features.Where(f => f.TryGetProperty("tag", out _)).Select(f => f.GetProperty("tag").GetString()));
        Assert.Equal("https://example.com/a/very/long/path?utm_source=bluesky", features.Single(f => f.TryGetProperty("uri", out _)).GetProperty("uri").GetString());
    }

    [Fact]
    public async Task A_mention_carries_the_resolved_DID()
    {
        const string text = "Thanks @alice.bsky.social for the photos";

        await _client.PublishAsync(ChannelKit.Request(Connection, text, facetsJson: FacetsJson(text)), new RecordingProgress(), CancellationToken.None);

        var feature = Assert.Single(_pds.Records).Value.GetProperty("facets")[0].GetProperty("features")[0];
        Assert.Equal("app.bsky.richtext.facet#mention", feature.GetProperty("$type").GetString());
        Assert.Equal(_pds.KnownHandles["alice.bsky.social"], feature.GetProperty("did").GetString());
    }

    [Fact]
    public async Task Facets_that_no_longer_fit_the_text_are_left_out_instead_of_refused()
    {
        // Rendered for a longer text, then the variant was edited by hand: the ranges point past the end.
        var stale = FacetsJson("A much longer rendering with a link at the end: example.com/sale #AutumnSale");

        var result = await _client.PublishAsync(ChannelKit.Request(Connection, "Short edit.", facetsJson: stale), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.False(Assert.Single(_pds.Records).Value.TryGetProperty("facets", out _));
    }

    [Fact]
    public async Task A_thread_points_every_reply_at_the_root_and_its_parent()
    {
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection, thread: ["1/3 a", "2/3 b", "3/3 c"], key: "thread-1"), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var records = _pds.Records;
        Assert.Equal(3, records.Count);
        Assert.False(records[0].Value.TryGetProperty("reply", out _));
        var reply = records[2].Value.GetProperty("reply");
        Assert.Equal(records[0].Uri, reply.GetProperty("root").GetProperty("uri").GetString());
        Assert.Equal(records[0].Cid, reply.GetProperty("root").GetProperty("cid").GetString());
        Assert.Equal(records[1].Uri, reply.GetProperty("parent").GetProperty("uri").GetString());
        Assert.Equal(records[1].Cid, reply.GetProperty("parent").GetProperty("cid").GetString());
        Assert.Equal(records.Select(r => $"{r.Uri}|{r.Cid}"), progress.Ids);
        Assert.Equal(3, records.Select(r => r.Rkey).Distinct().Count());
    }

    [Fact]
    public async Task A_thread_resumes_from_the_posted_uri_and_cid()
    {
        var progress = new RecordingProgress();
        var request = ChannelKit.Request(Connection, thread: ["1/2 a", "2/2 b"], key: "thread-2");
        // An earlier attempt that got as far as the first part, under the same key.
        var earlier = new RecordingProgress();
        await _client.PublishAsync(request with { ThreadParts = ["1/2 a"] }, earlier, CancellationToken.None);

        var result = await _client.PublishAsync(request with { PostedPartIds = earlier.Ids }, progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var records = _pds.Records;
        Assert.Equal(2, records.Count);
        Assert.Equal(records[0].Uri, result.ExternalId);
        Assert.Equal(records[0].Uri, records[1].Value.GetProperty("reply").GetProperty("parent").GetProperty("uri").GetString());
        Assert.Single(progress.Ids);
    }

    [Fact]
    public async Task Reconcile_finds_a_post_that_went_out_before_the_connection_broke()
    {
        var request = ChannelKit.Request(Connection, key: "variant-9");
        _pds.AbortNext(1, afterHandling: true, "createRecord");

        var interrupted = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);
        var verdict = await _client.ReconcileAsync(request, CancellationToken.None);

        Assert.Equal(PublishOutcome.Unknown, interrupted.Outcome);
        Assert.Equal(ReconcileVerdict.Published, verdict.Verdict);
        Assert.Equal(Assert.Single(_pds.Records).Uri, verdict.ExternalId);
    }

    [Fact]
    public async Task A_post_the_server_finished_after_the_worker_died_is_found_by_reconcile()
    {
        var request = ChannelKit.Request(Connection, key: "variant-12");
        _pds.HoldRequests("createRecord");
        using var worker = new CancellationTokenSource();

        var publishing = _client.PublishAsync(request, new RecordingProgress(), worker.Token);
        await _pds.WaitForHeldAsync();
        await worker.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publishing);
        _pds.ReleaseHeld();
        await Poll.UntilAsync(() => _pds.PostCount == 1);
        var verdict = await _client.ReconcileAsync(request, CancellationToken.None);

        Assert.Equal(ReconcileVerdict.Published, verdict.Verdict);
        Assert.Equal(_pds.Records[0].Uri, verdict.ExternalId);
    }

    [Fact]
    public async Task Reconcile_of_a_post_that_never_arrived_is_safe_to_retry()
    {
        var request = ChannelKit.Request(Connection, key: "variant-10");
        _pds.AbortNext(1, afterHandling: false, "createRecord");

        var interrupted = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);
        var verdict = await _client.ReconcileAsync(request, CancellationToken.None);
        var retried = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Unknown, interrupted.Outcome);
        Assert.Equal(ReconcileVerdict.SafeToRetry, verdict.Verdict);
        Assert.Equal(PublishOutcome.Published, retried.Outcome);
        Assert.Single(_pds.Records);
    }

    [Fact]
    public async Task The_same_request_cannot_make_a_second_post_because_its_record_key_is_taken()
    {
        var request = ChannelKit.Request(Connection, key: "variant-11");

        var first = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);
        var second = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, first.Outcome);
        Assert.Equal(PublishOutcome.Permanent, second.Outcome);
        Assert.Contains("already exists", second.Detail);
        Assert.Single(_pds.Records);
    }

    [Fact]
    public async Task A_wrong_app_password_is_permanent_with_Blueskys_message()
    {
        var connection = Connection with { Credentials = new Dictionary<string, string> { ["identifier"] = _pds.Handle, ["app_password"] = "wrong" } };

        var result = await _client.PublishAsync(ChannelKit.Request(connection), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal(401, result.HttpStatus);
        Assert.Contains("Invalid identifier or password", result.Detail);
    }

    [Fact]
    public async Task A_429_waits_until_the_ratelimit_reset()
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
    public async Task One_session_serves_several_posts_and_an_expired_one_is_renewed()
    {
        var first = await _client.PublishAsync(ChannelKit.Request(Connection, "one"), new RecordingProgress(), CancellationToken.None);
        var second = await _client.PublishAsync(ChannelKit.Request(Connection, "two"), new RecordingProgress(), CancellationToken.None);
        var sessionsBefore = _pds.SessionCount;
        _pds.ExpireSessions();
        var third = await _client.PublishAsync(ChannelKit.Request(Connection, "three"), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(1, sessionsBefore);
        Assert.All(new[] { first, second, third }, r => Assert.Equal(PublishOutcome.Published, r.Outcome));
        Assert.Equal(2, _pds.SessionCount);
        Assert.Equal(["one", "two", "three"], _pds.Records.Select(r => r.Text));
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
