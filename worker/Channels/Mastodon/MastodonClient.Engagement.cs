using System.Net;
using System.Text.Json;

namespace Publisher.Worker.Channels.Mastodon;

/// <summary>Metrics: <c>GET /api/v1/statuses/:id</c>, one status a call (Mastodon has no batch lookup by id).</summary>
public sealed partial class MastodonClient : IEngagementReader
{
    public int MaxPostsPerRead => 20;

    public async Task<EngagementRead> ReadEngagementAsync(ChannelConnection connection, IReadOnlyList<string> postIds, CancellationToken cancellationToken)
    {
        var read = new List<PostMetrics>();
        try
        {
            var token = connection.Credential("access_token");
            var http = httpClientFactory.CreateClient(ChannelHttp.ClientName(Kind));
            foreach (var id in postIds)
            {
                using var message = new HttpRequestMessage(HttpMethod.Get, ChannelHttp.Combine(connection.BaseAddress, $"api/v1/statuses/{Uri.EscapeDataString(id)}"));
                ChannelHttp.Bearer(message, token);
                using var response = await http.SendAsync(message, cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound) continue; // deleted since
                if (!response.IsSuccessStatusCode)
                    return new EngagementRead(read, await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken));
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                using var document = JsonDocument.Parse(body);
                var status = document.RootElement;
                read.Add(new PostMetrics(id,
                    Likes: EngagementJson.Int(status, "favourites_count"),
                    Reposts: EngagementJson.Int(status, "reblogs_count"),
                    Replies: EngagementJson.Int(status, "replies_count"),
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
