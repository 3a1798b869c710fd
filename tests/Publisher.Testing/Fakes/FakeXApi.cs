using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Publisher.Testing.Fakes;

/// <summary>A post the fake X holds, with the media ids it was posted with.</summary>
public sealed record FakeTweet(string Id, string Text, string? InReplyToId, DateTimeOffset CreatedAt)
{
    public IReadOnlyList<string> MediaIds { get; init; } = [];
}

/// <summary>
/// A medium the fake X holds: what INIT announced (or the simple upload carried), the bytes received so far, and
/// where its processing is. <see cref="Bytes"/> is the whole file once finalized.
/// </summary>
public sealed class FakeXMedia(string id, string category, string mediaType, long totalBytes)
{
    public string Id { get; } = id;
    public string Category { get; } = category;
    public string MediaType { get; } = mediaType;
    public long TotalBytes { get; } = totalBytes;
    public SortedDictionary<int, byte[]> Segments { get; } = [];
    public bool Finalized { get; set; }
    /// <summary>STATUS answers still "in_progress" before "succeeded" (or "failed" when <see cref="FailsProcessing"/>).</summary>
    public int ChecksLeft { get; set; }
    public bool FailsProcessing { get; set; }
    public string? AltText { get; set; }
    public int StatusChecks { get; set; }
    public byte[] Bytes => Segments.Values.SelectMany(b => b).ToArray();
    public bool IsChunked => Category is "tweet_gif" or "tweet_video";
    public string State => !IsChunked ? "succeeded" : ChecksLeft > 0 ? "in_progress" : FailsProcessing ? "failed" : "succeeded";
}

/// <summary>
/// Fake X API v2: <c>POST /2/tweets</c>, <c>GET /2/tweets?ids=…</c> (with <c>public_metrics</c> set by
/// <see cref="SetMetrics"/>), <c>GET /2/users/me</c>, <c>GET /2/users/{id}/tweets</c>, and the media
/// upload endpoints (simple <c>POST /2/media/upload</c>; <c>initialize</c>, <c>{id}/append</c>, <c>{id}/finalize</c>
/// and <c>GET ?command=STATUS</c> for chunked uploads; <c>POST /2/media/metadata</c> for alt text) with X's limits:
/// images 5 MB, GIFs 15 MB, videos 512 MB, chunks of at most 5 MB in order, at most 4 images or one GIF or video
/// per post, alt text up to 1,000 characters (https://docs.x.com/x-api/media/quickstart/media-upload-chunked,
/// https://docs.x.com/x-api/media/create-media-metadata). Every request
/// must carry an OAuth 1.0a Authorization header whose HMAC-SHA1 signature it recomputes from the known consumer
/// and token secrets (a nonce may be used once); it refuses unknown body fields, empty text, replies to posts
/// that do not exist and duplicate text, with X's own error JSON.
/// </summary>
public sealed class FakeXApi : FakeApiServer
{
    private readonly List<FakeTweet> _tweets = [];
    private readonly HashSet<string> _nonces = [];
    private readonly Dictionary<string, FakeXMedia> _media = [];
    private long _nextId = 1_860_000_000_000_000_000;
    private long _nextMediaId = 1_880_000_000_000_000_000;

    public const long MaxImageBytes = 5 * 1024 * 1024;
    public const long MaxGifBytes = 15 * 1024 * 1024;
    public const long MaxVideoBytes = 512L * 1024 * 1024;
    public const int MaxChunkBytes = 5 * 1024 * 1024;

    /// <summary>How many STATUS answers say "in_progress" before a GIF or video is processed.</summary>
    public int ProcessingChecks { get; set; } = 1;

    /// <summary>Chunked media finalized from now on fail processing (X's "failed" state, with its error).</summary>
    public bool FailProcessing { get; set; }

    /// <summary>How long an upload is kept unattached, as X says in expires_after_secs.</summary>
    public int ExpiresAfterSeconds { get; set; } = 86400;

    /// <summary>Every medium uploaded or being uploaded, by id.</summary>
    public IReadOnlyDictionary<string, FakeXMedia> Media
    {
        get { lock (_media) return new Dictionary<string, FakeXMedia>(_media); }
    }

