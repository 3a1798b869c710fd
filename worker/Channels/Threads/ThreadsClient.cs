using System.Globalization;
using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.Threads;

/// <summary>
/// Posts to Threads with its two-step flow (https://developers.facebook.com/docs/threads/posts): a container
/// (<c>POST /{user-id}/threads</c> with <c>media_type</c> TEXT, IMAGE, VIDEO or CAROUSEL, <c>text</c>, the media's public
/// address, <c>reply_to_id</c> for the parts after the first), then <c>POST /{user-id}/threads_publish?creation_id=…</c>.
/// A long post goes out as a thread of replies, each to the part before it. Threads fetches media from Publisher's public
/// address, so media are never uploaded; a container is published once its status is FINISHED. Each container is
/// recorded before it is published (<see cref="GraphContainers"/>), which is what makes an interrupted attempt safe
/// to resolve: a container cannot be published twice.
/// </summary>
public sealed partial class ThreadsClient(IHttpClientFactory httpClientFactory, TimeProvider clock) : IChannelClient
{
    public const string DefaultApiVersion = "v1.0";

    /// <summary>Threads takes at most 20 items in a carousel (https://developers.facebook.com/docs/threads/posts#carousel-posts).</summary>
    public const int MaxCarouselItems = 20;

    public static readonly ContainerDialect Dialect = new(ChannelKind.Threads, "threads", "threads_publish", "status", "error_message", "text");

