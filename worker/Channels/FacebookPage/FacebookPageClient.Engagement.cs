using System.Net;
using System.Text.Json;

namespace Publisher.Worker.Channels.FacebookPage;

/// <summary>
/// Metrics, two Graph calls a post: <c>GET /{version}/{post-id}?fields=shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)</c>
/// and <c>GET /{version}/{post-id}/insights?metric=post_impressions,post_clicks</c>, with the Page token.
/// </summary>
public sealed partial class FacebookPageClient : IEngagementReader
{
    public const string EngagementFields = "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)";
    public const string InsightMetrics = "post_impressions,post_clicks";

    public int MaxPostsPerRead => 20;

    public async Task<EngagementRead> ReadEngagementAsync(ChannelConnection connection, IReadOnlyList<string> postIds, CancellationToken cancellationToken)
    {
        var read = new List<PostMetrics>();
        try
        {
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            var token = Uri.EscapeDataString(connection.Credential("page_access_token"));
            foreach (var id in postIds)
            {
                var post = ChannelHttp.Combine(connection.BaseAddress, $"{Version(connection)}/{Uri.EscapeDataString(id)}");
                using var response = await http.GetAsync($"{post}?fields={Uri.EscapeDataString(EngagementFields)}&access_token={token}", cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound || await EngagementJson.IsGoneFromGraphAsync(response, cancellationToken)) continue;
                if (!response.IsSuccessStatusCode)
                    return new EngagementRead(read, await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken));
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                using var document = JsonDocument.Parse(body);

                using var insightsResponse = await http.GetAsync($"{post}/insights?metric={Uri.EscapeDataString(InsightMetrics)}&access_token={token}", cancellationToken);
                if (!insightsResponse.IsSuccessStatusCode)
                    return new EngagementRead(read, await ChannelHttp.FailureAsync(insightsResponse, Kind, clock.GetUtcNow(), cancellationToken));
                using var insights = JsonDocument.Parse(await insightsResponse.Content.ReadAsStringAsync(cancellationToken));

                read.Add(new PostMetrics(id,
                    Likes: EngagementJson.Int(document.RootElement, "reactions", "summary", "total_count"),
                    Reposts: EngagementJson.Int(document.RootElement, "shares", "count") ?? 0, // Graph leaves "shares" out of a post nobody shared
                    Replies: EngagementJson.Int(document.RootElement, "comments", "summary", "total_count"),
                    Impressions: EngagementJson.GraphInsight(insights.RootElement, "post_impressions"),
                    Clicks: EngagementJson.GraphInsight(insights.RootElement, "post_clicks"),
                    Raw: body));
            }
        }
        catch (JsonException)
        {
            return new EngagementRead(read, EngagementJson.NotJson(Kind, 200));
        }
        catch (Exception e) when (ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure))
        {
            return new EngagementRead(read, failure);
        }
        return new EngagementRead(read);
    }
}
