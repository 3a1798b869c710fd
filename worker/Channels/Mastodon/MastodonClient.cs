using System.Net.Http.Json;
using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Templates.Channels;
using Publisher.Templates.Model;

namespace Publisher.Worker.Channels.Mastodon;

/// <summary>
/// Posts statuses with <c>POST /api/v1/statuses</c>. Every part carries an Idempotency-Key derived from the
/// request's key, so posting the same part again within the server's idempotency window (an hour on Mastodon)
/// returns the status made the first time instead of a second one: an interrupted attempt is safe to retry.
/// Media are uploaded first with <c>POST /api/v2/media</c> and attached to the first part (<see cref="UploadMediaAsync"/>).
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
            IReadOnlyList<string>? mediaIds = null;
            if (index == 0 && request.Media.Count > 0)
            {
                var (ids, failure) = await UploadMediaAsync(http, request, token, progress, cancellationToken);
                if (failure is not null) return failure;
                mediaIds = ids;
            }
            for (; index < parts.Count; index++)
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, ChannelHttp.Combine(request.Connection.BaseAddress, "api/v1/statuses"));
                ChannelHttp.Bearer(message, token);
                message.Headers.Add("Idempotency-Key", IdempotencyKey(request, index));
                message.Content = JsonContent.Create(new StatusBody(parts[index], index > 0 ? posted[index - 1] : null, "public", index == 0 ? mediaIds : null), options: ChannelHttp.Json);
                using var response = await http.SendAsync(message, cancellationToken);
                if (!response.IsSuccessStatusCode)
                    return ChannelHttp.ForPart(await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken), index, parts.Count);
                var status = await ReadStatusAsync(response, cancellationToken);
                if (status?.Id is null)
                    return ChannelHttp.ForPart(new PublishResult(PublishOutcome.Unknown, HttpStatus: (int)response.StatusCode, Detail: "Mastodon accepted the status but its answer had no id."), index, parts.Count);
                // The server says where the status is: believed only when it is a web address (else the address is built here).
                if (index == 0) firstUrl = WebAddress.OrNull(status.Url);
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

    private static string StatusUrl(ChannelConnection connection, string id) => PostAddresses.MastodonStatus(connection.BaseAddress, connection.Handle, id);

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

    /// <summary>
    /// How long an upload stays attachable: Mastodon removes media no status uses after about a day (its media
    /// clean-up job); a retry reuses an upload for half of that and uploads it again after.
    /// </summary>
    public static readonly TimeSpan UnattachedMediaKept = TimeSpan.FromHours(12);

    /// <summary>
    /// Uploads each medium with <c>POST /api/v2/media</c> (https://docs.joinmastodon.org/methods/media/#v2): multipart
    /// <c>file</c>, <c>description</c> (the alt text), <c>focus</c> ("x,y" from -1 to 1) when the author set a focal
    /// point, and for a video its poster frame as <c>thumbnail</c>. 200 means processed; 202 means Mastodon is still processing it, and <c>GET /api/v1/media/:id</c> answers
    /// 206 until it is done, then 200. An upload an earlier attempt made is reused, with its description set again
    /// (<c>PUT /api/v1/media/:id</c>) in case that attempt died before it was processed.
    /// </summary>
    private async Task<(IReadOnlyList<string> Ids, PublishResult? Failure)> UploadMediaAsync(
        HttpClient http, PublishRequest request, string token, IPublishProgress progress, CancellationToken cancellationToken)
    {
        var ids = new List<string>(request.Media.Count);
        foreach (var medium in request.Media)
        {
            var what = ChannelMedia.Describe(request, medium);
            try
            {
                var id = ChannelMedia.Reusable(request, medium, clock.GetUtcNow());
                var processing = false;
                if (id is null)
                {
                    await using var stream = await medium.OpenAsync(cancellationToken);
                    using var form = new MultipartFormDataContent();
                    var file = new StreamContent(stream);
                    file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(medium.ContentType);
                    form.Add(file, "file", ChannelMedia.FileName(medium));
                    // A video's poster frame goes with it as its thumbnail, so timelines show the chosen still, not a
                    // frame Mastodon picks.
                    await using var posterStream = medium is { Kind: PublishMediaKind.Video, Poster: { } poster } ? await poster.OpenAsync(cancellationToken) : null;
                    if (posterStream is not null)
                    {
                        var thumbnail = new StreamContent(posterStream);
                        thumbnail.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(medium.Poster!.ContentType);
                        form.Add(thumbnail, "thumbnail", ChannelMedia.FileName(medium.Poster));
                    }
                    form.Add(new StringContent(medium.AltText ?? ""), "description");
                    if (medium.FocalPoint is { } focus)
                        form.Add(new StringContent(focus.ToMastodonFocus()), "focus");
                    using var message = new HttpRequestMessage(HttpMethod.Post, ChannelHttp.Combine(request.Connection.BaseAddress, "api/v2/media")) { Content = form };
                    ChannelHttp.Bearer(message, token);
                    using var response = await http.SendAsync(message, cancellationToken);
                    if (!response.IsSuccessStatusCode)
                        return ([], await ChannelMedia.RefusedAsync(response, Kind, what, clock.GetUtcNow(), cancellationToken));
                    id = (await response.Content.ReadFromJsonAsync<Attachment>(ChannelHttp.Json, cancellationToken))?.Id;
                    if (id is null)
                        return ([], new PublishResult(PublishOutcome.Transient, HttpStatus: (int)response.StatusCode, Detail: $"Mastodon accepted {what} but its answer had no id; nothing was posted."));
                    processing = response.StatusCode == System.Net.HttpStatusCode.Accepted;
                    await progress.MediaUploadedAsync(medium.Key, id, clock.GetUtcNow() + UnattachedMediaKept, cancellationToken);
                }
                else
                {
                    using var message = new HttpRequestMessage(HttpMethod.Put, ChannelHttp.Combine(request.Connection.BaseAddress, $"api/v1/media/{Uri.EscapeDataString(id)}"));
                    ChannelHttp.Bearer(message, token);
                    var fields = new Dictionary<string, string> { ["description"] = medium.AltText ?? "" };
                    if (medium.FocalPoint is { } focus) fields["focus"] = focus.ToMastodonFocus();
                    message.Content = new FormUrlEncodedContent(fields);
                    using var response = await http.SendAsync(message, cancellationToken);
                    if ((int)response.StatusCode is 404)
                    {
                        // Mastodon no longer has it (removed, or attached after all): upload it afresh.
                        request = request with { UploadedMedia = request.UploadedMedia.Where(u => u.Key != medium.Key).ToDictionary() };
                        var (again, failure) = await UploadMediaAsync(http, request with { Media = [medium] }, token, progress, cancellationToken);
                        if (failure is not null) return ([], failure);
                        ids.Add(again[0]);
                        continue;
                    }
                    if (!response.IsSuccessStatusCode)
                        return ([], await ChannelMedia.RefusedAsync(response, Kind, what, clock.GetUtcNow(), cancellationToken));
                    // Read as GET /api/v1/media/:id answers: 206 while Mastodon is still processing it.
                    processing = response.StatusCode == System.Net.HttpStatusCode.PartialContent;
                }
                while (processing)
                {
                    await Task.Delay(ChannelMedia.PollDelay(null), clock, cancellationToken);
                    using var check = new HttpRequestMessage(HttpMethod.Get, ChannelHttp.Combine(request.Connection.BaseAddress, $"api/v1/media/{Uri.EscapeDataString(id)}"));
                    ChannelHttp.Bearer(check, token);
                    using var response = await http.SendAsync(check, cancellationToken);
                    if (response.StatusCode == System.Net.HttpStatusCode.PartialContent) continue;
                    if (!response.IsSuccessStatusCode)
                        return ([], (int)response.StatusCode == 422
                            ? ChannelMedia.ProcessingFailed(Kind, what, ChannelHttp.ErrorMessage(Kind, await response.Content.ReadAsStringAsync(cancellationToken)))
                            : await ChannelMedia.RefusedAsync(response, Kind, what, clock.GetUtcNow(), cancellationToken));
                    processing = false;
                }
                ids.Add(id);
            }
            catch (Exception e) when (ChannelMedia.TryMapUploadException(e, Kind, what, out var failure))
            {
                return ([], failure);
            }
        }
        return (ids, null);
    }

    private sealed record Attachment(string? Id, string? Url);

    private sealed record StatusBody(
        [property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status,
        [property: System.Text.Json.Serialization.JsonPropertyName("in_reply_to_id")] string? InReplyToId,
        [property: System.Text.Json.Serialization.JsonPropertyName("visibility")] string Visibility,
        [property: System.Text.Json.Serialization.JsonPropertyName("media_ids"), System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        IReadOnlyList<string>? MediaIds = null);

    private sealed record Status(string? Id, string? Url);
}
