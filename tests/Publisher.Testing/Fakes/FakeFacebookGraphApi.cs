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

    /// <summary>For a video: the upload it was published from.</summary>
    public FakeVideoUpload? Video { get; init; }
}

/// <summary>
/// A Resumable Upload API session on the fake Meta app: opened with the file's name, length and type, its bytes
/// received from the offsets the client said, and the file handle given once every byte is in.
/// </summary>
public sealed class FakeVideoUpload(string sessionId, string fileName, long fileLength, string fileType)
{
    /// <summary>As Facebook names it: <c>upload:</c>, an opaque id and a <c>?sig=</c> query.</summary>
    public string SessionId { get; } = sessionId;
    public string FileName { get; } = fileName;
    public long FileLength { get; } = fileLength;
    public string FileType { get; } = fileType;
    public MemoryStream Received { get; } = new();

    /// <summary>The <c>file_offset</c> of each POST of bytes that was taken, in the order they came.</summary>
    public List<long> Offsets { get; } = [];

    /// <summary>The file handle, once every byte is in.</summary>
    public string? Handle { get; set; }

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
/// Videos, as Meta's Video API publishing guide and the Resumable Upload API have them: <c>POST /{version}/{app_id}/uploads</c>
/// (the app id in the path must be <see cref="AppId"/>; <c>file_name</c>, <c>file_length</c> of at most
/// <see cref="MaxVideoBytes"/>, <c>file_type</c> one of the documented types, and the <em>user</em> token as
/// <c>access_token</c>) answers <c>{"id":"upload:…?sig=…"}</c>; <c>POST /{version}/upload:…</c> needs the session's
/// <c>sig</c>, the header <c>Authorization: OAuth {user token}</c> (a token in the query is refused) and the header
/// <c>file_offset</c> equal to the bytes the session holds, and its body must be exactly the rest of the file; it answers
/// <c>{"h": handle}</c>. <c>GET /{version}/upload:…</c> answers <c>{"id","file_offset"}</c>. <see cref="InterruptNextUpload"/>
/// keeps only the first bytes of the next POST and drops its connection, as a transfer cut off midway.
/// <c>POST /{version}/{page_id}/videos</c> (multipart, the Page token, <c>title</c>, <c>description</c>,
/// <c>fbuploader_video_file_chunk</c> the handle of a complete <c>video/mp4</c> upload) publishes the video as a post
/// whose id is the video's, answered <c>{"id"}</c>; each call publishes one more.
/// </summary>
public sealed partial class FakeFacebookGraphApi : FakeApiServer
{
    private readonly List<FakePagePost> _posts = [];
    private int _next = 1;
    private readonly Dictionary<string, FakePagePhoto> _photos = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeVideoUpload> _uploads = new(StringComparer.Ordinal);
    private long? _interruptAfter;

    /// <summary>Upload sessions by session id (without its <c>?sig=</c>).</summary>
    public IReadOnlyDictionary<string, FakeVideoUpload> Uploads
    {
        get { lock (_posts) return new Dictionary<string, FakeVideoUpload>(_uploads); }
    }

    public long MaxVideoBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>The Meta app the Resumable Upload API takes files for (Facebook Login's client id).</summary>
    public string AppId { get; init; } = "1097315620041234";

    /// <summary>The token of a person with a role on the app: the only one the upload steps take.</summary>
    public string UserAccessToken { get; init; } = "EAAfakeusertoken";

    /// <summary>The next POST of bytes keeps only its first <paramref name="bytes"/> and its connection drops without an answer.</summary>
    public void InterruptNextUpload(long bytes)
    {
        lock (_posts) _interruptAfter = bytes;
        AbortNext(1, afterHandling: true, pathContains: "/upload:", where: r => r.Method == "POST");
    }

    /// <summary>Forgets every upload session and handle, as Facebook does with old ones.</summary>
    public void ForgetUploads()
    {
        lock (_posts) _uploads.Clear();
    }

    public const int MaxPhotoBytes = 4 * 1024 * 1024;

    public IReadOnlyDictionary<string, FakePagePhoto> Photos
    {
        get { lock (_posts) return new Dictionary<string, FakePagePhoto>(_photos); }
    }

    public string PageId { get; init; } = "104823719301";
    public string PageName { get; init; } = "Publisher Test Page";
    public string PageAccessToken { get; init; } = "EAAfakepagetoken";

    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string> { ["page_access_token"] = PageAccessToken, ["user_access_token"] = UserAccessToken };

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
        if (segments.Length == 2 && segments[1].StartsWith("upload:", StringComparison.Ordinal))
            return Upload(request, segments[1]);
        if (segments.Length == 3 && segments[2] == "uploads" && request.Method == "POST")
            return StartUpload(request, segments[1]);
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
            ("POST", 3) when segments[2] == "videos" => PublishVideo(request, form),
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

    private static readonly HashSet<string> UploadTypes = ["application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4"];

    private FakeResponse StartUpload(RecordedRequest request, string appId)
    {
        var query = Query(request);
        if (query.GetValueOrDefault("access_token") is not { } token)
            return Error(400, "An active access token must be used to query information about the current user.", "OAuthException", 2500);
        if (token == PageAccessToken)
            return Error(400, "(#3) Application does not have the capability to make this API call: uploads take a user access token", "OAuthException", 3);
        if (token != UserAccessToken)
            return Error(400, "Invalid OAuth access token - Cannot parse access token", "OAuthException", 190);
        if (appId != AppId)
            return Error(400, $"(#100) Object with ID '{appId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation", "GraphMethodException", 100);
        if (string.IsNullOrWhiteSpace(query.GetValueOrDefault("file_name")))
            return Error(400, "(#100) The parameter file_name is required", "OAuthException", 100);
        if (!long.TryParse(query.GetValueOrDefault("file_length"), NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length <= 0)
            return Error(400, "(#100) The parameter file_length is required and must be a positive integer", "OAuthException", 100);
        if (!UploadTypes.Contains(query.GetValueOrDefault("file_type") ?? ""))
            return Error(400, "(#100) file_type must be one of application/pdf, image/jpeg, image/jpg, image/png, video/mp4", "OAuthException", 100);
        if (length > MaxVideoBytes)
            return Error(400, $"(#100) The file is larger than {MaxVideoBytes} bytes", "OAuthException", 100);
        lock (_posts)
        {
            var id = $"upload:MTp{(9_000_000_000L + _next++).ToString(CultureInfo.InvariantCulture)}";
            var upload = new FakeVideoUpload($"{id}?sig={Signature(id)}", query["file_name"], length, query["file_type"]);
            _uploads[id] = upload;
            return FakeResponse.Json(200, new { id = upload.SessionId });
        }
    }

    private static string Signature(string id) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("sig" + id)))[..16];

