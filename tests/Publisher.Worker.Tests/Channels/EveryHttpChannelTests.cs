using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Tests.Channels;

/// <summary>The outcome mapping every HTTP channel shares, checked against each network's fake.</summary>
public sealed class EveryHttpChannelTests
{
    public static TheoryData<ChannelKind> Kinds => new(HttpChannel.Kinds);

    [Theory, MemberData(nameof(Kinds))]
    public async Task A_post_the_fake_accepts_is_published_once(ChannelKind kind)
    {
        await using var channel = HttpChannel.Start(kind);
        var progress = new RecordingProgress();

        var result = await channel.Client.PublishAsync(channel.Request(), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.False(string.IsNullOrEmpty(result.ExternalId));
        Assert.Equal(1, channel.Fake.PostCount);
        Assert.Single(progress.Ids);
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task A_429_with_Retry_After_seconds_is_transient_and_waits_that_long(ChannelKind kind)
    {
        await using var channel = HttpChannel.Start(kind);
        channel.Fake.FailNext(1, 429, """{"error":"slow down","message":"slow down"}""", new Dictionary<string, string> { ["Retry-After"] = "7" }, channel.PostPath);

        var result = await channel.Client.PublishAsync(channel.Request(), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(7), result.RetryAfter);
        Assert.Equal(429, result.HttpStatus);
        Assert.Equal(0, channel.Fake.PostCount);
    }

    public static TheoryData<ChannelKind, int> ServerErrors()
    {
        var data = new TheoryData<ChannelKind, int>();
        foreach (var kind in HttpChannel.Kinds)
        {
            data.Add(kind, 500);
            data.Add(kind, 503);
        }
        return data;
    }

    [Theory, MemberData(nameof(ServerErrors))]
    public async Task A_server_error_is_transient(ChannelKind kind, int status)
    {
        await using var channel = HttpChannel.Start(kind);
        channel.Fake.FailNext(1, status, "<html>upstream error</html>", pathContains: channel.PostPath);

        var result = await channel.Client.PublishAsync(channel.Request(), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Equal(status, result.HttpStatus);
        Assert.Null(result.RetryAfter);
    }

    public static TheoryData<ChannelKind, int, string, string> ApiErrors => new()
    {
        { ChannelKind.X, 401, """{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}""", "Unauthorized" },
        { ChannelKind.X, 403, """{"detail":"You are not permitted to perform this action.","type":"about:blank","title":"Forbidden","status":403}""", "You are not permitted to perform this action." },
        { ChannelKind.X, 422, """{"errors":[{"message":"Your Tweet text is too long."}],"title":"Invalid Request","type":"https://api.twitter.com/2/problems/invalid-request"}""", "Your Tweet text is too long." },
        { ChannelKind.Mastodon, 401, """{"error":"The access token was revoked"}""", "The access token was revoked" },
        { ChannelKind.Mastodon, 403, """{"error":"Your login is currently disabled"}""", "Your login is currently disabled" },
        { ChannelKind.Mastodon, 422, """{"error":"Validation failed: Text character limit of 500 exceeded"}""", "Validation failed: Text character limit of 500 exceeded" },
        { ChannelKind.Bluesky, 401, """{"error":"AuthenticationRequired","message":"Authentication Required"}""", "Authentication Required" },
        { ChannelKind.Bluesky, 403, """{"error":"AccountTakedown"}""", "AccountTakedown" },
        { ChannelKind.Bluesky, 400, """{"error":"InvalidRequest","message":"Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"}""", "Record/text must not be longer than 300 graphemes" },
        { ChannelKind.LinkedIn, 401, """{"status":401,"serviceErrorCode":65601,"code":"REVOKED_ACCESS_TOKEN","message":"The token used in the request has been revoked by the user"}""", "The token used in the request has been revoked by the user" },
        { ChannelKind.LinkedIn, 403, """{"status":403,"code":"ACCESS_DENIED","message":"Not enough permissions to access: partnerApiPostsExternal.CREATE.20241101"}""", "Not enough permissions to access: partnerApiPostsExternal.CREATE.20241101" },
        { ChannelKind.LinkedIn, 422, """{"status":422,"message":"ERROR :: /commentary :: length of commentary exceeds 3000"}""", "ERROR :: /commentary :: length of commentary exceeds 3000" },
        { ChannelKind.FacebookPage, 401, """{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190}}""", "Error validating access token: Session has expired" },
        { ChannelKind.FacebookPage, 403, """{"error":{"message":"(#200) The user hasn't authorized the application to perform this action","type":"OAuthException","code":200}}""", "(#200) The user hasn't authorized the application to perform this action" },
        { ChannelKind.FacebookPage, 400, """{"error":{"message":"(#100) The parameter link must be a valid URL","type":"OAuthException","code":100}}""", "(#100) The parameter link must be a valid URL" },
        { ChannelKind.Threads, 400, """{"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException","code":190,"fbtrace_id":"A1"}}""", "Invalid OAuth access token" },
        { ChannelKind.Threads, 403, """{"error":{"message":"(#10) Application does not have permission for this action","type":"THApiException","code":10,"error_user_msg":"The app needs threads_content_publish.","fbtrace_id":"A2"}}""", "The app needs threads_content_publish." },
        { ChannelKind.Webhook, 401, """{"error":"signature mismatch"}""", "signature mismatch" },
        { ChannelKind.Webhook, 404, "", "answered 404: Not Found" },
        { ChannelKind.Webhook, 422, """{"message":"unknown channel #launches"}""", "unknown channel #launches" },
    };

    [Theory, MemberData(nameof(ApiErrors))]
    public async Task A_client_error_is_permanent_with_the_networks_own_message(ChannelKind kind, int status, string body, string message)
    {
        await using var channel = HttpChannel.Start(kind);
        channel.Fake.FailNext(1, status, body, pathContains: channel.PostPath);

        var result = await channel.Client.PublishAsync(channel.Request(), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal(status, result.HttpStatus);
        Assert.Contains(message, result.Detail);
        Assert.Null(result.RetryAfter);
        Assert.Equal(0, channel.Fake.PostCount);
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task A_redirect_is_not_followed_but_reported_as_permanent(ChannelKind kind)
    {
        await using var channel = HttpChannel.Start(kind);
        channel.Fake.FailNext(1, 301, headers: new Dictionary<string, string> { ["Location"] = "https://elsewhere.example/api" }, pathContains: channel.PostPath);

        var result = await channel.Client.PublishAsync(channel.Request(), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Equal(301, result.HttpStatus);
        Assert.Contains("https://elsewhere.example/api", result.Detail);
        Assert.DoesNotContain(channel.Fake.Requests, r => r.Method == "GET" && r.Path.Contains(channel.PostPath, StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task A_connection_that_breaks_after_the_post_was_made_is_unknown(ChannelKind kind)
    {
        await using var channel = HttpChannel.Start(kind);
        channel.Fake.AbortNext(1, afterHandling: true, channel.PostPath);

        var result = await channel.Client.PublishAsync(channel.Request(), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Unknown, result.Outcome);
        Assert.Contains("may have gone out", result.Detail);
        Assert.Equal(1, channel.Fake.PostCount);
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task A_refused_connection_is_transient_because_nothing_was_sent(ChannelKind kind)
    {
        await using var channel = HttpChannel.Start(kind);
        var closed = channel.Connection with { BaseAddress = ChannelKit.ClosedPort() };

        var result = await channel.Client.PublishAsync(ChannelKit.Request(closed), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Null(result.HttpStatus);
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task A_missing_credential_is_permanent_and_says_which(ChannelKind kind)
    {
        await using var channel = HttpChannel.Start(kind);
        var missing = channel.Connection with { Credentials = new Dictionary<string, string>() };

        var result = await channel.Client.PublishAsync(ChannelKit.Request(missing), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("credential", result.Detail);
        Assert.Empty(channel.Fake.Requests);
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task The_callers_cancellation_is_not_turned_into_an_outcome(ChannelKind kind)
    {
        await using var channel = HttpChannel.Start(kind);
        channel.Fake.HoldRequests(channel.PostPath);
        using var cancel = new CancellationTokenSource();

        var publishing = channel.Client.PublishAsync(channel.Request(), new RecordingProgress(), cancel.Token);
        await channel.Fake.WaitForHeldAsync();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publishing);
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task The_connection_test_passes_with_the_right_credentials_and_fails_with_wrong_ones(ChannelKind kind)
    {
        await using var channel = HttpChannel.Start(kind);
        var wrong = channel.Connection with
        {
            Credentials = channel.Connection.Credentials.ToDictionary(c => c.Key, c => c.Value + "-wrong"),
        };

        var good = await channel.Client.TestConnectionAsync(channel.Connection, CancellationToken.None);
        var bad = await channel.Client.TestConnectionAsync(wrong, CancellationToken.None);

        Assert.True(good.Ok, good.Message);
        Assert.False(bad.Ok, bad.Message);
        Assert.Equal(0, channel.Fake.PostCount);
    }
}
