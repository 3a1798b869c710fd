using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Publisher.Core.Connect;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.FacebookPage;

namespace Publisher.Worker.Tests.Channels;

/// <summary>
/// Facebook Page videos: the file goes up with the Resumable Upload API to the Meta app (a session, then the bytes
/// from an offset, answered a handle), then <c>/{page}/videos</c> publishes that handle. Each step is recorded so a
/// retry resumes the upload where Facebook has it, or reuses the handle, and the publishing call is never sent blind.
/// </summary>
public sealed class FacebookPageVideoTests : IAsyncLifetime
{
    private readonly FakeFacebookGraphApi _graph = new();
    private readonly FacebookPageClient _client;

    public FacebookPageVideoTests() => _client = ClientFor(_graph.AppId);

    private static FacebookPageClient ClientFor(string? appId) =>
        ChannelKit.Client<FacebookPageClient>(configure: s => s.Configure<ConnectOptions>(o => o.Facebook.ClientId = appId));

    private PublishRequest Request(PublishMedia video, string? link = null, IReadOnlyDictionary<string, string>? credentials = null) =>
        ChannelKit.Request(ChannelKit.Connection(ChannelKind.FacebookPage, _graph.BaseUri, credentials ?? _graph.Credentials,
            new Dictionary<string, string> { ["page_id"] = _graph.PageId }), link: link) with { Media = [video] };

    /// <summary>A retry as the job makes it: handed the last thing the earlier attempt recorded for the medium.</summary>
    private static PublishRequest Retry(PublishRequest request, PublishMedia video, RecordingProgress earlier)
    {
        var last = earlier.Media.Last(m => m.Key == video.Key);
        return request with { UploadedMedia = new Dictionary<string, UploadedMedia> { [video.Key] = new(last.NetworkMediaId, last.ExpiresAt) } };
    }

    private IEnumerable<RecordedRequest> Starts => _graph.Requests.Where(r => r.Path.EndsWith("/uploads", StringComparison.Ordinal));
    private IEnumerable<RecordedRequest> ByteSends => _graph.Requests.Where(r => r.Method == "POST" && r.Path.Contains("/upload:", StringComparison.Ordinal));
    private IEnumerable<RecordedRequest> Publishes => _graph.Requests.Where(r => r.Path.EndsWith("/videos", StringComparison.Ordinal));

