using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Publisher.Testing.Fakes;

/// <summary>A record the fake PDS holds.</summary>
public sealed record FakeRecord(string Uri, string Cid, string Rkey, string Text, JsonElement Value);

/// <summary>
/// Fake Bluesky PDS: <c>com.atproto.server.createSession</c>, <c>com.atproto.repo.createRecord</c>,
/// <c>com.atproto.repo.getRecord</c>, <c>com.atproto.identity.resolveHandle</c> and <c>app.bsky.feed.getPosts</c> (as the
/// PDS proxies it to the AppView: a valid session, 1 to 25 <c>at://</c> URIs, counts set by <see cref="SetCounts"/>). Checks the session JWT, the
/// repo, a TID record key, the record's <c>$type</c>, text (≤ 300 graphemes, ≤ 3000 bytes), <c>createdAt</c>, the
/// shape of facets and reply refs. Errors are XRPC's <c>{"error","message"}</c>. Where it once differed from
/// Bluesky's own PDS (tests/bluesky-pds, run against the same tests), it answers as that server does: a taken
/// record key is a 500, a missing key is made up, facet ranges past the text and replies to records it does not
/// hold are accepted, createSession is limited to 30 tries per identifier in 5 minutes.
/// <c>com.atproto.repo.uploadBlob</c> takes raw bytes (https://atproto.com/guides/blob-lifecycle) and answers a blob
/// object named by its real CID, its type sniffed from the bytes; <c>com.atproto.sync.getBlob</c> serves a blob once a
/// record uses it. A record's embed (<c>app.bsky.embed.images</c>, <c>.video</c>, <c>.external</c>) is checked against
/// the lexicons (at most 4 images with alt text, image/* of at most 1,000,000 bytes, one MP4 video of at most
/// 100,000,000 bytes, a thumbnail image of at most 1,000,000 bytes), then each blob against the upload: BlobNotFound,
/// InvalidMimeType, InvalidSize. What the real PDS showed (BlueskyFakeFidelityTests compares them) and the fake once
/// did otherwise: the PDS does not refuse a body whose bytes differ from its Content-Type but stores the type it
/// sniffs (an empty or JSON body too, refused only when a record embeds it); it takes a chunked body; an upload over
/// its limit is a 413 PayloadTooLarge; blob CIDs are CIDv1 raw SHA-256; an images embed may hold no image and an
/// embed of an unknown type is stored as sent. The one place the fake stays stricter: the PDS compares a blob's
/// mimeType and size only the first time a record uses it, the fake every time.
/// </summary>
public sealed partial class FakeBlueskyPds : FakeApiServer
{
    private readonly Dictionary<string, FakeRecord> _records = new(StringComparer.Ordinal);
    private readonly List<FakeRecord> _created = [];
    private readonly HashSet<string> _sessions = [];
    private readonly HashSet<string> _expired = [];
    private readonly Dictionary<string, DateTimeOffset?> _refreshTokens = new(StringComparer.Ordinal); // token → first used
    private readonly HashSet<string> _expiredRefreshTokens = [];
    private readonly Dictionary<string, List<DateTimeOffset>> _signIns = new(StringComparer.Ordinal);
    private long _lastTid;
    private readonly Dictionary<string, (string MimeType, byte[] Bytes)> _blobs = new(StringComparer.Ordinal);

    public const int MaxImageBytes = 1_000_000;
    public const int MaxVideoBytes = 100_000_000;

    /// <summary>
    /// The largest body uploadBlob takes: a server setting (PDS_BLOB_UPLOAD_LIMIT; the PDS software's default is
    /// 5 MiB), here bsky.social's room for a video of <see cref="MaxVideoBytes"/>.
    /// </summary>
    public long UploadLimit { get; init; } = MaxVideoBytes;

    /// <summary>Blobs uploaded, by CID.</summary>
    public IReadOnlyDictionary<string, (string MimeType, byte[] Bytes)> Blobs
    {
        get { lock (_records) return new Dictionary<string, (string, byte[])>(_blobs); }
    }

