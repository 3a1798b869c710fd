using System.Net.Http.Headers;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels;

/// <summary>
/// What every client that uploads media before posting shares: finding an earlier attempt's upload that can still
/// be attached, reading the bytes, building a file part, waiting for a network's processing, and turning an upload
/// that failed into the publish job's outcomes. Nothing has been posted while media upload, so an upload that broke
/// off is always safe to try again: a failure there is never "unknown".
/// </summary>
public static class ChannelMedia
{
    /// <summary>The network id of <paramref name="medium"/> as an earlier attempt uploaded it, when it can still be attached.</summary>
    public static string? Reusable(PublishRequest request, PublishMedia medium, DateTimeOffset now) =>
        request.UploadedMedia.TryGetValue(medium.Key, out var uploaded) && uploaded.IsUsableAt(now) ? uploaded.NetworkMediaId : null;

    /// <summary>The medium's bytes, whole. For images (a few MB at most) and for the parts a network asks for by range.</summary>
    public static async Task<byte[]> ReadAllAsync(PublishMedia medium, CancellationToken cancellationToken)
    {
        await using var stream = await medium.OpenAsync(cancellationToken);
        using var buffer = new MemoryStream(medium.Length is > 0 and < int.MaxValue ? (int)medium.Length : 0);
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>
    /// The medium's bytes in pieces of at most <paramref name="size"/> bytes, in order, read from the store as they go
    /// (a 500 MB video is never held whole). Each piece is a fresh array: the caller may keep it until it is sent.
    /// </summary>
    public static async IAsyncEnumerable<byte[]> ChunksAsync(PublishMedia medium, int size, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = await medium.OpenAsync(cancellationToken);
        while (true)
        {
            var chunk = new byte[size];
            var filled = 0;
            while (filled < size)
            {
                var read = await stream.ReadAsync(chunk.AsMemory(filled, size - filled), cancellationToken);
                if (read == 0) break;
                filled += read;
            }
            if (filled == 0) yield break;
            yield return filled == size ? chunk : chunk[..filled];
            if (filled < size) yield break;
        }
    }

    /// <summary>A file part for a multipart upload: the bytes with their type and a file name a server can log.</summary>
    public static ByteArrayContent FilePart(byte[] bytes, string contentType)
    {
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return part;
    }

    /// <summary>The file name a medium is sent under (its key and the extension of its type).</summary>
    public static string FileName(PublishMedia medium) => medium.Key[..Math.Min(16, medium.Key.Length)] + Extension(medium.ContentType);

    private static string Extension(string contentType) => contentType switch
    {
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        "image/gif" => ".gif",
        "image/webp" => ".webp",
        "video/quicktime" => ".mov",
        "video/mp4" => ".mp4",
        _ => "",
    };

    /// <summary>How a failure names the medium: "the image", "image 2 of 3", "the video".</summary>
    public static string Describe(PublishRequest request, PublishMedia medium)
    {
        var noun = medium.Kind switch { PublishMediaKind.Video => "video", PublishMediaKind.AnimatedGif => "GIF", _ => "image" };
        var index = IndexOf(request.Media, medium);
        return request.Media.Count <= 1 || index < 0 ? $"the {noun}" : $"{noun} {index + 1} of {request.Media.Count}";
    }

    private static int IndexOf(IReadOnlyList<PublishMedia> media, PublishMedia medium)
    {
        for (var i = 0; i < media.Count; i++)
            if (ReferenceEquals(media[i], medium)) return i;
        return -1;
    }

    /// <summary>A network's answer to an upload that was not a success, said as the upload's failure (4xx permanent, 408/429/5xx transient).</summary>
    public static async Task<PublishResult> RefusedAsync(HttpResponseMessage response, ChannelKind kind, string what, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var failure = await ChannelHttp.FailureAsync(response, kind, now, cancellationToken);
        return failure with { Detail = $"Uploading {what}: {failure.Detail}" };
    }

    /// <summary>
    /// An exception while uploading, as an outcome: nothing was posted, so a broken connection or a timeout is
    /// transient (the next attempt reuses what was recorded as uploaded), and a missing credential or medium is
    /// permanent. Returns false for exceptions that are not about the upload (the caller lets them go).
    /// </summary>
    public static bool TryMapUploadException(Exception exception, ChannelKind kind, string what, out PublishResult result)
    {
        result = exception switch
        {
            ChannelConfigurationException e => new PublishResult(PublishOutcome.Permanent, Detail: e.Message),
            // The outbound guard refused the account's address: trying again will not change it, an admin must.
            _ when Publisher.Core.Networking.OutboundAddressRefusedException.In(exception) is { } refused => new PublishResult(PublishOutcome.Permanent, Detail: refused.Message),
            _ when ChannelHttp.NothingWasSent(exception) => new PublishResult(PublishOutcome.Transient, Detail: ChannelHttp.CouldNotConnect(kind)),
            OperationCanceledException => new PublishResult(PublishOutcome.Transient,
                Detail: $"Uploading {what} to {ChannelHttp.Name(kind)} did not finish in time; nothing was posted, and the next attempt goes on from what was uploaded."),
            HttpRequestException or IOException => new PublishResult(PublishOutcome.Transient,
                Detail: $"Uploading {what} to {ChannelHttp.Name(kind)} broke off ({exception.Message}); nothing was posted."),
            System.Text.Json.JsonException => new PublishResult(PublishOutcome.Transient,
                Detail: $"{ChannelHttp.Name(kind)}'s answer to uploading {what} could not be read; nothing was posted."),
            _ => null!,
        };
        return result is not null;
    }

    /// <summary>
    /// Uploads each medium of the request in order with <paramref name="uploadOne"/> (which answers the network's id,
    /// or why not), unless an earlier attempt's upload can still be attached; records each new upload, kept for
    /// <paramref name="keptFor"/>, and maps exceptions as <see cref="TryMapUploadException"/> does. For networks whose
    /// upload is one exchange per medium with no processing to wait for (LinkedIn, Facebook).
    /// </summary>
    public static async Task<(IReadOnlyList<string> Ids, PublishResult? Failure)> UploadEachAsync(
        PublishRequest request, ChannelKind kind, IPublishProgress progress, TimeProvider clock, TimeSpan keptFor,
        Func<PublishMedia, string, Task<(string? Id, PublishResult? Failure)>> uploadOne, CancellationToken cancellationToken)
    {
        var ids = new List<string>(request.Media.Count);
        foreach (var medium in request.Media)
        {
            var what = Describe(request, medium);
            if (Reusable(request, medium, clock.GetUtcNow()) is { } reused)
            {
                ids.Add(reused);
                continue;
            }
            try
            {
                var (id, failure) = await uploadOne(medium, what);
                if (failure is not null) return ([], failure);
                await progress.MediaUploadedAsync(medium.Key, id!, clock.GetUtcNow() + keptFor, cancellationToken);
                ids.Add(id!);
            }
            catch (Exception e) when (TryMapUploadException(e, kind, what, out var failure))
            {
                return ([], failure);
            }
        }
        return (ids, null);
    }

    /// <summary>A network said it could not process a medium: permanent, in its own words.</summary>
    public static PublishResult ProcessingFailed(ChannelKind kind, string what, string? reason) =>
        new(PublishOutcome.Permanent, Detail: $"{ChannelHttp.Name(kind)} could not process {what}" + (string.IsNullOrWhiteSpace(reason) ? "." : $": {reason}"));

    /// <summary>
    /// How long to wait before asking again about a medium being processed: what the network asked for, at least a
    /// second and at most <see cref="MaxPollDelay"/> (the request's own deadline still applies).
    /// </summary>
    public static TimeSpan PollDelay(double? seconds) =>
        seconds is { } s && double.IsFinite(s) ? TimeSpan.FromSeconds(Math.Clamp(s, 1, MaxPollDelay.TotalSeconds)) : TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two processing checks.</summary>
    public static readonly TimeSpan MaxPollDelay = TimeSpan.FromSeconds(30);
}
