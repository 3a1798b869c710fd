using System.Text.Json;
using Microsoft.Extensions.Options;
using Publisher.Core.Connect;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.FacebookPage;

/// <summary>
/// Posts to a Facebook Page's feed with the Graph API (<c>POST /{version}/{page_id}/feed</c>, form-encoded). One
/// post, never a thread. The Graph API has no idempotency key, so an interrupted post cannot be reconciled. Photos are
/// uploaded first, unpublished, and attached to the post with <c>attached_media</c> (<see cref="UploadPhotosAsync"/>);
/// a video is uploaded with the Resumable Upload API to the Meta app (<c>Connect:Facebook:ClientId</c>) and published on
/// the Page's videos as its own post (<see cref="PublishVideoAsync"/>).
/// </summary>
public sealed partial class FacebookPageClient(IHttpClientFactory httpClientFactory, TimeProvider clock, IOptions<ConnectOptions> connectOptions) : IChannelClient
{
    public const string DefaultGraphVersion = "v21.0";

    public ChannelKind Kind => ChannelKind.FacebookPage;

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            var connection = request.Connection;
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            var form = new List<KeyValuePair<string, string>> { new("message", request.Text) };
            if (request.Media.Count > 0)
            {
                // A video goes alone (the channel's rules keep it so) and is its own post on the Page.
                if (request.Media.FirstOrDefault(m => m.Kind == PublishMediaKind.Video) is { } video)
                    return await PublishVideoAsync(http, request, video, progress, cancellationToken);
                var (photos, failure) = await UploadPhotosAsync(http, request, progress, cancellationToken);
                if (failure is not null) return failure;
                for (var i = 0; i < photos.Count; i++)
                    form.Add(new($"attached_media[{i}]", JsonSerializer.Serialize(new Dictionary<string, string> { ["media_fbid"] = photos[i] })));
                // A link parameter would make Facebook show the link's card instead of the photos: the address goes in
                // the message, where Facebook links it.
                if (!string.IsNullOrWhiteSpace(request.Link) && !request.Text.Contains(request.Link, StringComparison.Ordinal))
                    form[0] = new("message", $"{request.Text}\n\n{request.Link}");
            }
            else if (!string.IsNullOrWhiteSpace(request.Link)) form.Add(new("link", request.Link));
            form.Add(new("access_token", connection.Credential("page_access_token")));
            using var content = new FormUrlEncodedContent(form);
            using var response = await http
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
            return PublishResult.Published(id, PostAddresses.FacebookPost(id));
        }
        catch (Exception e) when (ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure))
        {
            return failure;
        }
    }

    /// <summary>
    /// The Graph API has no idempotency key, so an interrupted post cannot be looked up, with one exception: a video is
    /// published only with its file handle, which is recorded before the publishing call goes out. An interrupted
    /// attempt that recorded no handle for its video (nothing, or only the upload session) never sent that call.
    /// </summary>
    public Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(request.Media.FirstOrDefault(m => m.Kind == PublishMediaKind.Video) is { } video && !HandleRecorded(request, video)
            ? new ReconcileResult(ReconcileVerdict.SafeToRetry,
                Detail: "the video's upload had not finished, and Facebook publishes a video only with the handle the finished upload gives: nothing was posted")
            : new ReconcileResult(ReconcileVerdict.Unknown,
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

    /// <summary>
    /// The Graph API documents no lifetime for an unpublished photo no post uses; a retry reuses one for a day and
    /// uploads it again after.
    /// </summary>
    public static readonly TimeSpan UnusedPhotoKept = TimeSpan.FromDays(1);

    /// <summary>
    /// Uploads each photo to <c>POST /{page_id}/photos</c> (https://developers.facebook.com/docs/graph-api/reference/page/photos)
    /// as multipart <c>source</c> with <c>published=false</c>, so it appears only in the post that attaches it
    /// (https://developers.facebook.com/docs/pages-api/posts, multi-photo posts), and the alt text as
    /// <c>alt_text_custom</c> (the Photo node's accessible description).
    /// </summary>
    private Task<(IReadOnlyList<string> Ids, PublishResult? Failure)> UploadPhotosAsync(HttpClient http, PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken) =>
        ChannelMedia.UploadEachAsync(request, Kind, progress, clock, UnusedPhotoKept, async (medium, what) =>
        {
            var connection = request.Connection;
            await using var stream = await medium.OpenAsync(cancellationToken);
            using var form = new MultipartFormDataContent();
            var file = new StreamContent(stream);
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(medium.ContentType);
            form.Add(file, "source", ChannelMedia.FileName(medium));
            form.Add(new StringContent("false"), "published");
            if (!string.IsNullOrWhiteSpace(medium.AltText)) form.Add(new StringContent(medium.AltText), "alt_text_custom");
            form.Add(new StringContent(connection.Credential("page_access_token")), "access_token");
            using var response = await http.PostAsync(
                ChannelHttp.Combine(connection.BaseAddress, $"{Version(connection)}/{Uri.EscapeDataString(connection.Setting("page_id"))}/photos"), form, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return (null, await ChannelMedia.RefusedAsync(response, Kind, what, clock.GetUtcNow(), cancellationToken));
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return document.RootElement.TryGetProperty("id", out var idElement) && idElement.GetString() is { Length: > 0 } id
                ? (id, null)
                : (null, new PublishResult(PublishOutcome.Transient, HttpStatus: (int)response.StatusCode, Detail: $"Facebook accepted {what} but its answer had no id; nothing was posted."));
        }, cancellationToken);

    private static string Version(ChannelConnection connection) => connection.OptionalSetting("graph_version") ?? DefaultGraphVersion;
}
