using Publisher.Core.Domain;
using Publisher.Core.Review;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels;

/// <summary>
/// Where and as whom to post: the account's API base address, its decrypted credentials and its non-secret
/// settings. Credentials never leave the worker and are never logged.
/// </summary>
public sealed record ChannelConnection(
    ChannelKind Kind,
    string AccountName,
    string? Handle,
    Uri BaseAddress,
    IReadOnlyDictionary<string, string> Credentials,
    IReadOnlyDictionary<string, string> Settings)
{
    public string Credential(string key) =>
        Credentials.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new ChannelConfigurationException($"{AccountWording.TheCapitalized(AccountName)} account has no “{key}” credential. An admin can add it on the Channels page.");

    public string Setting(string key) =>
        Settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new ChannelConfigurationException($"{AccountWording.TheCapitalized(AccountName)} account has no “{key}” setting. An admin can add it on the Channels page.");

    public string? OptionalSetting(string key) => Settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}

/// <summary>A credential or setting the account needs is missing: a permanent failure a person must fix.</summary>
public sealed class ChannelConfigurationException(string message) : Exception(message);

/// <summary>Exactly what goes out for one variant, as approved.</summary>
public sealed record PublishRequest(
    Guid VariantId,
    ChannelConnection Connection,
    /// <summary>The text that goes out (the hand edit when there is one).</summary>
    string Text,
    /// <summary>For a thread: every part in order (Text is then the first part). Empty for a single post.</summary>
    IReadOnlyList<string> ThreadParts,
    string? Subject,
    string? Preheader,
    string? Html,
    string? Link,
    /// <summary>Bluesky: a JSON array with one facet array per part (as the renderer produced).</summary>
    string? FacetsJson,
    /// <summary>Webhook: the JSON payload as rendered.</summary>
    string? JsonPayload,
    string Title,
    /// <summary>Stable for the same variant and content across retries: send it where the network supports idempotency.</summary>
    string IdempotencyKey,
    /// <summary>Network ids of the parts already posted by an earlier attempt: a thread resumes after them.</summary>
    IReadOnlyList<string> PostedPartIds,
    DateTimeOffset ScheduledAt)
{
    /// <summary>The parts to post: the thread parts, or the text alone.</summary>
    public IReadOnlyList<string> Parts => ThreadParts.Count > 0 ? ThreadParts : [Text];

    /// <summary>
    /// The media that go out with the post, in the author's order: each the derivative made for this channel (it
    /// already fits the network's limits; what cannot fit was an error while writing). Upload them first, then post.
    /// For a thread they belong to the first part. Empty when the variant carries none.
    /// </summary>
    public IReadOnlyList<PublishMedia> Media { get; init; } = [];

    /// <summary>
    /// Media an earlier attempt of this variant already uploaded, by <see cref="PublishMedia.Key"/>: reuse the network's
    /// id instead of uploading again, unless it has expired (<see cref="UploadedMedia.IsUsableAt"/>).
    /// </summary>
    public IReadOnlyDictionary<string, UploadedMedia> UploadedMedia { get; init; } = new Dictionary<string, UploadedMedia>();

    /// <summary>The message's summary: with <see cref="Title"/>, a link card's words when the linked page cannot be read.</summary>
    public string? Summary { get; init; }

    /// <summary>
    /// Where the message's link leads, as the author wrote it: <see cref="Link"/> may be Publisher's own tracked
    /// address that redirects there, so a link card is read from this page (and links to <see cref="Link"/>).
    /// </summary>
    public string? LinkDestination { get; init; }

    /// <summary>
    /// The author's own link card, approved with the variant: its words (and thumbnail choice) go out instead of the
    /// page's, or no card at all when removed. Null: the card is read from the page as the post goes out.
    /// </summary>
    public LinkCardEdit? LinkCard { get; init; }

    /// <summary>The image the link card falls back to when the page has none or it cannot be fetched (the message's first image, made for this channel).</summary>
    public PublishMedia? LinkCardImage { get; init; }

    /// <summary>
    /// True when the variant's card was stored when it was rendered (and approved as stored): the post carries exactly
    /// <see cref="StoredLinkCard"/> (none when it is null: the author removed it) and no page is read. False for a
    /// variant rendered before cards were stored: its card is read from the page now (<see cref="LinkCard"/>, <see cref="LinkCardImage"/>).
    /// </summary>
    public bool LinkCardStored { get; init; }

    /// <summary>The card to post, exactly as approved: address, words and thumbnail (stored bytes); see <see cref="LinkCardStored"/>.</summary>
    public StoredLinkCard? StoredLinkCard { get; init; }
}