    private static Dictionary<string, string> QueryOf(RecordedRequest request) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString).ToDictionary(p => p.Key, p => p.Value.ToString());

    [Fact]
    public async Task The_file_goes_up_to_the_app_with_the_user_token_and_its_handle_is_published_on_the_page_with_the_page_token()
    {
        var video = TestMedia.Mp4(700_000);
        var progress = new RecordingProgress();

        var result = await _client.PublishAsync(Request(video, "https://shop.example/autumn"), progress, CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        var start = Assert.Single(Starts);
        Assert.Equal($"/v21.0/{_graph.AppId}/uploads", start.Path);
        var query = QueryOf(start);
        Assert.Equal("700000", query["file_length"]);
        Assert.Equal("video/mp4", query["file_type"]);
        Assert.EndsWith(".mp4", query["file_name"]);
        Assert.Equal(_graph.UserAccessToken, query["access_token"]);
        var send = Assert.Single(ByteSends);
        Assert.Equal($"OAuth {_graph.UserAccessToken}", send.Header("Authorization"));
        Assert.Equal("0", send.Header("file_offset"));
        Assert.DoesNotContain("access_token", send.QueryString);
        var upload = Assert.Single(_graph.Uploads.Values);
        Assert.Equal(await TestMedia.BytesAsync(video), upload.Bytes);
        Assert.Equal([0L], upload.Offsets);
        var publish = Assert.Single(Publishes);
        Assert.Equal(upload.Handle, publish.Field("fbuploader_video_file_chunk"));
        Assert.Equal(_graph.PageAccessToken, publish.Field("access_token"));
        Assert.Null(publish.Field("upload_phase"));
        var post = Assert.Single(_graph.Posts);
        Assert.Same(upload, post.Video);
        Assert.Equal("Autumn sale", post.VideoTitle);
        Assert.Equal("Our autumn sale starts today: 20% off everything.\n\nhttps://shop.example/autumn", post.Message);
        Assert.Equal(post.Id, result.ExternalId);
        Assert.Equal([post.Id], progress.Ids);
        // The session is recorded as soon as Facebook names it, then the handle once the bytes are in.
        Assert.Equal([$"session:{upload.SessionId}", $"handle:{upload.Handle}"], progress.Media.Select(m => m.NetworkMediaId));
        Assert.All(progress.Media, m => Assert.Equal(video.Key, m.Key));
        Assert.DoesNotContain(_graph.Requests, r => r.Path.EndsWith("/feed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_transfer_cut_off_midway_is_transient_and_the_retry_asks_where_Facebook_stands_and_sends_only_the_rest()
    {
        var video = TestMedia.Mp4(900_000);
        _graph.InterruptNextUpload(333_333);
        var first = new RecordingProgress();

        var broken = await _client.PublishAsync(Request(video), first, CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, broken.Outcome);
        Assert.Empty(_graph.Posts);
        Assert.StartsWith("session:", Assert.Single(first.Media).NetworkMediaId);
        var result = await _client.PublishAsync(Retry(Request(video), video, first), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Single(Starts);
        Assert.Single(_graph.Requests, r => r.Method == "GET" && r.Path.Contains("/upload:", StringComparison.Ordinal));
        var sends = ByteSends.ToList();
        Assert.Equal(["0", "333333"], sends.Select(s => s.Header("file_offset")));
        Assert.Equal(900_000 - 333_333, sends[1].BodyBytes.Length);
        var upload = Assert.Single(_graph.Uploads.Values);
        Assert.Equal([0L, 333_333L], upload.Offsets);
        Assert.Equal(await TestMedia.BytesAsync(video), upload.Bytes);
        Assert.Same(upload, Assert.Single(_graph.Posts).Video);
    }

    [Fact]
    public async Task A_retry_after_a_rate_limited_publish_publishes_the_recorded_handle_without_uploading_again()
    {
        var video = TestMedia.Mp4(300_000);
        _graph.FailNext(1, 400, FakeFacebookGraphApi.RateLimitBody, pathContains: "/videos");
        var first = new RecordingProgress();

        Assert.Equal(PublishOutcome.Transient, (await _client.PublishAsync(Request(video), first, CancellationToken.None)).Outcome);
        Assert.Empty(_graph.Posts);
        var result = await _client.PublishAsync(Retry(Request(video), video, first), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Single(Starts);
        Assert.Single(ByteSends);
        Assert.Equal(2, Publishes.Count());
        Assert.Single(_graph.Posts);
    }

    [Fact]
    public async Task A_recorded_handle_Facebook_no_longer_knows_is_uploaded_again_once_and_posted_once()
    {
        var video = TestMedia.Mp4(300_000);
        _graph.FailNext(1, 503, pathContains: "/videos");
        var first = new RecordingProgress();
        Assert.Equal(PublishOutcome.Transient, (await _client.PublishAsync(Request(video), first, CancellationToken.None)).Outcome);
        _graph.ForgetUploads();

        var result = await _client.PublishAsync(Retry(Request(video), video, first), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal(2, Starts.Count());
        Assert.Single(_graph.Posts);
    }

    [Fact]
    public async Task An_upload_that_ran_out_of_time_after_Facebook_took_every_byte_starts_a_new_session_and_posts_once()
    {
        var video = TestMedia.Mp4(200_000);
        _graph.HoldRequests("/upload:");
        var first = new RecordingProgress();
        using var deadline = new CancellationTokenSource();

        var publishing = _client.PublishAsync(Request(video), first, deadline.Token);
        await _graph.WaitForHeldAsync();
        await deadline.CancelAsync();
        var timedOut = await publishing;
        _graph.ReleaseHeld();
        await WaitUntilAsync(() => _graph.Uploads.Values.Single().Received.Length == video.Length);

        Assert.Equal(PublishOutcome.Transient, timedOut.Outcome);
        Assert.Contains("nothing was posted", timedOut.Detail);
        // Facebook has the whole file, but its handle never came back: the guide gives no way to ask for it again.
        var result = await _client.PublishAsync(Retry(Request(video), video, first), new RecordingProgress(), CancellationToken.None);
        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal(2, Starts.Count());
        Assert.Single(_graph.Posts);
    }

    [Fact]
    public async Task A_publish_whose_answer_was_lost_after_Facebook_posted_is_unknown_not_sent_again()
    {
        _graph.AbortNext(1, afterHandling: true, pathContains: "/videos");

        var result = await _client.PublishAsync(Request(TestMedia.Mp4(250_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Unknown, result.Outcome);
        Assert.Single(Publishes);
        Assert.Single(_graph.Posts);
    }

    [Fact]
    public async Task An_interrupted_attempt_that_recorded_no_handle_is_safe_to_retry_and_one_that_did_is_unknown()
    {
        var video = TestMedia.Mp4(1000);
        PublishRequest With(string? recorded) => recorded is null
            ? Request(video)
            : Request(video) with { UploadedMedia = new Dictionary<string, UploadedMedia> { [video.Key] = new(recorded, DateTimeOffset.UtcNow.AddHours(1)) } };

        Assert.Equal(ReconcileVerdict.SafeToRetry, (await _client.ReconcileAsync(With(null), CancellationToken.None)).Verdict);
        Assert.Equal(ReconcileVerdict.SafeToRetry, (await _client.ReconcileAsync(With("session:upload:MTp1?sig=ab"), CancellationToken.None)).Verdict);
        Assert.Equal(ReconcileVerdict.Unknown, (await _client.ReconcileAsync(With("handle:2:YS5tcDQ=:video/mp4:ab"), CancellationToken.None)).Verdict);
        // What the upload method before this one recorded (video id/session) came just before its publishing call.
        Assert.Equal(ReconcileVerdict.Unknown, (await _client.ReconcileAsync(With("5000000001/7000000002"), CancellationToken.None)).Verdict);
        Assert.Equal(ReconcileVerdict.Unknown, (await _client.ReconcileAsync(Request(TestMedia.Jpeg()), CancellationToken.None)).Verdict);
    }

    [Theory]
    [InlineData("/uploads", 500, null, PublishOutcome.Transient)]
    [InlineData("/uploads", 429, null, PublishOutcome.Transient)]
    [InlineData("/uploads", 400, """{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100}}""", PublishOutcome.Permanent)]
    [InlineData("/upload:", 503, null, PublishOutcome.Transient)]
    [InlineData("/upload:", 400, """{"error":{"message":"(#32) Page request limit reached","type":"OAuthException","code":32,"is_transient":true}}""", PublishOutcome.Transient)]
    [InlineData("/upload:", 403, """{"error":{"message":"(#10) Permission denied","type":"OAuthException","code":10}}""", PublishOutcome.Permanent)]
    [InlineData("/videos", 500, null, PublishOutcome.Transient)]
    [InlineData("/videos", 429, null, PublishOutcome.Transient)]
    [InlineData("/videos", 400, """{"error":{"message":"(#200) Permissions error","type":"OAuthException","code":200}}""", PublishOutcome.Permanent)]
    public async Task Each_steps_failure_is_transient_or_permanent_as_Graph_answers_and_nothing_is_posted(string step, int status, string? body, PublishOutcome expected)
    {
        _graph.FailNext(1, status, body, pathContains: step);

        var result = await _client.PublishAsync(Request(TestMedia.Mp4(120_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(expected, result.Outcome);
        Assert.Equal(status, result.HttpStatus);
        Assert.Empty(_graph.Posts);
        if (step != "/videos") Assert.Empty(Publishes);
    }

    [Fact]
    public async Task A_broken_connection_or_a_timeout_while_uploading_is_transient_because_nothing_was_posted()
    {
        _graph.AbortNext(1, afterHandling: false, pathContains: "/uploads");

        var result = await _client.PublishAsync(Request(TestMedia.Mp4(120_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Transient, result.Outcome);
        Assert.Contains("nothing was posted", result.Detail);
        Assert.Empty(Publishes);
    }

    [Fact]
    public async Task A_video_too_large_for_Facebook_is_permanent_in_its_words_and_no_byte_is_sent()
    {
        _graph.MaxVideoBytes = 100_000;

        var result = await _client.PublishAsync(Request(TestMedia.Mp4(300_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("The file is larger than 100000 bytes", result.Detail);
        Assert.Empty(ByteSends);
        Assert.Empty(_graph.Posts);
    }

    [Fact]
    public async Task Without_the_Meta_app_id_a_video_is_permanent_naming_the_setting_and_nothing_is_sent()
    {
        var client = ClientFor(null);

        var result = await client.PublishAsync(Request(TestMedia.Mp4(120_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("Connect__Facebook__ClientId", result.Detail);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task Without_a_user_token_a_video_is_permanent_saying_how_to_get_one_and_nothing_is_sent()
    {
        var credentials = new Dictionary<string, string> { ["page_access_token"] = _graph.PageAccessToken };

        var result = await _client.PublishAsync(Request(TestMedia.Mp4(120_000), credentials: credentials), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("User access token", result.Detail);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task An_app_id_the_fake_does_not_know_is_refused_permanently_before_any_byte()
    {
        var result = await ClientFor("1000000000000001").PublishAsync(Request(TestMedia.Mp4(120_000)), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("1000000000000001", result.Detail);
        Assert.Empty(ByteSends);
    }

    [Fact]
    public async Task The_fake_refuses_a_wrong_offset_a_token_outside_the_header_and_a_short_body_in_Graphs_error_shape()
    {
        using var http = new HttpClient { BaseAddress = _graph.BaseUri };
        using var started = await http.PostAsync($"v21.0/{_graph.AppId}/uploads?file_name=a.mp4&file_length=10&file_type=video/mp4&access_token={_graph.UserAccessToken}", null);
        var session = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        async Task<JsonElement> SendAsync(string offset, byte[] body, bool headerToken = true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"v21.0/{session}" + (headerToken ? "" : $"&access_token={_graph.UserAccessToken}")) { Content = new ByteArrayContent(body) };
            if (headerToken) request.Headers.TryAddWithoutValidation("Authorization", $"OAuth {_graph.UserAccessToken}");
            request.Headers.TryAddWithoutValidation("file_offset", offset);
            using var response = await http.SendAsync(request);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }

        Assert.Equal(100, (await SendAsync("4", new byte[6])).GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(100, (await SendAsync("0", new byte[4])).GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(100, (await SendAsync("0", new byte[10], headerToken: false)).GetProperty("error").GetProperty("code").GetInt32());
        Assert.True((await SendAsync("0", new byte[10])).TryGetProperty("h", out _));
        Assert.Equal(10, _graph.Uploads.Values.Single().Received.Length);
    }

    [Theory]
    [InlineData("123456789012345", true)]
    [InlineData(" 123456789012345 ", true)]
    [InlineData("", true)]
    [InlineData("northwind-app", false)]
    [InlineData("1234abcd", false)]
    public void The_Facebook_client_id_must_be_the_numeric_Meta_app_id_checked_on_start(string clientId, bool valid)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Connect:Facebook:ClientId"] = clientId,
            ["Connect:Facebook:ClientSecret"] = clientId.Length == 0 ? "" : "secret",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddConnect();
        using var provider = services.BuildServiceProvider();

        var read = () => provider.GetRequiredService<IOptions<ConnectOptions>>().Value;

        if (valid) Assert.Equal(clientId, read().Facebook.ClientId ?? "");
        else Assert.Contains("Connect__Facebook__ClientId", Assert.Throws<OptionsValidationException>(read).Message);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold within 30 s.");
            await Task.Delay(20);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _graph.DisposeAsync();
}
