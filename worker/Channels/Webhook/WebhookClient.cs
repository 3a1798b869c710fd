using System.Globalization;
using System.Text;
using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.Webhook;

/// <summary>
/// Delivers a variant to a webhook: a signed JSON POST to the account's address. Every delivery of the same
/// request carries the same <c>X-Publisher-Delivery</c> id, and receivers are expected to ignore a delivery id
/// they have already handled, so an interrupted delivery is safe to send again.
/// </summary>
public sealed class WebhookClient(IHttpClientFactory httpClientFactory, TimeProvider clock) : IChannelClient
{
    public ChannelKind Kind => ChannelKind.Webhook;

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            var body = string.IsNullOrWhiteSpace(request.JsonPayload) ? DefaultPayload(request) : request.JsonPayload;
            using var response = await SendAsync(request.Connection, body, request.IdempotencyKey, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken);
            var id = await ResponseIdAsync(response, cancellationToken) ?? request.IdempotencyKey;
            await progress.PartPostedAsync(id, cancellationToken);
            return PublishResult.Published(id, null);
        }
        catch (Exception e) when (ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure))
        {
            return failure;
        }
    }

    /// <summary>The receiver deduplicates on the delivery id, so delivering again is safe.</summary>
    public Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new ReconcileResult(ReconcileVerdict.SafeToRetry,
            Detail: "Webhook receivers ignore a delivery id they have already handled: delivering again is safe."));

    public async Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(connection, """{"type":"ping"}""", "ping-" + Guid.NewGuid().ToString("N"), cancellationToken);
            return response.IsSuccessStatusCode
                ? new ConnectionCheck(true, $"The webhook at {connection.BaseAddress.Host} accepted a signed ping ({(int)response.StatusCode}).")
                : await ChannelHttp.FailedCheckAsync(response, Kind, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ChannelHttp.FailedCheck(e, Kind);
        }
    }

    /// <summary>What goes out when the template rendered no JSON payload.</summary>
    public static string DefaultPayload(PublishRequest request) => JsonSerializer.Serialize(new
    {
        type = "publish",
        variantId = request.VariantId,
        title = request.Title,
        text = request.Text,
        link = request.Link,
        html = request.Html,
        scheduledAt = request.ScheduledAt,
        media = request.Media.Select(m => new
        {
            kind = m.Kind.ToString().ToLowerInvariant(), url = m.PublicUrl, sha256 = m.Key, contentType = m.ContentType, bytes = m.Length,
            width = m.Width, height = m.Height, durationSeconds = m.Duration?.TotalSeconds, alt = m.AltText, posterUrl = m.Poster?.PublicUrl,
        }),
    }, ChannelHttp.Json);

    private async Task<HttpResponseMessage> SendAsync(ChannelConnection connection, string body, string deliveryId, CancellationToken cancellationToken)
    {
        var secret = connection.Credential("secret");
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        // The target is the account's address exactly as written: no path is added.
        using var message = new HttpRequestMessage(HttpMethod.Post, connection.BaseAddress)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        message.Headers.Add("X-Publisher-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        message.Headers.Add("X-Publisher-Signature", WebhookSignature.Compute(secret, timestamp, body));
        message.Headers.Add("X-Publisher-Delivery", deliveryId);
        return await httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind)).SendAsync(message, cancellationToken);
    }

    private static async Task<string?> ResponseIdAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(text)) return null;
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id)
                ? id.ValueKind == JsonValueKind.String ? id.GetString() : id.GetRawText()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