/// <summary>A link card as approved: the address it links to, its title and description, and its thumbnail's stored bytes (or none).</summary>
public sealed record StoredLinkCard(string Uri, string Title, string Description, PublishMedia? Thumb);

/// <summary>What kind of medium a <see cref="PublishMedia"/> is: networks upload and embed each differently.</summary>
public enum PublishMediaKind
{
    /// <summary>A still image (JPEG, PNG, WebP, or the first frame of a GIF where animation is not taken).</summary>
    Image,
    /// <summary>An animated GIF, kept animated because the channel takes it (X and Mastodon upload it like a video).</summary>
    AnimatedGif,
    /// <summary>A video (MP4/H.264 or MOV), as uploaded: Publisher does not transcode.</summary>
    Video,
}

/// <summary>
/// Where the author wants a crop to keep, as fractions of the width and height from the top-left corner (0.5, 0.5 is
/// the centre). Mastodon's <c>focus</c> runs from -1 to 1 with y upwards: see <see cref="ToMastodonFocus"/>.
/// </summary>
public readonly record struct MediaFocalPoint(double X, double Y)
{
    /// <summary>The focal point as Mastodon's <c>focus</c> parameter ("x,y", each -1..1, y up), invariant culture.</summary>
    public string ToMastodonFocus() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{X * 2 - 1:0.##},{1 - Y * 2:0.##}");
}

/// <summary>
/// One medium of a <see cref="PublishRequest"/>: the derivative Publisher made for this channel, its facts, the author's
/// alt text and focal point, and how to read its bytes.
/// </summary>
/// <param name="Key">The derivative's SHA-256 (lower-case hex): stable for the same bytes, so an upload can be recorded and reused by it.</param>
/// <param name="Kind">Image, animated GIF or video.</param>
/// <param name="ContentType">The derivative's media type, e.g. image/jpeg, image/gif, video/mp4.</param>
/// <param name="Length">Its size in bytes (what a chunked upload's INIT announces).</param>
/// <param name="Width">Its width in pixels, after orientation (what Bluesky's <c>aspectRatio</c> takes).</param>
/// <param name="Height">Its height in pixels.</param>
/// <param name="Duration">A video's (or animated GIF's) running time; null for stills.</param>
/// <param name="AltText">The author's description for people who cannot see it; never empty (a missing one is an error while writing).</param>
/// <param name="FocalPoint">Where a crop should keep, when the author chose one.</param>
/// <param name="OpenAsync">Opens the bytes from Publisher's blob store as a read-only stream; each call opens a new one. Dispose it.</param>
/// <param name="PublicUrl">Where Publisher serves the bytes (<c>{PublicUrl}/media/{key}/{name}</c>), for networks that fetch by address.</param>
/// <param name="Poster">For a video, its poster frame (a JPEG still), for networks that take a thumbnail; null otherwise.</param>
public sealed record PublishMedia(
    string Key,
    PublishMediaKind Kind,
    string ContentType,
    long Length,
    int Width,
    int Height,
    TimeSpan? Duration,
    string AltText,
    MediaFocalPoint? FocalPoint,
    Func<CancellationToken, Task<Stream>> OpenAsync,
    Uri? PublicUrl,
    PublishMedia? Poster = null);

/// <summary>A medium an earlier attempt uploaded: the network's id for it, and until when the network keeps it unattached.</summary>
/// <param name="NetworkMediaId">The network's id (X's media_id_string, Mastodon's attachment id, Bluesky's blob CID as JSON, LinkedIn's image URN, …).</param>
/// <param name="ExpiresAt">When the network forgets an unattached upload (X: the FINALIZE answer's expires_after_secs); null when it keeps it.</param>
public sealed record UploadedMedia(string NetworkMediaId, DateTimeOffset? ExpiresAt)
{
    /// <summary>Whether the upload can still be attached at <paramref name="now"/>, leaving a minute for the post itself.</summary>
    public bool IsUsableAt(DateTimeOffset now) => ExpiresAt is not { } expires || expires - TimeSpan.FromMinutes(1) > now;
}

/// <summary>Told as publishing goes, so a retry after a crash resumes instead of doing the work again.</summary>
public interface IPublishProgress
{
    /// <summary>Each part of a thread, as soon as it is posted.</summary>
    Task PartPostedAsync(string externalId, CancellationToken cancellationToken);

    /// <summary>
    /// Each medium, as soon as the network has it (after X's FINALIZE, Mastodon's processing, Bluesky's uploadBlob, …):
    /// recorded with the attempt, and handed to later attempts as <see cref="PublishRequest.UploadedMedia"/>.
    /// </summary>
    Task MediaUploadedAsync(string key, string networkMediaId, DateTimeOffset? expiresAt, CancellationToken cancellationToken);
}

/// <summary>What a publish call came to.</summary>
public sealed record PublishResult(
    PublishOutcome Outcome,
    string? ExternalId = null,
    string? ExternalUrl = null,
    int? HttpStatus = null,
    /// <summary>The API's own message for a failure, shown on the variant.</summary>
    string? Detail = null,
    /// <summary>From Retry-After or the network's rate-limit reset header, for a transient failure.</summary>
    TimeSpan? RetryAfter = null,
    /// <summary>
    /// The ids of the parts this call posted, set by the publish job (not by clients) so they are recorded with the
    /// outcome even when writing each part as it went out failed.
    /// </summary>
    IReadOnlyList<string>? PostedPartIds = null,
    /// <summary>
    /// Nothing was posted, and only a person can move it on (Instagram's 24-hour publishing limit is used up): with
    /// <see cref="PublishOutcome.Unknown"/>, the variant needs attention with <see cref="Detail"/> as the reason, no reconcile.
    /// </summary>
    bool AskPerson = false)
{
    public static PublishResult Published(string externalId, string? url) => new(PublishOutcome.Published, externalId, url);
}

public enum ReconcileVerdict
{
    /// <summary>The post is there: the attempt succeeded.</summary>
    Published,
    /// <summary>The post is certainly not there, or posting again is idempotent: publishing again is safe.</summary>
    SafeToRetry,
    /// <summary>The network cannot tell: a person must look and decide.</summary>
    Unknown,
}

public sealed record ReconcileResult(ReconcileVerdict Verdict, string? ExternalId = null, string? ExternalUrl = null, string? Detail = null);

public sealed record ConnectionCheck(bool Ok, string Message);

/// <summary>
/// One network. A client maps HTTP outcomes itself: 2xx → Published; timeouts after the request was sent →
/// Unknown; connection refused, 408, 429 and 5xx → Transient (with RetryAfter); 400, 401, 403, 404, 422 →
/// Permanent with the API's own message.
/// </summary>
public interface IChannelClient
{
    ChannelKind Kind { get; }

    Task<PublishResult> PublishAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken);

    /// <summary>
    /// Called when an earlier attempt of this request was interrupted (the worker died or timed out mid-call):
    /// find out whether the post went out, using the idempotency key or a lookup where the API allows.
    /// </summary>
    Task<ReconcileResult> ReconcileAsync(PublishRequest request, CancellationToken cancellationToken);

    /// <summary>A harmless authenticated call that proves the credentials work.</summary>
    Task<ConnectionCheck> TestConnectionAsync(ChannelConnection connection, CancellationToken cancellationToken);
}
