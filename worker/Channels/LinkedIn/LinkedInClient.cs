using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.LinkedIn;

/// <summary>
/// Posts with LinkedIn's versioned Posts API (<c>POST /rest/posts</c>). One post, never a thread. LinkedIn has
/// no idempotency key and no lookup by our key, so an interrupted post cannot be reconciled automatically. Images
/// are uploaded first with the Images API and go with the post as <c>content.media</c> or <c>content.multiImage</c>
/// (<see cref="UploadImagesAsync"/>); a video with the Videos API (<see cref="LinkedInVideoUploader"/>) as
/// <c>content.media</c>.
/// </summary>
public sealed partial class LinkedInClient(IHttpClientFactory httpClientFactory, TimeProvider clock) : IChannelClient
{
    /// <summary>The LinkedIn-Version used when the account sets none (yyyyMM; LinkedIn keeps each version about a year).</summary>
    public const string DefaultVersion = "202411";

    public ChannelKind Kind => ChannelKind.LinkedIn;

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            var connection = request.Connection;
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            var body = new JsonObject
            {
                ["author"] = connection.Setting("author_urn"),
                ["commentary"] = LittleText.Escape(request.Text),
                ["visibility"] = "PUBLIC",
                ["distribution"] = new JsonObject { ["feedDistribution"] = "MAIN_FEED", ["targetEntities"] = new JsonArray(), ["thirdPartyDistributionChannels"] = new JsonArray() },
                ["lifecycleState"] = "PUBLISHED",
                ["isReshareDisabledByAuthor"] = false,
            };
            if (request.Media.Count > 0)
            {
                if (request.Media.FirstOrDefault(m => m.Kind == PublishMediaKind.Video) is { } video)
                {
                    // A video goes alone (the channel's rules keep it so): content.media names the video URN, with the
                    // message's title; LinkedIn takes no alt text for a video.
                    var (videoUrn, videoFailure) = await new LinkedInVideoUploader(http, request, progress, clock).UploadAsync(video, cancellationToken);
                    if (videoFailure is not null) return videoFailure;
                    var media = new JsonObject { ["id"] = videoUrn };
                    if (!string.IsNullOrWhiteSpace(request.Title)) media["title"] = request.Title;
                    body["content"] = new JsonObject { ["media"] = media };
                }
                else
                {
                    var (images, failure) = await UploadImagesAsync(http, request, progress, cancellationToken);
                    if (failure is not null) return failure;
                    JsonObject Image(int i) => new() { ["id"] = images[i], ["altText"] = request.Media[i].AltText ?? "" };
                    // One image is content.media; two or more a MultiImage post
                    // (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/multiimage-post-api).
                    body["content"] = images.Count == 1
                        ? new JsonObject { ["media"] = Image(0) }
                        : new JsonObject { ["multiImage"] = new JsonObject { ["images"] = new JsonArray(images.Select((_, i) => (JsonNode)Image(i)).ToArray()) } };
                }
            }
            using var message = Versioned(connection, HttpMethod.Post, "rest/posts");
            message.Content = JsonContent.Create(body);
            using var response = await http.SendAsync(message, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken);
            var urn = response.Headers.TryGetValues("x-restli-id", out var values) ? values.FirstOrDefault() : null;
            if (string.IsNullOrEmpty(urn))
                return new PublishResult(PublishOutcome.Unknown, HttpStatus: (int)response.StatusCode, Detail: "LinkedIn accepted the post but did not say its id (no x-restli-id header).");
            await progress.PartPostedAsync(urn, cancellationToken);
            return PublishResult.Published(urn, PostAddresses.LinkedInPost(urn));
        }
        catch (Exception e) when (ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure))
        {
            return failure;
        }
    }

    public Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new ReconcileResult(ReconcileVerdict.Unknown,
            Detail: "LinkedIn cannot tell whether an interrupted post went out: check the page's posts, then mark it published or publish again."));

    /// <summary>
    /// <c>GET /v2/userinfo</c>: a 401 means the token is invalid or expired. A 403 means the token works but lacks the
    /// openid/profile scopes (common for organization tokens), which posting does not need, so that counts as a pass.
    /// </summary>
    public async Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, ChannelHttp.Combine(connection.BaseAddress, "v2/userinfo"));
            ChannelHttp.Bearer(message, connection.Credential("access_token"));
            connection.Setting("author_urn");
            using var response = await httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind)).SendAsync(message, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Forbidden)
                return new ConnectionCheck(true, "LinkedIn accepts the token (it may not read the profile, which posting does not need).");
            if (!response.IsSuccessStatusCode) return await ChannelHttp.FailedCheckAsync(response, Kind, cancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var name = document.RootElement.TryGetProperty("name", out var n) ? n.GetString() : null;
            return new ConnectionCheck(true, name is null ? "LinkedIn accepts the token." : $"Signed in to LinkedIn as {name}.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ChannelHttp.FailedCheck(e, Kind);
        }
    }

    /// <summary>
    /// LinkedIn documents no lifetime for an uploaded image no post uses; a retry reuses one for a day and uploads it
    /// again after.
    /// </summary>
    public static readonly TimeSpan UnusedImageKept = TimeSpan.FromDays(1);

    /// <summary>
    /// Uploads each image as the Images API describes
    /// (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api): <c>POST
    /// /rest/images?action=initializeUpload</c> with the owner (the post's author) answers an <c>uploadUrl</c> and the
    /// image URN, then the bytes are PUT to the upload address. That address comes from LinkedIn's answer, so it goes
    /// through the same outbound guard, and the token goes with it only on LinkedIn's own hosts.
    /// </summary>
    private Task<(IReadOnlyList<string> Ids, PublishResult? Failure)> UploadImagesAsync(HttpClient http, PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken) =>
        ChannelMedia.UploadEachAsync(request, Kind, progress, clock, UnusedImageKept, async (medium, what) =>
        {
            var connection = request.Connection;
            string? uploadUrl, urn;
            using (var initialize = Versioned(connection, HttpMethod.Post, "rest/images?action=initializeUpload"))
            {
                initialize.Content = JsonContent.Create(new JsonObject { ["initializeUploadRequest"] = new JsonObject { ["owner"] = connection.Setting("author_urn") } });
                using var response = await http.SendAsync(initialize, cancellationToken);
                if (!response.IsSuccessStatusCode)
                    return (null, await ChannelMedia.RefusedAsync(response, Kind, what, clock.GetUtcNow(), cancellationToken));
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                var value = document.RootElement.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Object ? v : default;
                uploadUrl = value.ValueKind == JsonValueKind.Object && value.TryGetProperty("uploadUrl", out var u) ? u.GetString() : null;
                urn = value.ValueKind == JsonValueKind.Object && value.TryGetProperty("image", out var i) ? i.GetString() : null;
            }
            if (urn is null || !Uri.TryCreate(uploadUrl, UriKind.Absolute, out var target) || target.Scheme is not ("https" or "http"))
                return (null, new PublishResult(PublishOutcome.Transient, Detail: $"LinkedIn's answer to uploading {what} had no upload address or image URN; nothing was posted."));

            await using var stream = await medium.OpenAsync(cancellationToken);
            using var put = new HttpRequestMessage(HttpMethod.Put, target) { Content = new StreamContent(stream) };
            put.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(medium.ContentType);
            put.Content.Headers.ContentLength = medium.Length;
            if (IsLinkedInHost(target, connection.BaseAddress))
                ChannelHttp.Bearer(put, connection.Credential("access_token"));
            using var uploaded = await http.SendAsync(put, cancellationToken);
            return uploaded.IsSuccessStatusCode
                ? (urn, null)
                : (null, await ChannelMedia.RefusedAsync(uploaded, Kind, what, clock.GetUtcNow(), cancellationToken));
        }, cancellationToken);

    /// <summary>The account's own API host, or linkedin.com and its subdomains: the only places the token is sent.</summary>
    internal static bool IsLinkedInHost(Uri target, Uri baseAddress) =>
        string.Equals(target.Host, baseAddress.Host, StringComparison.OrdinalIgnoreCase) && target.Port == baseAddress.Port
        || target.Scheme == "https" && (target.Host.Equals("linkedin.com", StringComparison.OrdinalIgnoreCase) || target.Host.EndsWith(".linkedin.com", StringComparison.OrdinalIgnoreCase));

    internal static HttpRequestMessage Versioned(ChannelConnection connection, HttpMethod method, string path)
    {
        var message = new HttpRequestMessage(method, ChannelHttp.Combine(connection.BaseAddress, path));
        ChannelHttp.Bearer(message, connection.Credential("access_token"));
        message.Headers.Add("LinkedIn-Version", connection.OptionalSetting("version") ?? DefaultVersion);
        message.Headers.Add("X-Restli-Protocol-Version", "2.0.0");
        return message;
    }
}