    /// <summary>Forgets the blobs no record uses, as a PDS's garbage collection does after a while.</summary>
    public void CollectUnreferencedBlobs()
    {
        lock (_records)
            foreach (var cid in _blobs.Keys.ToList())
                if (!IsReferenced(cid))
                    _blobs.Remove(cid);
    }

    public string Handle { get; init; } = "publisher.bsky.social";
    public string Did { get; init; } = "did:plc:fakepublisher0000000000";
    public string AppPassword { get; init; } = "abcd-efgh-ijkl-mnop";

    /// <summary>Other accounts' handles the PDS can resolve (for mention facets).</summary>
    public Dictionary<string, string> KnownHandles { get; } = new(StringComparer.OrdinalIgnoreCase) { ["alice.bsky.social"] = "did:plc:alice00000000000000000" };

    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string> { ["identifier"] = Handle, ["app_password"] = AppPassword };

    /// <summary>The records made, in order.</summary>
    public IReadOnlyList<FakeRecord> Records
    {
        get { lock (_records) return _created.ToList(); }
    }

    public override int PostCount => Records.Count;

    /// <summary>How many sessions createSession has handed out.</summary>
    public int SessionCount
    {
        get { lock (_sessions) return _sessions.Count + _expired.Count; }
    }

    /// <summary>
    /// Lets every access token handed out so far expire, as they do after two hours; with
    /// <paramref name="refreshTokensToo"/> also the refresh tokens, as after 90 days.
    /// </summary>
    public void ExpireSessions(bool refreshTokensToo = false)
    {
        lock (_sessions)
        {
            _expired.UnionWith(_sessions);
            _sessions.Clear();
            if (!refreshTokensToo) return;
            _expiredRefreshTokens.UnionWith(_refreshTokens.Keys);
            _refreshTokens.Clear();
        }
    }

    protected override FakeResponse Respond(RecordedRequest request) => (request.Method, request.Path) switch
    {
        ("POST", "/xrpc/com.atproto.server.createSession") => CreateSession(request),
        ("POST", "/xrpc/com.atproto.server.refreshSession") => RefreshSession(request),
        ("POST", "/xrpc/com.atproto.repo.createRecord") => Authorized(request) ?? CreateRecord(request),
        ("POST", "/xrpc/com.atproto.repo.uploadBlob") => Authorized(request) ?? UploadBlob(request),
        ("GET", "/xrpc/com.atproto.repo.getRecord") => GetRecord(request),
        ("GET", "/xrpc/com.atproto.sync.getBlob") => GetBlob(request),
        ("GET", "/xrpc/com.atproto.identity.resolveHandle") => ResolveHandle(request),
        ("GET", "/xrpc/app.bsky.feed.getPosts") => Authorized(request) ?? GetPosts(request),
        ("POST", "/xrpc/com.atproto.server.deleteSession") => DeleteSession(request),
        ("GET", var path) when path == "/" + Did => DidDocument(),
        _ => Error(404, "MethodNotImplemented", "Method Not Implemented"),
    };

    private FakeResponse CreateSession(RecordedRequest request)
    {
        if (TryParseJson(request.Body) is not { ValueKind: JsonValueKind.Object } body)
            return Error(400, "InvalidRequest", "Request body must be a JSON object");
        if (!body.TryGetProperty("identifier", out var identifier) || identifier.ValueKind != JsonValueKind.String)
            return Error(400, "InvalidRequest", "Missing required key \"identifier\" at $");
        if (!body.TryGetProperty("password", out var password) || password.ValueKind != JsonValueKind.String)
            return Error(400, "InvalidRequest", "Missing required key \"password\" at $");
        if (RateLimited(identifier.GetString()!) is { } limited) return limited;
        if (identifier.GetString() != Handle && identifier.GetString() != Did)
            return Error(401, "AuthenticationRequired", "Invalid identifier or password");
        // The account's own password works too, unless the account has email sign-in codes on: then the PDS asks for
        // the code (an app password never needs one).
        if (password.GetString() == AccountPassword && EmailTwoFactor)
            return Error(401, "AuthFactorTokenRequired", "A sign in code has been sent to your email address");
        if (password.GetString() != AppPassword && password.GetString() != AccountPassword)
            return Error(401, "AuthenticationRequired", "Invalid identifier or password");
        return NewSession();
    }