    /// <summary>Forgets a medium, as X does when its upload expires.</summary>
    public void Expire(string mediaId)
    {
        lock (_media) _media.Remove(mediaId);
    }

    public string ConsumerKey { get; init; } = "fake-consumer-key";
    public string ConsumerSecret { get; init; } = "fake-consumer-secret";
    public string AccessToken { get; init; } = "1000-fake-access-token";
    public string AccessTokenSecret { get; init; } = "fake-access-token-secret";
    public string UserId { get; init; } = "1000";
    public string Username { get; init; } = "publisher_test";

    /// <summary>The credentials a client needs, keyed as the X channel expects them.</summary>
    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string>
    {
        ["consumer_key"] = ConsumerKey,
        ["consumer_secret"] = ConsumerSecret,
        ["access_token"] = AccessToken,
        ["access_token_secret"] = AccessTokenSecret,
    };

    public IReadOnlyList<FakeTweet> Tweets
    {
        get { lock (_tweets) return _tweets.ToList(); }
    }

    public override int PostCount => Tweets.Count;

    private readonly Dictionary<string, (int Likes, int Reposts, int Replies, int Quotes, long Impressions)> _metrics = new(StringComparer.Ordinal);

    /// <summary>What the post's public metrics read from now on.</summary>
    public void SetMetrics(string id, int likes, int reposts, int replies, int quotes, long impressions)
    {
        lock (_tweets) _metrics[id] = (likes, reposts, replies, quotes, impressions);
    }

    private static readonly HashSet<string> TweetFields =
    [
        "article", "attachments", "author_id", "card_uri", "context_annotations", "conversation_id", "created_at", "edit_controls",
        "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id", "lang", "non_public_metrics", "note_tweet",
        "organic_metrics", "possibly_sensitive", "promoted_metrics", "public_metrics", "referenced_tweets", "reply_settings",
        "scopes", "source", "text", "withheld",
    ];

    /// <summary>Puts a post on the timeline as if it had been made earlier.</summary>
    public FakeTweet Seed(string text, string? inReplyToId = null)
    {
        lock (_tweets)
        {
            var tweet = new FakeTweet((_nextId++).ToString(System.Globalization.CultureInfo.InvariantCulture), text, inReplyToId, DateTimeOffset.UtcNow);
            _tweets.Add(tweet);
            return tweet;
        }
    }

    /// <summary>
    /// X's OAuth 2.0 server: the consent page at <c>/i/oauth2/authorize</c> (x.com's in real life), <c>/2/oauth2/token</c>
    /// and <c>/2/oauth2/revoke</c> with the confidential client <see cref="OAuthClientId"/> authenticating by HTTP Basic;
    /// two-hour access tokens, a refresh token with <c>offline.access</c>, rotated on every use. Its access tokens work
    /// as user-context bearer tokens on every endpoint, like the OAuth 1.0a keys.
    /// </summary>
    public FakeAuthorizationServer Authorization { get; } = new("/i/oauth2/authorize", "/2/oauth2/token", "/2/oauth2/revoke", basicClientAuthentication: true)
    {
        AccessTokenLifetime = TimeSpan.FromHours(2),
        IssueRefreshTokens = true,
        RefreshScope = "offline.access",
    };

    public const string OAuthClientId = "fake-x-oauth2-client";
    public const string OAuthClientSecret = "fake-x-oauth2-secret";

    /// <summary>Registers the OAuth 2.0 client with the redirect URI the app will send (X's portal takes it exactly).</summary>
    public void RegisterOAuthClient(string redirectUri) =>
        Authorization.Register(new FakeAuthorizationServer.Client(OAuthClientId, OAuthClientSecret, [redirectUri],
            ["tweet.read", "tweet.write", "users.read", "media.write", "offline.access"], "Publisher"));

