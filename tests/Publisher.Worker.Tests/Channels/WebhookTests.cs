using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;
using Publisher.Testing.Fakes;
using Publisher.Worker.Channels;
using Publisher.Worker.Channels.Webhook;

namespace Publisher.Worker.Tests.Channels;

public sealed class WebhookTests : IAsyncLifetime
{
    private readonly FakeWebhookReceiver _receiver = new();
    private readonly WebhookClient _client = ChannelKit.Client<WebhookClient>();

    private ChannelConnection Connection => ChannelKit.Connection(ChannelKind.Webhook, _receiver.Url, _receiver.Credentials);

    [Fact]
    public async Task The_rendered_payload_is_posted_as_is_to_the_exact_address_signed_and_with_the_delivery_id()
    {
        const string payload = """{ "text": "Autumn sale: 20% off.", "tags": ["AutumnSale"] }""";

        var result = await _client.PublishAsync(ChannelKit.Request(Connection, jsonPayload: payload, key: "delivery-1"), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Published, result.Outcome);
        Assert.Equal("delivery-1", result.ExternalId);
        var delivery = Assert.Single(_receiver.Deliveries);
        Assert.Equal(payload, delivery.Body);
        var sent = Assert.Single(_receiver.Requests);
        Assert.Equal(_receiver.Path, sent.Path);
        Assert.Equal("delivery-1", sent.Header("X-Publisher-Delivery"));
        Assert.Equal(WebhookSignature.Compute(_receiver.Secret, delivery.Timestamp, payload), sent.Header("X-Publisher-Signature"));
        Assert.StartsWith("application/json", sent.Header("Content-Type"));
    }

    [Fact]
    public async Task Without_a_rendered_payload_a_JSON_object_with_title_text_and_link_goes_out()
    {
        await _client.PublishAsync(ChannelKit.Request(Connection, "Autumn sale", link: "https://example.com/sale", html: "<p>Autumn sale</p>"), new RecordingProgress(), CancellationToken.None);

        var body = JsonDocument.Parse(Assert.Single(_receiver.Deliveries).Body).RootElement;
        Assert.Equal("Autumn sale", body.GetProperty("title").GetString());
        Assert.Equal("Autumn sale", body.GetProperty("text").GetString());
        Assert.Equal("https://example.com/sale", body.GetProperty("link").GetString());
        Assert.Equal("<p>Autumn sale</p>", body.GetProperty("html").GetString());
    }

    [Fact]
    public async Task The_receivers_own_id_becomes_the_external_id()
    {
        _receiver.RespondWithId = true;

        var result = await _client.PublishAsync(ChannelKit.Request(Connection), new RecordingProgress(), CancellationToken.None);

        Assert.Equal("evt_1", result.ExternalId);
    }

    [Fact]
    public async Task A_clock_far_off_is_refused_by_the_receivers_freshness_check()
    {
        var client = ChannelKit.Client<WebhookClient>(new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1)));

        var result = await client.PublishAsync(ChannelKit.Request(Connection), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Permanent, result.Outcome);
        Assert.Contains("stale", result.Detail);
        Assert.Empty(_receiver.Deliveries);
    }

    [Fact]
    public async Task Reconcile_says_retry_and_the_receiver_keeps_one_delivery()
    {
        var request = ChannelKit.Request(Connection, key: "delivery-2");
        _receiver.AbortNext(1, afterHandling: true);

        var interrupted = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);
        var verdict = await _client.ReconcileAsync(request, CancellationToken.None);
        var retried = await _client.PublishAsync(request, new RecordingProgress(), CancellationToken.None);

        Assert.Equal(PublishOutcome.Unknown, interrupted.Outcome);
        Assert.Equal(ReconcileVerdict.SafeToRetry, verdict.Verdict);
        Assert.Equal(PublishOutcome.Published, retried.Outcome);
        Assert.Single(_receiver.Deliveries);
        Assert.Equal(2, _receiver.Requests.Count);
    }

    [Fact]
    public async Task The_connection_test_sends_a_signed_ping_that_is_not_a_delivery()
    {
        var check = await _client.TestConnectionAsync(Connection, CancellationToken.None);

        Assert.True(check.Ok, check.Message);
        Assert.Equal(1, _receiver.PingCount);
        Assert.Empty(_receiver.Deliveries);
        Assert.Equal("""{"type":"ping"}""", Assert.Single(_receiver.Requests).Body);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _receiver.DisposeAsync();
}
