using System.Net.Http.Json;
using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.Mastodon;

/// <summary>
/// Posts statuses with <c>POST /api/v1/statuses</c>. Every part carries an Idempotency-Key derived from the
/// request's key, so posting the same part again within the server's idempotency window (an hour on Mastodon)
/// returns the status made the first time instead of a second one: an interrupted attempt is safe to retry.
/// </summary>
public sealed partial class MastodonClient(IHttpClientFactory httpClientFactory, TimeProvider clock) : IChannelClient
{
    public ChannelKind Kind => ChannelKind.Mastodon;

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        var parts = request.Parts;
        var posted = request.PostedPartIds.ToList();
        var index = posted.Count;
        string? firstUrl = null;
        try
        {
            var token = request.Connection.Credential("access_token");
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            for (; index < parts.Count; index++)
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, ChannelHttp.Combine(request.Connection.BaseAddress, "api/v1/statuses"));
                ChannelHttp.Bearer(message, token);
                message.Headers.Add("Idempotency-Key", IdempotencyKey(request, index));
                message.Content = JsonContent.Create(new StatusBody(parts[index], index > 0 ? posted[index - 1] : null, "public"), options: ChannelHttp.Json);
                using var response = await http.SendAsync(message, cancellationToken);
                if (!response.IsSuccessStatusCode)
                    return ChannelHttp.ForPart(await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken), index, parts.Count);
                var status = await ReadStatusAsync(response, cancellationToken);
                if (status?.Id is null)
                    return ChannelHttp.ForPart(new PublishResult(PublishOutcome.Unknown, HttpStatus: (int)response.StatusCode, Detail: "Mastodon accepted the status but its answer had no id."), index, parts.Count);
                if (index == 0) firstUrl = status.Url;
                posted.Add(status.Id);
                await progress.PartPostedAsync(status.Id, cancellationToken);
            }
        }
        catch (Exception e) when (ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure))
        {
            return ChannelHttp.ForPart(failure, index, parts.Count);
        }
        return PublishResult.Published(posted[0], firstUrl ?? StatusUrl(request.Connection, posted[0]));
    }

    /// <summary>Posting again sends the same Idempotency-Key, so the server hands back the status it already made.</summary>
    public Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new ReconcileResult(ReconcileVerdict.SafeToRetry,
            Detail: "Mastodon deduplicates on the Idempotency-Key: posting again returns the status already made."));

    public async Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            using var message = new HttpRequestMessage(HttpMethod.Get, ChannelHttp.Combine(connection.BaseAddress, "api/v1/accounts/verify_credentials"));
            ChannelHttp.Bearer(message, connection.Credential("access_token"));
            using var response = await http.SendAsync(message, cancellationToken);
            if (!response.IsSuccessStatusCode) return await ChannelHttp.FailedCheckAsync(response, Kind, cancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return new ConnectionCheck(true, $"Signed in to {connection.BaseAddress.Host} as @{document.RootElement.GetProperty("acct").GetString()}.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ChannelHttp.FailedCheck(e, Kind);
        }
    }

    /// <summary>The request's key for the first part; the key and the part number for the others, so each part is its own status.</summary>
    public static string IdempotencyKey(PublishRequest request, int index) =>
        index == 0 ? request.IdempotencyKey : $"{request.IdempotencyKey}-{index}";

    private static string StatusUrl(ChannelConnection connection, string id) =>
        connection.Handle?.TrimStart('@') is { Length: > 0 } handle
            ? ChannelHttp.Combine(connection.BaseAddress, $"@{handle.Split('@')[0]}/{id}").ToString()
            : ChannelHttp.Combine(connection.BaseAddress, $"statuses/{id}").ToString();

    private static async Task<Status?> ReadStatusAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<Status>(ChannelHttp.Json, cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record StatusBody(
        [property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status,
        [property: System.Text.Json.Serialization.JsonPropertyName("in_reply_to_id")] string? InReplyToId,
        [property: System.Text.Json.Serialization.JsonPropertyName("visibility")] string Visibility);

    private sealed record Status(string? Id, string? Url);
}