    protected override FakeResponse Respond(RecordedRequest request)
    {
        if (Authorization.Handle(request) is { } oauth) return oauth;
        if (BearerToken(request) is { } bearer)
        {
            if (!Authorization.IsValidAccessToken(bearer)) return Unauthorized();
        }
        else if (Authenticate(request) is { } refused) return refused;
        var path = request.Path.TrimEnd('/');
        return (request.Method, path) switch
        {
            ("POST", "/2/tweets") => CreateTweet(request),
            ("GET", "/2/tweets") => Lookup(request),
            ("POST", "/2/media/upload") => SimpleUpload(request),
            ("GET", "/2/media/upload") => Status(request),
            ("POST", "/2/media/upload/initialize") => Initialize(request),
            ("POST", "/2/media/metadata") => Metadata(request),
            ("POST", _) when path.StartsWith("/2/media/upload/", StringComparison.Ordinal) && path.EndsWith("/append", StringComparison.Ordinal) =>
                Append(request, path["/2/media/upload/".Length..^"/append".Length]),
            ("POST", _) when path.StartsWith("/2/media/upload/", StringComparison.Ordinal) && path.EndsWith("/finalize", StringComparison.Ordinal) =>
                Finalize(path["/2/media/upload/".Length..^"/finalize".Length]),
            ("GET", "/2/users/me") => FakeResponse.Json(200, new { data = new { id = UserId, name = "Publisher Test", username = Username } }),
            ("GET", _) when path == $"/2/users/{UserId}/tweets" => Timeline(request),
            ("GET", _) when path.StartsWith("/2/users/", StringComparison.Ordinal) => Problem(403, "Forbidden", "You are not permitted to use this endpoint for another user."),
            _ => Problem(404, "Not Found Error", $"The resource {request.Method} {request.Path} does not exist."),
        };
    }

    private FakeResponse CreateTweet(RecordedRequest request)
    {
        if (request.Header("Content-Type")?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
            return InvalidRequest("Content-Type must be application/json.");
        if (TryParseJson(request.Body) is not { ValueKind: JsonValueKind.Object } body)
            return InvalidRequest("The request body is not valid JSON.");
        foreach (var property in body.EnumerateObject())
            if (property.Name is not ("text" or "reply" or "quote_tweet_id" or "media" or "poll" or "reply_settings" or "for_super_followers_only" or "geo" or "direct_message_deep_link" or "nullcast"))
                return InvalidRequest($"The request body has an unknown field: {property.Name}.");
        if (!body.TryGetProperty("text", out var textElement) || textElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(textElement.GetString()))
            return InvalidRequest("$.text: a post needs text.");
        var text = textElement.GetString()!;

        string? inReplyTo = null;
        if (body.TryGetProperty("reply", out var reply))
        {
            if (reply.ValueKind != JsonValueKind.Object || !reply.TryGetProperty("in_reply_to_tweet_id", out var target) || target.ValueKind != JsonValueKind.String)
                return InvalidRequest("$.reply.in_reply_to_tweet_id: a string post id is required.");
            inReplyTo = target.GetString();
            lock (_tweets)
                if (_tweets.All(t => t.Id != inReplyTo))
                    return Problem(403, "Forbidden", "You attempted to reply to a Tweet that is deleted or not visible to you.");
        }
        var mediaIds = new List<string>();
        if (body.TryGetProperty("media", out var media))
        {
            if (media.ValueKind != JsonValueKind.Object || !media.TryGetProperty("media_ids", out var ids) || ids.ValueKind != JsonValueKind.Array
                || ids.GetArrayLength() is < 1 or > 4 || ids.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.String))
                return InvalidRequest("$.media.media_ids: between 1 and 4 string media ids are required.");
            foreach (var property in media.EnumerateObject())
                if (property.Name is not ("media_ids" or "tagged_user_ids"))
                    return InvalidRequest($"$.media has an unknown field: {property.Name}.");
            mediaIds = ids.EnumerateArray().Select(i => i.GetString()!).ToList();
            lock (_media)
            {
                foreach (var id in mediaIds)
                {
                    if (!_media.TryGetValue(id, out var medium) || !medium.Finalized)
                        return InvalidRequest($"Your media IDs are invalid: {id}.");
                    if (medium.State != "succeeded")
                        return InvalidRequest($"Media {id} is not ready to be attached: its processing is {medium.State}.");
                }
                if (mediaIds.Count > 1 && mediaIds.Any(id => _media[id].IsChunked))
                    return InvalidRequest("A post takes up to 4 images, or one GIF or video.");
            }
        }
        lock (_tweets)
        {
            if (_tweets.Any(t => t.Text == text))
                return Problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.");
            var tweet = new FakeTweet((_nextId++).ToString(System.Globalization.CultureInfo.InvariantCulture), text, inReplyTo, DateTimeOffset.UtcNow) { MediaIds = mediaIds };
            _tweets.Add(tweet);
            return FakeResponse.Json(201, new { data = new { id = tweet.Id, text = tweet.Text, edit_history_tweet_ids = new[] { tweet.Id } } });
        }
    }

