namespace Publisher.Worker.Channels.Instagram;

/// <summary>
/// Metrics, one call a post: <c>GET /{version}/{ig-media-id}/insights?metric=reach,likes,comments,saved,shares,views</c>
/// with the Page token (metrics every feed post, carousel and reel has since v22.0, which dropped impressions and plays).
/// Views count as impressions, shares as reposts, comments as replies; reach and saves are kept in the raw answer.
/// </summary>
public sealed partial class InstagramClient : IEngagementReader
{
    public const string InsightMetrics = "reach,likes,comments,saved,shares,views";

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
            Reposts: (int?)EngagementJson.GraphInsight(root, "shares"),
            Replies: (int?)EngagementJson.GraphInsight(root, "comments"),
            Impressions: EngagementJson.GraphInsight(root, "views"),
            Raw: raw), cancellationToken);
    }
}
