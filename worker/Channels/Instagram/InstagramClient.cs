using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.Instagram;

/// <summary>
/// Posts to an Instagram business or creator account with the Instagram Graph API's content publishing
/// (https://developers.facebook.com/docs/instagram-platform/content-publishing): a container
/// (<c>POST /{ig-user-id}/media</c>: <c>image_url</c> for an image, <c>media_type=REELS</c> and <c>video_url</c> for a
/// video, or <c>media_type=CAROUSEL</c> with <c>children</c> made with <c>is_carousel_item=true</c>; the caption on the
/// post's container), its <c>status_code</c> polled until FINISHED, then <c>POST /{ig-user-id}/media_publish?creation_id=…</c>.
/// Instagram fetches media from Publisher's public address. A post without media cannot exist there: the editor
/// says so while writing (media.required), and a request without any is refused here without a call. The container is
/// recorded before it is published (<see cref="GraphContainers"/>), so an interrupted attempt is resolved by asking it.
/// </summary>
public sealed partial class InstagramClient(IHttpClientFactory httpClientFactory, TimeProvider clock) : IChannelClient
{
    public const string DefaultGraphVersion = "v21.0";

    /// <summary>Instagram takes at most 10 items in a carousel.</summary>
    public const int MaxCarouselItems = 10;

    public static readonly ContainerDialect Dialect = new(ChannelKind.Instagram, "media", "media_publish", "status_code", "status", "caption");

