namespace Publisher.Worker.Channels.Threads;

/// <summary>
/// Metrics, one call a post: <c>GET /{version}/{media-id}/insights?metric=views,likes,replies,reposts,quotes,shares</c>
/// with the account's token (Threads' media insights; <c>threads_manage_insights</c>). Shares (sends) are kept in the raw answer.
/// </summary>
public sealed partial class ThreadsClient : IEngagementReader
{
    public const string InsightMetrics = "views,likes,replies,reposts,quotes,shares";

    public int MaxPostsPerRead => 20;

    public async Task<EngagementRead> ReadEngagementAsync(ChannelConnection connection, IReadOnlyList<string> postIds, CancellationToken cancellationToken)
    {
        GraphContainers api;
        try
        {
            api = Api(connection);
        }
        catch (ChannelConfigurationException e) when (ChannelHttp.TryMapException(e, Kind, cancellationToken, out var failure))
        {
            return new EngagementRead([], failure); // no user id or token: an admin must set them
        }
        return await api.ReadInsightsAsync(postIds, InsightMetrics, (id, root, raw) => new PostMetrics(id,
            Likes: (int?)EngagementJson.GraphInsight(root, "likes"),
            Reposts: (int?)EngagementJson.GraphInsight(root, "reposts"),
            Replies: (int?)EngagementJson.GraphInsight(root, "replies"),
            Quotes: (int?)EngagementJson.GraphInsight(root, "quotes"),
            Impressions: EngagementJson.GraphInsight(root, "views"),
            Raw: raw), cancellationToken);
    }
}
