using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace Publisher.Testing.Fakes;

/// <summary>A container the fake holds: what it was made with, and where it is in its life.</summary>
public sealed class FakeContainer
{
    public required string Id { get; init; }
    public required string MediaType { get; init; }
    public string? Text { get; init; }
    public string? MediaUrl { get; init; }
    public string? AltText { get; init; }
    public string? ReplyToId { get; init; }
    public bool IsCarouselItem { get; init; }
    public IReadOnlyList<string> Children { get; init; } = [];
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();

    /// <summary>IN_PROGRESS, FINISHED, ERROR, EXPIRED or PUBLISHED.</summary>
    public string Status { get; set; } = "FINISHED";
    public string? ErrorMessage { get; set; }

    /// <summary>Status checks left before an IN_PROGRESS container is FINISHED.</summary>
    public int PollsLeft { get; set; }
    public string? PublishedAs { get; set; }
}

/// <summary>A published post (or reply) the fake holds.</summary>
public sealed record FakeContainerPost(string Id, string ContainerId, string MediaType, string Text, string? ReplyToId, IReadOnlyList<string> MediaUrls, DateTimeOffset Timestamp, string Permalink);

/// <summary>
/// What Meta's two container APIs share, faked strictly on loopback: the version path, the access token (form, query or
/// Bearer), the user id, containers made by <c>POST /{v}/{user}/{create}</c> (form-encoded), their status asked with
/// <c>GET /{v}/{container}?fields=…</c> (only the fields the API has), publishing by <c>POST /{v}/{user}/{publish}</c> with
/// <c>creation_id</c> (only a FINISHED container that is not a carousel item, once), the user's latest posts on a list edge,
/// and a post's fields. Media are "fetched" from <see cref="Host"/>: what the test put at a public address, standing in
/// for Publisher's /media; an address nothing is at fails as the network fails a download. Videos stay IN_PROGRESS for
/// <see cref="VideoPolls"/> status checks. Errors have Graph's shape <c>{"error":{"message","type","code","error_subcode","fbtrace_id"}}</c>.
/// </summary>
public abstract partial class FakeContainerGraphApi : FakeApiServer
{
    private readonly object _state = new();
    private readonly Dictionary<string, FakeContainer> _containers = new(StringComparer.Ordinal);
    private readonly List<FakeContainerPost> _posts = [];
    private readonly Dictionary<string, byte[]> _hosted = new(StringComparer.Ordinal);
    private long _next = 17_841_000_000_000_000;

    public string AccessToken { get; init; } = "THAAfaketoken";
    public string Username { get; init; } = "northwind.coffee";

    /// <summary>Status checks a video container answers IN_PROGRESS before FINISHED.</summary>
    public int VideoPolls { get; set; } = 2;

    /// <summary>Status checks an image container answers IN_PROGRESS before FINISHED (0: ready at once).</summary>
    public int ImagePolls { get; set; }

    public abstract string UserId { get; }

    public IReadOnlyDictionary<string, string> Credentials => new Dictionary<string, string> { ["access_token"] = AccessToken };

    public IReadOnlyList<FakeContainerPost> Posts
    {
        get { lock (_state) return _posts.ToList(); }
    }

    public IReadOnlyList<FakeContainer> Containers
    {
        get { lock (_state) return _containers.Values.ToList(); }
    }

    public override int PostCount => Posts.Count;

    /// <summary>Puts <paramref name="bytes"/> at the public <paramref name="address"/>, where the network fetches media from.</summary>
    public void Host(Uri address, byte[] bytes)
    {
        lock (_state) _hosted[address.AbsoluteUri] = bytes;
    }

    /// <summary>A post made outside Publisher (by hand in the app), newest first in the lists like any other.</summary>
    public FakeContainerPost Seed(string text, string? replyToId = null)
    {
        lock (_state)
        {
            var post = new FakeContainerPost(NextId(), NextId(), "TEXT", text, replyToId, [], DateTimeOffset.UtcNow, PermalinkFor(NextId()));
            _posts.Add(post);
            return post;
        }
    }

    /// <summary>Lets the container expire, as it does 24 hours after it was made unpublished.</summary>
    public void Expire(string containerId)
    {
        lock (_state) _containers[containerId].Status = "EXPIRED";
    }

