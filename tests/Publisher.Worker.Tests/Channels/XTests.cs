using Microsoft.Extensions.Time.Testing;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.X;

namespace Publisher.Worker.Tests.Channels;

public sealed class OAuth1SignerTests
{
    // X's "Creating a signature" guide (developer.x.com, docs/authentication/oauth-1-0a/creating-a-signature).
    // Its consumer key is xvz1evFS4wEEPTGEFPHBog: with any other key the published signature does not come out.
    private static readonly KeyValuePair<string, string>[] GuideParameters =
    [
        new("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
        new("include_entities", "true"),
        new("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
        new("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
        new("oauth_signature_method", "HMAC-SHA1"),
        new("oauth_timestamp", "1318622958"),
        new("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
        new("oauth_version", "1.0"),
    ];

    [Fact]
    public void The_parameter_string_of_Xs_guide_is_reproduced()
    {
        Assert.Equal(
            "include_entities=true&oauth_consumer_key=xvz1evFS4wEEPTGEFPHBog&oauth_nonce=kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1318622958&oauth_token=370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb&oauth_version=1.0&status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21",
            OAuth1Signer.NormalizeParameters(GuideParameters));
    }

    [Fact]
    public void The_signature_of_Xs_guide_is_reproduced()
    {
        var uri = new Uri("https://api.twitter.com/1.1/statuses/update.json?include_entities=true");
        var baseString = OAuth1Signer.SignatureBaseString("POST", uri, GuideParameters.Where(p => p.Key != "include_entities").Concat(OAuth1Signer.QueryParameters(uri)));

        Assert.StartsWith("POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26", baseString);
        Assert.Equal("hCtSmYh+iHYCEqBWrE7C7hYmtUk=", OAuth1Signer.Sign(baseString, "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"));
    }

    [Fact]
    public void The_authorization_header_carries_the_guides_signature()
    {
        var signer = new OAuth1Signer("xvz1evFS4wEEPTGEFPHBog", "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE");

        var header = signer.AuthorizationHeader(HttpMethod.Post, new Uri("https://api.twitter.com/1.1/statuses/update.json?include_entities=true"),
            [new("status", "Hello Ladies + Gentlemen, a signed OAuth request!")], "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", 1318622958);

        Assert.StartsWith("OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", ", header);
        Assert.Contains("oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\"", header);
        Assert.Contains("oauth_timestamp=\"1318622958\"", header);
    }

    [Fact]
    public void The_base_string_example_of_RFC_5849_section_3_4_1_is_reproduced()
    {
        // POST /request?b5=%3D%253D&a3=a&c%40=&a2=r%20b with body c2&a3=2+q and the RFC's oauth_* parameters.
        var uri = new Uri("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b");
        KeyValuePair<string, string>[] body = [new("c2", ""), new("a3", "2 q")];
        KeyValuePair<string, string>[] oauth =
        [
            new("oauth_consumer_key", "9djdj82h48djs9d2"),
            new("oauth_token", "kkk9d7dh3k39sjv7"),
            new("oauth_signature_method", "HMAC-SHA1"),
            new("oauth_timestamp", "137131201"),
            new("oauth_nonce", "7d8f3e4a"),
        ];

        var parameters = OAuth1Signer.QueryParameters(uri).Concat(body).Concat(oauth).ToList();

        Assert.Equal(
            "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7",
            OAuth1Signer.NormalizeParameters(parameters));
        Assert.Equal(
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7",
            OAuth1Signer.SignatureBaseString("POST", uri, [.. OAuth1Signer.QueryParameters(uri), .. body, .. oauth]));
    }

    [Theory]
    [InlineData("Ladies + Gentlemen", "Ladies%20%2B%20Gentlemen")]
    [InlineData("An encoded string!", "An%20encoded%20string%21")]
    [InlineData("Dogs, Cats & Mice", "Dogs%2C%20Cats%20%26%20Mice")]
    [InlineData("☃", "%E2%98%83")]
    [InlineData("-._~", "-._~")]
    public void Percent_encoding_follows_RFC_3986(string value, string encoded) =>
        Assert.Equal(encoded, OAuth1Signer.PercentEncode(value));

    [Theory]
    [InlineData("https://API.X.com/2/tweets", "https://api.x.com/2/tweets")]
    [InlineData("https://api.x.com:443/2/tweets?a=1", "https://api.x.com/2/tweets")]
    [InlineData("http://127.0.0.1:8080/2/tweets", "http://127.0.0.1:8080/2/tweets")]
    public void The_base_string_URI_drops_the_default_port_and_the_query(string uri, string expected) =>
        Assert.Equal(expected, OAuth1Signer.BaseStringUri(new Uri(uri)));
}

public sealed class XClientTests : IAsyncLifetime
{
    private readonly FakeXApi _x = new();
    private readonly XClient _client = ChannelKit.Client<XClient>();

    private ChannelConnection Connection(string? handle = "@publisher_test") => ChannelKit.Connection(ChannelKind.X, _x.BaseUri, _x.Credentials, handle: handle);

    [Fact]
    public async Task A_post_is_a_signed_JSON_request_with_only_the_text()
    {
        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Autumn sale: 20% off."), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var tweet = Assert.Single(_x.Tweets);
        Assert.Equal("Autumn sale: 20% off.", tweet.Text);
        Assert.Equal(tweet.Id, result.ExternalId);
        Assert.Equal($"https://x.com/publisher_test/status/{tweet.Id}", result.ExternalUrl);
        var request = Assert.Single(_x.Requests);
        Assert.Equal("""{"text":"Autumn sale: 20% off."}""", request.Body);
        Assert.StartsWith("OAuth ", request.Header("Authorization"));
    }

    [Fact]
    public async Task An_account_connected_with_oauth2_posts_with_its_bearer_user_token_and_a_revoked_one_is_a_permanent_401()
    {
        _x.RegisterOAuthClient("http://127.0.0.1:5080/Channels/Connect/Callback");
        var grant = _x.Authorization.IssueDirectly(FakeXApi.OAuthClientId, "tweet.read tweet.write users.read offline.access");
        var connection = ChannelKit.Connection(ChannelKind.X, _x.BaseUri,
            new Dictionary<string, string> { ["access_token"] = grant.AccessToken, ["refresh_token"] = grant.RefreshToken! }, handle: "@publisher_test");

        var result = await _client.PublishAsync(ChannelKit.Request(connection, "Autumn sale: 20% off."), new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal($"Bearer {grant.AccessToken}", Assert.Single(_x.Requests).Header("Authorization"));
        Assert.True((await _client.TestConnectionAsync(connection, CancellationToken.None)).Ok);

        _x.Authorization.RevokeAll();
        var refused = await _client.PublishAsync(ChannelKit.Request(connection, "Second post."), new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Permanent, refused.Outcome);
        Assert.Equal(401, refused.HttpStatus);
        Assert.Single(_x.Tweets);
    }

    [Fact]
    public async Task Without_a_handle_the_link_uses_the_i_status_form()
    {
        var result = await _client.PublishAsync(ChannelKit.Request(Connection(handle: null)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal($"https://x.com/i/status/{result.ExternalId}", result.ExternalUrl);
    }

    [Fact]
    public async Task A_wrong_token_secret_fails_the_fakes_signature_check_as_a_permanent_401()
    {
        var credentials = _x.Credentials.ToDictionary(c => c.Key, c => c.Value);
        credentials["access_token_secret"] = "not-the-secret";
        var connection = ChannelKit.Connection(ChannelKind.X, _x.BaseUri, credentials);

        var result = await _client.PublishAsync(ChannelKit.Request(connection), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal(401, result.HttpStatus);
        Assert.Contains("Unauthorized", result.Detail);
        Assert.Empty(_x.Tweets);
    }

    [Fact]
    public async Task A_thread_is_a_chain_of_replies_reported_part_by_part()
    {
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), thread: ["1/3 First", "2/3 Second", "3/3 Third"]), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var tweets = _x.Tweets;
        Assert.Equal(["1/3 First", "2/3 Second", "3/3 Third"], tweets.Select(t => t.Text));
        Assert.Null(tweets[0].InReplyToId);
        Assert.Equal(tweets[0].Id, tweets[1].InReplyToId);
        Assert.Equal(tweets[1].Id, tweets[2].InReplyToId);
        Assert.Equal(tweets.Select(t => t.Id), progress.Ids);
        Assert.Equal(tweets[0].Id, result.ExternalId);
    }

    [Fact]
    public async Task A_thread_resumes_after_the_parts_already_posted()
    {
        var first = _x.Seed("1/3 First");
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), thread: ["1/3 First", "2/3 Second", "3/3 Third"], posted: [first.Id]), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal(first.Id, result.ExternalId);
        var tweets = _x.Tweets;
        Assert.Equal(3, tweets.Count);
        Assert.Equal(first.Id, tweets[1].InReplyToId);
        Assert.Equal(2, progress.Ids.Count);
    }

    [Fact]
    public async Task A_failing_part_says_which_part_and_that_the_earlier_ones_are_out()
    {
        var first = _x.Seed("1/2 First");
        _x.FailNext(1, 503, pathContains: "/2/tweets");
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), thread: ["1/2 First", "2/2 Second"], posted: [first.Id]), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.StartsWith("Part 2 of 2:", result.Detail);
        Assert.Contains("Part 1 is already posted", result.Detail);
        Assert.Empty(progress.Ids);
    }

    [Fact]
    public async Task Duplicate_text_is_refused_by_X_as_permanent()
    {
        _x.Seed("Autumn sale: 20% off.");

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Autumn sale: 20% off."), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal(403, result.HttpStatus);
        Assert.Contains("duplicate content", result.Detail);
    }

    [Fact]
    public async Task A_429_waits_until_Xs_rate_limit_reset()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
        var client = ChannelKit.Client<XClient>(clock);
        var reset = clock.GetUtcNow().AddSeconds(754).ToUnixTimeSeconds();
        _x.FailNext(1, 429, """{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}""",
            new Dictionary<string, string> { ["x-rate-limit-limit"] = "100", ["x-rate-limit-remaining"] = "0", ["x-rate-limit-reset"] = reset.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        var result = await client.PublishAsync(ChannelKit.Request(Connection()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(754), result.RetryAfter);
    }

    [Fact]
    public async Task Every_request_has_a_fresh_nonce_so_the_fake_accepts_them_all()
    {
        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), thread: ["a 1", "a 2", "a 3", "a 4"]), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal(4, _x.Requests.Select(r => r.Header("Authorization")).Distinct().Count());
    }

    [Fact]
    public async Task A_reused_nonce_is_refused_by_the_fake()
    {
        // A nonce is unique per timestamp: a frozen clock keeps both requests in the same second.
        var client = new XClient(new ChannelKitHttp(), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow)) { NonceFactory = () => "always-the-same" };

        var first = await client.PublishAsync(ChannelKit.Request(Connection(), "one"), new RecordingProgress(), CancellationToken.None);
        var second = await client.PublishAsync(ChannelKit.Request(Connection(), "two"), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, first.Outcome);
        Assert.Equal(PublishOutcome.Permanent, second.Outcome);
        Assert.Equal(401, second.HttpStatus);
    }

    [Fact]
    public async Task Reconcile_finds_the_post_on_the_timeline_by_its_text()
    {
        _x.Seed("Something older");
        var made = _x.Seed("Autumn sale: 20% off.");

        var result = await _client.ReconcileAsync(ChannelKit.Request(Connection(), "Autumn sale: 20% off."), CancellationToken.None);

        Assert.Equal(ReconcileVerdict.Published, result.Verdict);
        Assert.Equal(made.Id, result.ExternalId);
        Assert.Contains(_x.Requests, r => r.Path == "/2/users/1000/tweets" && r.QueryString == "?max_results=20");
    }

    [Fact]
    public async Task Reconcile_of_a_post_not_on_the_timeline_is_unknown_never_safe_to_retry()
    {
        _x.Seed("Something else");

        var result = await _client.ReconcileAsync(ChannelKit.Request(Connection(), "Autumn sale: 20% off."), CancellationToken.None);

        Assert.Equal(ReconcileVerdict.Unknown, result.Verdict);
        Assert.Contains("does not prove", result.Detail);
    }

    [Fact]
    public async Task Reconcile_of_a_thread_needs_every_remaining_part()
    {
        var first = _x.Seed("1/3 First");
        var second = _x.Seed("2/3 Second", first.Id);
        var request = ChannelKit.Request(Connection(), thread: ["1/3 First", "2/3 Second", "3/3 Third"], posted: [first.Id]);

        var partial = await _client.ReconcileAsync(request, CancellationToken.None);
        var third = _x.Seed("3/3 Third", second.Id);
        var complete = await _client.ReconcileAsync(request, CancellationToken.None);

        Assert.Equal(ReconcileVerdict.Unknown, partial.Verdict);
        Assert.Contains(second.Id, partial.Detail);
        Assert.Equal(ReconcileVerdict.Published, complete.Verdict);
        Assert.Equal(first.Id, complete.ExternalId);
        Assert.Contains(third.Id, complete.Detail);
    }

    [Fact]
    public async Task The_connection_test_names_the_account()
    {
        var check = await _client.TestConnectionAsync(Connection(), CancellationToken.None);

        Assert.True(check.Ok);
        Assert.Contains("@publisher_test", check.Message);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _x.DisposeAsync();
}

/// <summary>A bare IHttpClientFactory for constructing a client by hand.</summary>
public sealed class ChannelKitHttp : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new() { Timeout = Timeout.InfiniteTimeSpan };
}