    private FakeResponse NewSession()
    {
        var (access, refresh) = (Jwt("at+jwt"), Jwt("refresh+jwt"));
        lock (_sessions)
        {
            _sessions.Add(access);
            _refreshTokens.Add(refresh, null);
        }
        return FakeResponse.Json(200, new { accessJwt = access, refreshJwt = refresh, handle = Handle, did = Did, active = true });
    }

    /// <summary>
    /// A new access and refresh token for a refresh token. The PDS rotates them but accepts a used one again for two
    /// hours (a client that lost the answer can try again), so this does too.
    /// </summary>
    private FakeResponse RefreshSession(RecordedRequest request)
    {
        var token = BearerToken(request);
        if (token is null) return Error(401, "AuthMissing", "Authentication Required");
        lock (_sessions)
        {
            if (_expiredRefreshTokens.Contains(token)) return Error(400, "ExpiredToken", "Token has expired");
            if (!_refreshTokens.TryGetValue(token, out var used) || used < DateTimeOffset.UtcNow - TimeSpan.FromHours(2))
                return Error(400, "InvalidToken", "Token could not be verified");
            _refreshTokens[token] = used ?? DateTimeOffset.UtcNow;
        }
        return NewSession();
    }

    /// <summary>Ends the session a refresh token belongs to: the token is refused from then on.</summary>
    private FakeResponse DeleteSession(RecordedRequest request)
    {
        var token = BearerToken(request);
        if (token is null) return Error(401, "AuthMissing", "Authentication Required");
        lock (_sessions)
        {
            if (!_refreshTokens.Remove(token)) return Error(400, "InvalidToken", "Token could not be verified");
            _expiredRefreshTokens.Add(token);
            _deletedSessions++;
        }
        return new FakeResponse(200, "");
    }

    /// <summary>
    /// The account's DID document as the PLC directory serves it at <c>/{did}</c> (the fake is its own PLC directory):
    /// the handle in alsoKnownAs and this server as the account's PDS.
    /// </summary>
    private FakeResponse DidDocument() => FakeResponse.Json(200, new Dictionary<string, object>
    {
        ["@context"] = new[] { "https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1" },
        ["id"] = Did,
        ["alsoKnownAs"] = new[] { "at://" + Handle },
        ["verificationMethod"] = Array.Empty<object>(),
        ["service"] = new[] { new { id = "#atproto_pds", type = "AtprotoPersonalDataServer", serviceEndpoint = BaseUri.AbsoluteUri.TrimEnd('/') } },
    });

    private int _deletedSessions;

    /// <summary>How many sessions deleteSession ended.</summary>
    public int DeletedSessions
    {
        get { lock (_sessions) return _deletedSessions; }
    }

    /// <summary>The account's own password (which Publisher should never be given).</summary>
    public string AccountPassword { get; init; } = "correct horse battery staple";

    /// <summary>The account has email sign-in codes on: its own password answers AuthFactorTokenRequired.</summary>
    public bool EmailTwoFactor { get; init; }

    private FakeResponse? Authorized(RecordedRequest request)
    {
        var token = BearerToken(request);
        if (token is null) return Error(401, "AuthMissing", "Authentication Required");
        lock (_sessions)
            return _sessions.Contains(token) ? null
                : _expired.Contains(token) ? Error(400, "ExpiredToken", "Token has expired")
                : Error(400, "InvalidToken", "Token could not be verified");
    }