    /// <summary>Forgets the container, as the network does some time after it expired.</summary>
    public void Forget(string containerId)
    {
        lock (_state) _containers.Remove(containerId);
    }

    protected abstract string CreateEdge { get; }
    protected abstract string PublishEdge { get; }
    protected abstract string StatusField { get; }
    protected abstract string ReasonField { get; }
    protected abstract string TextField { get; }
    protected abstract IReadOnlySet<string> ListEdges { get; }

    /// <summary>Checks the create request's fields as the network does: the container to make, or the error to answer.</summary>
    protected abstract (FakeContainer? Container, FakeResponse? Error) Validate(Dictionary<string, string> fields, string id);

    /// <summary>The post's public address.</summary>
    protected abstract string PermalinkFor(string id);

    /// <summary>Answers a GET of the user node itself (or <c>/me</c>).</summary>
    protected virtual FakeResponse UserNode(IReadOnlyDictionary<string, string> query) =>
        FakeResponse.Json(200, new { id = UserId, username = Username });

    /// <summary>Whether the API takes this token: the one the test set up, or one the network's OAuth gave.</summary>
    protected virtual bool Accepts(string token) => token == AccessToken;

    protected override FakeResponse Respond(RecordedRequest request)
    {
        var segments = request.Path.Trim('/').Split('/');
        if (segments.Length < 2 || !Version().IsMatch(segments[0]))
            return Error(400, $"Unknown path components: {request.Path}", "OAuthException", 2500);
        var query = Query(request);
        var form = request.Method == "POST" && (request.Header("Content-Type") ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            ? QueryHelpers.ParseQuery(request.Body).ToDictionary(p => p.Key, p => p.Value.ToString())
            : [];
        // Graph reads parameters from the query string and the body alike.
        foreach (var (key, value) in query) form.TryAdd(key, value);
        var token = form.GetValueOrDefault("access_token") ?? BearerToken(request);
        if (token is null) return Error(400, "An active access token must be used to query information about the current user.", "OAuthException", 2500);
        if (!Accepts(token)) return Error(400, "Invalid OAuth access token - Cannot parse access token", "OAuthException", 190);

        lock (_state)
        {
            var node = segments[1];
            if (request.Method == "GET" && segments.Length == 2 && (node == UserId || node == "me")) return UserNode(query);
            if (request.Method == "GET" && segments.Length == 2 && _containers.TryGetValue(node, out var container)) return ContainerFields(container, form.GetValueOrDefault("fields") ?? "id");
            if (request.Method == "GET" && segments.Length == 2 && _posts.FirstOrDefault(p => p.Id == node) is { } post) return PostFields(post, form.GetValueOrDefault("fields") ?? "id");
            if (request.Method == "GET" && segments.Length == 3 && segments[2] == "insights" && _posts.FirstOrDefault(p => p.Id == node) is { } measured)
                return Insights(measured, form.GetValueOrDefault("metric"));
            if (node != UserId)
                return Error(400, $"Object with ID '{node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation", "GraphMethodException", 100, 33);
            if (segments.Length != 3) return Error(400, $"Unsupported {request.Method} request.", "GraphMethodException", 100);
            return (request.Method, segments[2]) switch
            {
                ("POST", var edge) when edge == CreateEdge => Create(form),
                ("POST", var edge) when edge == PublishEdge => Publish(form),
                ("GET", var edge) when ListEdges.Contains(edge) => List(edge, form),
                var (method, edge) => OtherEdge(method, edge, form) ?? Error(400, $"Unsupported {request.Method} request.", "GraphMethodException", 100),
            };
        }
    }

    private FakeResponse Create(Dictionary<string, string> form)
    {
        var fields = form.Where(f => f.Key != "access_token").ToDictionary(f => f.Key, f => f.Value);
        var (container, error) = Validate(fields, NextId());
        if (error is not null) return error;
        _containers[container!.Id] = container;
        return FakeResponse.Json(200, new { id = container.Id });
    }

    /// <summary>A network's other edges of the user node (Instagram's publishing limit); null: not one.</summary>
    protected virtual FakeResponse? OtherEdge(string method, string edge, Dictionary<string, string> form) => null;

    /// <summary>Why the network refuses to publish anything more now (Instagram's 24-hour limit), or null.</summary>
    protected virtual FakeResponse? PublishRefusal() => null;

    /// <summary>Posts published in the last 24 hours (what Instagram's limit counts).</summary>
    protected int PublishedInLastDay => _posts.Count(p => p.Timestamp > DateTimeOffset.UtcNow.AddDays(-1));

    private FakeResponse Publish(Dictionary<string, string> form)
    {
        if (PublishRefusal() is { } refused) return refused;
        if (form.GetValueOrDefault("creation_id") is not { Length: > 0 } id)
            return Error(400, "(#100) The parameter creation_id is required", "OAuthException", 100);
        if (!_containers.TryGetValue(id, out var container))
            return Error(400, $"(#100) Invalid parameter: creation_id {id} is not a container of this user", "OAuthException", 100);
        if (container.IsCarouselItem)
            return Error(400, "(#100) A carousel item cannot be published on its own", "OAuthException", 100);
        switch (container.Status)
        {
            case "IN_PROGRESS":
                return Error(400, "Media ID is not available", "OAuthException", 9007, 2207027);
            case "PUBLISHED":
                return Error(400, "(#9007) The media container has already been published", "OAuthException", 9007, 2207006);
            case "EXPIRED":
                return Error(400, "(#9007) The media container has expired: create a new one", "OAuthException", 9007, 2207008);
            case "ERROR":
                return Error(400, $"(#9007) The media container could not be processed: {container.ErrorMessage}", "OAuthException", 9007, 2207001);
        }
        var postId = NextId();
        var urls = container.Children.Count > 0 ? container.Children.Select(c => _containers[c].MediaUrl!).ToList() : container.MediaUrl is { } url ? [url] : new List<string>();
        var post = new FakeContainerPost(postId, id, container.MediaType, container.Text ?? "", container.ReplyToId, urls, DateTimeOffset.UtcNow, PermalinkFor(postId));
        _posts.Add(post);
        container.Status = "PUBLISHED";
        container.PublishedAs = postId;
        return FakeResponse.Json(200, new { id = postId });
    }

    private FakeResponse ContainerFields(FakeContainer container, string fields)
    {
        var wanted = fields.Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (wanted.FirstOrDefault(f => f != "id" && f != StatusField && f != ReasonField) is { } unknown)
            return Error(400, $"(#100) Tried accessing nonexisting field ({unknown}) on node type (Container)", "OAuthException", 100);
        if (container.Status == "IN_PROGRESS" && --container.PollsLeft <= 0)
        {
            if (container.MediaUrl is { } url && !_hosted.ContainsKey(url))
            {
                container.Status = "ERROR";
                container.ErrorMessage = DownloadFailure;
            }
            else container.Status = "FINISHED";
        }
        var answer = new Dictionary<string, object> { ["id"] = container.Id };
        if (wanted.Contains(StatusField)) answer[StatusField] = container.Status;
        if (wanted.Contains(ReasonField) && container.ErrorMessage is { } reason) answer[ReasonField] = reason;
        return FakeResponse.Json(200, answer);
    }

    /// <summary>What a container whose video could not be fetched says.</summary>
    protected abstract string DownloadFailure { get; }

    private FakeResponse PostFields(FakeContainerPost post, string fields)
    {
        var answer = new Dictionary<string, object> { ["id"] = post.Id };
        foreach (var field in fields.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (field)
            {
                case "id": break;
                case "permalink": answer["permalink"] = post.Permalink; break;
                case "timestamp": answer["timestamp"] = post.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture).Replace(":", "", StringComparison.Ordinal); break;
                case "media_type": answer["media_type"] = post.MediaType; break;
                default:
                    if (field != TextField) return Error(400, $"(#100) Tried accessing nonexisting field ({field}) on node type (Media)", "OAuthException", 100);
                    answer[TextField] = post.Text;
                    break;
            }
        }
        return FakeResponse.Json(200, answer);
    }

