using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Publisher.Testing.Fakes;

/// <summary>A post the fake LinkedIn holds.</summary>
/// <param name="Commentary">The commentary as sent, in LinkedIn's "little" text format.</param>
/// <param name="Shown">What LinkedIn shows: escapes resolved, hashtags and mentions as text, and cut at the first
/// unescaped reserved character, as LinkedIn silently does.</param>
public sealed record FakeLinkedInPost(string Urn, string Author, string Commentary, string Shown, string Version)
{
    /// <summary>The images the post carries (content.media or content.multiImage), with their alt text.</summary>
    public IReadOnlyList<(string Urn, string AltText)> Images { get; init; } = [];

    /// <summary>The video the post carries (content.media with a video URN), and the title it was given.</summary>
    public string? Video { get; init; }

    public string? VideoTitle { get; init; }
}

/// <summary>
/// A video the fake LinkedIn holds: initialized for an owner with its size, split into parts of
/// <see cref="FakeLinkedInApi.VideoPartBytes"/>; each part PUT once with exactly its bytes and answered an ETag; then
/// finalized with those ETags in order, after which it is PROCESSING for <see cref="FakeLinkedInApi.VideoProcessingChecks"/>
/// status reads and then AVAILABLE (or PROCESSING_FAILED when <see cref="FakeLinkedInApi.VideoProcessingFails"/>).
/// </summary>
public sealed class FakeLinkedInVideo(string urn, string owner, string uploadToken, long fileSize, IReadOnlyList<(long First, long Last)> parts)
{
    public string Urn { get; } = urn;
    public string Owner { get; } = owner;
    public string UploadToken { get; } = uploadToken;
    public long FileSize { get; } = fileSize;
    public IReadOnlyList<(long First, long Last)> Parts { get; } = parts;
    public byte[]?[] PartBytes { get; } = new byte[]?[parts.Count];
    public string?[] PartETags { get; } = new string?[parts.Count];
    public bool Finalized { get; set; }
    public int ChecksLeft { get; set; }
    public bool Fails { get; set; }
    public string? UsedBy { get; set; }

    /// <summary>The whole file, once every part is in.</summary>
    public byte[]? Bytes => PartBytes.All(p => p is not null) ? PartBytes.SelectMany(p => p!).ToArray() : null;

    public string Status => !Finalized ? "WAITING_UPLOAD" : ChecksLeft > 0 ? "PROCESSING" : Fails ? "PROCESSING_FAILED" : "AVAILABLE";
}

/// <summary>An image the fake LinkedIn holds: initialized for an owner, then its bytes once PUT to the upload address.</summary>
public sealed class FakeLinkedInImage(string urn, string owner, string uploadToken)
{
    public string Urn { get; } = urn;
    public string Owner { get; } = owner;
    public string UploadToken { get; } = uploadToken;
    public byte[]? Bytes { get; set; }
    public string? ContentType { get; set; }
}

/// <summary>
/// Fake LinkedIn: <c>POST /rest/posts</c>, <c>GET /rest/socialActions/{post urn}</c> (counts set by
/// <see cref="SetSocialActions"/>; an unknown URN is a 404) and <c>GET /v2/userinfo</c>. Checks the Bearer token, a
/// <c>LinkedIn-Version</c> header (yyyyMM, not older than <see cref="OldestActiveVersion"/>), the
/// <c>X-Restli-Protocol-Version: 2.0.0</c> header, that the author is the one the token may post as, and the body's
/// required fields. Answers 201 with the post's URN in <c>x-restli-id</c>; errors are <c>{"status","code","message"}</c>.
/// Images as the Images API documents them: <c>POST /rest/images?action=initializeUpload</c> for the author answers an
/// upload address (here, on this fake) and an image URN; the bytes are PUT there (JPEG, PNG or GIF); a post's
/// <c>content.media</c> or <c>content.multiImage</c> (2 to 20) must name uploaded images, alt text at most 4,086 characters.
/// Videos as the Videos API documents them (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api):
/// <c>POST /rest/videos?action=initializeUpload</c> (owner, <c>fileSizeBytes</c>) answers the video URN, an upload token and
/// one upload instruction per part (<c>uploadUrl</c>, <c>firstByte</c>, <c>lastByte</c>); each part is PUT once with
/// exactly its bytes as application/octet-stream and answered an <c>ETag</c>; <c>POST /rest/videos?action=finalizeUpload</c>
/// must give the video, its upload token and every part's ETag in part order; <c>GET /rest/videos/{urn}</c> answers its
/// status; a post's <c>content.media.id</c> may name a video of the author that is AVAILABLE and used by no other post.
/// </summary>
public sealed partial class FakeLinkedInApi : FakeApiServer
{
    private readonly List<FakeLinkedInPost> _posts = [];
    private int _next = 7_100_000;
    private readonly Dictionary<string, FakeLinkedInImage> _images = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeLinkedInVideo> _videos = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, FakeLinkedInVideo> Videos
    {
        get { lock (_posts) return new Dictionary<string, FakeLinkedInVideo>(_videos); }
    }