    private FakeResponse CreateRecord(RecordedRequest request)
    {
        if (TryParseJson(request.Body) is not { ValueKind: JsonValueKind.Object } body)
            return Error(400, "InvalidRequest", "Request body must be JSON");
        var repo = String(body, "repo");
        if (repo != Did && repo != Handle) return Error(400, "InvalidRequest", "Could not find repo: " + repo);
        if (String(body, "collection") != "app.bsky.feed.post") return Error(400, "InvalidRequest", "Unsupported collection in this fake: " + String(body, "collection"));
        var rkey = String(body, "rkey") ?? NextTid();
        if (!Tid().IsMatch(rkey)) return Error(400, "InvalidRequest", $"Invalid record key for app.bsky.feed.post: Invalid TID string (got \"{rkey}\") at $");
        if (!body.TryGetProperty("record", out var record) || record.ValueKind != JsonValueKind.Object)
            return Error(400, "InvalidRequest", "Input must have the property \"record\"");
        if (ValidatePost(record) is { } invalid) return Error(400, "InvalidRequest", "Invalid app.bsky.feed.post record: " + invalid);
        var embed = record.TryGetProperty("embed", out var e) ? e : (JsonElement?)null;
        if (embed is { } toCheck && ValidateEmbed(toCheck) is { } badEmbed)
            return Error(400, "InvalidRequest", "Invalid app.bsky.feed.post record: " + badEmbed);

        lock (_records)
        {
            // The PDS's repository refuses a second value at the key, and the PDS answers that as an internal error.
            if (_records.ContainsKey(rkey)) return Error(500, "InternalServerError", "Internal Server Error");
            // Only the shape of a reply is checked: the PDS does not look the records up.
            if (record.TryGetProperty("reply", out var reply))
                foreach (var which in new[] { "root", "parent" })
                    if (!reply.TryGetProperty(which, out var reference) || String(reference, "uri") is not { } uri || !uri.StartsWith("at://", StringComparison.Ordinal) || String(reference, "cid") is null)
                        return Error(400, "InvalidRequest", $"Invalid app.bsky.feed.post record: Record/reply/{which} must be a strong ref (uri and cid) at $.record.reply.{which}");
            if (embed is { } referencing && BlobReferenceProblem(referencing) is { } blobProblem) return blobProblem;
            var stored = new FakeRecord($"at://{Did}/app.bsky.feed.post/{rkey}", Cid(record.GetRawText()), rkey, String(record, "text")!, record.Clone());
            _records[rkey] = stored;
            _created.Add(stored);
            return FakeResponse.Json(200, new { uri = stored.Uri, cid = stored.Cid, commit = new { cid = Cid(stored.Uri), rev = rkey }, validationStatus = "valid" });
        }
    }

