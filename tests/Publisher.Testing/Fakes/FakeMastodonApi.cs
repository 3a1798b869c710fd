using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Publisher.Testing.Fakes;

/// <summary>A status the fake Mastodon holds.</summary>
public sealed record FakeStatus(string Id, string Text, string? InReplyToId, string Visibility, string? IdempotencyKey);

/// <summary>
/// Fake Mastodon API: <c>POST /api/v1/statuses</c>, <c>GET /api/v1/statuses/:id</c> (with the counts set by
/// <see cref="SetCounts"/>) and <c>GET /api/v1/accounts/verify_credentials</c>. Checks the
/// Bearer token, that the status is not blank and at most 500 characters (every URL counts 23, as Mastodon
/// counts), that a reply's <c>in_reply_to_id</c> exists, and honours <c>Idempotency-Key</c>: the same key
/// returns the status made the first time and makes no new one.
/// </summary>
public sealed partial class FakeMastodonApi : FakeApiServer
{
    private readonly List<FakeStatus> _statuses = [];
    private readonly Dictionary<string, FakeStatus> _byKey = new(StringComparer.Ordinal);
    private long _nextId = 113_000_000_000_000_000;

    public string AccessToken { get; init; } = "fake-mastodon-token";
    public string Username { get; init; } = "publisher";

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

    protected override FakeResponse Respond(RecordedRequest request)
    {
        if (BearerToken(request) != AccessToken)
            return FakeResponse.Json(401, new { error = "The access token is invalid" });
        return (request.Method, request.Path.TrimEnd('/')) switch
        {
            ("POST", "/api/v1/statuses") => CreateStatus(request),
            ("GET", var path) when path.StartsWith("/api/v1/statuses/", StringComparison.Ordinal) => GetStatus(path["/api/v1/statuses/".Length..]),
            ("GET", "/api/v1/accounts/verify_credentials") => FakeResponse.Json(200, new { id = "109000", username = Username, acct = Username, display_name = "Publisher" }),
            _ => FakeResponse.Json(404, new { error = "Record not found" }),
        };
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

            var status = new FakeStatus((_nextId++).ToString(CultureInfo.InvariantCulture), text, inReplyTo, visibility, key);
            _statuses.Add(status);
            if (key is not null) _byKey[key] = status;
            return FakeResponse.Json(200, View(status));
        }
    }

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
        url = new Uri(BaseUri, $"@{Username}/{status.Id}").ToString(),
        content = "<p>" + WebUtility.HtmlEncode(status.Text) + "</p>",
        account = new { id = "109000", username = Username, acct = Username },
    };

    private static int CountedLength(string text) =>
        new StringInfo(Url().Replace(text, new string('x', 23))).LengthInTextElements;

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Url();
}