    public ChannelKind Kind => ChannelKind.Threads;

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        var parts = request.Parts;
        var posted = request.PostedPartIds.ToList();
        var index = posted.Count;
        GraphContainers? api = null;
        try
        {
            api = Api(request.Connection);
            for (; index < parts.Count; index++)
            {
                var (id, failure) = await PostPartAsync(api, request, progress, index, index > 0 ? posted[index - 1] : null, cancellationToken);
                if (failure is not null) return ChannelHttp.ForPart(failure, index, parts.Count);
                posted.Add(id!);
                await progress.PartPostedAsync(id!, cancellationToken);
            }
        }
        catch (Exception e) when (ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure))
        {
            return ChannelHttp.ForPart(failure, index, parts.Count);
        }
        return PublishResult.Published(posted[0], await api!.PermalinkAsync(posted[0], cancellationToken) ?? PostAddresses.ThreadsProfile(request.Connection.Handle));
    }

    /// <summary>
    /// Asks each recorded container that was not known to be published where it is: published and found among the
    /// account's latest posts (or replies) by its text → that post; never made, or made and not published → safe to
    /// publish again (the retry publishes the same container); published but not found, or forgotten → a person looks.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        var parts = request.Parts;
        var found = request.PostedPartIds.ToList();
        var api = Api(request.Connection);
        for (var index = found.Count; index < parts.Count; index++)
        {
            var which = Which(parts.Count, index);
            if (!request.UploadedMedia.TryGetValue(GraphContainers.Key(request, index), out var container))
                return new ReconcileResult(ReconcileVerdict.SafeToRetry,
                    Detail: $"No container was made for {which}, so it was not published: publishing again goes on from there.");
            var (verdict, id, detail) = await api.ResolveAsync(container.NetworkMediaId, Edge(index), parts[index], which, cancellationToken);
            if (verdict == ReconcileVerdict.Unknown) return new ReconcileResult(ReconcileVerdict.Unknown, Detail: detail);
            if (verdict == ReconcileVerdict.SafeToRetry)
                return new ReconcileResult(ReconcileVerdict.SafeToRetry, Detail: $"Threads has not published {which}: publishing its container again cannot post twice.");
            found.Add(id!);
        }
        return new ReconcileResult(ReconcileVerdict.Published, found[0], await api.PermalinkAsync(found[0], cancellationToken) ?? PostAddresses.ThreadsProfile(request.Connection.Handle));
    }

    public async Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            var userId = connection.Setting("user_id");
            using var response = await http.GetAsync(
                ChannelHttp.Combine(Root(connection), $"me?fields=id,username&access_token={Uri.EscapeDataString(connection.Credential("access_token"))}"), cancellationToken);
            if (!response.IsSuccessStatusCode) return await ChannelHttp.FailedCheckAsync(response, Kind, cancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var id = document.RootElement.GetProperty("id").GetString();
            var username = document.RootElement.TryGetProperty("username", out var name) ? name.GetString() : null;
            return id == userId
                ? new ConnectionCheck(true, $"Connected to Threads as @{username}.")
                : new ConnectionCheck(false, $"The access token belongs to the Threads user {id} (@{username}), not to the user id {userId} set for this account: correct the user id or the token.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ChannelHttp.FailedCheck(e, Kind);
        }
    }

    /// <summary>
    /// Posts part <paramref name="index"/>: publishes the container an earlier attempt recorded for it when it can, or
    /// finds the post it already became; otherwise makes and records a new container, waits for FINISHED, publishes it.
    /// </summary>
    private async Task<(string? Id, PublishResult? Failure)> PostPartAsync(
        GraphContainers api, PublishRequest request, IPublishProgress progress, int index, string? replyTo, CancellationToken cancellationToken)
    {
        var text = request.Parts[index];
        var which = Which(request.Parts.Count, index);
        var container = GraphContainers.Recorded(request, index, clock.GetUtcNow());
        if (container is not null)
        {
            var (state, _) = await api.StateAsync(container, cancellationToken);
            if (state == ContainerState.Published)
                return await api.FindPublishedAsync(Edge(index), text, cancellationToken) is { } id
                    ? (id, null)
                    : (null, new PublishResult(PublishOutcome.Unknown,
                        Detail: $"Threads says {which} was published by an earlier attempt, but it is not among the account's latest posts: look on Threads."));
            if (state is not (ContainerState.Finished or ContainerState.InProgress)) container = null;
        }
        if (container is null)
        {
            var (made, failure) = await MakeContainerAsync(api, request, index, text, replyTo, which, cancellationToken);
            if (failure is not null) return (null, failure);
            container = made!;
            // Recorded before it is published: whatever happens next, a later attempt asks this container, never makes a second post.
            await progress.MediaUploadedAsync(GraphContainers.Key(request, index), container, clock.GetUtcNow() + GraphContainers.ContainerLifetime, cancellationToken);
        }
        var notReady = await api.WaitUntilReadyAsync(container, which, cancellationToken);
        if (notReady is not null) return (null, notReady);
        return await api.PublishAsync(container, cancellationToken);
    }

    /// <summary>
    /// The container of one part: text alone for replies and posts without media; the first part carries the media, as an
    /// IMAGE or VIDEO container, or a CAROUSEL of item containers (each waited for) when there are several.
    /// </summary>
    private async Task<(string? Id, PublishResult? Failure)> MakeContainerAsync(
        GraphContainers api, PublishRequest request, int index, string text, string? replyTo, string which, CancellationToken cancellationToken)
    {
        var fields = new List<KeyValuePair<string, string>>();
        var media = index == 0 ? request.Media : [];
        if (media.Count > MaxCarouselItems)
            return (null, new PublishResult(PublishOutcome.Permanent, Detail: $"Threads takes at most {MaxCarouselItems} media in a post; this one has {media.Count}: choose fewer for Threads."));
        if (media.Count == 0)
        {
            fields.Add(new("media_type", "TEXT"));
            // A text post with a link shows it as a preview card (link_attachment: TEXT posts only, the first part's).
            if (index == 0 && Uri.TryCreate(request.Link, UriKind.Absolute, out var link) && link.Scheme is "https" or "http")
                fields.Add(new("link_attachment", link.AbsoluteUri));
        }
        else if (media.Count == 1)
        {
            if (MediaFields(request, media[0]) is not { } single) return (null, NoAddress(request, media[0]));
            fields.AddRange(single);
        }
        else
        {
            var children = new List<string>(media.Count);
            foreach (var medium in media)
            {
                var what = ChannelMedia.Describe(request, medium);
                if (MediaFields(request, medium) is not { } item) return (null, NoAddress(request, medium));
                var (child, failure) = await api.CreateAsync(item.Append(new("is_carousel_item", "true")), what, cancellationToken);
                failure ??= await api.WaitUntilReadyAsync(child!, what, cancellationToken);
                if (failure is not null) return (null, failure);
                children.Add(child!);
            }
            fields.Add(new("media_type", "CAROUSEL"));
            fields.Add(new("children", string.Join(',', children)));
        }
        fields.Add(new("text", text));
        if (replyTo is not null) fields.Add(new("reply_to_id", replyTo));
        return await api.CreateAsync(fields, which, cancellationToken);
    }

    private static List<KeyValuePair<string, string>>? MediaFields(PublishRequest request, PublishMedia medium)
    {
        if (medium.PublicUrl is not { } url) return null;
        var video = medium.Kind == PublishMediaKind.Video;
        var fields = new List<KeyValuePair<string, string>>
        {
            new("media_type", video ? "VIDEO" : "IMAGE"),
            new(video ? "video_url" : "image_url", url.AbsoluteUri),
        };
        if (!string.IsNullOrWhiteSpace(medium.AltText)) fields.Add(new("alt_text", medium.AltText));
        return fields;
    }

    private static PublishResult NoAddress(PublishRequest request, PublishMedia medium) =>
        new(PublishOutcome.Permanent, Detail: $"Threads fetches media from Publisher's public address, and {ChannelMedia.Describe(request, medium)} has none: set PUBLISHER_URL to the address the internet reaches Publisher at.");

    /// <summary>The first part is among the account's threads; the parts after it among its replies.</summary>
    private static string Edge(int index) => index == 0 ? "threads" : "replies";

    private static string Which(int count, int index) =>
        count > 1 ? $"part {(index + 1).ToString(CultureInfo.InvariantCulture)} of {count.ToString(CultureInfo.InvariantCulture)}" : "the post";

    private GraphContainers Api(ChannelConnection connection) =>
        new(httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind)), Dialect, Root(connection), connection.Setting("user_id"), connection.Credential("access_token"), clock);

    private static Uri Root(ChannelConnection connection) =>
        ChannelHttp.Combine(connection.BaseAddress, connection.OptionalSetting("api_version") ?? DefaultApiVersion);
}