    private FakeResponse List(string edge, Dictionary<string, string> form)
    {
        var limit = form.GetValueOrDefault("limit") is { } raw ? int.TryParse(raw, CultureInfo.InvariantCulture, out var n) ? n : -1 : 25;
        if (limit is < 1 or > 100) return Error(400, "(#100) Param limit must be a number between 1 and 100", "OAuthException", 100);
        var posts = _posts.Where(p => InList(edge, p)).OrderByDescending(p => p.Timestamp).ThenByDescending(p => p.Id, StringComparer.Ordinal).Take(limit).ToList();
        var data = new List<Dictionary<string, object>>();
        foreach (var post in posts)
        {
            var answer = PostFields(post, form.GetValueOrDefault("fields") ?? "id");
            if (answer.Status != 200) return answer;
            data.Add(System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, object>>(answer.Body!)!);
        }
        return FakeResponse.Json(200, new { data, paging = new { cursors = new { before = "QVFI", after = "QVFJ" } } });
    }

    private readonly Dictionary<string, Dictionary<string, long>> _insights = new(StringComparer.Ordinal);

    /// <summary>Sets a published post's lifetime insights (a metric not set reads 0).</summary>
    public void SetInsights(string postId, IReadOnlyDictionary<string, long> figures)
    {
        lock (_state) _insights[postId] = new Dictionary<string, long>(figures);
    }