    private FakeResponse Upload(RecordedRequest request, string id)
    {
        if (Query(request).ContainsKey("access_token"))
            return Error(400, "(#100) The access token must be sent in the Authorization header", "OAuthException", 100);
        var authorization = request.Header("Authorization") ?? "";
        if (!authorization.StartsWith("OAuth ", StringComparison.Ordinal))
            return Error(400, "An active access token must be used to query information about the current user.", "OAuthException", 2500);
        if (authorization["OAuth ".Length..] != UserAccessToken)
            return Error(400, "Invalid OAuth access token - Cannot parse access token", "OAuthException", 190);
        lock (_posts)
        {
            if (!_uploads.TryGetValue(id, out var upload) || Query(request).GetValueOrDefault("sig") != Signature(id))
                return Error(400, "(#100) Invalid upload session", "OAuthException", 100);
            if (request.Method == "GET")
                return FakeResponse.Json(200, new { id = upload.SessionId, file_offset = upload.Received.Length });
            if (request.Method != "POST")
                return Error(400, $"Unsupported {request.Method} request.", "GraphMethodException", 100);
            if (upload.Handle is not null)
                return Error(400, "(#100) The upload session is complete", "OAuthException", 100);
            if (!long.TryParse(request.Header("file_offset"), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
                return Error(400, "(#100) The file_offset header is required", "OAuthException", 100);
            if (offset != upload.Received.Length)
                return Error(400, $"(#100) file_offset {offset} does not match the {upload.Received.Length} bytes this session holds", "OAuthException", 100);
            var bytes = request.BodyBytes;
            if (_interruptAfter is { } cut)
            {
                // The connection broke after this many bytes arrived: they are kept, and nothing is answered.
                _interruptAfter = null;
                upload.Offsets.Add(offset);
                upload.Received.Write(bytes, 0, (int)Math.Min(cut, bytes.Length));
                return Error(500, "interrupted", "OAuthException", 1);
            }
            if (offset + bytes.LongLength != upload.FileLength)
                return Error(400, $"(#100) The body must be the file's remaining {upload.FileLength - offset} bytes, not {bytes.LongLength}", "OAuthException", 100);
            upload.Offsets.Add(offset);
            upload.Received.Write(bytes);
            upload.Handle = $"2:{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(upload.FileName))}:{upload.FileType}:{Signature(id + "h")}";
            return FakeResponse.Json(200, new { h = upload.Handle });
        }
    }

    private FakeResponse PublishVideo(RecordedRequest request, Dictionary<string, string> form)
    {
        if (request.Parts is null)
            return Error(400, "(#100) The video must be published as multipart/form-data", "OAuthException", 100);
        if (form.ContainsKey("upload_phase") || request.Parts.Any(p => p.IsFile))
            return Error(400, "(#100) Publish an uploaded file with fbuploader_video_file_chunk", "OAuthException", 100);
        lock (_posts)
        {
            var handle = form.GetValueOrDefault("fbuploader_video_file_chunk");
            if (_uploads.Values.FirstOrDefault(u => u.Handle is not null && u.Handle == handle) is not { } upload)
                return Error(400, "(#100) fbuploader_video_file_chunk is not the handle of a file uploaded to this app", "OAuthException", 100);
            if (upload.FileType != "video/mp4" || Sniff(upload.Bytes) != "video/mp4")
                return Error(400, "(#352) The video file you selected is in a format that we don't support.", "OAuthException", 352);
            var id = (5_000_000_000L + _next++).ToString(CultureInfo.InvariantCulture);
            _posts.Add(new FakePagePost(id, form.GetValueOrDefault("description") ?? "", null) { VideoTitle = form.GetValueOrDefault("title"), Video = upload });
            return FakeResponse.Json(200, new { id });
        }
    }

    public static FakeResponse Error(int status, string message, string type, int code) =>
        FakeResponse.Json(status, new { error = new { message, type, code, fbtrace_id = "AbCdEf" + code } });

    /// <summary>The body Graph sends when a Page posts too often (code 32, answered with a 400).</summary>
    public static string RateLimitBody => """{"error":{"message":"(#32) Page request limit reached","type":"OAuthException","is_transient":true,"code":32,"fbtrace_id":"Ab1"}}""";

    [GeneratedRegex(@"^v\d+\.\d+$")]
    private static partial Regex Version();
}
