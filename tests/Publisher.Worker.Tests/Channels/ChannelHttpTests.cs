using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Worker.Channels;

namespace Publisher.Worker.Tests.Channels;

public sealed class ChannelHttpTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Warming_up_sends_one_request_through_the_channel_stack_to_loopback_and_reads_the_answer()
    {
        // Private networks stay refused, as in production: the warm-up reaches its own listener all the same.
        var seen = new List<(HttpMethod, Uri?, HttpStatusCode)>();
        var services = new ServiceCollection().AddLogging().AddChannelClients();
        services.AddHttpClient(ChannelHttp.WarmUpClientName).AddHttpMessageHandler(() => new Watching(seen));
        await using var provider = services.BuildServiceProvider();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await ChannelHttp.WarmUpAsync(provider.GetRequiredService<IHttpClientFactory>(), deadline.Token);

        var (method, uri, status) = Assert.Single(seen);
        Assert.Equal(HttpMethod.Post, method);
        Assert.True(uri is { IsLoopback: true }, $"the warm-up went to {uri}, not loopback");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    private sealed class Watching(List<(HttpMethod, Uri?, HttpStatusCode)> seen) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            seen.Add((request.Method, request.RequestUri, response.StatusCode));
            return response;
        }
    }

    [Fact]
    public void Retry_After_as_an_HTTP_date_is_the_time_until_then()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.TryAddWithoutValidation("Retry-After", "Tue, 24 Nov 2026 10:00:45 GMT");

        Assert.Equal(TimeSpan.FromSeconds(45), ChannelHttp.RetryAfter(response, ChannelKind.Mastodon, Now));
    }

    [Fact]
    public void Retry_After_in_the_past_means_now_not_a_negative_wait()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddMinutes(-5));

        Assert.Equal(TimeSpan.Zero, ChannelHttp.RetryAfter(response, ChannelKind.X, Now));
    }

    [Fact]
    public void A_rate_limit_reset_header_counts_only_on_a_429()
    {
        using var ok = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        ok.Headers.TryAddWithoutValidation("x-rate-limit-reset", Now.AddSeconds(30).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var limited = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        limited.Headers.TryAddWithoutValidation("x-rate-limit-reset", Now.AddSeconds(30).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Null(ChannelHttp.RetryAfter(ok, ChannelKind.X, Now));
        Assert.Equal(TimeSpan.FromSeconds(30), ChannelHttp.RetryAfter(limited, ChannelKind.X, Now));
    }

    [Fact]
    public async Task A_408_is_transient_and_a_409_permanent()
    {
        using var timeout = new HttpResponseMessage(HttpStatusCode.RequestTimeout) { Content = new StringContent("") };
        using var conflict = new HttpResponseMessage(HttpStatusCode.Conflict) { Content = new StringContent("""{"error":"Duplicate"}""") };

        Assert.Equal(PublishOutcome.Transient, (await ChannelHttp.FailureAsync(timeout, ChannelKind.Webhook, Now, CancellationToken.None)).Outcome);
        var permanent = await ChannelHttp.FailureAsync(conflict, ChannelKind.Mastodon, Now, CancellationToken.None);
        Assert.Equal(PublishOutcome.Permanent, permanent.Outcome);
        Assert.Contains("Duplicate", permanent.Detail);
    }

    [Fact]
    public void A_body_without_the_networks_error_shape_falls_back_to_status_and_reason()
    {
        Assert.Null(ChannelHttp.ErrorMessage(ChannelKind.LinkedIn, "<html>Bad gateway</html>"));
        Assert.Null(ChannelHttp.ErrorMessage(ChannelKind.FacebookPage, """{"error":"not an object"}"""));
        Assert.Equal("Bad", ChannelHttp.ErrorMessage(ChannelKind.X, """{"title":"Bad"}"""));
    }

    [Fact]
    public void A_refused_connection_is_transient_and_a_timeout_after_sending_unknown()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused));
        var reset = new HttpRequestException(HttpRequestError.ResponseEnded, "reset", new IOException("Connection reset by peer"));

        Assert.True(ChannelHttp.TryMapException(refused, ChannelKind.X, CancellationToken.None, out var a));
        Assert.True(ChannelHttp.TryMapException(new TaskCanceledException("timeout"), ChannelKind.X, CancellationToken.None, out var b));
        Assert.True(ChannelHttp.TryMapException(reset, ChannelKind.X, CancellationToken.None, out var c));
        Assert.True(ChannelHttp.TryMapException(new ChannelConfigurationException("no key"), ChannelKind.X, CancellationToken.None, out var d));
        Assert.Equal(PublishOutcome.Transient, a.Outcome);
        Assert.Equal(PublishOutcome.Unknown, b.Outcome);
        Assert.Equal(PublishOutcome.Unknown, c.Outcome);
        Assert.Equal(PublishOutcome.Permanent, d.Outcome);
    }

    [Fact]
    public void The_callers_own_cancellation_is_left_to_the_caller()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.False(ChannelHttp.TryMapException(new TaskCanceledException(), ChannelKind.X, cancel.Token, out _));
        Assert.False(ChannelHttp.TryMapException(new InvalidOperationException(), ChannelKind.X, CancellationToken.None, out _));
    }

    [Fact]
    public void AddChannelClients_registers_one_client_per_kind_but_the_blog_and_a_resolver()
    {
        // Twice, as two composition roots might: still one client per kind.
        var services = new ServiceCollection().AddChannelClients().AddChannelClients().BuildServiceProvider();

        var kinds = services.GetServices<IChannelClient>().Select(c => c.Kind).ToList();
        var resolver = services.GetRequiredService<ChannelClients>();

        Assert.Equal(Enum.GetValues<ChannelKind>().Where(k => k != ChannelKind.Blog).Order(), kinds.Order());
        Assert.Equal(ChannelKind.Bluesky, resolver.For(ChannelKind.Bluesky).Kind);
        Assert.False(resolver.TryGet(ChannelKind.Blog, out _));
        Assert.Throws<InvalidOperationException>(() => resolver.For(ChannelKind.Blog));
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(ChannelHttp.ClientName(ChannelKind.X));
        Assert.Equal(Timeout.InfiniteTimeSpan, http.Timeout);
    }
}