    /// <summary>The size of each video part LinkedIn asks for (4 MiB, as its upload instructions give).</summary>
    public long VideoPartBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The most bytes a video may have (LinkedIn's 500 MB for organic posts).</summary>
    public long MaxVideoBytes { get; set; } = 500L * 1024 * 1024;

    /// <summary>How many status reads a finalized video answers PROCESSING before it is done.</summary>
    public int VideoProcessingChecks { get; set; }

    /// <summary>Whether a finalized video ends PROCESSING_FAILED instead of AVAILABLE.</summary>
    public bool VideoProcessingFails { get; set; }

    /// <summary>Forgets every video, as LinkedIn does with one no post used for long.</summary>
    public void ForgetVideos()
    {
        lock (_posts) _videos.Clear();
    }

    public IReadOnlyDictionary<string, FakeLinkedInImage> Images
    {
        get { lock (_posts) return new Dictionary<string, FakeLinkedInImage>(_images); }
    }

    public string AccessToken { get; init; } = "fake-linkedin-token";
    public string AuthorUrn { get; init; } = "urn:li:organization:2414183";
    public string OldestActiveVersion { get; init; } = "202401";

    /// <summary>Answer <c>/v2/userinfo</c> with 403, as LinkedIn does for a token without the openid scope.</summary>
    public bool UserInfoForbidden { get; set; }

    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string> { ["access_token"] = AccessToken };

    public IReadOnlyList<FakeLinkedInPost> Posts
    {
        get { lock (_posts) return _posts.ToList(); }
    }

    public override int PostCount => Posts.Count;

    private readonly Dictionary<string, (int Likes, int Comments)> _actions = new(StringComparer.Ordinal);

    /// <summary>What the post's social actions read from now on.</summary>
    public void SetSocialActions(string urn, int likes, int comments)
    {
        lock (_posts) _actions[urn] = (likes, comments);
    }

    /// <summary>
    /// LinkedIn's OAuth 2.0 server (www.linkedin.com's in real life): the consent page at <c>/oauth/v2/authorization</c>,
    /// <c>/oauth/v2/accessToken</c> and <c>/oauth/v2/revoke</c>, the client id and secret in the form, no PKCE (LinkedIn
    /// takes none from web apps), 60-day access tokens and no refresh token. Its tokens work on every endpoint here.
    /// </summary>
    public FakeAuthorizationServer Authorization { get; } = new("/oauth/v2/authorization", "/oauth/v2/accessToken", "/oauth/v2/revoke", basicClientAuthentication: false)
    {
        AccessTokenLifetime = TimeSpan.FromDays(60),
        RequirePkce = false,
    };

    public const string OAuthClientId = "fake-linkedin-client";
    public const string OAuthClientSecret = "fake-linkedin-secret";
    public static readonly string[] OAuthScopes = ["r_organization_admin", "w_organization_social", "r_organization_social"];

    /// <summary>Registers Publisher's LinkedIn app with its one authorized redirect URL.</summary>
    public void RegisterOAuthClient(string redirectUri) =>
        Authorization.Register(new FakeAuthorizationServer.Client(OAuthClientId, OAuthClientSecret, [redirectUri], OAuthScopes, "Publisher"));

    /// <summary>One organization page and the signed-in member's role on it.</summary>
    public sealed record Organization(long Id, string Name, string VanityName, string Role = "ADMINISTRATOR", string State = "APPROVED")
    {
        public string Urn => $"urn:li:organization:{Id}";
    }

    /// <summary>The pages the member holds a role on (answered by <c>/rest/organizationAcls</c> and <c>/rest/organizations/{id}</c>).</summary>
    public List<Organization> Organizations { get; } = [];

    protected override FakeResponse Respond(RecordedRequest request)
    {
        if (Authorization.Handle(request) is { } oauth)
            return oauth;
        var bearer = BearerToken(request);
        if (bearer != AccessToken && !Authorization.IsValidAccessToken(bearer))
            return Error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600);
        return (request.Method, request.Path.TrimEnd('/')) switch
        {
            ("GET", "/rest/organizationAcls") => VersionProblem(request) ?? OrganizationAcls(request),
            ("GET", var path) when path.StartsWith("/rest/organizations/", StringComparison.Ordinal) => VersionProblem(request) ?? OrganizationNamed(path["/rest/organizations/".Length..]),
            ("POST", "/rest/posts") => CreatePost(request),
            ("GET", var path) when path.StartsWith("/rest/socialActions/", StringComparison.Ordinal) => VersionProblem(request) ?? SocialActions(path["/rest/socialActions/".Length..]),
            ("POST", "/rest/images") => InitializeUpload(request),
            ("POST", "/rest/videos") => VideoAction(request),
            ("GET", var path) when path.StartsWith("/rest/videos/", StringComparison.Ordinal) => VersionProblem(request) ?? VideoStatus(Uri.UnescapeDataString(path["/rest/videos/".Length..])),
            ("PUT", var path) when path.StartsWith("/dms-uploads/video/", StringComparison.Ordinal) => UploadVideoPart(request, path["/dms-uploads/video/".Length..]),
            ("PUT", var path) when path.StartsWith("/dms-uploads/", StringComparison.Ordinal) => Upload(request, path["/dms-uploads/".Length..]),
            ("GET", "/v2/userinfo") => UserInfoForbidden
                ? Error(403, "ACCESS_DENIED", "Not enough permissions to access: userinfo.GET.NO_VERSION", 100)
                : FakeResponse.Json(200, new { sub = "782bbtaQ", name = "Publisher Test", given_name = "Publisher", family_name = "Test" }),
            _ => Error(404, "RESOURCE_NOT_FOUND", $"No virtual resource found for {request.Path}", 0),
        };
    }