    /// <summary>The media insight metrics the network documents for this post (others are refused, as deprecated ones are).</summary>
    protected abstract IReadOnlyList<string> InsightMetrics(FakeContainerPost post);

    /// <summary>
    /// <c>GET /{media-id}/insights?metric=a,b</c>: each metric asked for, in order, as a lifetime figure
    /// (<c>{"data":[{"name","period","values":[{"value"}],"title","description","id"}]}</c>); a metric the post's type
    /// does not have is refused with the list of those it has, as Graph does.
    /// </summary>
    private FakeResponse Insights(FakeContainerPost post, string? metric)
    {
        if (string.IsNullOrEmpty(metric)) return Error(400, "(#100) The parameter metric is required", "OAuthException", 100);
        var allowed = InsightMetrics(post);
        var names = metric.Split(',');
        for (var i = 0; i < names.Length; i++)
            if (!allowed.Contains(names[i]))
                return Error(400, $"(#100) metric[{i}] must be one of the following values: {string.Join(", ", allowed)}", "OAuthException", 100);
        var figures = _insights.GetValueOrDefault(post.Id) ?? [];
        var data = names.Select(name => new Dictionary<string, object>
        {
            ["name"] = name, ["period"] = "lifetime", ["values"] = new[] { new { value = figures.GetValueOrDefault(name) } },
            ["title"] = name, ["description"] = "", ["id"] = $"{post.Id}/insights/{name}/lifetime",
        }).ToList();
        return FakeResponse.Json(200, new { data });
    }

    /// <summary>Whether the post shows on the user's list <paramref name="edge"/> (Threads lists replies apart).</summary>
    protected abstract bool InList(string edge, FakeContainerPost post);

    /// <summary>Whether the test hosted something at <paramref name="url"/>, and what it sniffs as.</summary>
    protected string? HostedType(string url) => _hosted.TryGetValue(url, out var bytes) ? Sniff(bytes) : null;

    protected bool IsHosted(string url) => _hosted.ContainsKey(url);

    /// <summary>A published post of this user, by id.</summary>
    protected bool IsPost(string id) => _posts.Any(p => p.Id == id);

    protected FakeContainer? Container(string id) => _containers.GetValueOrDefault(id);

    protected string NextId() => (++_next).ToString(CultureInfo.InvariantCulture);

    public static FakeResponse Error(int status, string message, string type, int code, int? subcode = null) =>
        FakeResponse.Json(status, new Dictionary<string, object?>
        {
            ["error"] = new Dictionary<string, object?> { ["message"] = message, ["type"] = type, ["code"] = code, ["error_subcode"] = subcode, ["fbtrace_id"] = "AbCdEf" + code },
        });

    /// <summary>Graph's throttling answer (code 4, application request limit, sent as a 400 with is_transient).</summary>
    public static string RateLimitBody => """{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","is_transient":true,"code":4,"fbtrace_id":"Ab1"}}""";

