using Microsoft.Extensions.Time.Testing;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.LinkedIn;

namespace Publisher.Worker.Tests.Channels;

public sealed class LinkedInTests : IAsyncLifetime
{
    private readonly FakeLinkedInApi _linkedIn = new();
    private readonly LinkedInClient _client = ChannelKit.Client<LinkedInClient>();

    private ChannelConnection Connection(string? version = null)
    {
        var settings = new Dictionary<string, string> { ["author_urn"] = _linkedIn.AuthorUrn };
        if (version is not null) settings["version"] = version;
        return ChannelKit.Connection(ChannelKind.LinkedIn, _linkedIn.BaseUri, _linkedIn.Credentials, settings);
    }

    [Fact]
    public async Task A_post_is_made_with_the_versioned_headers_and_its_urn_comes_from_x_restli_id()
    {
        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), "Autumn sale: 20% off."), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var post = Assert.Single(_linkedIn.Posts);
        Assert.Equal(post.Urn, result.ExternalId);
        Assert.Equal($"https://www.linkedin.com/feed/update/{post.Urn}", result.ExternalUrl);
        Assert.Equal("Autumn sale: 20% off.", post.Commentary);
        Assert.Equal(LinkedInClient.DefaultVersion, post.Version);
        var sent = Assert.Single(_linkedIn.Requests);
        Assert.Equal("2.0.0", sent.Header("X-Restli-Protocol-Version"));
        var body = sent.Json();
        Assert.Equal("PUBLIC", body.GetProperty("visibility").GetString());
        Assert.Equal("MAIN_FEED", body.GetProperty("distribution").GetProperty("feedDistribution").GetString());
        Assert.Equal("PUBLISHED", body.GetProperty("lifecycleState").GetString());
        Assert.False(body.GetProperty("isReshareDisabledByAuthor").GetBoolean());
    }

    [Fact]
    public async Task Reserved_characters_are_escaped_so_LinkedIn_shows_the_whole_text()
    {
        const string text = "Autumn sale (20% off) for members_only: <today> *only* ~ see [terms] @ {shop} | #AutumnSale https://example.com/sale_2026?utm_source=linkedin";

        var result = await _client.PublishAsync(ChannelKit.Request(Connection(), text), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var post = Assert.Single(_linkedIn.Posts);
        Assert.Equal(text, post.Shown);
        Assert.Contains("\\(20% off\\)", post.Commentary);
        Assert.Contains(" #AutumnSale ", post.Commentary);
        Assert.EndsWith("https://example.com/sale_2026?utm_source=linkedin", post.Commentary);
    }

    [Fact]
    public void The_fake_cuts_unescaped_text_as_LinkedIn_does() =>
        Assert.Equal("Autumn sale ", FakeLinkedInApi.Shown("Autumn sale (20% off)"));

    [Fact]
    public async Task The_accounts_version_setting_is_sent_and_a_retired_one_is_permanent()
    {
        var current = await _client.PublishAsync(ChannelKit.Request(Connection("202501"), "one"), new RecordingProgress(), CancellationToken.None);
        var retired = await _client.PublishAsync(ChannelKit.Request(Connection("202301"), "two"), new RecordingProgress(), CancellationToken.None);

        Assert.Equal("202501", Assert.Single(_linkedIn.Posts).Version);
        Assert.Equal(PublishOutcome.Published, current.Outcome);
        Assert.Equal(PublishOutcome.Permanent, retired.Outcome);
        Assert.Contains("Requested version 202301 is not active", retired.Detail);
    }

    [Fact]
    public async Task Posting_as_an_author_the_token_may_not_use_is_permanent_with_LinkedIns_message()
    {
        var connection = Connection() with { Settings = new Dictionary<string, string> { ["author_urn"] = "urn:li:organization:999" } };

        var result = await _client.PublishAsync(ChannelKit.Request(connection), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal(403, result.HttpStatus);
        Assert.Contains("/author", result.Detail);
    }

    [Fact]
    public async Task A_missing_author_setting_is_permanent_before_anything_is_sent()
    {
        var connection = Connection() with { Settings = new Dictionary<string, string>() };

        var result = await _client.PublishAsync(ChannelKit.Request(connection), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("author_urn", result.Detail);
        Assert.Empty(_linkedIn.Requests);
    }

    [Fact]
    public async Task A_429_with_an_HTTP_date_Retry_After_waits_until_then()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
        var client = ChannelKit.Client<LinkedInClient>(clock);
        _linkedIn.FailNext(1, 429, """{"status":429,"message":"Resource level throttle limit for calls to this resource is reached."}""",
            new Dictionary<string, string> { ["Retry-After"] = "Tue, 24 Nov 2026 10:02:00 GMT" });

        var result = await client.PublishAsync(ChannelKit.Request(Connection()), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Equal(TimeSpan.FromMinutes(2), result.RetryAfter);
        Assert.Contains("throttle limit", result.Detail);
    }

    [Fact]
    public async Task Reconcile_is_unknown_because_LinkedIn_cannot_tell()
    {
        var result = await _client.ReconcileAsync(ChannelKit.Request(Connection()), CancellationToken.None);

        Assert.Equal(ReconcileVerdict.Unknown, result.Verdict);
        Assert.Empty(_linkedIn.Requests);
    }

    [Fact]
    public async Task A_token_that_may_not_read_the_profile_still_passes_the_connection_test()
    {
        _linkedIn.UserInfoForbidden = true;

        var check = await _client.TestConnectionAsync(Connection(), CancellationToken.None);

        Assert.True(check.Ok);
        Assert.Equal("/v2/userinfo", Assert.Single(_linkedIn.Requests).Path);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _linkedIn.DisposeAsync();
}