    /// <summary>The member's roles, filtered by <c>role</c> and <c>state</c> as asked, paged by <c>start</c> and <c>count</c>.</summary>
    private FakeResponse OrganizationAcls(RecordedRequest request)
    {
        var q = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString);
        if (q["q"] != "roleAssignee")
            return Error(400, "ILLEGAL_ARGUMENT", "Invalid query parameters passed to request: q must be roleAssignee", 0);
        var role = q.TryGetValue("role", out var r) ? r.ToString() : null;
        var state = q.TryGetValue("state", out var st) ? st.ToString() : null;
        var start = q.TryGetValue("start", out var s) && int.TryParse(s, out var si) ? si : 0;
        var count = q.TryGetValue("count", out var c) && int.TryParse(c, out var ci) ? ci : 10;
        var matching = Organizations.Where(o => (role is null || o.Role == role) && (state is null || o.State == state)).ToList();
        return FakeResponse.Json(200, new
        {
            paging = new { start, count, links = Array.Empty<object>(), total = matching.Count },
            elements = matching.Skip(start).Take(count).Select(o => new { roleAssignee = "urn:li:person:782bbtaQ", state = o.State, role = o.Role, organization = o.Urn }),
        });
    }

    private FakeResponse OrganizationNamed(string id) =>
        Organizations.FirstOrDefault(o => o.Id.ToString(CultureInfo.InvariantCulture) == id) is { } organization
            ? FakeResponse.Json(200, new { id = organization.Id, localizedName = organization.Name, vanityName = organization.VanityName })
            : Error(404, "NOT_FOUND", $"Organization {id} not found", 0);

    private FakeResponse SocialActions(string urn)
    {
        lock (_posts)
        {
            if (_posts.All(p => p.Urn != urn))
                return Error(404, "NOT_FOUND", $"Not Found: {urn}", 0);
            var (likes, comments) = _actions.GetValueOrDefault(urn);
            return FakeResponse.Json(200, new
            {
                likesSummary = new { selectedLikes = Array.Empty<string>(), aggregatedTotalLikes = likes, likedByCurrentUser = false, totalLikes = likes },
                commentsSummary = new { selectedComments = Array.Empty<string>(), totalFirstLevelComments = comments, commentsState = "OPEN", aggregatedTotalComments = comments },
                target = urn,
            });
        }
    }

    /// <summary>The versioning headers every /rest call needs, or the error LinkedIn gives without them.</summary>
    private FakeResponse? VersionProblem(RecordedRequest request)
    {
        var version = request.Header("LinkedIn-Version");
        if (version is null || !Version().IsMatch(version))
            return Error(400, "VERSION_MISSING", "A version must be present. Please specify a version by adding the LinkedIn-Version header.", 0);
        if (string.CompareOrdinal(version, OldestActiveVersion) < 0 || string.CompareOrdinal(version, DateTime.UtcNow.ToString("yyyyMM", CultureInfo.InvariantCulture)) > 0)
            return Error(426, "NONEXISTENT_VERSION", $"Requested version {version} is not active", 0);
        return request.Header("X-Restli-Protocol-Version") != "2.0.0"
            ? Error(400, "INVALID_PROTOCOL_VERSION", "The Rest.li protocol version header X-Restli-Protocol-Version: 2.0.0 is required", 0)
            : null;
    }

    private FakeResponse InitializeUpload(RecordedRequest request)
    {
        if (VersionProblem(request) is { } problem) return problem;
        if (Query(request).GetValueOrDefault("action") != "initializeUpload")
            return Error(400, "ILLEGAL_ARGUMENT", "action=initializeUpload is required", 0);
        if (TryParseJson(request.Body) is not { ValueKind: JsonValueKind.Object } body
            || !body.TryGetProperty("initializeUploadRequest", out var init) || init.ValueKind != JsonValueKind.Object
            || !init.TryGetProperty("owner", out var ownerElement) || ownerElement.ValueKind != JsonValueKind.String)
            return Error(422, "FIELD_MISSING", "ERROR :: /initializeUploadRequest/owner :: field is required but not found and has no default value", 0);
        if (ownerElement.GetString() != AuthorUrn)
            return Error(403, "ACCESS_DENIED", $"Not enough permissions to upload for {ownerElement.GetString()}", 100);
        lock (_posts)
        {
            var image = new FakeLinkedInImage($"urn:li:image:C4E10AQ{_next++}", AuthorUrn, Guid.NewGuid().ToString("N"));
            _images[image.Urn] = image;
            return FakeResponse.Json(200, new
            {
                value = new
                {
                    uploadUrlExpiresAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds(),
                    uploadUrl = new Uri(BaseUri, $"dms-uploads/{image.UploadToken}").ToString(),
                    image = image.Urn,
                },
            });
        }
    }

    private FakeResponse Upload(RecordedRequest request, string token)
    {
        var type = Sniff(request.BodyBytes);
        if (type is not ("image/jpeg" or "image/png" or "image/gif"))
            return Error(400, "INVALID_IMAGE", "The uploaded file is not a JPG, PNG or GIF image", 0);
        lock (_posts)
        {
            var image = _images.Values.FirstOrDefault(i => i.UploadToken == token);
            if (image is null || image.Bytes is not null) return Error(404, "NOT_FOUND", "No upload expected at this address", 0);
            image.Bytes = request.BodyBytes;
            image.ContentType = type;
            return new FakeResponse(201);
        }
    }

    private FakeResponse VideoAction(RecordedRequest request)
    {
        if (VersionProblem(request) is { } problem) return problem;
        if (TryParseJson(request.Body) is not { ValueKind: JsonValueKind.Object } body)
            return Error(400, "INVALID_JSON", "Request body is not valid JSON", 0);
        return Query(request).GetValueOrDefault("action") switch
        {
            "initializeUpload" => InitializeVideo(body),
            "finalizeUpload" => FinalizeVideo(body),
            var action => Error(400, "ILLEGAL_ARGUMENT", $"Unknown action {action}: initializeUpload or finalizeUpload", 0),
        };
    }

    private FakeResponse InitializeVideo(JsonElement body)
    {
        if (!body.TryGetProperty("initializeUploadRequest", out var init) || init.ValueKind != JsonValueKind.Object
            || !init.TryGetProperty("owner", out var ownerElement) || ownerElement.ValueKind != JsonValueKind.String)
            return Error(422, "FIELD_MISSING", "ERROR :: /initializeUploadRequest/owner :: field is required but not found and has no default value", 0);
        if (!init.TryGetProperty("fileSizeBytes", out var sizeElement) || !sizeElement.TryGetInt64(out var size))
            return Error(422, "FIELD_MISSING", "ERROR :: /initializeUploadRequest/fileSizeBytes :: field is required but not found and has no default value", 0);
        foreach (var flag in new[] { "uploadCaptions", "uploadThumbnail" })
            if (init.TryGetProperty(flag, out var value) && value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                return Error(422, "FIELD_INVALID", $"ERROR :: /initializeUploadRequest/{flag} :: must be a boolean", 0);
        if (ownerElement.GetString() != AuthorUrn)
            return Error(403, "ACCESS_DENIED", "Accessing this video resource is forbidden. Please check your permissions for this resource", 100);
        if (size <= 0 || size > MaxVideoBytes)
            return Error(400, "INVALID_FILE_SIZE", $"fileSizeBytes {size} is outside 1 to {MaxVideoBytes}", 0);
        lock (_posts)
        {
            var parts = new List<(long, long)>();
            for (var first = 0L; first < size; first += VideoPartBytes)
                parts.Add((first, Math.Min(size, first + VideoPartBytes) - 1));
            var video = new FakeLinkedInVideo($"urn:li:video:C5F10AQ{_next++}", AuthorUrn, parts.Count > 1 ? Guid.NewGuid().ToString("N") : "", size, parts)
            {
                ChecksLeft = VideoProcessingChecks,
                Fails = VideoProcessingFails,
            };
            _videos[video.Urn] = video;
            var address = Guid.NewGuid().ToString("N");
            return FakeResponse.Json(200, new
            {
                value = new
                {
                    uploadUrlsExpireAt = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds(),
                    video = video.Urn,
                    uploadInstructions = parts.Select((p, i) => new
                    {
                        uploadUrl = new Uri(BaseUri, $"dms-uploads/video/{Uri.EscapeDataString(video.Urn)}/{address}/{i}").ToString(),
                        lastByte = p.Item2,
                        firstByte = p.Item1,
                    }),
                    uploadToken = video.UploadToken,
                },
            });
        }
    }

    private FakeResponse UploadVideoPart(RecordedRequest request, string rest)
    {
        var pieces = rest.Split('/');
        if (pieces.Length != 3 || !int.TryParse(pieces[2], CultureInfo.InvariantCulture, out var index))
            return Error(404, "NOT_FOUND", "No upload expected at this address", 0);
        if (request.Header("Content-Type") != "application/octet-stream")
            return Error(400, "INVALID_CONTENT_TYPE", "A video part is sent as application/octet-stream", 0);
        lock (_posts)
        {
            if (!_videos.TryGetValue(Uri.UnescapeDataString(pieces[0]), out var video) || index < 0 || index >= video.Parts.Count || video.Finalized)
                return Error(404, "NOT_FOUND", "No upload expected at this address", 0);
            var (first, last) = video.Parts[index];
            if (request.BodyBytes.LongLength != last - first + 1)
                return Error(400, "INVALID_PART", $"Part {index} is bytes {first} to {last}: {last - first + 1} bytes, not {request.BodyBytes.LongLength}", 0);
            video.PartBytes[index] = request.BodyBytes;
            video.PartETags[index] = $"/ambry-video/signedId/{Guid.NewGuid():N}";
            return new FakeResponse(200, null, new Dictionary<string, string> { ["ETag"] = video.PartETags[index]! });
        }
    }

    private FakeResponse FinalizeVideo(JsonElement body)
    {
        if (!body.TryGetProperty("finalizeUploadRequest", out var finalize) || finalize.ValueKind != JsonValueKind.Object
            || !finalize.TryGetProperty("video", out var v) || v.ValueKind != JsonValueKind.String
            || !finalize.TryGetProperty("uploadToken", out var t) || t.ValueKind != JsonValueKind.String
            || !finalize.TryGetProperty("uploadedPartIds", out var ids) || ids.ValueKind != JsonValueKind.Array)
            return Error(422, "FIELD_MISSING", "ERROR :: /finalizeUploadRequest :: video, uploadToken and uploadedPartIds are required", 0);
        lock (_posts)
        {
            if (!_videos.TryGetValue(v.GetString()!, out var video))
                return Error(404, "NOT_FOUND", $"Video {v.GetString()} not found", 0);
            if (video.Finalized)
                return Error(400, "ALREADY_FINALIZED", "The upload of this video is already finalized", 0);
            if (t.GetString() != video.UploadToken)
                return Error(400, "INVALID_UPLOAD_TOKEN", "The upload token does not belong to this video", 0);
            var given = ids.EnumerateArray().Select(e => e.GetString()).ToList();
            if (video.PartETags.Any(e => e is null) || !given.SequenceEqual(video.PartETags))
                return Error(400, "INVALID_PART_IDS", "uploadedPartIds must be every part's ETag, in part order", 0);
            video.Finalized = true;
            return new FakeResponse(200);
        }
    }

    private FakeResponse VideoStatus(string urn)
    {
        lock (_posts)
        {
            if (!_videos.TryGetValue(urn, out var video))
                return Error(404, "NOT_FOUND", $"Video {urn} not found", 0);
            var status = video.Status;
            if (status == "PROCESSING") video.ChecksLeft--;
            return FakeResponse.Json(200, status == "PROCESSING_FAILED"
                ? new { id = video.Urn, owner = video.Owner, status, processingFailureReason = "Video format is not supported" }
                : (object)new { id = video.Urn, owner = video.Owner, status });
        }
    }

    /// <summary>The video a post's content.media names, or why LinkedIn would refuse it (null when the content is not a video).</summary>
    private (FakeLinkedInVideo? Video, string? Title, FakeResponse? Problem) ContentVideo(JsonElement body)
    {
        if (!body.TryGetProperty("content", out var content) || !content.TryGetProperty("media", out var media)
            || !media.TryGetProperty("id", out var id) || id.GetString() is not { } urn || !urn.StartsWith("urn:li:video:", StringComparison.Ordinal))
            return (null, null, null);
        if (!_videos.TryGetValue(urn, out var video) || video.Owner != AuthorUrn)
            return (null, null, Error(422, "FIELD_INVALID", $"ERROR :: /content/media/id :: {urn} is not a video of the author", 0));
        if (video.Status != "AVAILABLE")
            return (null, null, Error(422, "FIELD_INVALID", $"ERROR :: /content/media/id :: {urn} is {video.Status}, not AVAILABLE", 0));
        if (video.UsedBy is not null)
            return (null, null, Error(422, "DUPLICATE_MEDIA", $"ERROR :: /content/media/id :: {urn} is already used by {video.UsedBy}", 0));
        var title = media.TryGetProperty("title", out var tt) && tt.ValueKind == JsonValueKind.String ? tt.GetString() : null;
        return (video, title, null);
    }

    /// <summary>The images a post's content names, or why LinkedIn would refuse them.</summary>
    private (IReadOnlyList<(string, string)> Images, FakeResponse? Problem) ContentImages(JsonElement body)
    {
        if (!body.TryGetProperty("content", out var content)) return ([], null);
        var entries = new List<JsonElement>();
        if (content.TryGetProperty("media", out var media)) entries.Add(media);
        else if (content.TryGetProperty("multiImage", out var multi) && multi.TryGetProperty("images", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            if (list.GetArrayLength() is < 2 or > 20)
                return ([], Error(422, "FIELD_INVALID", "ERROR :: /content/multiImage/images :: a MultiImage post takes 2 to 20 images", 0));
            entries.AddRange(list.EnumerateArray());
        }
        else return ([], Error(422, "FIELD_INVALID", "ERROR :: /content :: unknown content", 0));
        var images = new List<(string, string)>();
        foreach (var entry in entries)
        {
            var id = entry.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : "";
            var alt = entry.TryGetProperty("altText", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "";
            if (alt.Length > 4086)
                return ([], Error(422, "FIELD_INVALID", "ERROR :: /content/media/altText :: length exceeds 4086", 0));
            if (!_images.TryGetValue(id, out var image) || image.Bytes is null)
                return ([], Error(422, "FIELD_INVALID", $"ERROR :: /content/media/id :: {id} is not an uploaded image", 0));
            images.Add((id, alt));
        }
        return (images, null);
    }

    private FakeResponse CreatePost(RecordedRequest request)
    {
        if (VersionProblem(request) is { } problem) return problem;
        var version = request.Header("LinkedIn-Version")!;
        if (TryParseJson(request.Body) is not { ValueKind: JsonValueKind.Object } body)
            return Error(400, "INVALID_JSON", "Request body is not valid JSON", 0);

        string? Field(string name) => body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var author = Field("author");
        if (author is null) return Error(422, "FIELD_MISSING", "ERROR :: /author :: field is required but not found and has no default value", 0);
        if (author != AuthorUrn) return Error(403, "ACCESS_DENIED", $"Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields [/author] ({author})", 100);
        var commentary = Field("commentary");
        if (commentary is null) return Error(422, "FIELD_MISSING", "ERROR :: /commentary :: field is required but not found and has no default value", 0);
        if (commentary.Length > 3000) return Error(422, "FIELD_INVALID", "ERROR :: /commentary :: length of commentary exceeds 3000", 0);
        if (Field("visibility") is not ("PUBLIC" or "CONNECTIONS" or "LOGGED_IN" or "CONTAINER"))
            return Error(422, "FIELD_INVALID", "ERROR :: /visibility :: is not a valid visibility", 0);
        if (Field("lifecycleState") is not ("PUBLISHED" or "DRAFT"))
            return Error(422, "FIELD_INVALID", "ERROR :: /lifecycleState :: field is required", 0);
        if (!body.TryGetProperty("distribution", out var distribution) || distribution.ValueKind != JsonValueKind.Object
            || !distribution.TryGetProperty("feedDistribution", out var feed) || feed.GetString() is not ("MAIN_FEED" or "NONE"))
            return Error(422, "FIELD_INVALID", "ERROR :: /distribution/feedDistribution :: field is required", 0);

        lock (_posts)
        {
            var (video, title, videoRefused) = ContentVideo(body);
            if (videoRefused is not null) return videoRefused;
            var (images, refused) = video is null ? ContentImages(body) : ([], null);
            if (refused is not null) return refused;
            var post = new FakeLinkedInPost($"urn:li:share:{_next++}", author, commentary, Shown(commentary), version) { Images = images, Video = video?.Urn, VideoTitle = title };
            if (video is not null) video.UsedBy = post.Urn;
            _posts.Add(post);
            return new FakeResponse(201, null, new Dictionary<string, string> { ["x-restli-id"] = post.Urn });
        }
    }

    /// <summary>Renders little text the way LinkedIn shows it (URLs, #hashtags and @[Name](urn) mentions are markup it understands).</summary>
    public static string Shown(string little)
    {
        const string reserved = "\\|{}@[]()<>#*_~";
        var shown = new System.Text.StringBuilder();
        for (var i = 0; i < little.Length; i++)
        {
            var c = little[i];
            if (c == '\\' && i + 1 < little.Length) { shown.Append(little[++i]); continue; }
            var url = Url().Match(little, i);
            if (url.Success && url.Index == i) { shown.Append(url.Value); i += url.Length - 1; continue; }
            if (c == '#' && (i == 0 || char.IsWhiteSpace(little[i - 1])) && i + 1 < little.Length && char.IsLetterOrDigit(little[i + 1])) { shown.Append(c); continue; }
            var mention = Mention().Match(little, i);
            if (c == '@' && mention.Success && mention.Index == i) { shown.Append(mention.Groups["name"].Value); i += mention.Length - 1; continue; }
            if (reserved.Contains(c)) break;
            shown.Append(c);
        }
        return shown.ToString();
    }

    [GeneratedRegex(@"\Ghttps?://[^\s<>""]+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    [GeneratedRegex(@"\G@\[(?<name>[^\]]*)\]\((?<urn>urn:li:[^)]+)\)")]
    private static partial Regex Mention();

    private static FakeResponse Error(int status, string code, string message, int serviceErrorCode) =>
        FakeResponse.Json(status, new { status, serviceErrorCode, code, message });

    [GeneratedRegex(@"^\d{6}(\.\d{2})?$")]
    private static partial Regex Version();
}
