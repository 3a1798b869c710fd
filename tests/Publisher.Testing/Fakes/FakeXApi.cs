using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Publisher.Testing.Fakes;

/// <summary>A post the fake X holds.</summary>
public sealed record FakeTweet(string Id, string Text, string? InReplyToId, DateTimeOffset CreatedAt);

/// <summary>
/// Fake X API v2: <c>POST /2/tweets</c>, <c>GET /2/tweets?ids=…</c> (with <c>public_metrics</c> set by
/// <see cref="SetMetrics"/>), <c>GET /2/users/me</c>, <c>GET /2/users/{id}/tweets</c>. Every request
/// must carry an OAuth 1.0a Authorization header whose HMAC-SHA1 signature it recomputes from the known consumer
/// and token secrets (a nonce may be used once); it refuses unknown body fields, empty text, replies to posts
/// that do not exist and duplicate text, with X's own error JSON.
/// </summary>
public sealed class FakeXApi : FakeApiServer
{
    private readonly List<FakeTweet> _tweets = [];
    private readonly HashSet<string> _nonces = [];
    private long _nextId = 1_860_000_000_000_000_000;

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

    protected override FakeResponse Respond(RecordedRequest request)
    {
        if (Authenticate(request) is { } refused) return refused;
        var path = request.Path.TrimEnd('/');
        return (request.Method, path) switch
        {
            ("POST", "/2/tweets") => CreateTweet(request),
            ("GET", "/2/tweets") => Lookup(request),
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
        lock (_tweets)
        {
            if (_tweets.Any(t => t.Text == text))
                return Problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.");
            var tweet = new FakeTweet((_nextId++).ToString(System.Globalization.CultureInfo.InvariantCulture), text, inReplyTo, DateTimeOffset.UtcNow);
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
