using System.Net;
using System.Text.Json;

namespace Publisher.Worker.Channels.LinkedIn;

/// <summary>
/// Metrics: <c>GET /rest/socialActions/{post urn}</c> (likes and comments), one post a call, versioned like posting.
/// </summary>
public sealed partial class LinkedInClient : IEngagementReader
{
    public int MaxPostsPerRead => 20;

    public async Task<EngagementRead> ReadEngagementAsync(ChannelConnection connection, IReadOnlyList<string> postIds, CancellationToken cancellationToken)
    {
        var read = new List<PostMetrics>();
        try
        {
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            foreach (var urn in postIds)
            {
                using var message = Versioned(connection, HttpMethod.Get, "rest/socialActions/" + Uri.EscapeDataString(urn));
                using var response = await http.SendAsync(message, cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound) continue;
                if (!response.IsSuccessStatusCode)
                    return new EngagementRead(read, await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken));
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                using var document = JsonDocument.Parse(body);
                var actions = document.RootElement;
                read.Add(new PostMetrics(urn,
                    Likes: EngagementJson.Int(actions, "likesSummary", "totalLikes"),
                    Replies: EngagementJson.Int(actions, "commentsSummary", "aggregatedTotalComments"),
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
