using System.Text.Json;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace Publisher.Testing.Fakes;

/// <summary>A Page post the fake Graph API holds.</summary>
public sealed record FakePagePost(string Id, string Message, string? Link)
{
    /// <summary>The unpublished photos the post attached, in order.</summary>
    public IReadOnlyList<string> PhotoIds { get; init; } = [];

    /// <summary>For a video published on the Page: its title (the post's id is the video's, its message the description).</summary>
    public string? VideoTitle { get; init; }
}

/// <summary>
/// A video upload session on the fake Page: started with its size, its bytes transferred chunk by chunk at the offsets
/// the fake asks for, then finished, which publishes it as a post.
/// </summary>
public sealed class FakePageVideo(string videoId, string sessionId, long fileSize)
{
    public string VideoId { get; } = videoId;
    public string SessionId { get; } = sessionId;
    public long FileSize { get; } = fileSize;
    public MemoryStream Received { get; } = new();

    /// <summary>The offset of each transfer, in the order they came.</summary>
    public List<long> TransferOffsets { get; } = [];

    public bool Finished { get; set; }

    public byte[] Bytes => Received.ToArray();
}

/// <summary>A photo uploaded to the fake Page: its bytes, whether it was published, its alt text, and the post using it.</summary>
public sealed record FakePagePhoto(string Id, byte[] Bytes, string ContentType, bool Published, string? AltText)
{
    public string? UsedBy { get; set; }
}

/// <summary>
/// Fake Facebook Graph API for one Page: <c>POST /{version}/{page_id}/feed</c> (form-encoded <c>message</c>,
/// <c>link</c>, <c>access_token</c>), <c>GET /{version}/{page_id}?fields=name</c>, and for its posts
/// <c>GET /{version}/{post_id}?fields=…</c> (shares, reactions and comments summaries) and
/// <c>GET /{version}/{post_id}/insights?metric=…</c>, with figures set by <see cref="SetFigures"/>. Checks the version path, the
/// page id and the page token; errors are Graph's <c>{"error":{"message","type","code","fbtrace_id"}}</c>.
/// Photos: <c>POST /{version}/{page_id}/photos</c> multipart (<c>source</c> a JPEG, PNG or GIF of at most 4 MB,
/// <c>published</c>, <c>alt_text_custom</c>, <c>access_token</c>); a post's <c>attached_media[n]</c> must each be
/// <c>{"media_fbid": id}</c> of an unpublished photo of this Page not used by another post.
/// Videos: <c>POST /{version}/{page_id}/videos</c> in the resumable upload's phases: <c>start</c> (<c>file_size</c>, at most
/// <see cref="MaxVideoBytes"/>) answers <c>video_id</c>, <c>upload_session_id</c> and the first chunk's offsets (as strings);
/// each <c>transfer</c> (multipart, <c>upload_session_id</c>, <c>start_offset</c> and a <c>video_file_chunk</c> file) must
/// come at the offset asked for with exactly the bytes asked for (<see cref="VideoChunkBytes"/> at a time), and is
/// answered the next offsets; <c>finish</c> (<c>upload_session_id</c>, <c>description</c>, <c>title</c>) needs every
/// byte in and publishes the video once, as a post whose id is the video's.
/// </summary>
public sealed partial class FakeFacebookGraphApi : FakeApiServer
{
    private readonly List<FakePagePost> _posts = [];
    private int _next = 1;
    private readonly Dictionary<string, FakePagePhoto> _photos = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakePageVideo> _videos = new(StringComparer.Ordinal);

    /// <summary>Upload sessions by session id.</summary>
    public IReadOnlyDictionary<string, FakePageVideo> Videos
    {
        get { lock (_posts) return new Dictionary<string, FakePageVideo>(_videos); }
    }

    /// <summary>The chunk size the fake asks for (Facebook picks its own; 1 MiB here so tests see several).</summary>
    public long VideoChunkBytes { get; set; } = 1024 * 1024;

    public long MaxVideoBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>Forgets every upload session not finished, as Facebook does with old ones.</summary>
    public void ForgetUnfinishedVideos()
    {
        lock (_posts)
            foreach (var key in _videos.Where(v => !v.Value.Finished).Select(v => v.Key).ToList())
                _videos.Remove(key);
    }

    public const int MaxPhotoBytes = 4 * 1024 * 1024;