    [GeneratedRegex(@"^v\d+\.\d+$")]
    private static partial Regex Version();
}

/// <summary>
/// Fake Threads API (https://developers.facebook.com/docs/threads/posts): containers with <c>media_type</c> TEXT (text
/// required), IMAGE (<c>image_url</c>, a JPEG or PNG at the public address), VIDEO (<c>video_url</c>; IN_PROGRESS while
/// "processed", ERROR <c>FAILED_DOWNLOADING_VIDEO</c> when nothing is there), CAROUSEL (<c>children</c>: 2 to 20 FINISHED
/// carousel items of this user); <c>text</c> at most 500 characters as Threads counts them (an emoji its UTF-8 bytes);
/// <c>reply_to_id</c> a published post. Lists: <c>/threads</c> (posts) and <c>/replies</c> (replies). Status fields
/// <c>status</c> and <c>error_message</c>.
/// </summary>
public sealed class FakeThreadsApi : FakeContainerGraphApi
{
    public override string UserId => "7219384011";

    protected override string CreateEdge => "threads";
    protected override string PublishEdge => "threads_publish";
    protected override string StatusField => "status";
    protected override string ReasonField => "error_message";
    protected override string TextField => "text";
    protected override IReadOnlySet<string> ListEdges { get; } = new HashSet<string> { "threads", "replies" };
    protected override string DownloadFailure => "FAILED_DOWNLOADING_VIDEO";

    protected override bool InList(string edge, FakeContainerPost post) => edge == "replies" ? post.ReplyToId is not null : post.ReplyToId is null;

    /// <summary>Threads' media insights (https://developers.facebook.com/docs/threads/insights): the same for every media type.</summary>
    protected override IReadOnlyList<string> InsightMetrics(FakeContainerPost post) => ["views", "likes", "replies", "reposts", "quotes", "shares"];

    protected override string PermalinkFor(string id) => $"https://www.threads.net/@{Username}/post/C{id[^8..]}";

    /// <summary>
    /// Threads' OAuth: the authorization window at <c>/oauth/authorize</c> (threads.net's in real life; comma-separated
    /// scopes, no PKCE), the code exchanged at <c>POST /oauth/access_token</c> (client id and secret in the form, the same
    /// redirect URI, once) for a one-hour token; <c>GET /access_token?grant_type=th_exchange_token</c> (with the app
    /// secret) makes it a 60-day token and <c>GET /refresh_access_token?grant_type=th_refresh_token</c> renews a live one.
    /// Threads documents no revocation. Errors are Graph's.
    /// </summary>
    public FakeAuthorizationServer Authorization { get; } = new("/oauth/authorize", "/oauth/access_token", "/no-rfc7009-revocation", basicClientAuthentication: false)
    {
        AccessTokenLifetime = TimeSpan.FromHours(1),
        RequirePkce = false,
        ScopeSeparator = ',',
        GraphErrors = true,
    };

    /// <summary>How old a long-lived token must be before it can be refreshed.</summary>
    public static readonly TimeSpan MinimumRefreshAge = TimeSpan.FromHours(24);

    public const string OAuthClientId = "fake-threads-app-id";
    public const string OAuthClientSecret = "fake-threads-app-secret";

    public void RegisterOAuthClient(string redirectUri) =>
        Authorization.Register(new FakeAuthorizationServer.Client(OAuthClientId, OAuthClientSecret, [redirectUri],
            ["threads_basic", "threads_content_publish", "threads_manage_replies", "threads_manage_insights"], "Publisher"));

    protected override bool Accepts(string token) => token == AccessToken || Authorization.IsValidAccessToken(token);

