using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.FacebookPage;

/// <summary>
/// Posts to a Facebook Page's feed with the Graph API (<c>POST /{version}/{page_id}/feed</c>, form-encoded). One
/// post, never a thread. The Graph API has no idempotency key, so an interrupted post cannot be reconciled.
/// </summary>
public sealed partial class FacebookPageClient(IHttpClientFactory httpClientFactory, TimeProvider clock) : IChannelClient
{
    public const string DefaultGraphVersion = "v21.0";

    public ChannelKind Kind => ChannelKind.FacebookPage;

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            var connection = request.Connection;
            var form = new List<KeyValuePair<string, string>> { new("message", request.Text) };
            if (!string.IsNullOrWhiteSpace(request.Link)) form.Add(new("link", request.Link));
            form.Add(new("access_token", connection.Credential("page_access_token")));
            using var content = new FormUrlEncodedContent(form);
            using var response = await httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind))
                .PostAsync(ChannelHttp.Combine(connection.BaseAddress, $"{Version(connection)}/{Uri.EscapeDataString(connection.Setting("page_id"))}/feed"), content, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken);
            string? id;
            try
            {
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                id = document.RootElement.TryGetProperty("id", out var value) ? value.GetString() : null;
            }
            catch (JsonException)
            {
                id = null;
            }
            if (string.IsNullOrEmpty(id))
                return new PublishResult(PublishOutcome.Unknown, HttpStatus: (int)response.StatusCode, Detail: "Facebook accepted the post but its answer had no id.");
            await progress.PartPostedAsync(id, cancellationToken);
            return PublishResult.Published(id, $"https://www.facebook.com/{id}");
        }
        catch (Exception e) when (ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure))
        {
            return failure;
        }
    }

    public Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new ReconcileResult(ReconcileVerdict.Unknown,
            Detail: "Facebook cannot tell whether an interrupted post went out: check the Page, then mark it published or publish again."));

    public async Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var path = $"{Version(connection)}/{Uri.EscapeDataString(connection.Setting("page_id"))}?fields=name&access_token={Uri.EscapeDataString(connection.Credential("page_access_token"))}";
            using var response = await httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind)).GetAsync(ChannelHttp.Combine(connection.BaseAddress, path), cancellationToken);
            if (!response.IsSuccessStatusCode) return await ChannelHttp.FailedCheckAsync(response, Kind, cancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return new ConnectionCheck(true, $"Connected to the Facebook Page “{document.RootElement.GetProperty("name").GetString()}”.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ChannelHttp.FailedCheck(e, Kind);
        }
    }

    private static string Version(ChannelConnection connection) => connection.OptionalSetting("graph_version") ?? DefaultGraphVersion;
}