    public IReadOnlyDictionary<string, FakePagePhoto> Photos
    {
        get { lock (_posts) return new Dictionary<string, FakePagePhoto>(_photos); }
    }

    public string PageId { get; init; } = "104823719301";
    public string PageName { get; init; } = "Publisher Test Page";
    public string PageAccessToken { get; init; } = "EAAfakepagetoken";

    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string> { ["page_access_token"] = PageAccessToken };

    public IReadOnlyList<FakePagePost> Posts
    {
        get { lock (_posts) return _posts.ToList(); }
    }

    public override int PostCount => Posts.Count;

    private readonly Dictionary<string, (int Reactions, int Comments, int Shares, long Impressions, long Clicks)> _figures = new(StringComparer.Ordinal);

    /// <summary>What the post's reactions, comments, shares and insights read from now on.</summary>
    public void SetFigures(string postId, int reactions, int comments, int shares, long impressions, long clicks)
    {
        lock (_posts) _figures[postId] = (reactions, comments, shares, impressions, clicks);
    }

    private static readonly HashSet<string> PostFields = ["id", "message", "created_time", "permalink_url", "shares", "reactions.summary(total_count).limit(0)", "comments.summary(total_count).limit(0)"];
    private static readonly HashSet<string> InsightMetrics = ["post_impressions", "post_impressions_unique", "post_clicks", "post_reactions_by_type_total", "post_engaged_users"];

