using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Publisher.Core.Domain;
using Publisher.Core.Networking;
using Publisher.Core.Publishing;
using Publisher.Templates.Bluesky;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.Bluesky;

/// <summary>
/// Posts to Bluesky through the account's PDS: a session from <c>com.atproto.server.createSession</c>, then one
/// <c>com.atproto.repo.createRecord</c> per part with a record key derived from the idempotency key. Because the
/// key is known in advance, an interrupted post is reconciled with <c>getRecord</c>: there or certainly not.
/// Each posted part is reported as "at-uri|cid", which is what a reply needs to point at it. Media are uploaded
/// first with <c>com.atproto.repo.uploadBlob</c> and embedded in the first part (<see cref="EmbedAsync"/>); a post with
/// a link and no media gets the link's card (<see cref="LinkCardEmbedAsync"/>).
/// </summary>
public sealed partial class BlueskyClient(IHttpClientFactory httpClientFactory, TimeProvider clock, LinkCardReader linkCards, ILogger<BlueskyClient> log) : IChannelClient
{
    public const string Collection = "app.bsky.feed.post";

    public ChannelKind Kind => ChannelKind.Bluesky;

    public async Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        var parts = request.Parts;
        var index = request.PostedPartIds.Count;
        List<StrongRef> posted = [];
        Session? session = null;
        try
        {
            posted = request.PostedPartIds.Select(StrongRef.Parse).ToList();
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            var (current, failure) = await SessionAsync(http, request.Connection, fresh: false, cancellationToken);
            if (failure is not null) return ChannelHttp.ForPart(failure, index, parts.Count);
            session = current!;
            var refreshed = false;
            JsonObject? embed = null;
            var reusedBlobs = false;
            if (index == 0 && request.Media.Count > 0)
            {
                (embed, failure, session, refreshed, reusedBlobs) = await EmbedAsync(http, request, session, progress, reuseUploads: true, cancellationToken);
                if (failure is not null) return failure;
            }
            else if (index == 0 && request.LinkCardStored)
            {
                (embed, failure, session, refreshed) = await StoredLinkCardEmbedAsync(http, request, session, cancellationToken);
                if (failure is not null) return failure;
            }
            else if (index == 0 && Uri.TryCreate(request.Link, UriKind.Absolute, out var link) && link.Scheme is "http" or "https")
                (embed, session, refreshed) = await LinkCardEmbedAsync(http, request, link, session, cancellationToken);
            var facets = FacetsPerPart(request.FacetsJson);
            for (; index < parts.Count; index++)
            {
                var text = parts[index];
                var record = new JsonObject
                {
                    ["$type"] = Collection,
                    ["text"] = text,
                    ["createdAt"] = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                };
                var features = await FacetsAsync(http, request.Connection, text, index < facets.Count ? facets[index] : [], cancellationToken);
                if (features.Count > 0) record["facets"] = features;
                if (index > 0)
                    record["reply"] = new JsonObject { ["root"] = posted[0].ToJson(), ["parent"] = posted[index - 1].ToJson() };
                else if (embed is not null)
                    record["embed"] = embed;

                var rkey = BlueskyRecordKey.For(request.IdempotencyKey, index);
                var response = await CreateRecordAsync(http, request.Connection, session, rkey, record, cancellationToken);
                if (!refreshed && await IsExpiredSessionAsync(response, cancellationToken))
                {
                    // A cached session ran out: nothing was written, so renew it and send the same record once more.
                    response.Dispose();
                    refreshed = true;
                    (current, failure) = await RenewAsync(http, request.Connection, session, cancellationToken);
                    if (failure is not null) return ChannelHttp.ForPart(failure, index, parts.Count);
                    session = current!;
                    response = await CreateRecordAsync(http, request.Connection, session, rkey, record, cancellationToken);
                }
                if (reusedBlobs && await IsBlobNotFoundAsync(response, cancellationToken))
                {
                    // The PDS dropped a blob an earlier attempt uploaded before this post used it (it keeps unused
                    // blobs for a window of its own choosing): nothing was written, so upload the media again, once.
                    response.Dispose();
                    reusedBlobs = false;
                    bool renewed, reused;
                    (embed, failure, session, renewed, reused) = await EmbedAsync(http, request, session, progress, reuseUploads: false, cancellationToken);
                    if (failure is not null) return failure;
                    refreshed |= renewed;
                    record["embed"] = embed;
                    response = await CreateRecordAsync(http, request.Connection, session, rkey, record, cancellationToken);
                }
                using var _ = response;
                StrongRef? reference;
                if (response.IsSuccessStatusCode)
                {
                    reference = await ReadAsync<StrongRef>(response, cancellationToken);
                    if (reference?.Uri is null || reference.Cid is null)
                        return ChannelHttp.ForPart(new PublishResult(PublishOutcome.Unknown, HttpStatus: (int)response.StatusCode, Detail: "Bluesky accepted the post but its answer had no uri and cid."), index, parts.Count);
                }
                else
                {
                    var refused = await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken);
                    // A PDS answers 500 when the record key is already taken: an earlier attempt posted this part and
                    // its answer was lost. The key is derived from this publish, so the record there is this part.
                    if ((int)response.StatusCode < 500) return ChannelHttp.ForPart(refused, index, parts.Count);
                    var (existing, _) = await GetRecordAsync(http, request.Connection, session.Did, rkey, cancellationToken);
                    if (existing is null) return ChannelHttp.ForPart(refused, index, parts.Count);
                    reference = existing;
                }
                posted.Add(reference);
                await progress.PartPostedAsync(reference.ToString(), cancellationToken);
            }
        }
        catch (Exception e) when (ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure))
        {
            return ChannelHttp.ForPart(failure, index, parts.Count);
        }
        return PublishResult.Published(posted[0].Uri, PostUrl(session?.Handle ?? request.Connection.Handle, posted[0].Uri));
    }

    /// <summary>
    /// Looks up each part not known to be posted at its derived record key. All there: Published. The first missing
    /// one certainly absent (RecordNotFound): SafeToRetry, and the retry resumes after the parts found. Anything
    /// else: Unknown.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            var (session, failure) = await SessionAsync(http, request.Connection, fresh: false, cancellationToken);
            if (failure is not null) return new ReconcileResult(ReconcileVerdict.Unknown, Detail: failure.Detail);
            var found = request.PostedPartIds.Select(StrongRef.Parse).ToList();
            for (var index = found.Count; index < request.Parts.Count; index++)
            {
                var (reference, absence) = await GetRecordAsync(http, request.Connection, session!.Did, BlueskyRecordKey.For(request.IdempotencyKey, index), cancellationToken);
                if (reference is not null)
                {
                    found.Add(reference);
                    continue;
                }
                if (absence is null)
                {
                    // Not there: posting again is safe (and writes to the same key, so it cannot happen twice).
                    return new ReconcileResult(ReconcileVerdict.SafeToRetry, Detail: index == 0
                        ? "The post is not on Bluesky."
                        : $"Parts 1–{index} are on Bluesky ({string.Join(", ", found)}), part {index + 1} is not.");
                }
                return new ReconcileResult(ReconcileVerdict.Unknown, Detail: absence);
            }
            return new ReconcileResult(ReconcileVerdict.Published, found[0].Uri, PostUrl(session!.Handle, found[0].Uri),
                found.Count > 1 ? "Thread: " + string.Join(", ", found) : null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ReconcileResult(ReconcileVerdict.Unknown, Detail: ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure) ? failure.Detail : $"Bluesky's answer could not be read: {e.Message}");
        }
    }

    /// <summary>
    /// How long a PDS is taken to keep an uploaded blob no record uses: "the blob will be deleted if it is not
    /// referenced within a time window (eg, minutes)" (https://docs.bsky.app/docs/api/com-atproto-repo-upload-blob),
    /// so a retry reuses one only within a few minutes, and uploads it again after.
    /// </summary>
    public static readonly TimeSpan UnreferencedBlobKept = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Uploads the post's media as blobs (https://atproto.com/guides/images-and-video: raw bytes with their
    /// Content-Type and Content-Length, answered with a blob object) and builds the embed: up to four images as
    /// <c>app.bsky.embed.images</c> with <c>alt</c> and <c>aspectRatio</c>, or one video as <c>app.bsky.embed.video</c>
    /// (lexicons app/bsky/embed/images.json and video.json). A blob an earlier attempt uploaded is reused while the PDS
    /// still keeps it (<paramref name="reuseUploads"/>). Returns the session in use (signed in again once if it had
    /// expired), whether it was renewed, and whether any blob was reused rather than uploaded.
    /// </summary>
    private async Task<(JsonObject? Embed, PublishResult? Failure, Session Session, bool Refreshed, bool Reused)> EmbedAsync(
        HttpClient http, PublishRequest request, Session session, IPublishProgress progress, bool reuseUploads, CancellationToken cancellationToken)
    {
        var refreshed = false;
        var reused = false;
        var blobs = new List<JsonNode>(request.Media.Count);
        foreach (var medium in request.Media)
        {
            var what = ChannelMedia.Describe(request, medium);
            var blob = reuseUploads && ChannelMedia.Reusable(request, medium, clock.GetUtcNow()) is { } stored ? ParseBlob(stored) : null;
            reused |= blob is not null;
            if (blob is null)
            {
                PublishResult? failure;
                (blob, failure, session, refreshed) = await UploadBlobAsync(http, request.Connection, session, refreshed, medium.OpenAsync, medium.ContentType, medium.Length, what, cancellationToken);
                if (failure is not null) return (null, failure, session, refreshed, reused);
                await progress.MediaUploadedAsync(medium.Key, blob!.ToJsonString(), clock.GetUtcNow() + UnreferencedBlobKept, cancellationToken);
            }
            blobs.Add(blob!);
        }

        static JsonObject AspectRatio(PublishMedia medium) => new() { ["width"] = medium.Width, ["height"] = medium.Height };
        var video = request.Media.Select((m, i) => (Medium: m, Blob: blobs[i])).FirstOrDefault(m => m.Medium.Kind == PublishMediaKind.Video);
        if (video.Medium is not null)
        {
            var embed = new JsonObject { ["$type"] = "app.bsky.embed.video", ["video"] = video.Blob, ["aspectRatio"] = AspectRatio(video.Medium) };
            if (!string.IsNullOrWhiteSpace(video.Medium.AltText)) embed["alt"] = video.Medium.AltText;
            return (embed, null, session, refreshed, reused);
        }
        var images = new JsonArray();
        for (var i = 0; i < request.Media.Count; i++)
            images.Add(new JsonObject { ["alt"] = request.Media[i].AltText ?? "", ["image"] = blobs[i], ["aspectRatio"] = AspectRatio(request.Media[i]) });
        return (new JsonObject { ["$type"] = "app.bsky.embed.images", ["images"] = images }, null, session, refreshed, reused);
    }

    /// <summary>A blob object as uploadBlob answers it (<c>$type</c> blob, <c>ref.$link</c>, <c>mimeType</c>, <c>size</c>), or null.</summary>
    private static JsonNode? ParseBlob(string json)
    {
        try
        {
            return JsonNode.Parse(json) is JsonObject blob && blob["ref"] is JsonObject reference && reference["$link"] is JsonValue
                && blob["mimeType"] is JsonValue && blob["size"] is JsonValue ? blob : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Uploads one blob (a medium, a card's thumbnail): the bytes streamed (a video is never held whole) with their
    /// type and length, the session signed in again once if it had expired. Returns the blob object, or the failure
    /// (nothing was posted), the session in use and whether it was renewed.
    /// </summary>
    private async Task<(JsonNode? Blob, PublishResult? Failure, Session Session, bool Refreshed)> UploadBlobAsync(HttpClient http, ChannelConnection connection,
        Session session, bool refreshed, Func<CancellationToken, Task<Stream>> open, string contentType, long length, string what, CancellationToken cancellationToken)
    {
        try
        {
            var response = await SendBlobAsync(http, connection, session, open, contentType, length, cancellationToken);
            if (!refreshed && await IsExpiredSessionAsync(response, cancellationToken))
            {
                response.Dispose();
                refreshed = true;
                var (renewed, failure) = await SessionAsync(http, connection, fresh: true, cancellationToken);
                if (failure is not null) return (null, failure, session, refreshed);
                session = renewed!;
                response = await SendBlobAsync(http, connection, session, open, contentType, length, cancellationToken);
            }
            using (response)
            {
                if (!response.IsSuccessStatusCode)
                    return (null, await ChannelMedia.RefusedAsync(response, Kind, what, clock.GetUtcNow(), cancellationToken), session, refreshed);
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                var blob = document.RootElement.TryGetProperty("blob", out var element) ? ParseBlob(element.GetRawText()) : null;
                return blob is null
                    ? (null, new PublishResult(PublishOutcome.Transient, HttpStatus: (int)response.StatusCode, Detail: $"Bluesky accepted {what} but its answer had no blob; nothing was posted."), session, refreshed)
                    : (blob, null, session, refreshed);
            }
        }
        catch (Exception e) when (ChannelMedia.TryMapUploadException(e, Kind, what, out var failure))
        {
            return (null, failure, session, refreshed);
        }
    }

    private static async Task<HttpResponseMessage> SendBlobAsync(HttpClient http, ChannelConnection connection, Session session,
        Func<CancellationToken, Task<Stream>> open, string contentType, long length, CancellationToken cancellationToken)
    {
        await using var stream = await open(cancellationToken);
        using var message = new HttpRequestMessage(HttpMethod.Post, ChannelHttp.Combine(connection.BaseAddress, "xrpc/com.atproto.repo.uploadBlob"));
        ChannelHttp.Bearer(message, session.AccessJwt);
        message.Content = new StreamContent(stream);
        message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        message.Content.Headers.ContentLength = length;
        return await http.SendAsync(message, cancellationToken);
    }

    /// <summary>
    /// The card stored with the variant and approved as it is: <c>app.bsky.embed.external</c> with its uri, title and
    /// description and its thumbnail's stored bytes uploaded as the thumb blob; no page is read. The thumbnail is part of
    /// what was approved, so a refused upload fails the attempt by the media rules (transient or permanent) rather than
    /// posting a card without it. None when the author removed the card.
    /// </summary>
    private async Task<(JsonObject? Embed, PublishResult? Failure, Session Session, bool Refreshed)> StoredLinkCardEmbedAsync(HttpClient http, PublishRequest request,
        Session session, CancellationToken cancellationToken)
    {
        if (request.StoredLinkCard is not { } card)
            return (null, null, session, false);
        var external = new JsonObject { ["uri"] = card.Uri, ["title"] = card.Title, ["description"] = card.Description };
        var refreshed = false;
        if (card.Thumb is { } thumb)
        {
            (var blob, var failure, session, refreshed) = await UploadBlobAsync(http, request.Connection, session, refreshed, thumb.OpenAsync, thumb.ContentType, thumb.Length,
                "the link card's image", cancellationToken);
            if (failure is not null)
                return (null, failure, session, refreshed);
            external["thumb"] = blob;
        }
        return (new JsonObject { ["$type"] = "app.bsky.embed.external", ["external"] = external }, null, session, refreshed);
    }

    /// <summary>
    /// For a variant rendered before link cards were stored, the link card of a post with a link and no media:
    /// <c>app.bsky.embed.external</c> (uri, title, description and
    /// an optional thumb blob; lexicon app/bsky/embed/external.json). The author's card goes out as approved (or none,
    /// when removed); otherwise it is read from the page's Open Graph tags through the outbound guard, or made of the
    /// message's own title and summary when the page cannot be read. The thumbnail is the page's image, or the message's
    /// first image when the page has none or it cannot be fetched; it is a nicety: when Bluesky refuses it, the card
    /// goes without one rather than holding the post.
    /// </summary>
    private async Task<(JsonObject? Embed, Session Session, bool Refreshed)> LinkCardEmbedAsync(HttpClient http, PublishRequest request, Uri link, Session session, CancellationToken cancellationToken)
    {
        if (request.LinkCard is { Removed: true })
            return (null, session, false);
        string title, description;
        Uri? imageUrl = null;
        if (request.LinkCard is { } edit)
        {
            (title, description) = (edit.Title, edit.Description);
            if (edit.Thumb == LinkCardThumb.Page && Uri.TryCreate(edit.ImageUrl, UriKind.Absolute, out var pageImage))
                imageUrl = pageImage;
        }
        else
        {
            // The link may be Publisher's tracked address: read the page it leads to, and link the card to the tracked address.
            var page = Uri.TryCreate(request.LinkDestination, UriKind.Absolute, out var destination) ? destination : link;
            var card = await linkCards.ReadAsync(page, cancellationToken) ?? LinkCardReader.Fallback(link, request.Title, request.Summary);
            (title, description, imageUrl) = (card.Title, card.Description, card.ImageUrl);
        }
        var external = new JsonObject { ["uri"] = link.AbsoluteUri, ["title"] = title, ["description"] = description };
        var refreshed = false;
        var thumbSource = await ThumbSourceAsync(request, imageUrl, cancellationToken);
        if (thumbSource is var (open, contentType, length))
        {
            PublishResult? failure;
            JsonNode? thumb;
            (thumb, failure, session, refreshed) = await UploadBlobAsync(http, request.Connection, session, refreshed, open, contentType, length, "the link card's image", cancellationToken);
            if (thumb is not null) external["thumb"] = thumb;
            else log.LogInformation("Bluesky refused the link card's image ({Detail}); the card goes without it", failure?.Detail);
        }
        return (new JsonObject { ["$type"] = "app.bsky.embed.external", ["external"] = external }, session, refreshed);
    }

    /// <summary>
    /// The card's thumbnail: the page's image when it can be fetched within the rules, else the message's first image
    /// (unless the author chose no image); null when there is neither.
    /// </summary>
    private async Task<(Func<CancellationToken, Task<Stream>> Open, string ContentType, long Length)?> ThumbSourceAsync(PublishRequest request, Uri? pageImage, CancellationToken cancellationToken)
    {
        if (request.LinkCard is { Thumb: LinkCardThumb.None })
            return null;
        if (request.LinkCard is not { Thumb: LinkCardThumb.Attachment } && pageImage is not null
            && await linkCards.ReadImageAsync(pageImage, cancellationToken) is { } image)
            return (_ => Task.FromResult<Stream>(new MemoryStream(image.Bytes, writable: false)), image.ContentType, image.Bytes.Length);
        return request.LinkCardImage is { } fallback ? (fallback.OpenAsync, fallback.ContentType, fallback.Length) : null;
    }

    public async Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            var (session, failure) = await SessionAsync(http, connection, fresh: true, cancellationToken);
            return failure is not null
                ? new ConnectionCheck(false, failure.Detail ?? "Bluesky refused the sign-in.")
                : new ConnectionCheck(true, $"Signed in to Bluesky as @{session!.Handle}.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ChannelHttp.FailedCheck(e, Kind);
        }
    }

    public static string PostUrl(string? handle, string atUri) => PostAddresses.BlueskyPost(handle, atUri);

    /// <summary>The renderer's facets (one array per part), or none when the variant has none.</summary>
    public static IReadOnlyList<IReadOnlyList<BlueskyFacet>> FacetsPerPart(string? facetsJson)
    {
        if (string.IsNullOrWhiteSpace(facetsJson)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<List<BlueskyFacet>>>(facetsJson, ChannelHttp.Json)?.Select(p => (IReadOnlyList<BlueskyFacet>)(p ?? [])).ToList() ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>
    /// The lexicon form of a part's facets. A facet whose byte range does not hold what it claims (a hand edit
    /// after rendering moves the text) is left out rather than linking the wrong words; a mention whose handle
    /// does not resolve to a DID stays plain text.
    /// </summary>
    private async Task<JsonArray> FacetsAsync(HttpClient http, ChannelConnection connection, string text, IReadOnlyList<BlueskyFacet> facets, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var result = new JsonArray();
        foreach (var facet in facets)
        {
            if (facet.ByteStart < 0 || facet.ByteEnd > bytes.Length || facet.ByteStart >= facet.ByteEnd) continue;
            var shown = Encoding.UTF8.GetString(bytes, facet.ByteStart, facet.ByteEnd - facet.ByteStart);
            JsonObject? feature = facet.Kind switch
            {
                BlueskyFacetKind.Link when BlueskyFacets.IsShownFormOf(shown, facet.Value) =>
                    new JsonObject { ["$type"] = facet.FeatureType, ["uri"] = facet.Value },
                // "#tag" or "＃tag"; a cashtag facet carries "$TICKER" in capitals over "$ticker" as written.
                BlueskyFacetKind.Tag when shown.Length > 1 && (shown[0] is '#' or '\uFF03' && shown[1..] == facet.Value
                    || facet.Value.StartsWith('$') && string.Equals(shown, facet.Value, StringComparison.OrdinalIgnoreCase)) =>
                    new JsonObject { ["$type"] = facet.FeatureType, ["tag"] = facet.Value },
                BlueskyFacetKind.Mention when shown == "@" + facet.Value && await ResolveHandleAsync(http, connection, facet.Value, cancellationToken) is { } did =>
                    new JsonObject { ["$type"] = facet.FeatureType, ["did"] = did },
                _ => null,
            };
            if (feature is null) continue;
            result.Add(new JsonObject
            {
                ["index"] = new JsonObject { ["byteStart"] = facet.ByteStart, ["byteEnd"] = facet.ByteEnd },
                ["features"] = new JsonArray(feature),
            });
        }
        return result;
    }

    /// <summary>
    /// The record at <paramref name="rkey"/> in the account's posts. Null and null: certainly not there
    /// (RecordNotFound). Null and a reason: the answer did not say.
    /// </summary>
    private async Task<(StrongRef? Record, string? Unclear)> GetRecordAsync(HttpClient http, ChannelConnection connection, string did, string rkey, CancellationToken cancellationToken)
    {
        var query = $"xrpc/com.atproto.repo.getRecord?repo={Uri.EscapeDataString(did)}&collection={Collection}&rkey={rkey}";
        // getRecord is public: no token, so an expired session cannot make the answer ambiguous.
        using var response = await http.GetAsync(ChannelHttp.Combine(connection.BaseAddress, query), cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            var reference = await ReadAsync<StrongRef>(response, cancellationToken);
            return reference?.Uri is null || reference.Cid is null ? (null, "Bluesky's getRecord answer had no uri and cid.") : (reference, null);
        }
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.StatusCode == HttpStatusCode.BadRequest && body.Contains("\"RecordNotFound\"", StringComparison.Ordinal)
            ? (null, null)
            : (null, $"Bluesky answered {(int)response.StatusCode} to getRecord: {ChannelHttp.ErrorMessage(Kind, body) ?? response.ReasonPhrase}");
    }

    private static async Task<string?> ResolveHandleAsync(HttpClient http, ChannelConnection connection, string handle, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(ChannelHttp.Combine(connection.BaseAddress, $"xrpc/com.atproto.identity.resolveHandle?handle={Uri.EscapeDataString(handle)}"), cancellationToken);
        if (!response.IsSuccessStatusCode) return null;
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return document.RootElement.TryGetProperty("did", out var did) ? did.GetString() : null;
    }

    /// <summary>
    /// A session for the account, reused for <see cref="SessionLifetime"/>: createSession is rate-limited per account
    /// (30 per 5 minutes, 300 a day on bsky.social), so a busy calendar must not sign in for every post.
    /// </summary>
    private async Task<(Session? Session, PublishResult? Failure)> SessionAsync(HttpClient http, ChannelConnection connection, bool fresh, CancellationToken cancellationToken)
    {
        var key = SessionKey(connection);
        if (!fresh && _sessions.TryGetValue(key, out var cached) && cached.Until > clock.GetUtcNow())
            return (cached.Session, null);
        if (!fresh && StoredSession(connection) is { } stored)
        {
            _sessions[key] = stored;
            return (stored.Session, null);
        }
        var (session, failure) = await CreateSessionAsync(http, connection, cancellationToken);
        if (session is not null) _sessions[key] = (session, clock.GetUtcNow() + SessionLifetime);
        else _sessions.TryRemove(key, out _);
        return (session, failure);
    }

    /// <summary>
    /// The session Connect stored (and the worker's token refresh renews), while its access JWT has a minute left: it
    /// spends none of createSession's budget. Without its refresh JWT: when it runs out, the next session is a sign-in
    /// with the app password, so the stored refresh JWT is only ever rotated by the refresh, which stores the new one.
    /// </summary>
    private (Session Session, DateTimeOffset Until)? StoredSession(ChannelConnection connection)
    {
        if (!connection.Credentials.TryGetValue("access_token", out var access) || string.IsNullOrEmpty(access)
            || !connection.Credentials.TryGetValue("identifier", out var did) || !did.StartsWith("did:", StringComparison.Ordinal))
            return null;
        var now = clock.GetUtcNow();
        if (Publisher.Core.Connect.BlueskyConnect.JwtExpiry(access) is not { } expires || expires < now + TimeSpan.FromMinutes(1))
            return null;
        var until = expires - TimeSpan.FromMinutes(1) < now + SessionLifetime ? expires - TimeSpan.FromMinutes(1) : now + SessionLifetime;
        return (new Session(access, did, connection.Handle?.TrimStart('@'), null), until);
    }

    /// <summary>
    /// A new session after the access token expired: refreshSession with the session's refresh token (it lasts
    /// months, and does not spend createSession's small budget), else a fresh sign-in.
    /// </summary>
    private async Task<(Session? Session, PublishResult? Failure)> RenewAsync(HttpClient http, ChannelConnection connection, Session expired, CancellationToken cancellationToken)
    {
        if (expired.RefreshJwt is not null)
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, ChannelHttp.Combine(connection.BaseAddress, "xrpc/com.atproto.server.refreshSession"));
            ChannelHttp.Bearer(message, expired.RefreshJwt);
            using var response = await http.SendAsync(message, cancellationToken);
            if (response.IsSuccessStatusCode && await ReadAsync<Session>(response, cancellationToken) is { AccessJwt: not null, Did: not null } renewed)
            {
                _sessions[SessionKey(connection)] = (renewed, clock.GetUtcNow() + SessionLifetime);
                return (renewed, null);
            }
        }
        return await SessionAsync(http, connection, fresh: true, cancellationToken);
    }

    /// <summary>Less than the two hours bsky.social's access tokens last; an earlier expiry is caught and renewed.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(60);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (Session Session, DateTimeOffset Until)> _sessions = new();

    private static string SessionKey(ChannelConnection connection) =>
        $"{connection.BaseAddress}|{connection.Credential("identifier")}|{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(connection.Credential("app_password"))))}";

    private static async Task<HttpResponseMessage> CreateRecordAsync(HttpClient http, ChannelConnection connection, Session session, string rkey, JsonObject record, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, ChannelHttp.Combine(connection.BaseAddress, "xrpc/com.atproto.repo.createRecord"));
        ChannelHttp.Bearer(message, session.AccessJwt);
        // DeepClone: a JsonNode has one parent, and the same record may be sent twice.
        message.Content = JsonContent.Create(new JsonObject { ["repo"] = session.Did, ["collection"] = Collection, ["rkey"] = rkey, ["record"] = record.DeepClone() });
        return await http.SendAsync(message, cancellationToken);
    }

    private static async Task<bool> IsExpiredSessionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode is not (HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)) return false;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return body.Contains("\"ExpiredToken\"", StringComparison.Ordinal) || body.Contains("\"InvalidToken\"", StringComparison.Ordinal);
    }

    /// <summary>createRecord's answer when an embedded blob is not (or no longer) on the PDS: a 400 named BlobNotFound.</summary>
    private static async Task<bool> IsBlobNotFoundAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        response.StatusCode == HttpStatusCode.BadRequest
        && (await response.Content.ReadAsStringAsync(cancellationToken)).Contains("\"BlobNotFound\"", StringComparison.Ordinal);

    private async Task<(Session? Session, PublishResult? Failure)> CreateSessionAsync(HttpClient http, ChannelConnection connection, CancellationToken cancellationToken)
    {
        var body = new { identifier = connection.Credential("identifier"), password = connection.Credential("app_password") };
        using var response = await http.PostAsJsonAsync(ChannelHttp.Combine(connection.BaseAddress, "xrpc/com.atproto.server.createSession"), body, cancellationToken);
        if (!response.IsSuccessStatusCode)
            return (null, await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken));
        var session = await ReadAsync<Session>(response, cancellationToken);
        return session?.AccessJwt is null || session.Did is null
            ? (null, new PublishResult(PublishOutcome.Transient, HttpStatus: (int)response.StatusCode, Detail: "Bluesky's createSession answer had no accessJwt and did."))
            : (session, null);
    }

    private static async Task<T?> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ChannelHttp.Json, cancellationToken);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private sealed record Session(string AccessJwt, string Did, string? Handle, string? RefreshJwt);

    /// <summary>An AT Protocol strong reference: the record's at-uri and the CID of its content.</summary>
    private sealed record StrongRef(string Uri, string Cid)
    {
        public static StrongRef Parse(string posted)
        {
            var bar = posted.IndexOf('|');
            return bar > 0
                ? new StrongRef(posted[..bar], posted[(bar + 1)..])
                : throw new ChannelConfigurationException($"The posted part “{posted}” is not a Bluesky “at-uri|cid” reference, so the thread cannot continue from it.");
        }

        public JsonObject ToJson() => new() { ["uri"] = Uri, ["cid"] = Cid };

        public override string ToString() => $"{Uri}|{Cid}";
    }
}