    /// <summary>
    /// Stores the raw bytes as Bluesky's PDS does: the type is sniffed from the bytes and the declared Content-Type
    /// only stands in when the bytes say nothing (so a PNG sent as image/jpeg is stored as image/png, and JSON or a
    /// multipart body is stored as what it claims to be, to be refused when a record embeds it); the CID is that of
    /// the raw bytes. A body over the server's upload limit is a 413 before anything is stored.
    /// </summary>
    private FakeResponse UploadBlob(RecordedRequest request)
    {
        var declared = request.Header("Content-Type")?.Split(';')[0].Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(declared))
            return Error(400, "InvalidRequest", "Request encoding (Content-Type) required but not provided");
        if (request.BodyBytes.Length > UploadLimit)
            return Error(413, "PayloadTooLarge", "request entity too large");
        var mimeType = Sniff(request.BodyBytes) ?? declared;
        var cid = BlobCid(request.BodyBytes);
        lock (_records) _blobs[cid] = (mimeType, request.BodyBytes);
        return FakeResponse.Json(200, new { blob = new Dictionary<string, object> { ["$type"] = "blob", ["ref"] = new Dictionary<string, string> { ["$link"] = cid }, ["mimeType"] = mimeType, ["size"] = request.BodyBytes.Length } });
    }

    /// <summary>
    /// The CID of a blob as the PDS names it: CIDv1, the raw codec (0x55), a SHA-256 multihash (0x12, 32 bytes),
    /// written in lowercase base32 after the multibase prefix "b" (https://github.com/multiformats/cid).
    /// </summary>
    public static string BlobCid(ReadOnlySpan<byte> bytes)
    {
        Span<byte> cid = stackalloc byte[4 + 32];
        cid[0] = 0x01;
        cid[1] = 0x55;
        cid[2] = 0x12;
        cid[3] = 0x20;
        SHA256.HashData(bytes, cid[4..]);
        var text = new StringBuilder("b", 1 + (cid.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in cid)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append("abcdefghijklmnopqrstuvwxyz234567"[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) text.Append("abcdefghijklmnopqrstuvwxyz234567"[(buffer << (5 - bits)) & 31]);
        return text.ToString();
    }

    /// <summary>
    /// A blob's bytes, served only once a record references it (the PDS answers "Blob not found" for one that is
    /// still waiting to be used).
    /// </summary>
    private FakeResponse GetBlob(RecordedRequest request)
    {
        var query = Query(request);
        if (query.GetValueOrDefault("did") is not { } did || query.GetValueOrDefault("cid") is not { } cid)
            return Error(400, "InvalidRequest", "Params must have the properties \"did\" and \"cid\"");
        if (did != Did) return Error(400, "RepoNotFound", $"Could not find repo for DID: {did}");
        lock (_records)
            return _blobs.TryGetValue(cid, out var blob) && IsReferenced(cid)
                ? new FakeResponse(200, null, new Dictionary<string, string> { ["Content-Type"] = blob.MimeType }) { BodyBytes = blob.Bytes }
                : Error(400, "InvalidRequest", "Blob not found");
    }

    /// <summary>Whether a record made here embeds the blob; call under the records lock.</summary>
    private bool IsReferenced(string cid) => _created.Any(r => r.Value.GetRawText().Contains($"\"{cid}\"", StringComparison.Ordinal));

    /// <summary>
    /// Checks an embed as the lexicons define it (the blob objects' shape, accepted types and sizes as declared), as
    /// the PDS validates a record before it looks at any blob. Embeds are an open union: a type from another lexicon
    /// is stored as sent, and the images lexicon sets no least number of images.
    /// </summary>
    private static string? ValidateEmbed(JsonElement embed)
    {
        switch (String(embed, "$type"))
        {
            case "app.bsky.embed.images":
                if (!embed.TryGetProperty("images", out var images) || images.ValueKind != JsonValueKind.Array)
                    return "Missing required key \"images\" at $.record.embed";
                if (images.GetArrayLength() > 4) return $"array too big (maximum 4, got {images.GetArrayLength()}) at $.record.embed.images";
                var i = 0;
                foreach (var image in images.EnumerateArray())
                {
                    if (String(image, "alt") is null) return $"Missing required key \"alt\" at $.record.embed.images[{i}]";
                    if (BlobProblem(image, "image", "image/", MaxImageBytes) is { } problem) return $"{problem} at $.record.embed.images[{i}].image";
                    if (AspectRatioProblem(image) is { } ratio) return $"{ratio} at $.record.embed.images[{i}].aspectRatio";
                    i++;
                }
                return null;
            case "app.bsky.embed.video":
                if (BlobProblem(embed, "video", "video/mp4", MaxVideoBytes) is { } videoProblem) return videoProblem + " at $.record.embed.video";
                if (embed.TryGetProperty("alt", out var alt) && (alt.ValueKind != JsonValueKind.String || new StringInfo(alt.GetString()!).LengthInTextElements > 1000))
                    return "alt must be a string of at most 1000 graphemes at $.record.embed.alt";
                return AspectRatioProblem(embed) is { } videoRatio ? videoRatio + " at $.record.embed.aspectRatio" : null;
            case "app.bsky.embed.external":
                if (!embed.TryGetProperty("external", out var external) || external.ValueKind != JsonValueKind.Object)
                    return "Missing required key \"external\" at $.record.embed";
                foreach (var key in new[] { "uri", "title", "description" })
                    if (String(external, key) is null) return $"Missing required key \"{key}\" at $.record.embed.external";
                if (!Uri.TryCreate(String(external, "uri"), UriKind.Absolute, out _)) return $"Invalid uri (got \"{String(external, "uri")}\") at $.record.embed.external.uri";
                return external.TryGetProperty("thumb", out _) && BlobProblem(external, "thumb", "image/", MaxImageBytes) is { } thumbProblem
                    ? thumbProblem + " at $.record.embed.external.thumb" : null;
            default:
                return null;
        }
    }

    /// <summary>A blob object's shape, type and declared size against the lexicon (nothing looked up yet).</summary>
    private static string? BlobProblem(JsonElement parent, string name, string mimePrefix, int maxBytes)
    {
        if (!parent.TryGetProperty(name, out var blob) || blob.ValueKind != JsonValueKind.Object || String(blob, "$type") != "blob"
            || !blob.TryGetProperty("ref", out var reference) || String(reference, "$link") is null
            || String(blob, "mimeType") is not { } mimeType || !blob.TryGetProperty("size", out var size) || !size.TryGetInt64(out var bytes))
            return "Expected blob ($type, ref.$link, mimeType, size)";
        if (!mimeType.StartsWith(mimePrefix, StringComparison.Ordinal)) return $"Expected \"{mimePrefix}{(mimePrefix.EndsWith('/') ? "*" : "")}\" (got \"{mimeType}\")";
        return bytes > maxBytes ? $"blob too big (maximum {maxBytes}, got {bytes})" : null;
    }

    /// <summary>
    /// The blobs a valid embed references, each against what was uploaded, in the PDS's order and words: one it does
    /// not have, then a mimeType or size other than the stored blob's. Call under the records lock.
    /// </summary>
    private FakeResponse? BlobReferenceProblem(JsonElement embed)
    {
        IEnumerable<JsonElement> Blobs()
        {
            switch (String(embed, "$type"))
            {
                case "app.bsky.embed.images":
                    foreach (var image in embed.GetProperty("images").EnumerateArray()) yield return image.GetProperty("image");
                    break;
                case "app.bsky.embed.video":
                    yield return embed.GetProperty("video");
                    break;
                case "app.bsky.embed.external" when embed.GetProperty("external").TryGetProperty("thumb", out var thumb):
                    yield return thumb;
                    break;
            }
        }
        foreach (var blob in Blobs())
        {
            var cid = String(blob.GetProperty("ref"), "$link")!;
            var (mimeType, size) = (String(blob, "mimeType")!, blob.GetProperty("size").GetInt64());
            if (!_blobs.TryGetValue(cid, out var stored)) return Error(400, "BlobNotFound", $"Could not find blob: {cid}");
            if (stored.MimeType != mimeType)
                return Error(400, "InvalidMimeType", $"Referenced Mimetype does not match stored blob. Expected: {stored.MimeType}, Got: {mimeType}");
            if (stored.Bytes.Length != size)
                return Error(400, "InvalidSize", $"Referenced Size does not match stored blob. Expected: {stored.Bytes.Length}, Got: {size}");
        }
        return null;
    }

    private static string? AspectRatioProblem(JsonElement parent)
    {
        if (!parent.TryGetProperty("aspectRatio", out var ratio)) return null;
        return ratio.ValueKind == JsonValueKind.Object && ratio.TryGetProperty("width", out var w) && w.TryGetInt32(out var width) && width >= 1
            && ratio.TryGetProperty("height", out var h) && h.TryGetInt32(out var height) && height >= 1
            ? null : "integer too small (minimum 1): width and height must be whole numbers of at least 1";
    }

    private FakeResponse GetRecord(RecordedRequest request)
    {
        var query = Query(request);
        var repo = query.GetValueOrDefault("repo");
        var rkey = query.GetValueOrDefault("rkey");
        if (repo is null || rkey is null || query.GetValueOrDefault("collection") is not { } collection)
            return Error(400, "InvalidRequest", "Params must have the properties \"repo\", \"collection\" and \"rkey\"");
        if (repo != Did && repo != Handle) return Error(400, "InvalidRequest", "Could not find repo: " + repo);
        lock (_records)
            return collection == "app.bsky.feed.post" && _records.TryGetValue(rkey, out var found)
                ? FakeResponse.Json(200, new { uri = found.Uri, cid = found.Cid, value = found.Value })
                : Error(400, "RecordNotFound", $"Could not locate record: at://{Did}/{collection}/{rkey}");
    }

    private readonly Dictionary<string, (int Likes, int Reposts, int Replies, int Quotes)> _counts = new(StringComparer.Ordinal);

    /// <summary>What the post's counts read from now on.</summary>
    public void SetCounts(string uri, int likes, int reposts, int replies, int quotes)
    {
        lock (_records) _counts[uri] = (likes, reposts, replies, quotes);
    }

    /// <summary>Posts by URI; URIs the AppView does not know are left out of the answer, not an error.</summary>
    private FakeResponse GetPosts(RecordedRequest request)
    {
        var uris = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString).TryGetValue("uris", out var values)
            ? values.Select(v => v ?? "").ToList()
            : [];
        if (uris.Count == 0) return Error(400, "InvalidRequest", "Error: Params must have the property \"uris\"");
        if (uris.Count > 25) return Error(400, "InvalidRequest", "Error: uris must not have more than 25 elements");
        if (uris.FirstOrDefault(u => !u.StartsWith("at://", StringComparison.Ordinal)) is { } bad)
            return Error(400, "InvalidRequest", $"Error: uris/0 must be a valid at-uri ({bad})");
        lock (_records)
        {
            var posts = uris.Select(u => _records.Values.FirstOrDefault(r => r.Uri == u)).OfType<FakeRecord>().Select(r =>
            {
                var (likes, reposts, replies, quotes) = _counts.GetValueOrDefault(r.Uri);
                return new
                {
                    uri = r.Uri, cid = r.Cid, author = new { did = Did, handle = Handle }, record = r.Value,
                    replyCount = replies, repostCount = reposts, likeCount = likes, quoteCount = quotes,
                    indexedAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                };
            }).ToList();
            return FakeResponse.Json(200, new { posts });
        }
    }

    private FakeResponse ResolveHandle(RecordedRequest request)
    {
        var handle = Query(request).GetValueOrDefault("handle") ?? "";
        if (string.Equals(handle, Handle, StringComparison.OrdinalIgnoreCase)) return FakeResponse.Json(200, new { did = Did });
        return KnownHandles.TryGetValue(handle, out var did)
            ? FakeResponse.Json(200, new { did })
            : Error(400, "InvalidRequest", "Unable to resolve handle");
    }

    private static string? ValidatePost(JsonElement record)
    {
        if (String(record, "$type") != "app.bsky.feed.post") return "Record/$type must be app.bsky.feed.post";
        var text = String(record, "text");
        if (text is null) return "Record/text must be a string";
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > 3000) return $"string too long (maximum 3000, got {bytes}) at $.record.text";
        if (new StringInfo(text).LengthInTextElements is > 300 and var graphemes) return $"grapheme too big (maximum 300, got {graphemes}) at $.record.text";
        if (String(record, "createdAt") is not { } createdAt
            || !Datetime().IsMatch(createdAt)
            || !DateTimeOffset.TryParse(createdAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            return $"Invalid datetime (got {JsonSerializer.Serialize(String(record, "createdAt"))}) at $.record.createdAt";
        if (record.TryGetProperty("facets", out var facets))
        {
            if (facets.ValueKind != JsonValueKind.Array) return "Record/facets must be an array";
            var i = 0;
            foreach (var facet in facets.EnumerateArray())
            {
                if (!facet.TryGetProperty("index", out var index)
                    || !index.TryGetProperty("byteStart", out var start) || !start.TryGetInt32(out var byteStart)
                    || !index.TryGetProperty("byteEnd", out var end) || !end.TryGetInt32(out var byteEnd))
                    return $"Record/facets/{i}/index must have integer byteStart and byteEnd";
                // The lexicon asks only for non-negative numbers: a range past the text is stored as sent.
                if (byteStart < 0 || byteEnd < 0)
                    return $"Record/facets/{i}/index byteStart and byteEnd must be at least 0";
                if (!facet.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array || features.GetArrayLength() == 0)
                    return $"Record/facets/{i}/features must be a non-empty array";
                foreach (var feature in features.EnumerateArray())
                {
                    var ok = String(feature, "$type") switch
                    {
                        "app.bsky.richtext.facet#link" => String(feature, "uri") is { } uri && Uri.TryCreate(uri, UriKind.Absolute, out _),
                        "app.bsky.richtext.facet#mention" => String(feature, "did")?.StartsWith("did:", StringComparison.Ordinal) == true,
                        // The lexicon allows a leading '#' (a "double hash tag" keeps one) and counts bytes and graphemes.
                        "app.bsky.richtext.facet#tag" => String(feature, "tag") is { } tag && Encoding.UTF8.GetByteCount(tag) <= 640 && new StringInfo(tag).LengthInTextElements <= 64,
                        // Features are an open union: a type from a newer lexicon is stored as sent.
                        { Length: > 0 } => true,
                        _ => false,
                    };
                    if (!ok) return $"Record/facets/{i}/features has an invalid feature: {feature.GetRawText()}";
                }
                i++;
            }
        }
        return null;
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static FakeResponse Error(int status, string error, string message) => FakeResponse.Json(status, new { error, message });

    private static string Cid(string content) =>
        "bafyrei" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..52];

    /// <summary>createSession's limit on Bluesky's PDS: 30 tries (right or wrong) per identifier in 5 minutes.</summary>
    private FakeResponse? RateLimited(string identifier)
    {
        var now = DateTimeOffset.UtcNow;
        lock (_signIns)
        {
            if (!_signIns.TryGetValue(identifier, out var tries)) _signIns[identifier] = tries = [];
            tries.RemoveAll(t => t <= now - SignInWindow);
            if (tries.Count < SignInLimit)
            {
                tries.Add(now);
                return null;
            }
            var reset = (tries[0] + SignInWindow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            return FakeResponse.Json(429, new { error = "RateLimitExceeded", message = "Rate Limit Exceeded" }, new Dictionary<string, string>
            {
                ["RateLimit-Limit"] = SignInLimit.ToString(CultureInfo.InvariantCulture),
                ["RateLimit-Remaining"] = "0",
                ["RateLimit-Reset"] = reset,
                ["RateLimit-Policy"] = $"{SignInLimit};w={(int)SignInWindow.TotalSeconds}",
            });
        }
    }

    private const int SignInLimit = 30;
    private static readonly TimeSpan SignInWindow = TimeSpan.FromMinutes(5);

    /// <summary>A fresh TID, as the PDS makes for a record sent without a key: microseconds now, always increasing.</summary>
    private string NextTid()
    {
        // Requests are answered one at a time (FakeApiServer.RespondAsync), so no lock.
        _lastTid = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000, _lastTid + 1);
        var value = (ulong)_lastTid << 10;
        var key = new char[13];
        for (var i = 12; i >= 0; i--)
        {
            key[i] = "234567abcdefghijklmnopqrstuvwxyz"[(int)(value & 31)];
            value >>= 5;
        }
        return new string(key);
    }

    private string Jwt(string type)
    {
        static string Part(object value) => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return $"{Part(new { typ = type, alg = "HS256" })}.{Part(new { scope = "com.atproto.appPass", sub = Did, iat = now, exp = now + 7200, jti = Guid.NewGuid() })}.{Part(Guid.NewGuid())}";
    }

    [GeneratedRegex("^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")]
    private static partial Regex Tid();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Datetime();
}
