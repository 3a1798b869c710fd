using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels;

/// <summary>
/// How one of Meta's container APIs names things: Threads (<c>POST /{user}/threads</c>, <c>threads_publish</c>, a
/// container's <c>status</c> and <c>error_message</c>) and Instagram (<c>POST /{ig-user}/media</c>, <c>media_publish</c>,
/// <c>status_code</c> and <c>status</c>).
/// </summary>
/// <param name="Kind">The channel kind (error wording, the named HttpClient).</param>
/// <param name="CreatePath">The edge of the user that makes a container.</param>
/// <param name="PublishPath">The edge of the user that publishes one.</param>
/// <param name="StatusField">The container field holding IN_PROGRESS, FINISHED, ERROR, EXPIRED or PUBLISHED.</param>
/// <param name="ReasonField">The container field saying why it is in ERROR.</param>
/// <param name="TextField">The post field holding its text (to find a published post by it).</param>
public sealed record ContainerDialect(ChannelKind Kind, string CreatePath, string PublishPath, string StatusField, string ReasonField, string TextField);

/// <summary>Where a container is in its life.</summary>
public enum ContainerState
{
    /// <summary>Still fetching or processing its media.</summary>
    InProgress,
    /// <summary>Ready to publish.</summary>
    Finished,
    /// <summary>Its media could not be processed: a new container will not do better with the same file.</summary>
    Error,
    /// <summary>Not published within 24 hours: a new one must be made.</summary>
    Expired,
    /// <summary>Published: it cannot be published again.</summary>
    Published,
    /// <summary>The network no longer knows it, or answered with a state Publisher does not know.</summary>
    Gone,
}

/// <summary>
/// The two-step publishing Threads and Instagram share: make a container (the post's text and where its media are),
/// wait while the network fetches and processes the media, then publish the container. A container can be published
/// once: publishing the one an earlier attempt made can never post twice. So each container is recorded (as an upload,
/// <see cref="IPublishProgress.MediaUploadedAsync"/>, under <see cref="Key"/>) before it is published, and an attempt
/// that follows an interrupted one asks the recorded container where it is instead of making another: FINISHED is
/// published, PUBLISHED is looked up among the account's latest posts by its exact text.
/// </summary>
public sealed class GraphContainers(HttpClient http, ContainerDialect dialect, Uri versionRoot, string userId, string token, TimeProvider clock)
{
    /// <summary>Containers not published within a day expire (both networks document 24 hours).</summary>
    public static readonly TimeSpan ContainerLifetime = TimeSpan.FromHours(24);

    /// <summary>How many of the account's latest posts are read to find one whose container says PUBLISHED.</summary>
    public const int LookupDepth = 25;

    private ChannelKind Kind => dialect.Kind;

    private string Name => ChannelHttp.Name(Kind);

    /// <summary>
    /// The recorded name of part <paramref name="index"/>'s container: the part and a hash of the request's idempotency key
    /// (which changes with the approved content), so an edited and approved-again post never reuses an old container.
    /// </summary>
    public static string Key(PublishRequest request, int index) =>
        $"container-{index.ToString(CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.IdempotencyKey)))[..40]}";

    /// <summary>The container an earlier attempt made for part <paramref name="index"/>, while it can still be published.</summary>
    public static string? Recorded(PublishRequest request, int index, DateTimeOffset now) =>
        request.UploadedMedia.TryGetValue(Key(request, index), out var uploaded) && uploaded.IsUsableAt(now) ? uploaded.NetworkMediaId : null;