    /// <summary>Posts by id: unknown ids come back under <c>errors</c>, as X does, not as a failed request.</summary>
    private FakeResponse Lookup(RecordedRequest request)
    {
        var query = Query(request);
        foreach (var name in query.Keys)
            if (name is not ("ids" or "tweet.fields" or "expansions" or "media.fields" or "place.fields" or "poll.fields" or "user.fields"))
                return InvalidRequest($"The query parameter [{name}] is not one of [ids,expansions,media.fields,place.fields,poll.fields,tweet.fields,user.fields]");
        if (!query.TryGetValue("ids", out var value) || value.Length == 0)
            return InvalidRequest("The `ids` query parameter can not be empty");
        var ids = value.Split(',');
        if (ids.Length > 100)
            return InvalidRequest($"The number of values in the `ids` query parameter list [{ids.Length}] is not between 1 and 100");
        if (ids.FirstOrDefault(id => id.Length is 0 or > 19 || !id.All(char.IsAsciiDigit)) is { } bad)
            return InvalidRequest($"The `ids` query parameter value [{bad}] does not match ^[0-9]{{1,19}}$");
        var fields = query.GetValueOrDefault("tweet.fields")?.Split(',') ?? [];
        if (fields.FirstOrDefault(f => !TweetFields.Contains(f)) is { } unknown)
            return InvalidRequest($"The `tweet.fields` query parameter value [{unknown}] is not one of [{string.Join(",", TweetFields.Order())}]");
        var withMetrics = fields.Contains("public_metrics");
        lock (_tweets)
        {
            var found = new List<object>();
            var errors = new List<object>();
            foreach (var id in ids)
            {
                if (_tweets.FirstOrDefault(t => t.Id == id) is not { } tweet)
                {
                    errors.Add(new { value = id, detail = $"Could not find tweet with ids: [{id}].", title = "Not Found Error", resource_type = "tweet", parameter = "ids", resource_id = id, type = "https://api.twitter.com/2/problems/resource-not-found" });
                    continue;
                }
                var (likes, reposts, replies, quotes, impressions) = _metrics.GetValueOrDefault(id);
                found.Add(withMetrics
                    ? new { id, text = tweet.Text, edit_history_tweet_ids = new[] { id }, public_metrics = new { retweet_count = reposts, reply_count = replies, like_count = likes, quote_count = quotes, bookmark_count = 0, impression_count = impressions } }
                    : new { id, text = tweet.Text, edit_history_tweet_ids = new[] { id } });
            }
            return (found.Count, errors.Count) switch
            {
                (0, _) => FakeResponse.Json(200, new { errors }),
                (_, 0) => FakeResponse.Json(200, new { data = found }),
                _ => FakeResponse.Json(200, new { data = found, errors }),
            };
        }
    }