    protected override FakeResponse Respond(RecordedRequest request)
    {
        if (Authorization.Handle(request) is { } oauth)
            return oauth;
        var query = QueryHelpers.ParseQuery(request.QueryString).ToDictionary(p => p.Key, p => p.Value.ToString());
        return (request.Method, request.Path.TrimEnd('/')) switch
        {
            ("GET", "/access_token") => query.GetValueOrDefault("grant_type") != "th_exchange_token"
                ? Authorization.Error(400, "invalid_request", "grant_type must be th_exchange_token")
                : !Authorization.IsClientSecret(query.GetValueOrDefault("client_secret"))
                    ? Authorization.Error(400, "invalid_client", "Error validating client secret.")
                    : Authorization.ExchangeForLongLived(query.GetValueOrDefault("access_token"), Authorization.LongLivedLifetime),
            ("GET", "/refresh_access_token") => query.GetValueOrDefault("grant_type") != "th_refresh_token"
                ? Authorization.Error(400, "invalid_request", "grant_type must be th_refresh_token")
                // Threads documents that only a long-lived token at least 24 hours old (and not expired) can be refreshed.
                : Authorization.GrantOf(query.GetValueOrDefault("access_token")) is { } young && young.IssuedAt > DateTimeOffset.UtcNow - MinimumRefreshAge
                    ? Authorization.Error(400, "invalid_request", "The access token must be at least 24 hours old to be refreshed")
                    : Authorization.ExchangeForLongLived(query.GetValueOrDefault("access_token"), Authorization.LongLivedLifetime),
            _ => base.Respond(request),
        };
    }

    protected override (FakeContainer? Container, FakeResponse? Error) Validate(Dictionary<string, string> fields, string id)
    {
        var type = fields.GetValueOrDefault("media_type");
        var text = fields.GetValueOrDefault("text");
        var item = fields.GetValueOrDefault("is_carousel_item") == "true";
        if (type is not ("TEXT" or "IMAGE" or "VIDEO" or "CAROUSEL"))
            return (null, Error(400, "(#100) Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}", "THApiException", 100));
        if (text is not null && Publisher.Templates.Counting.ChannelCounter.ThreadsLength(text) > 500)
            return (null, Error(400, "(#100) Param text must be at most 500 characters long.", "THApiException", 100));
        if (fields.GetValueOrDefault("reply_to_id") is { } reply && !IsPost(reply))
            return (null, Error(400, $"(#100) Param reply_to_id {reply} is not a post you can reply to", "THApiException", 100));
        if (item && (type == "TEXT" || type == "CAROUSEL" || fields.ContainsKey("reply_to_id")))
            return (null, Error(400, "(#100) A carousel item must be an IMAGE or a VIDEO, without reply_to_id", "THApiException", 100));
        var container = new FakeContainer
        {
            Id = id, MediaType = type, Text = text, ReplyToId = fields.GetValueOrDefault("reply_to_id"), IsCarouselItem = item,
            AltText = fields.GetValueOrDefault("alt_text"), Fields = fields,
            MediaUrl = type == "IMAGE" ? fields.GetValueOrDefault("image_url") : type == "VIDEO" ? fields.GetValueOrDefault("video_url") : null,
        };
        switch (type)
        {
            case not "TEXT" when fields.ContainsKey("link_attachment"):
                return (null, Error(400, "(#100) link_attachment is only for TEXT posts", "THApiException", 100));
            case "TEXT" when fields.GetValueOrDefault("link_attachment") is { } attached
                             && !(Uri.TryCreate(attached, UriKind.Absolute, out var linkUri) && linkUri.Scheme is "https" or "http"):
                return (null, Error(400, "(#100) link_attachment must be an http(s) URL", "THApiException", 100));
            case "TEXT":
                if (string.IsNullOrWhiteSpace(text)) return (null, Error(400, "(#100) Param text is required for TEXT posts", "THApiException", 100));
                if (fields.ContainsKey("image_url") || fields.ContainsKey("video_url")) return (null, Error(400, "(#100) A TEXT post takes no media", "THApiException", 100));
                return (container, null);
            case "IMAGE":
                if (container.MediaUrl is null) return (null, Error(400, "(#100) Param image_url is required for IMAGE posts", "THApiException", 100));
                if (HostedType(container.MediaUrl) is not ("image/jpeg" or "image/png"))
                    return (null, Error(400, "(#100) The image could not be fetched from image_url, or is not a JPEG or PNG", "THApiException", 100));
                if (ImagePolls > 0) { container.Status = "IN_PROGRESS"; container.PollsLeft = ImagePolls; }
                return (container, null);
            case "VIDEO":
                if (container.MediaUrl is null) return (null, Error(400, "(#100) Param video_url is required for VIDEO posts", "THApiException", 100));
                container.Status = "IN_PROGRESS";
                container.PollsLeft = VideoPolls;
                return (container, null);
            default:
                var children = (fields.GetValueOrDefault("children") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
                if (children.Length is < 2 or > 20)
                    return (null, Error(400, "(#100) Param children must name 2 to 20 carousel items", "THApiException", 100));
                if (children.FirstOrDefault(c => Container(c) is not { IsCarouselItem: true, Status: "FINISHED" }) is { } bad)
                    return (null, Error(400, $"(#100) Param children: {bad} is not a finished carousel item of this user", "THApiException", 100));
                return (new FakeContainer { Id = id, MediaType = type, Text = text, ReplyToId = container.ReplyToId, Children = children, Fields = fields }, null);
        }
    }
}

/// <summary>
/// Fake Instagram Graph API content publishing
/// (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media): an image
/// container by <c>image_url</c> (a JPEG at the public address; no <c>media_type</c>), a reel (<c>media_type=REELS</c>,
/// <c>video_url</c>), carousel items (<c>is_carousel_item=true</c>, an image, or <c>media_type=VIDEO</c>), a carousel
/// (<c>media_type=CAROUSEL</c>, 2 to 10 FINISHED items); <c>caption</c> at most 2,200 characters, 30 hashtags and 20
/// mentions. Status fields <c>status_code</c> and <c>status</c>; the user's posts on <c>/media</c>.
/// </summary>
public sealed partial class FakeInstagramGraphApi : FakeContainerGraphApi
{
    public override string UserId => "17841405822304914";

