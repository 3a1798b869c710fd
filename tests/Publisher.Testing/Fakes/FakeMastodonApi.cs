using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Publisher.Testing.Fakes;

/// <summary>A status the fake Mastodon holds.</summary>
public sealed record FakeStatus(string Id, string Text, string? InReplyToId, string Visibility, string? IdempotencyKey)
{
    public IReadOnlyList<string> MediaIds { get; init; } = [];
}

/// <summary>A media attachment the fake Mastodon holds: its bytes, description, focus, and where processing is.</summary>
public sealed class FakeMastodonMedia(string id, string contentType, byte[] bytes)
{
    public string Id { get; } = id;
    public string ContentType { get; } = contentType;
    public byte[] Bytes { get; } = bytes;
    public string? Description { get; set; }
    public string? Focus { get; set; }
    /// <summary>The custom thumbnail sent with the file (<c>thumbnail</c>): its type and bytes, or null.</summary>
    public (string ContentType, byte[] Bytes)? Thumbnail { get; init; }
    /// <summary>GET answers 206 this many more times before 200.</summary>
    public int ChecksLeft { get; set; }
    public bool FailsProcessing { get; set; }
    public string? AttachedTo { get; set; }
    public bool Processed => ChecksLeft == 0 && !FailsProcessing;
}

/// <summary>
/// Fake Mastodon API: <c>POST /api/v1/statuses</c>, <c>GET /api/v1/statuses/:id</c> (with the counts set by
/// <see cref="SetCounts"/>) and <c>GET /api/v1/accounts/verify_credentials</c>. Checks the
/// Bearer token, that the status is not blank and at most 500 characters (every URL counts 23, as Mastodon
/// counts), that a reply's <c>in_reply_to_id</c> exists, and honours <c>Idempotency-Key</c>: the same key
/// returns the status made the first time and makes no new one. Media as https://docs.joinmastodon.org/methods/media/
/// documents them: <c>POST /api/v2/media</c> (multipart <c>file</c> with a MIME type that matches its bytes, an optional
/// <c>thumbnail</c> image checked the same way,
/// <c>description</c> up to 1,500 characters, <c>focus</c> "x,y" within -1..1) answers 200 for an image and 202 for a
/// video or GIF, which <c>GET /api/v1/media/:id</c> answers 206 until processed; <c>PUT /api/v1/media/:id</c> updates
/// the description; a status takes up to 4 <c>media_ids</c> that are the account's, processed and not yet attached.
/// </summary>
public sealed partial class FakeMastodonApi : FakeApiServer
{
    private readonly List<FakeStatus> _statuses = [];
    private readonly Dictionary<string, FakeStatus> _byKey = new(StringComparer.Ordinal);
    private long _nextId = 113_000_000_000_000_000;
    private readonly Dictionary<string, FakeMastodonMedia> _media = new(StringComparer.Ordinal);
    private long _nextMediaId = 114_000_000_000_000_000;

    public const int MaxImageBytes = 16 * 1024 * 1024;
    public const int MaxVideoBytes = 99 * 1024 * 1024;

    /// <summary>How many times GET answers 206 for a video or GIF before 200.</summary>
    public int ProcessingChecks { get; set; } = 1;

    /// <summary>Media uploaded from now on fail processing (GET answers 422).</summary>
    public bool FailProcessing { get; set; }

    public IReadOnlyDictionary<string, FakeMastodonMedia> Media
    {
        get { lock (_statuses) return new Dictionary<string, FakeMastodonMedia>(_media); }
    }

    /// <summary>Forgets an attachment, as Mastodon's clean-up does with media no status uses.</summary>
    public void RemoveMedia(string id)
    {
        lock (_statuses) _media.Remove(id);
    }

    public string AccessToken { get; init; } = "fake-mastodon-token";
    public string Username { get; init; } = "publisher";

    /// <summary>When set, every status's <c>url</c> in the answers is this, as a hostile or broken server could say.</summary>
    public string? StatusUrl { get; init; }

    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string> { ["access_token"] = AccessToken };

    public IReadOnlyList<FakeStatus> Statuses
    {
        get { lock (_statuses) return _statuses.ToList(); }
    }

    public override int PostCount => Statuses.Count;

    private readonly Dictionary<string, (int Favourites, int Reblogs, int Replies)> _counts = new(StringComparer.Ordinal);

    /// <summary>What the status's counts read from now on (as people like, boost and reply).</summary>
    public void SetCounts(string statusId, int favourites, int reblogs, int replies)
    {
        lock (_statuses) _counts[statusId] = (favourites, reblogs, replies);
    }

    /// <summary>Removes a status, as its author deleting it does: it then reads as 404.</summary>
    public void Delete(string statusId)
    {
        lock (_statuses) _statuses.RemoveAll(s => s.Id == statusId);
    }

