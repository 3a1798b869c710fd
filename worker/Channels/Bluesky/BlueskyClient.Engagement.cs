using System.Text.Json;

namespace Publisher.Worker.Channels.Bluesky;

/// <summary>
/// Metrics: <c>app.bsky.feed.getPosts?uris=…</c> through the account's PDS (which proxies it to the AppView), up to
/// 25 posts a call, with the account's session; an expired session is renewed once, as when posting.
/// </summary>
public sealed partial class BlueskyClient : IEngagementReader
{
    public int MaxPostsPerRead => 25;

    public async Task<EngagementRead> ReadEngagementAsync(ChannelConnection connection, IReadOnlyList<string> postIds, CancellationToken cancellationToken)
    {
        if (postIds.Count == 0) return new EngagementRead([]);
        try
        {
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            var query = string.Join('&', postIds.Select(uri => "uris=" + Uri.EscapeDataString(uri)));
            var (session, failure) = await SessionAsync(http, connection, fresh: false, cancellationToken);
            for (var attempt = 0; ; attempt++)
            {
                if (session is null) return new EngagementRead([], failure);
                using var message = new HttpRequestMessage(HttpMethod.Get, ChannelHttp.Combine(connection.BaseAddress, "xrpc/app.bsky.feed.getPosts?" + query));
                ChannelHttp.Bearer(message, session.AccessJwt);
                using var response = await http.SendAsync(message, cancellationToken);
                if (attempt == 0 && await IsExpiredSessionAsync(response, cancellationToken))
                {
                    (session, failure) = await SessionAsync(http, connection, fresh: true, cancellationToken);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                    return new EngagementRead([], await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken));
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                var read = new List<PostMetrics>();
                if (document.RootElement.TryGetProperty("posts", out var posts) && posts.ValueKind == JsonValueKind.Array)
                    foreach (var post in posts.EnumerateArray())
                    {
                        if (EngagementJson.String(post, "uri") is not { } uri || !postIds.Contains(uri)) continue;
                        read.Add(new PostMetrics(uri,
                            Likes: EngagementJson.Int(post, "likeCount"),
                            Reposts: EngagementJson.Int(post, "repostCount"),
                            Replies: EngagementJson.Int(post, "replyCount"),
                            Quotes: EngagementJson.Int(post, "quoteCount"),
                            Raw: post.GetRawText()));
                    }
                return new EngagementRead(read);
            }
        }
        catch (JsonException)
        {
            return new EngagementRead([], EngagementJson.NotJson(Kind, 200));
        }
        catch (Exception e) when (ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure))
        {
            return new EngagementRead([], failure);
        }
    }
}