    private string NewMediaId() => (_nextMediaId++).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One image in one multipart request: a <c>media</c> file part and <c>media_category</c>.</summary>
    private FakeResponse SimpleUpload(RecordedRequest request)
    {
        if (request.Parts is null)
            return InvalidRequest("Content-Type must be multipart/form-data.");
        if (request.Parts.Count == 0)
            return InvalidRequest("The multipart body could not be read.");
        foreach (var part in request.Parts)
            if (part.Name is not ("media" or "media_category" or "media_type" or "additional_owners" or "shared"))
                return InvalidRequest($"The request has an unknown field: {part.Name}.");
        if (request.Parts.Count(p => p.Name == "media") != 1 || request.Parts.Single(p => p.Name == "media") is not { IsFile: true } file)
            return InvalidRequest("$.media: exactly one file is required.");
        var category = request.Field("media_category");
        if (category != "tweet_image")
            return InvalidRequest($"media_category [{category}] is not valid for a simple upload: use tweet_image (GIFs and videos are uploaded in chunks).");
        var type = Sniff(file.Bytes);
        if (type is not ("image/jpeg" or "image/png" or "image/webp" or "image/gif"))
            return InvalidRequest("media type unrecognized.");
        if (file.ContentType is { } declared && !declared.Equals(type, StringComparison.OrdinalIgnoreCase) && declared != "application/octet-stream")
            return InvalidRequest($"The file's Content-Type {declared} does not match its bytes ({type}).");
        if (file.Bytes.Length > MaxImageBytes)
            return InvalidRequest($"Image file size must be <= {MaxImageBytes} bytes.");
        lock (_media)
        {
            var medium = new FakeXMedia(NewMediaId(), category, type, file.Bytes.Length) { Finalized = true };
            medium.Segments[0] = file.Bytes;
            _media[medium.Id] = medium;
            return FakeResponse.Json(200, new
            {
                data = new { id = medium.Id, media_key = "3_" + medium.Id, size = file.Bytes.Length, expires_after_secs = ExpiresAfterSeconds, image = new { image_type = type } },
            });
        }
    }