    /// <summary>
    /// Makes a container with <paramref name="fields"/> (form-encoded, with the token). Nothing is posted by it, so any
    /// failure is safe to try again: a refusal in the network's words, a broken connection transient.
    /// </summary>
    public async Task<(string? Id, PublishResult? Failure)> CreateAsync(IEnumerable<KeyValuePair<string, string>> fields, string what, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new FormUrlEncodedContent(fields.Append(new("access_token", token)));
            using var response = await http.PostAsync(At($"{Uri.EscapeDataString(userId)}/{dialect.CreatePath}"), content, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var failure = await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken);
                return (null, failure with { Detail = $"Preparing {what}: {failure.Detail}" });
            }
            return await ReadIdAsync(response, cancellationToken) is { } id
                ? (id, null)
                : (null, new PublishResult(PublishOutcome.Transient, HttpStatus: (int)response.StatusCode, Detail: $"{Name} accepted {what} but its answer had no container id; nothing was posted."));
        }
        catch (Exception e) when (ChannelMedia.TryMapUploadException(e, Kind, what, out var failure))
        {
            return (null, failure);
        }
    }

    /// <summary>Where the container is, and the network's reason when it failed. Throws what the HTTP call throws.</summary>
    public async Task<(ContainerState State, string? Reason)> StateAsync(string containerId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(
            At($"{Uri.EscapeDataString(containerId)}?fields={dialect.StatusField},{dialect.ReasonField}&access_token={Uri.EscapeDataString(token)}"), cancellationToken);
        if ((int)response.StatusCode is 400 or 404) return (ContainerState.Gone, null);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{Name} answered {(int)response.StatusCode} about a container.", null, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = document.RootElement;
        var status = root.TryGetProperty(dialect.StatusField, out var value) ? value.GetString() : null;
        var reason = root.TryGetProperty(dialect.ReasonField, out var why) && why.ValueKind == JsonValueKind.String ? why.GetString() : null;
        return (status switch
        {
            "IN_PROGRESS" => ContainerState.InProgress,
            "FINISHED" => ContainerState.Finished,
            "ERROR" => ContainerState.Error,
            "EXPIRED" => ContainerState.Expired,
            "PUBLISHED" => ContainerState.Published,
            _ => ContainerState.Gone,
        }, reason);
    }

    /// <summary>
    /// Waits while the network processes the container (asking at most every <see cref="ChannelMedia.MaxPollDelay"/>;
    /// the caller's token is the deadline). Null when it is ready; otherwise the failure: ERROR is permanent in the
    /// network's words, EXPIRED transient (the next attempt makes a new container).
    /// </summary>
    public async Task<PublishResult?> WaitUntilReadyAsync(string containerId, string what, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        try
        {
            while (true)
            {
                var (state, reason) = await StateAsync(containerId, cancellationToken);
                switch (state)
                {
                    case ContainerState.Finished:
                        return null;
                    case ContainerState.Error:
                        return ChannelMedia.ProcessingFailed(Kind, what, reason);
                    case ContainerState.Expired or ContainerState.Gone:
                        return new PublishResult(PublishOutcome.Transient, Detail: $"{Name} no longer holds {what} prepared for this post; the next attempt prepares it again. Nothing was posted.");
                    case ContainerState.Published:
                        return new PublishResult(PublishOutcome.Unknown, Detail: $"{Name} says {what} is already published; checking where.");
                }
                await Task.Delay(delay, clock, cancellationToken);
                delay = ChannelMedia.PollDelay(Math.Min(delay.TotalSeconds * 2, ChannelMedia.MaxPollDelay.TotalSeconds));
            }
        }
        catch (Exception e) when (ChannelMedia.TryMapUploadException(e, Kind, what, out var failure))
        {
            return failure;
        }
    }

    /// <summary>
    /// Publishes the container: the post's media id, or the failure (a broken connection after sending is thrown for
    /// the caller to map as "may have gone out"). Publishing the same container twice cannot make two posts.
    /// </summary>
    public async Task<(string? MediaId, PublishResult? Failure)> PublishAsync(string containerId, CancellationToken cancellationToken)
    {
        using var content = new FormUrlEncodedContent([new("creation_id", containerId), new("access_token", token)]);
        using var response = await http.PostAsync(At($"{Uri.EscapeDataString(userId)}/{dialect.PublishPath}"), content, cancellationToken);
        if (!response.IsSuccessStatusCode)
            return (null, await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken));
        return await ReadIdAsync(response, cancellationToken) is { } id
            ? (id, null)
            : (null, new PublishResult(PublishOutcome.Unknown, HttpStatus: (int)response.StatusCode, Detail: $"{Name} accepted the post but its answer had no id."));
    }

    /// <summary>
    /// The id of the account's post among its latest <see cref="LookupDepth"/> on <paramref name="edge"/> whose text is
    /// exactly <paramref name="text"/> (line ends and outer spaces aside), or null.
    /// </summary>
    public async Task<string?> FindPublishedAsync(string edge, string text, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(
            At($"{Uri.EscapeDataString(userId)}/{edge}?fields=id,{dialect.TextField},timestamp&limit={LookupDepth}&access_token={Uri.EscapeDataString(token)}"), cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{Name} answered {(int)response.StatusCode} to the list of latest posts.", null, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array) return null;
        var wanted = Normalize(text);
        foreach (var post in data.EnumerateArray())
        {
            if (post.TryGetProperty(dialect.TextField, out var value) && value.ValueKind == JsonValueKind.String && Normalize(value.GetString()!) == wanted
                && post.TryGetProperty("id", out var id) && id.GetString() is { Length: > 0 } found)
                return found;
        }
        return null;
    }

    /// <summary>The post's own address, when the network answers with one: the post is out either way, so a failure here is only a missing link.</summary>
    public async Task<string?> PermalinkAsync(string mediaId, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(At($"{Uri.EscapeDataString(mediaId)}?fields=permalink&access_token={Uri.EscapeDataString(token)}"), cancellationToken);
            if (!response.IsSuccessStatusCode) return null;
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return document.RootElement.TryGetProperty("permalink", out var link) ? Publisher.Templates.Model.WebAddress.OrNull(link.GetString()) : null;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>
    /// What became of part <paramref name="index"/> whose container is recorded: its post's id when the container was
    /// published and the post is found, <see cref="ReconcileVerdict.SafeToRetry"/> when it was not published (publishing
    /// it, or a new container, cannot post twice), <see cref="ReconcileVerdict.Unknown"/> when it was published and the
    /// post cannot be found.
    /// </summary>
    public async Task<(ReconcileVerdict Verdict, string? MediaId, string? Detail)> ResolveAsync(string containerId, string edge, string text, string which, CancellationToken cancellationToken)
    {
        var (state, _) = await StateAsync(containerId, cancellationToken);
        if (state != ContainerState.Published)
            return state == ContainerState.Gone
                ? (ReconcileVerdict.Unknown, null, $"{Name} no longer knows the container made for {which}: look on {Name} whether it went out, then mark it published or publish again.")
                : (ReconcileVerdict.SafeToRetry, null, null);
        return await FindPublishedAsync(edge, text, cancellationToken) is { } id
            ? (ReconcileVerdict.Published, id, null)
            : (ReconcileVerdict.Unknown, null, $"{Name} says {which} was published, but it is not among the account's {LookupDepth} latest posts with that text: look on {Name}, then mark it published or publish again.");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").Trim();

    private Uri At(string relative) => ChannelHttp.Combine(versionRoot, relative);

    private static async Task<string?> ReadIdAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return document.RootElement.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } id ? id : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Each post's lifetime media insights, one <c>GET /{media-id}/insights?metric=…</c> a post with the account's token.
    /// A post the network no longer has (deleted: a 400 with code 100) is left out; Instagram's "not enough viewers"
    /// (code 10) is a reading without figures; any other failure stops the reading, keeping what was read.
    /// </summary>
    public async Task<EngagementRead> ReadInsightsAsync(IReadOnlyList<string> mediaIds, string metrics, Func<string, JsonElement, string, PostMetrics> figures, CancellationToken cancellationToken)
    {
        var read = new List<PostMetrics>();
        try
        {
            foreach (var id in mediaIds)
            {
                using var response = await http.GetAsync(ChannelHttp.Combine(versionRoot,
                    $"{Uri.EscapeDataString(id)}/insights?metric={Uri.EscapeDataString(metrics)}&access_token={Uri.EscapeDataString(token)}"), cancellationToken);
                if (await EngagementJson.IsGoneFromGraphAsync(response, cancellationToken)) continue;
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    if (IsTooFewViewers(body))
                    {
                        read.Add(new PostMetrics(id, Raw: body));
                        continue;
                    }
                    return new EngagementRead(read, await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken));
                }
                using var document = JsonDocument.Parse(body);
                read.Add(figures(id, document.RootElement, body));
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

        static bool IsTooFewViewers(string body)
        {
            try
            {
                using var error = JsonDocument.Parse(body);
                return EngagementJson.Int(error.RootElement, "error", "code") == 10;
            }
            catch (JsonException)
            {
                return false;
            }
        }
    }
}