    /// <summary>
    /// The instance's OAuth server (<c>/oauth/authorize</c>, <c>/oauth/token</c>, <c>/oauth/revoke</c>, clients
    /// authenticating in the form body), whose clients are registered with <c>POST /api/v1/apps</c>; the tokens it
    /// issues work for the API like <see cref="AccessToken"/>.
    /// </summary>
    public FakeAuthorizationServer Authorization { get; } = new("/oauth/authorize", "/oauth/token", "/oauth/revoke", basicClientAuthentication: false);

    /// <summary>The scopes an app may ask for, as Mastodon names them (its top-level and granular scopes).</summary>
    public static readonly IReadOnlySet<string> KnownScopes = new HashSet<string>(StringComparer.Ordinal)
    {
        "read", "write", "follow", "push", "profile", "read:accounts", "read:statuses", "read:notifications", "write:statuses", "write:media", "write:accounts",
    };

    protected override FakeResponse Respond(RecordedRequest request)
    {
        if (Authorization.Handle(request) is { } oauth)
            return oauth;
        if (request.Method == "POST" && request.Path.TrimEnd('/') == "/api/v1/apps")
            return RegisterApp(request);
        var bearer = BearerToken(request);
        if (bearer != AccessToken && !Authorization.IsValidAccessToken(bearer))
            return FakeResponse.Json(401, new { error = "The access token is invalid" });
        return (request.Method, request.Path.TrimEnd('/')) switch
        {
            ("POST", "/api/v1/statuses") => CreateStatus(request),
            ("GET", var path) when path.StartsWith("/api/v1/statuses/", StringComparison.Ordinal) => GetStatus(path["/api/v1/statuses/".Length..]),
            ("POST", "/api/v2/media") => UploadMedia(request),
            ("GET", var path) when path.StartsWith("/api/v1/media/", StringComparison.Ordinal) => GetMedia(path["/api/v1/media/".Length..]),
            ("PUT", var path) when path.StartsWith("/api/v1/media/", StringComparison.Ordinal) => UpdateMedia(request, path["/api/v1/media/".Length..]),
            ("GET", "/api/v1/accounts/verify_credentials") => FakeResponse.Json(200, new { id = "109000", username = Username, acct = Username, display_name = "Publisher" }),
            _ => FakeResponse.Json(404, new { error = "Record not found" }),
        };
    }

    /// <summary>
    /// <c>POST /api/v1/apps</c> as https://docs.joinmastodon.org/methods/apps/ documents it: <c>client_name</c> and
    /// <c>redirect_uris</c> required (absolute, one per line), <c>scopes</c> known ones only (default <c>read</c>).
    /// </summary>
    private FakeResponse RegisterApp(RecordedRequest request)
    {
        var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.Body).ToDictionary(p => p.Key, p => p.Value.ToString());
        if (!(request.Header("Content-Type") ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            return FakeResponse.Json(422, new { error = "Validation failed: the app's fields are sent as a form here" });
        if (form.GetValueOrDefault("client_name") is not { Length: > 0 } name)
            return FakeResponse.Json(422, new { error = "Validation failed: Application name can't be blank" });
        var redirects = (form.GetValueOrDefault("redirect_uris") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (redirects.Length == 0 || redirects.Any(r => !Uri.TryCreate(r, UriKind.Absolute, out _)))
            return FakeResponse.Json(422, new { error = "Validation failed: Redirect URI must be an absolute URI." });
        var scopes = (form.GetValueOrDefault("scopes") is { Length: > 0 } s ? s : "read").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (scopes.Any(scope => !KnownScopes.Contains(scope)))
            return FakeResponse.Json(422, new { error = "Validation failed: Scopes are invalid" });
        var id = $"{Authorization.Clients.Count + 1}";
        var clientId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var secret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        Authorization.Register(new FakeAuthorizationServer.Client(clientId, secret, redirects, scopes, name));
        return FakeResponse.Json(200, new { id, name, website = (string?)null, scopes, redirect_uri = string.Join("\n", redirects), redirect_uris = redirects, client_id = clientId, client_secret = secret });
    }

    private FakeResponse CreateStatus(RecordedRequest request)
    {
        var fields = new Dictionary<string, string?>();
        var contentType = request.Header("Content-Type") ?? "";
        if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            if (TryParseJson(request.Body) is not { ValueKind: JsonValueKind.Object } body)
                return FakeResponse.Json(400, new { error = "Error while parsing request body" });
            foreach (var property in body.EnumerateObject())
                fields[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => property.Value.GetRawText(),
                };
        }
        else if (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var (name, value) in Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.Body))
                fields[name] = value.ToString();
        }
        else
        {
            return FakeResponse.Json(415, new { error = "Unsupported media type" });
        }

