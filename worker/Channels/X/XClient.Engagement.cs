using System.Text.Json;

namespace Publisher.Worker.Channels.X;

/// <summary>
/// Metrics: <c>GET /2/tweets?ids=…&amp;tweet.fields=public_metrics</c>, up to 100 posts a call; posts X no longer
/// has come back under <c>errors</c> and are left out.
/// </summary>
public sealed partial class XClient : IEngagementReader
{
    public int MaxPostsPerRead => 100;

    public async Task<EngagementRead> ReadEngagementAsync(ChannelConnection connection, IReadOnlyList<string> postIds, CancellationToken cancellationToken)
    {
        if (postIds.Count == 0) return new EngagementRead([]);
        try
        {
            var ids = string.Join(',', postIds.Select(Uri.EscapeDataString));
            using var message = Signed(Signer(connection), HttpMethod.Get, ChannelHttp.Combine(connection.BaseAddress, $"2/tweets?ids={ids}&tweet.fields=public_metrics"));
            using var response = await httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind)).SendAsync(message, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return new EngagementRead([], await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken));
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var read = new List<PostMetrics>();
            if (document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
                foreach (var post in data.EnumerateArray())
                {
                    if (EngagementJson.String(post, "id") is not { } id || !postIds.Contains(id)) continue;
                    read.Add(new PostMetrics(id,
                        Likes: EngagementJson.Int(post, "public_metrics", "like_count"),
                        Reposts: EngagementJson.Int(post, "public_metrics", "retweet_count"),
                        Replies: EngagementJson.Int(post, "public_metrics", "reply_count"),
                        Quotes: EngagementJson.Int(post, "public_metrics", "quote_count"),
                        Impressions: EngagementJson.Long(post, "public_metrics", "impression_count"),
                        Raw: post.GetRawText()));
                }
            return new EngagementRead(read);
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