    protected override string CreateEdge => "media";
    protected override string PublishEdge => "media_publish";
    protected override string StatusField => "status_code";
    protected override string ReasonField => "status";
    protected override string TextField => "caption";
    protected override IReadOnlySet<string> ListEdges { get; } = new HashSet<string> { "media" };
    protected override string DownloadFailure => "Error: Media download has failed. The media URI doesn't meet our requirements.";

    protected override bool InList(string edge, FakeContainerPost post) => true;

    /// <summary>
    /// Instagram's media insights as documented since v22.0 (https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights):
    /// feed posts and carousels, and reels, each with their own; impressions, plays and video_views are gone and refused.
    /// </summary>
    protected override IReadOnlyList<string> InsightMetrics(FakeContainerPost post) => post.MediaType == "REELS"
        ? ["comments", "ig_reels_avg_watch_time", "ig_reels_video_view_total_time", "likes", "reach", "saved", "shares", "total_interactions", "views"]
        : ["comments", "follows", "likes", "profile_activity", "profile_visits", "reach", "saved", "shares", "total_interactions", "views"];

    protected override string PermalinkFor(string id) => $"https://www.instagram.com/p/D{id[^9..]}/";

    /// <summary>Posts this account may publish in 24 hours (<c>quota_total</c>).</summary>
    public int QuotaTotal { get; set; } = 50;

    /// <summary>Posts published in the last 24 hours by other apps, counted against the quota too.</summary>
    public int PublishedElsewhere { get; set; }

    private int QuotaUsage => PublishedInLastDay + PublishedElsewhere;

    protected override FakeResponse? OtherEdge(string method, string edge, Dictionary<string, string> form)
    {
        if ((method, edge) != ("GET", "content_publishing_limit")) return null;
        var fields = (form.GetValueOrDefault("fields") ?? "").Split(',');
        var entry = new Dictionary<string, object>();
        if (fields.Contains("quota_usage")) entry["quota_usage"] = QuotaUsage;
        if (fields.Contains("config")) entry["config"] = new { quota_total = QuotaTotal, quota_duration = 86400 };
        return FakeResponse.Json(200, new { data = new[] { entry } });
    }

    protected override FakeResponse? PublishRefusal() => QuotaUsage >= QuotaTotal
        ? Error(400, "The maximum number of posts that can be published in 24 hours has been reached.", "OAuthException", 9, 2207042)
        : null;

    protected override FakeResponse UserNode(IReadOnlyDictionary<string, string> query) =>
        FakeResponse.Json(200, new { id = UserId, username = Username });