        var key = request.Header("Idempotency-Key");
        lock (_statuses)
        {
            if (key is not null && _byKey.TryGetValue(key, out var earlier))
                return FakeResponse.Json(200, View(earlier));

            var text = fields.GetValueOrDefault("status");
            if (string.IsNullOrWhiteSpace(text))
                return FakeResponse.Json(422, new { error = "Validation failed: Text can't be blank" });
            if (CountedLength(text) > 500)
                return FakeResponse.Json(422, new { error = "Validation failed: Text character limit of 500 exceeded" });
            var visibility = fields.GetValueOrDefault("visibility") ?? "public";
            if (visibility is not ("public" or "unlisted" or "private" or "direct"))
                return FakeResponse.Json(422, new { error = "Validation failed: Visibility is not included in the list" });
            var inReplyTo = fields.GetValueOrDefault("in_reply_to_id");
            if (inReplyTo is not null && _statuses.All(s => s.Id != inReplyTo))
                return FakeResponse.Json(404, new { error = "Record not found" });

            var mediaIds = new List<string>();
            if (fields.GetValueOrDefault("media_ids") is { } idsJson)
            {
                if (TryParseJson(idsJson) is not { ValueKind: JsonValueKind.Array } ids || ids.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.String))
                    return FakeResponse.Json(422, new { error = "Validation failed: media_ids must be an array of ids" });
                mediaIds = ids.EnumerateArray().Select(i => i.GetString()!).ToList();
                if (mediaIds.Count > 4)
                    return FakeResponse.Json(422, new { error = "Validation failed: Media attachments: You cannot attach more than 4 files" });
                foreach (var id in mediaIds)
                {
                    if (!_media.TryGetValue(id, out var medium) || medium.AttachedTo is not null)
                        return FakeResponse.Json(422, new { error = $"Validation failed: media {id} was not found or is already attached" });
                    if (!medium.Processed)
                        return FakeResponse.Json(422, new { error = "Validation failed: Cannot attach files that have not finished processing. Try again in a moment!" });
                }
                if (mediaIds.Count > 1 && mediaIds.Any(id => _media[id].ContentType.StartsWith("video/", StringComparison.Ordinal)))
                    return FakeResponse.Json(422, new { error = "Validation failed: Media attachments: You cannot attach a video to a post that already contains images" });
            }
            var status = new FakeStatus((_nextId++).ToString(CultureInfo.InvariantCulture), text, inReplyTo, visibility, key) { MediaIds = mediaIds };
            foreach (var id in mediaIds) _media[id].AttachedTo = status.Id;
            _statuses.Add(status);
            if (key is not null) _byKey[key] = status;
            return FakeResponse.Json(200, View(status));
        }
    }

    private FakeResponse UploadMedia(RecordedRequest request)
    {
        if (request.Parts is not { Count: > 0 } parts)
            return FakeResponse.Json(422, new { error = "Validation failed: File can't be blank" });
        foreach (var part in parts)
            if (part.Name is not ("file" or "thumbnail" or "description" or "focus"))
                return FakeResponse.Json(422, new { error = $"Unknown parameter: {part.Name}" });
        if (parts.SingleOrDefault(p => p.Name == "file") is not { IsFile: true } file || file.ContentType is null)
            return FakeResponse.Json(422, new { error = "Validation failed: File can't be blank, File content type is invalid" });
        var sniffed = Sniff(file.Bytes);
        if (sniffed is null || !string.Equals(sniffed, file.ContentType, StringComparison.OrdinalIgnoreCase))
            return FakeResponse.Json(422, new { error = "Validation failed: File content type is invalid, File is invalid" });
        var video = sniffed.StartsWith("video/", StringComparison.Ordinal);
        if (file.Bytes.Length > (video ? MaxVideoBytes : MaxImageBytes))
            return FakeResponse.Json(422, new { error = $"Validation failed: File file size must be less than {(video ? 99 : 16)} MB" });
        var description = request.Field("description");
        if (description is { Length: > 1500 })
            return FakeResponse.Json(422, new { error = "Validation failed: Description is too long (maximum is 1500 characters)" });
        var focus = request.Field("focus");
        if (focus is not null && FocusProblem(focus) is { } bad) return bad;
        // Mastodon validates a thumbnail as an image attachment of its own: an image type its bytes bear out, under the image limit.
        var thumbnail = parts.Where(p => p.Name == "thumbnail").ToList();
        if (thumbnail.Count > 1 || thumbnail is [{ IsFile: false }])
            return FakeResponse.Json(422, new { error = "Validation failed: Thumbnail must be one file" });
        if (thumbnail is [var thumb] && (Sniff(thumb.Bytes) is not { } thumbType || !thumbType.StartsWith("image/", StringComparison.Ordinal)
            || !string.Equals(thumbType, thumb.ContentType, StringComparison.OrdinalIgnoreCase)))
            return FakeResponse.Json(422, new { error = "Validation failed: Thumbnail content type is invalid" });
        if (thumbnail is [var big] && big.Bytes.Length > MaxImageBytes)
            return FakeResponse.Json(422, new { error = "Validation failed: Thumbnail file size must be less than 16 MB" });
        lock (_statuses)
        {
            var animated = video || sniffed == "image/gif";
            var medium = new FakeMastodonMedia((_nextMediaId++).ToString(CultureInfo.InvariantCulture), sniffed, file.Bytes)
            {
                Description = description, Focus = focus,
                Thumbnail = thumbnail is [var sent] ? (sent.ContentType!, sent.Bytes) : null,
                ChecksLeft = animated ? ProcessingChecks : 0, FailsProcessing = animated && FailProcessing,
            };
            _media[medium.Id] = medium;
            return FakeResponse.Json(medium.ChecksLeft > 0 || medium.FailsProcessing ? 202 : 200, MediaView(medium));
        }
    }

    private FakeResponse GetMedia(string id)
    {
        lock (_statuses)
        {
            if (!_media.TryGetValue(id, out var medium)) return FakeResponse.Json(404, new { error = "Record not found" });
            if (medium.ChecksLeft > 0)
            {
                medium.ChecksLeft--;
                return new FakeResponse(206, "");
            }
            return medium.FailsProcessing
                ? FakeResponse.Json(422, new { error = "Validation failed: File could not be processed" })
                : FakeResponse.Json(200, MediaView(medium));
        }
    }

    private FakeResponse UpdateMedia(RecordedRequest request, string id)
    {
        var fields = (request.Header("Content-Type") ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            ? Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.Body).ToDictionary(p => p.Key, p => p.Value.ToString())
            : request.Parts?.ToDictionary(p => p.Name, p => System.Text.Encoding.UTF8.GetString(p.Bytes));
        if (fields is null) return FakeResponse.Json(415, new { error = "Unsupported media type" });
        if (fields.GetValueOrDefault("focus") is { } focus && FocusProblem(focus) is { } bad) return bad;
        lock (_statuses)
        {
            if (!_media.TryGetValue(id, out var medium) || medium.AttachedTo is not null) return FakeResponse.Json(404, new { error = "Record not found" });
            if (fields.TryGetValue("description", out var description)) medium.Description = description;
            if (fields.TryGetValue("focus", out var newFocus)) medium.Focus = newFocus;
            return FakeResponse.Json(medium.Processed ? 200 : 206, MediaView(medium));
        }
    }

    private static FakeResponse? FocusProblem(string focus)
    {
        var xy = focus.Split(',');
        return xy.Length == 2 && xy.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d is >= -1 and <= 1)
            ? null
            : FakeResponse.Json(422, new { error = "Validation failed: focus must be two numbers from -1.0 to 1.0, comma-delimited" });
    }

    private object MediaView(FakeMastodonMedia medium) => new
    {
        id = medium.Id,
        type = medium.ContentType.StartsWith("video/", StringComparison.Ordinal) ? "video" : medium.ContentType == "image/gif" ? "gifv" : "image",
        url = medium.Processed ? new Uri(BaseUri, $"media_attachments/{medium.Id}/original").ToString() : null,
        preview_url = new Uri(BaseUri, $"media_attachments/{medium.Id}/small").ToString(),
        description = medium.Description,
    };

    private FakeResponse GetStatus(string id)
    {
        lock (_statuses)
            return _statuses.FirstOrDefault(s => s.Id == id) is { } status
                ? FakeResponse.Json(200, View(status))
                : FakeResponse.Json(404, new { error = "Record not found" });
    }

    private object View(FakeStatus status)
    {
        var (favourites, reblogs, replies) = _counts.GetValueOrDefault(status.Id);
        return View(status, favourites, reblogs, replies);
    }

    private object View(FakeStatus status, int favourites, int reblogs, int replies) => new
    {
        favourites_count = favourites,
        reblogs_count = reblogs,
        replies_count = replies,
        id = status.Id,
        created_at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        in_reply_to_id = status.InReplyToId,
        visibility = status.Visibility,
        uri = new Uri(BaseUri, $"users/{Username}/statuses/{status.Id}").ToString(),
        url = StatusUrl ?? new Uri(BaseUri, $"@{Username}/{status.Id}").ToString(),
        content = "<p>" + WebUtility.HtmlEncode(status.Text) + "</p>",
        account = new { id = "109000", username = Username, acct = Username },
    };

    private static int CountedLength(string text) =>
        new StringInfo(Url().Replace(text, new string('x', 23))).LengthInTextElements;

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Url();
}