    /// <summary>INIT: a JSON body with media_type, total_bytes and media_category (tweet_gif or tweet_video here).</summary>
    private FakeResponse Initialize(RecordedRequest request)
    {
        if (request.Header("Content-Type")?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
            return InvalidRequest("Content-Type must be application/json.");
        if (TryParseJson(request.Body) is not { ValueKind: JsonValueKind.Object } body)
            return InvalidRequest("The request body is not valid JSON.");
        foreach (var property in body.EnumerateObject())
            if (property.Name is not ("media_type" or "total_bytes" or "media_category" or "additional_owners" or "shared"))
                return InvalidRequest($"The request body has an unknown field: {property.Name}.");
        var mediaType = body.TryGetProperty("media_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        if (!body.TryGetProperty("total_bytes", out var total) || !total.TryGetInt64(out var totalBytes) || totalBytes <= 0)
            return InvalidRequest("$.total_bytes: a positive number of bytes is required.");
        var category = body.TryGetProperty("media_category", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
        var limit = (category, mediaType) switch
        {
            ("tweet_gif", "image/gif") => MaxGifBytes,
            ("tweet_video", "video/mp4" or "video/quicktime") => MaxVideoBytes,
            _ => 0,
        };
        if (limit == 0)
            return InvalidRequest($"media_category [{category}] does not take media_type [{mediaType}].");
        if (totalBytes > limit)
            return InvalidRequest($"total_bytes must be <= {limit} for {category}.");
        lock (_media)
        {
            var medium = new FakeXMedia(NewMediaId(), category, mediaType, totalBytes);
            _media[medium.Id] = medium;
            return FakeResponse.Json(200, new { data = new { id = medium.Id, media_key = "7_" + medium.Id, expires_after_secs = ExpiresAfterSeconds } });
        }
    }

    /// <summary>APPEND: multipart with a <c>media</c> file part (at most 5 MB) and <c>segment_index</c>, which must come in order from 0.</summary>
    private FakeResponse Append(RecordedRequest request, string id)
    {
        if (request.Parts is null)
            return InvalidRequest("Content-Type must be multipart/form-data.");
        lock (_media)
        {
            if (!_media.TryGetValue(id, out var medium) || medium.Finalized)
                return InvalidRequest($"Media id {id} is not an upload in progress.");
            if (request.Parts.SingleOrDefault(p => p.Name == "media") is not { IsFile: true } chunk)
                return InvalidRequest("$.media: one chunk file is required.");
            if (!int.TryParse(request.Field("segment_index"), out var index) || index is < 0 or > 999)
                return InvalidRequest("$.segment_index: a number from 0 to 999 is required.");
            if (index != medium.Segments.Count)
                return InvalidRequest($"Segment {index} arrived out of order: segment {medium.Segments.Count} was expected.");
            if (chunk.Bytes.Length == 0 || chunk.Bytes.Length > MaxChunkBytes)
                return InvalidRequest($"A chunk must be between 1 and {MaxChunkBytes} bytes.");
            if (medium.Segments.Values.Sum(s => (long)s.Length) + chunk.Bytes.Length > medium.TotalBytes)
                return InvalidRequest("The chunks are larger than total_bytes.");
            medium.Segments[index] = chunk.Bytes;
            return FakeResponse.Json(200, new { data = new { expires_at = DateTimeOffset.UtcNow.AddSeconds(ExpiresAfterSeconds).ToUnixTimeSeconds() } });
        }
    }

    /// <summary>FINALIZE: the bytes must add up to total_bytes and be what media_type says; GIFs and videos are then processed.</summary>
    private FakeResponse Finalize(string id)
    {
        lock (_media)
        {
            if (!_media.TryGetValue(id, out var medium) || medium.Finalized)
                return InvalidRequest($"Media id {id} is not an upload in progress.");
            var received = medium.Segments.Values.Sum(s => (long)s.Length);
            if (received != medium.TotalBytes)
                return InvalidRequest($"File size mismatch: {received} bytes received, total_bytes was {medium.TotalBytes}.");
            var sniffed = Sniff(medium.Bytes);
            if (sniffed != medium.MediaType && !(sniffed == "video/mp4" && medium.MediaType == "video/quicktime"))
                return InvalidRequest($"The file is not a {medium.MediaType}.");
            medium.Finalized = true;
            medium.ChecksLeft = ProcessingChecks;
            medium.FailsProcessing = FailProcessing;
            return FakeResponse.Json(200, new { data = MediaData(medium) });
        }
    }

    /// <summary>STATUS: <c>GET /2/media/upload?command=STATUS&amp;media_id=</c>; each call moves processing on one step.</summary>
    private FakeResponse Status(RecordedRequest request)
    {
        var query = Query(request);
        if (query.GetValueOrDefault("command") != "STATUS" || !query.TryGetValue("media_id", out var id))
            return InvalidRequest("command=STATUS and media_id are required.");
        lock (_media)
        {
            if (!_media.TryGetValue(id, out var medium) || !medium.Finalized)
                return InvalidRequest($"Invalid media_id: {id}.");
            medium.StatusChecks++;
            var data = MediaData(medium);
            if (medium.ChecksLeft > 0) medium.ChecksLeft--;
            return FakeResponse.Json(200, new { data });
        }
    }

    private object MediaData(FakeXMedia medium) => medium.IsChunked
        ? new
        {
            id = medium.Id, media_key = "7_" + medium.Id, size = medium.TotalBytes, expires_after_secs = ExpiresAfterSeconds,
            processing_info = medium.State == "failed"
                ? (object)new { state = "failed", progress_percent = 100, error = new { code = 1, name = "InvalidMedia", message = "Unsupported video codec." } }
                : medium.State == "succeeded" ? new { state = "succeeded", progress_percent = 100 } : new { state = "in_progress", check_after_secs = 1, progress_percent = 50 },
        }
        : new { id = medium.Id, media_key = "3_" + medium.Id, size = medium.TotalBytes, expires_after_secs = ExpiresAfterSeconds };

    /// <summary>Alt text: <c>{"id": …, "metadata": {"alt_text": {"text": …}}}</c>, for images and GIFs, up to 1,000 characters.</summary>
    private FakeResponse Metadata(RecordedRequest request)
    {
        if (request.Header("Content-Type")?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
            return InvalidRequest("Content-Type must be application/json.");
        if (TryParseJson(request.Body) is not { ValueKind: JsonValueKind.Object } body
            || !body.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String
            || !body.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
            return InvalidRequest("$.id and $.metadata are required.");
        if (!metadata.TryGetProperty("alt_text", out var alt) || alt.ValueKind != JsonValueKind.Object
            || !alt.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            return InvalidRequest("$.metadata.alt_text.text is required.");
        var altText = text.GetString()!;
        if (altText.Length > 1000)
            return InvalidRequest("$.metadata.alt_text.text must be at most 1000 characters.");
        lock (_media)
        {
            if (!_media.TryGetValue(idElement.GetString()!, out var medium) || !medium.Finalized)
                return InvalidRequest($"Invalid media id: {idElement.GetString()}.");
            if (medium.Category == "tweet_video")
                return InvalidRequest("Alt text is supported for images and GIFs only.");
            medium.AltText = altText;
            return FakeResponse.Json(200, new { data = new { associated_metadata = true, id = medium.Id } });
        }
    }

    private FakeResponse Timeline(RecordedRequest request)
    {
        var query = Query(request);
        var max = 10;
        if (query.TryGetValue("max_results", out var value) && (!int.TryParse(value, out max) || max is < 5 or > 100))
            return InvalidRequest($"The `max_results` query parameter value [{value}] is not between 5 and 100.");
        lock (_tweets)
        {
            var latest = _tweets.AsEnumerable().Reverse().Take(max).Select(t => new { id = t.Id, text = t.Text, edit_history_tweet_ids = new[] { t.Id } }).ToList();
            return latest.Count == 0
                ? FakeResponse.Json(200, new { meta = new { result_count = 0 } })
                : FakeResponse.Json(200, new { data = latest, meta = new { result_count = latest.Count, newest_id = latest[0].id, oldest_id = latest[^1].id } });
        }
    }

    /// <summary>Checks the OAuth 1.0a header: known consumer and token, fresh nonce, and a signature recomputed here.</summary>
    private FakeResponse? Authenticate(RecordedRequest request)
    {
        var header = request.Header("Authorization");
        if (header is null || !header.StartsWith("OAuth ", StringComparison.Ordinal)) return Unauthorized();
        var oauth = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in header["OAuth ".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=');
            if (equals < 0) return Unauthorized();
            var value = part[(equals + 1)..].Trim();
            if (value.Length < 2 || value[0] != '"' || value[^1] != '"') return Unauthorized();
            oauth[Uri.UnescapeDataString(part[..equals].Trim())] = Uri.UnescapeDataString(value[1..^1]);
        }
        if (oauth.GetValueOrDefault("oauth_consumer_key") != ConsumerKey
            || oauth.GetValueOrDefault("oauth_token") != AccessToken
            || oauth.GetValueOrDefault("oauth_signature_method") != "HMAC-SHA1"
            || oauth.GetValueOrDefault("oauth_version", "1.0") != "1.0"
            || !oauth.TryGetValue("oauth_nonce", out var nonce) || nonce.Length == 0
            || !oauth.TryGetValue("oauth_timestamp", out var timestamp) || !long.TryParse(timestamp, out _)
            || !oauth.TryGetValue("oauth_signature", out var signature))
            return Unauthorized();

        // The signed parameters: the query string and the oauth_* parameters (a JSON body is not signed).
        var parameters = Query(request).Select(p => (p.Key, p.Value))
            .Concat(oauth.Where(p => p.Key != "oauth_signature" && p.Key != "realm").Select(p => (p.Key, p.Value)))
            .Select(p => (Key: Encode(p.Key), Value: Encode(p.Value)))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}");
        var baseUri = $"{BaseUri.Scheme}://{BaseUri.Host}:{BaseUri.Port}{request.Path}";
        var baseString = $"{request.Method}&{Encode(baseUri)}&{Encode(string.Join("&", parameters))}";
        var key = Encoding.ASCII.GetBytes($"{Encode(ConsumerSecret)}&{Encode(AccessTokenSecret)}");
        var expected = Convert.ToBase64String(HMACSHA1.HashData(key, Encoding.ASCII.GetBytes(baseString)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
            return Unauthorized();
        lock (_nonces)
            if (!_nonces.Add(timestamp + ":" + nonce))
                return Unauthorized();
        return null;
    }

    // Uri.EscapeDataString is RFC 3986: everything but unreserved characters, upper-case hex.
    private static string Encode(string value) => Uri.EscapeDataString(value);

    private static FakeResponse Unauthorized() => Problem(401, "Unauthorized", "Unauthorized");

    private static FakeResponse Problem(int status, string title, string detail) =>
        FakeResponse.Json(status, new { title, type = "about:blank", status, detail });

    private static FakeResponse InvalidRequest(string message) => FakeResponse.Json(400, new
    {
        errors = new[] { new { message } },
        title = "Invalid Request",
        detail = "One or more parameters to your request was invalid.",
        type = "https://api.twitter.com/2/problems/invalid-request",
    });
}