    public ChannelKind Kind => ChannelKind.Instagram;

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        if (request.Media.Count == 0)
            return new PublishResult(PublishOutcome.Permanent, Detail: "Instagram takes no post without an image or a video: choose at least one for the Instagram variant and have it approved again.");
        if (request.Media.Count > MaxCarouselItems)
            return new PublishResult(PublishOutcome.Permanent, Detail: $"Instagram takes at most {MaxCarouselItems} media in a carousel; this post has {request.Media.Count}: choose fewer for Instagram.");
        if (request.Media.FirstOrDefault(m => m.PublicUrl is null) is { } hidden)
            return new PublishResult(PublishOutcome.Permanent,
                Detail: $"Instagram fetches media from Publisher's public address, and {ChannelMedia.Describe(request, hidden)} has none: set PUBLISHER_URL to the address the internet reaches Publisher at.");
        if (request.PostedPartIds.Count > 0)
            return PublishResult.Published(request.PostedPartIds[0], PostAddresses.InstagramProfile(request.Connection.Handle));
        try
        {
            var api = Api(request.Connection);
            var key = GraphContainers.Key(request, 0);
            var container = GraphContainers.Recorded(request, 0, clock.GetUtcNow());
            if (container is not null)
            {
                var (state, _) = await api.StateAsync(container, cancellationToken);
                if (state == ContainerState.Published)
                {
                    return await api.FindPublishedAsync("media", request.Text, cancellationToken) is { } found
                        ? await PublishedAsync(api, request, progress, found, cancellationToken)
                        : new PublishResult(PublishOutcome.Unknown, Detail: "Instagram says the post was published by an earlier attempt, but it is not among the account's latest posts: look on Instagram.");
                }
                if (state is not (ContainerState.Finished or ContainerState.InProgress)) container = null;
            }
            if (container is null)
            {
                if (await QuotaUsedUpAsync(request.Connection, cancellationToken) is { } full) return full;
                var (made, failure) = await MakeContainerAsync(api, request, cancellationToken);
                if (failure is not null) return failure;
                container = made!;
                // Recorded before it is published: a later attempt asks this container, never makes a second post.
                await progress.MediaUploadedAsync(key, container, clock.GetUtcNow() + GraphContainers.ContainerLifetime, cancellationToken);
            }
            var notReady = await api.WaitUntilReadyAsync(container, "the post", cancellationToken);
            if (notReady is not null) return notReady;
            var (id, refused) = await api.PublishAsync(container, cancellationToken);
            return refused ?? await PublishedAsync(api, request, progress, id!, cancellationToken);
        }
        catch (Exception e) when (ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure))
        {
            return failure;
        }
    }

    /// <summary>
    /// Asks the recorded container: published and found among the account's latest posts by its caption → that post;
    /// never made, or made and not published → safe to publish again (the retry publishes that container); published but
    /// not found, or forgotten → a person looks.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        if (request.PostedPartIds.Count > 0)
            return new ReconcileResult(ReconcileVerdict.Published, request.PostedPartIds[0], PostAddresses.InstagramProfile(request.Connection.Handle));
        if (!request.UploadedMedia.TryGetValue(GraphContainers.Key(request, 0), out var container))
            return new ReconcileResult(ReconcileVerdict.SafeToRetry, Detail: "No container was made for the post, so it was not published.");
        var api = Api(request.Connection);
        var (verdict, id, detail) = await api.ResolveAsync(container.NetworkMediaId, "media", request.Text, "the post", cancellationToken);
        return verdict switch
        {
            ReconcileVerdict.Published => new ReconcileResult(ReconcileVerdict.Published, id, await api.PermalinkAsync(id!, cancellationToken) ?? PostAddresses.InstagramProfile(request.Connection.Handle)),
            ReconcileVerdict.SafeToRetry => new ReconcileResult(ReconcileVerdict.SafeToRetry, Detail: "Instagram has not published the post: publishing its container again cannot post twice."),
            _ => new ReconcileResult(ReconcileVerdict.Unknown, Detail: detail),
        };
    }

    public async Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            using var response = await http.GetAsync(ChannelHttp.Combine(Root(connection),
                $"{Uri.EscapeDataString(connection.Setting("ig_user_id"))}?fields=id,username&access_token={Uri.EscapeDataString(connection.Credential("access_token"))}"), cancellationToken);
            if (!response.IsSuccessStatusCode) return await ChannelHttp.FailedCheckAsync(response, Kind, cancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return new ConnectionCheck(true, $"Connected to the Instagram account @{document.RootElement.GetProperty("username").GetString()}.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ChannelHttp.FailedCheck(e, Kind);
        }
    }

    /// <summary>
    /// Instagram publishes at most <c>quota_total</c> posts per account in 24 hours (50 when written); past that
    /// <c>media_publish</c> refuses. Asked before a container is made (<c>GET /{ig-user-id}/content_publishing_limit</c>),
    /// so a full quota is said plainly and nothing is made; a person decides when to publish it. When the limit cannot be
    /// read the post goes ahead: the publish call then answers for itself.
    /// </summary>
    private async Task<PublishResult?> QuotaUsedUpAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
        using var response = await http.GetAsync(ChannelHttp.Combine(Root(connection),
            $"{Uri.EscapeDataString(connection.Setting("ig_user_id"))}/content_publishing_limit?fields=config,quota_usage&access_token={Uri.EscapeDataString(connection.Credential("access_token"))}"), cancellationToken);
        if (!response.IsSuccessStatusCode)
            return null;
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array || data.GetArrayLength() == 0)
                return null;
            var limit = data[0];
            if (!limit.TryGetProperty("quota_usage", out var u) || !u.TryGetInt32(out var usage)
                || !limit.TryGetProperty("config", out var config) || !config.TryGetProperty("quota_total", out var t) || !t.TryGetInt32(out var total))
                return null;
            var hours = config.TryGetProperty("quota_duration", out var d) && d.TryGetInt32(out var seconds) ? seconds / 3600 : 24;
            return usage < total ? null : new PublishResult(PublishOutcome.Unknown, AskPerson: true,
                Detail: $"Instagram's limit of {total} posts in {hours} hours is used up on this account ({usage} of {total}), so nothing was posted. "
                        + "Schedule the post again for later (a post leaves the count once it is more than that old).");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<PublishResult> PublishedAsync(GraphContainers api, PublishRequest request, IPublishProgress progress, string id, CancellationToken cancellationToken)
    {
        await progress.PartPostedAsync(id, cancellationToken);
        return PublishResult.Published(id, await api.PermalinkAsync(id, cancellationToken) ?? PostAddresses.InstagramProfile(request.Connection.Handle));
    }

    /// <summary>
    /// One image: an image container (IMAGE is the default type). One video: a reel, shared to the feed too. Several: a
    /// carousel of item containers, each waited for, then the CAROUSEL container with the caption.
    /// </summary>
    private static async Task<(string? Id, PublishResult? Failure)> MakeContainerAsync(GraphContainers api, PublishRequest request, CancellationToken cancellationToken)
    {
        var fields = new List<KeyValuePair<string, string>>();
        if (request.Media.Count == 1)
        {
            var medium = request.Media[0];
            if (medium.Kind == PublishMediaKind.Video)
            {
                fields.Add(new("media_type", "REELS"));
                fields.Add(new("video_url", medium.PublicUrl!.AbsoluteUri));
                fields.Add(new("share_to_feed", "true"));
                // The reel's cover is the video's poster frame, as the preview showed it (without one Instagram picks a frame).
                if (medium.Poster?.PublicUrl is { } cover)
                    fields.Add(new("cover_url", cover.AbsoluteUri));
            }
            else
            {
                fields.Add(new("image_url", medium.PublicUrl!.AbsoluteUri));
                if (!string.IsNullOrWhiteSpace(medium.AltText)) fields.Add(new("alt_text", medium.AltText));
            }
        }
        else
        {
            var children = new List<string>(request.Media.Count);
            foreach (var medium in request.Media)
            {
                var what = ChannelMedia.Describe(request, medium);
                List<KeyValuePair<string, string>> item = medium.Kind == PublishMediaKind.Video
                    ? [new("media_type", "VIDEO"), new("video_url", medium.PublicUrl!.AbsoluteUri), new("is_carousel_item", "true")]
                    : [new("image_url", medium.PublicUrl!.AbsoluteUri), new("is_carousel_item", "true")];
                if (medium.Kind != PublishMediaKind.Video && !string.IsNullOrWhiteSpace(medium.AltText)) item.Add(new("alt_text", medium.AltText));
                var (child, failure) = await api.CreateAsync(item, what, cancellationToken);
                failure ??= await api.WaitUntilReadyAsync(child!, what, cancellationToken);
                if (failure is not null) return (null, failure);
                children.Add(child!);
            }
            fields.Add(new("media_type", "CAROUSEL"));
            fields.Add(new("children", string.Join(',', children)));
        }
        fields.Add(new("caption", request.Text));
        return await api.CreateAsync(fields, "the post", cancellationToken);
    }

    private GraphContainers Api(ChannelConnection connection) =>
        new(httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind)), Dialect, Root(connection), connection.Setting("ig_user_id"), connection.Credential("access_token"), clock);

    private static Uri Root(ChannelConnection connection) =>
        ChannelHttp.Combine(connection.BaseAddress, connection.OptionalSetting("graph_version") ?? DefaultGraphVersion);
}