    protected override (FakeContainer? Container, FakeResponse? Error) Validate(Dictionary<string, string> fields, string id)
    {
        var type = fields.GetValueOrDefault("media_type") ?? "IMAGE";
        var caption = fields.GetValueOrDefault("caption");
        var item = fields.GetValueOrDefault("is_carousel_item") == "true";
        if (caption is not null)
        {
            if (caption.Length > 2200) return (null, Error(400, "(#100) The caption is longer than 2,200 characters", "OAuthException", 100, 2207010));
            if (Hashtag().Count(caption) > 30) return (null, Error(400, "(#100) The caption has more than 30 hashtags", "OAuthException", 100, 2207010));
            if (Mention().Count(caption) > 20) return (null, Error(400, "(#100) The caption mentions more than 20 accounts", "OAuthException", 100, 2207010));
        }
        if (item && caption is not null) return (null, Error(400, "(#100) A carousel item takes no caption", "OAuthException", 100));
        switch (type)
        {
            case "IMAGE" when !fields.ContainsKey("media_type"):
                if (fields.GetValueOrDefault("image_url") is not { } url) return (null, Error(400, "(#100) The parameter image_url is required.", "OAuthException", 100));
                if (!IsHosted(url))
                    return (null, Error(400, "Media download has failed. The media URI doesn't meet our requirements.", "OAuthException", 9004, 2207052));
                if (HostedType(url) != "image/jpeg")
                    return (null, Error(400, "Only photo or video can be accepted as media type.", "OAuthException", 9004, 2207026));
                var image = new FakeContainer { Id = id, MediaType = "IMAGE", Text = caption, MediaUrl = url, IsCarouselItem = item, AltText = fields.GetValueOrDefault("alt_text"), Fields = fields };
                if (ImagePolls > 0) { image.Status = "IN_PROGRESS"; image.PollsLeft = ImagePolls; }
                return (image, null);
            case "REELS" or "VIDEO":
                if (type == "VIDEO" && !item) return (null, Error(400, "(#100) media_type VIDEO is only for carousel items: use REELS", "OAuthException", 100, 2207067));
                if (type == "REELS" && item) return (null, Error(400, "(#100) A carousel item cannot be a REELS container", "OAuthException", 100));
                if (fields.GetValueOrDefault("video_url") is not { } video) return (null, Error(400, "(#100) The parameter video_url is required.", "OAuthException", 100));
                if (fields.GetValueOrDefault("cover_url") is { } cover && (type != "REELS" || HostedType(cover) != "image/jpeg"))
                    return (null, Error(400, type != "REELS" ? "(#100) cover_url is only for REELS" : "Media download has failed. The cover_url could not be fetched as a JPEG.", "OAuthException", 9004, 2207052));
                return (new FakeContainer { Id = id, MediaType = type, Text = caption, MediaUrl = video, IsCarouselItem = item, Status = "IN_PROGRESS", PollsLeft = VideoPolls, Fields = fields }, null);
            case "CAROUSEL":
                var children = (fields.GetValueOrDefault("children") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
                if (children.Length is < 2 or > 10)
                    return (null, Error(400, "(#100) The parameter children must name 2 to 10 carousel items", "OAuthException", 100, 2207025));
                if (children.FirstOrDefault(c => Container(c) is not { IsCarouselItem: true, Status: "FINISHED" }) is { } bad)
                    return (null, Error(400, $"(#100) children: {bad} is not a finished carousel item of this user", "OAuthException", 100));
                return (new FakeContainer { Id = id, MediaType = type, Text = caption, Children = children, Fields = fields }, null);
            default:
                return (null, Error(400, "(#100) Param media_type must be one of {REELS, VIDEO, CAROUSEL, STORIES} or absent for an image", "OAuthException", 100));
        }
    }

    [GeneratedRegex(@"(?<![\p{L}\p{N}_])#[\p{L}\p{N}_]+")]
    private static partial Regex Hashtag();

    [GeneratedRegex(@"(?<![\p{L}\p{N}_.@])@[A-Za-z0-9_.]+")]
    private static partial Regex Mention();
}