    protected override FakeResponse Respond(RecordedRequest request)
    {
        var segments = request.Path.Trim('/').Split('/');
        if (segments.Length < 2 || !Version().IsMatch(segments[0]))
            return Error(400, $"Unknown path components: {request.Path}", "OAuthException", 2500);
        var form = request.Method == "POST" && (request.Header("Content-Type") ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            ? QueryHelpers.ParseQuery(request.Body).ToDictionary(p => p.Key, p => p.Value.ToString())
            : request.Parts?.Where(p => !p.IsFile).ToDictionary(p => p.Name, p => System.Text.Encoding.UTF8.GetString(p.Bytes)) ?? new Dictionary<string, string>();
        var token = form.GetValueOrDefault("access_token") ?? Query(request).GetValueOrDefault("access_token") ?? BearerToken(request);
        if (token is null) return Error(400, "An active access token must be used to query information about the current user.", "OAuthException", 2500);
        if (token != PageAccessToken) return Error(400, "Invalid OAuth access token - Cannot parse access token", "OAuthException", 190);
        FakePagePost? post;
        lock (_posts) post = _posts.FirstOrDefault(p => p.Id == segments[1]);
        if (post is not null && request.Method == "GET")
            return segments.Length switch
            {
                2 => PostFigures(post, Query(request).GetValueOrDefault("fields") ?? "id"),
                3 when segments[2] == "insights" => Insights(post, Query(request).GetValueOrDefault("metric") ?? ""),
                _ => Error(400, $"Unsupported get request. Object with ID '{segments[1]}' does not support this operation", "GraphMethodException", 100),
            };
        if (segments[1] != PageId)
            return Error(400, $"(#100) Object with ID '{segments[1]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation", "GraphMethodException", 100);

        return (request.Method, segments.Length) switch
        {
            ("GET", 2) => FakeResponse.Json(200, new { name = PageName, id = PageId }),
            ("POST", 3) when segments[2] == "feed" => CreatePost(form),
            ("POST", 3) when segments[2] == "photos" => UploadPhoto(request, form),
            ("POST", 3) when segments[2] == "videos" => form.GetValueOrDefault("upload_phase") switch
            {
                "start" => StartVideo(form),
                "transfer" => TransferVideo(request, form),
                "finish" => FinishVideo(form),
                _ => Error(400, "(#100) upload_phase must be start, transfer or finish", "OAuthException", 100),
            },
            _ => Error(400, $"Unsupported {request.Method} request.", "GraphMethodException", 100),
        };
    }

    private FakeResponse PostFigures(FakePagePost post, string fields)
    {
        var wanted = fields.Split(',');
        if (wanted.FirstOrDefault(f => !PostFields.Contains(f)) is { } unknown)
            return Error(400, $"(#100) Tried accessing nonexisting field ({unknown}) on node type (Post)", "OAuthException", 100);
        lock (_posts)
        {
            var (reactions, comments, shares, _, _) = _figures.GetValueOrDefault(post.Id);
            var answer = new Dictionary<string, object> { ["id"] = post.Id };
            foreach (var field in wanted)
                switch (field)
                {
                    case "message": answer["message"] = post.Message; break;
                    // Graph leaves "shares" out of a post nobody shared.
                    case "shares" when shares > 0: answer["shares"] = new { count = shares }; break;
                    case "reactions.summary(total_count).limit(0)": answer["reactions"] = new { data = Array.Empty<object>(), summary = new { total_count = reactions, viewer_reaction = "NONE" } }; break;
                    case "comments.summary(total_count).limit(0)": answer["comments"] = new { data = Array.Empty<object>(), summary = new { order = "ranked", total_count = comments, can_comment = true } }; break;
                }
            return FakeResponse.Json(200, answer);
        }
    }

    private FakeResponse Insights(FakePagePost post, string metrics)
    {
        var wanted = metrics.Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (wanted.Length == 0 || wanted.FirstOrDefault(m => !InsightMetrics.Contains(m)) is { } unknown && unknown.Length > 0)
            return Error(400, "(#100) The value must be a valid insights metric", "OAuthException", 100);
        lock (_posts)
        {
            var (_, _, _, impressions, clicks) = _figures.GetValueOrDefault(post.Id);
            var data = wanted.Select(m => new
            {
                name = m, period = "lifetime",
                values = new[] { new { value = m switch { "post_impressions" or "post_impressions_unique" => impressions, "post_clicks" => clicks, _ => 0L } } },
                title = m, id = $"{post.Id}/insights/{m}/lifetime",
            });
            return FakeResponse.Json(200, new { data });
        }
    }

    private FakeResponse CreatePost(Dictionary<string, string> form)
    {
        var message = form.GetValueOrDefault("message");
        var link = form.GetValueOrDefault("link");
        if (string.IsNullOrWhiteSpace(message) && string.IsNullOrWhiteSpace(link))
            return Error(400, "(#100) The parameter message or link is required", "OAuthException", 100);
        if (link is not null && !Uri.TryCreate(link, UriKind.Absolute, out _))
            return Error(400, "(#100) The parameter link must be a valid URL", "OAuthException", 100);
        var attached = form.Where(f => f.Key.StartsWith("attached_media", StringComparison.Ordinal)).OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        var photoIds = new List<string>();
        lock (_posts)
        {
            foreach (var (key, value) in attached)
            {
                if (TryParseJson(value) is not { ValueKind: JsonValueKind.Object } entry || !entry.TryGetProperty("media_fbid", out var fbid) || fbid.ValueKind != JsonValueKind.String)
                    return Error(400, $"(#100) param {key} must be a JSON object with media_fbid", "OAuthException", 100);
                if (!_photos.TryGetValue(fbid.GetString()!, out var photo) || photo.Published || photo.UsedBy is not null)
                    return Error(400, $"(#100) attached_media {fbid.GetString()} is not an unpublished photo of this Page", "OAuthException", 100);
                photoIds.Add(photo.Id);
            }
            if (photoIds.Count > 0 && link is not null)
                return Error(400, "(#100) A post with attached_media cannot also share a link", "OAuthException", 100);
            var post = new FakePagePost($"{PageId}_{(1_000_000_000 + _next++).ToString(CultureInfo.InvariantCulture)}", message ?? "", link) { PhotoIds = photoIds };
            foreach (var id in photoIds) _photos[id].UsedBy = post.Id;
            _posts.Add(post);
            return FakeResponse.Json(200, new { id = post.Id });
        }
    }

    private FakeResponse UploadPhoto(RecordedRequest request, Dictionary<string, string> form)
    {
        if (request.Parts?.SingleOrDefault(p => p.Name == "source") is not { IsFile: true } source)
            return Error(400, "(#324) Requires upload file", "OAuthException", 324);
        var type = Sniff(source.Bytes);
        if (type is not ("image/jpeg" or "image/png" or "image/gif"))
            return Error(400, "(#324) Missing or invalid image file", "OAuthException", 324);
        if (source.Bytes.Length > MaxPhotoBytes)
            return Error(400, "(#100) The photo is larger than 4 MB", "OAuthException", 100);
        if (form.GetValueOrDefault("published") is { } published && published is not ("true" or "false"))
            return Error(400, "(#100) param published must be a boolean", "OAuthException", 100);
        lock (_posts)
        {
            var photo = new FakePagePhoto((3_000_000_000L + _next++).ToString(CultureInfo.InvariantCulture), source.Bytes, type,
                form.GetValueOrDefault("published") != "false", form.GetValueOrDefault("alt_text_custom"));
            _photos[photo.Id] = photo;
            return FakeResponse.Json(200, new { id = photo.Id });
        }
    }

    private FakeResponse StartVideo(Dictionary<string, string> form)
    {
        if (!long.TryParse(form.GetValueOrDefault("file_size"), NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size <= 0)
            return Error(400, "(#100) file_size is required and must be a positive integer", "OAuthException", 100);
        if (size > MaxVideoBytes)
            return Error(400, $"(#6000) The video is larger than {MaxVideoBytes} bytes", "OAuthException", 6000);
        lock (_posts)
        {
            var video = new FakePageVideo((5_000_000_000L + _next++).ToString(CultureInfo.InvariantCulture), (7_000_000_000L + _next++).ToString(CultureInfo.InvariantCulture), size);
            _videos[video.SessionId] = video;
            return FakeResponse.Json(200, new
            {
                video_id = video.VideoId,
                start_offset = "0",
                end_offset = Math.Min(size, VideoChunkBytes).ToString(CultureInfo.InvariantCulture),
                upload_session_id = video.SessionId,
            });
        }
    }

    private FakeResponse TransferVideo(RecordedRequest request, Dictionary<string, string> form)
    {
        if (request.Parts?.SingleOrDefault(p => p.Name == "video_file_chunk") is not { IsFile: true } chunk)
            return Error(400, "(#100) video_file_chunk is required as a file", "OAuthException", 100);
        if (!long.TryParse(form.GetValueOrDefault("start_offset"), NumberStyles.None, CultureInfo.InvariantCulture, out var start))
            return Error(400, "(#100) start_offset is required", "OAuthException", 100);
        lock (_posts)
        {
            if (!_videos.TryGetValue(form.GetValueOrDefault("upload_session_id") ?? "", out var video) || video.Finished)
                return Error(400, "(#6001) The upload session does not exist or has been finished", "OAuthException", 6001);
            var expected = video.Received.Length;
            var wanted = Math.Min(video.FileSize, expected + VideoChunkBytes) - expected;
            if (start != expected || chunk.Bytes.LongLength != wanted)
                return Error(400, $"(#1363019) The chunk must start at {expected} and be {wanted} bytes, not start at {start} with {chunk.Bytes.LongLength}", "OAuthException", 1363019);
            video.TransferOffsets.Add(start);
            video.Received.Write(chunk.Bytes);
            var next = video.Received.Length;
            return FakeResponse.Json(200, new
            {
                start_offset = next.ToString(CultureInfo.InvariantCulture),
                end_offset = Math.Min(video.FileSize, next + VideoChunkBytes).ToString(CultureInfo.InvariantCulture),
            });
        }
    }

    private FakeResponse FinishVideo(Dictionary<string, string> form)
    {
        lock (_posts)
        {
            if (!_videos.TryGetValue(form.GetValueOrDefault("upload_session_id") ?? "", out var video) || video.Finished)
                return Error(400, "(#6001) The upload session does not exist or has been finished", "OAuthException", 6001);
            if (video.Received.Length != video.FileSize)
                return Error(400, $"(#6001) The upload is incomplete: {video.Received.Length} of {video.FileSize} bytes", "OAuthException", 6001);
            video.Finished = true;
            _posts.Add(new FakePagePost(video.VideoId, form.GetValueOrDefault("description") ?? "", null) { VideoTitle = form.GetValueOrDefault("title") });
            return FakeResponse.Json(200, new { success = true });
        }
    }

    public static FakeResponse Error(int status, string message, string type, int code) =>
        FakeResponse.Json(status, new { error = new { message, type, code, fbtrace_id = "AbCdEf" + code } });

    /// <summary>The body Graph sends when a Page posts too often (code 32, answered with a 400).</summary>
    public static string RateLimitBody => """{"error":{"message":"(#32) Page request limit reached","type":"OAuthException","is_transient":true,"code":32,"fbtrace_id":"Ab1"}}""";

    [GeneratedRegex(@"^v\d+\.\d+$")]
    private static partial Regex Version();
}
