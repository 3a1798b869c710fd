using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels;

/// <summary>What a network says of one post at the time of reading; a figure it does not report is null.</summary>
/// <param name="PostId">The post's id as the channel client stored it (a thread's parts are read one by one).</param>
/// <param name="Raw">The network's JSON for this post, kept for inspection.</param>
public sealed record PostMetrics(
    string PostId, int? Likes = null, int? Reposts = null, int? Replies = null, int? Quotes = null,
    long? Impressions = null, long? Clicks = null, string? Raw = null);

/// <summary>
/// The posts read, and the failure that stopped the reading if one did (with its Retry-After for a 429): what was
/// read before it is kept. Posts the network no longer has (deleted) are simply not in <see cref="Posts"/>.
/// </summary>
public sealed record EngagementRead(IReadOnlyList<PostMetrics> Posts, PublishResult? Failure = null);

/// <summary>Reads published posts' public metrics from one network, as the account that posted them.</summary>
public interface IEngagementReader
{
    ChannelKind Kind { get; }

    /// <summary>The most post ids one call of <see cref="ReadEngagementAsync"/> takes (the network's batch limit).</summary>
    int MaxPostsPerRead { get; }

    Task<EngagementRead> ReadEngagementAsync(ChannelConnection connection, IReadOnlyList<string> postIds, CancellationToken cancellationToken);
}

/// <summary>Reading the figures out of a network's JSON.</summary>
internal static class EngagementJson
{
    public static int? Int(JsonElement element, params string[] path)
    {
        var current = element;
        foreach (var name in path)
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
                return null;
        return current.ValueKind == JsonValueKind.Number && current.TryGetInt32(out var value) ? value : null;
    }

    public static long? Long(JsonElement element, params string[] path)
    {
        var current = element;
        foreach (var name in path)
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
                return null;
        return current.ValueKind == JsonValueKind.Number && current.TryGetInt64(out var value) ? value : null;
    }

    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Graph answers a deleted (or never known) object with a 400 whose error code is 100 ("does not exist").</summary>
    public static async Task<bool> IsGoneFromGraphAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != System.Net.HttpStatusCode.BadRequest) return false;
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return Int(document.RootElement, "error", "code") == 100;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A lifetime metric of a Graph insights answer: <c>{"data":[{"name":…,"values":[{"value":N}]}]}</c>; null when it is not there.</summary>
    public static long? GraphInsight(JsonElement root, string name)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array) return null;
        foreach (var metric in data.EnumerateArray())
            if (String(metric, "name") == name && metric.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array)
                foreach (var value in values.EnumerateArray())
                    return Long(value, "value");
        return null;
    }

    /// <summary>A 2xx answer that is not the JSON the network documents: try again later, the next reading may be fine.</summary>
    public static PublishResult NotJson(ChannelKind kind, int status) =>
        new(PublishOutcome.Transient, HttpStatus: status, Detail: $"{ChannelHttp.Name(kind)} answered the metrics request with something that is not the JSON it documents.");
}
