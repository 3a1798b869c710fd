using System.Globalization;
using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.FacebookPage;

/// <summary>
/// A video on the Page: <c>POST /{version}/{page_id}/videos</c> in the resumable upload's three phases, as the Graph
/// API's Page video reference documents them (https://developers.facebook.com/docs/graph-api/reference/page/videos/,
/// https://developers.facebook.com/docs/video-api/guides/publishing):
/// <list type="number">
/// <item><c>upload_phase=start</c> with <c>file_size</c>: Facebook answers the <c>video_id</c>, an
/// <c>upload_session_id</c> and the first chunk it wants (<c>start_offset</c>, <c>end_offset</c>);</item>
/// <item><c>upload_phase=transfer</c> (multipart: the session, <c>start_offset</c> and the bytes as
/// <c>video_file_chunk</c>) for each chunk it asks for, until it answers <c>start_offset</c> equal to <c>end_offset</c>;</item>
/// <item><c>upload_phase=finish</c> with the session, the <c>description</c> (the variant's text) and <c>title</c>:
/// this publishes the video, so it is the post itself.</item>
/// </list>
/// The session is recorded once every chunk is in, so a retry after a crash or a failed finish only finishes it; a
/// session Facebook no longer takes is uploaded again (an unfinished session publishes nothing). A finish that broke
/// off after it was sent is "unknown", like any post.
/// </summary>
public sealed partial class FacebookPageClient
{
    /// <summary>The Graph API documents no lifetime for an unfinished upload session; a retry reuses one for a day.</summary>
    public static readonly TimeSpan UnusedVideoKept = TimeSpan.FromDays(1);

    /// <summary>The largest chunk Publisher holds in memory; a bigger one asked for is sent in pieces of this size.</summary>
    public const int MaxVideoChunkBytes = 16 * 1024 * 1024;

    private async Task<PublishResult> PublishVideoAsync(HttpClient http, PublishRequest request, PublishMedia video, IPublishProgress progress, CancellationToken cancellationToken)
    {
        var what = ChannelMedia.Describe(request, video);
        var session = ChannelMedia.Reusable(request, video, clock.GetUtcNow()) is { } recorded && UploadSession.TryParse(recorded, out var parsed) ? parsed : null;
        var reused = session is not null;
        while (true)
        {
            if (session is null)
            {
                try
                {
                    var (uploaded, failure) = await UploadVideoAsync(http, request.Connection, video, what, cancellationToken);
                    if (failure is not null) return failure;
                    session = uploaded!;
                }
                catch (Exception e) when (ChannelMedia.TryMapUploadException(e, Kind, what, out var failure))
                {
                    return failure;
                }
                await progress.MediaUploadedAsync(video.Key, session.ToString(), clock.GetUtcNow() + UnusedVideoKept, cancellationToken);
            }

            var message = request.Text;
            if (!string.IsNullOrWhiteSpace(request.Link) && !message.Contains(request.Link, StringComparison.Ordinal))
                message = $"{message}\n\n{request.Link}";
            var form = new List<KeyValuePair<string, string>>
            {
                new("upload_phase", "finish"),
                new("upload_session_id", session.SessionId),
                new("description", message),
            };
            if (!string.IsNullOrWhiteSpace(request.Title)) form.Add(new("title", request.Title));
            form.Add(new("access_token", request.Connection.Credential("page_access_token")));
            using var content = Multipart(form);
            using var response = await http.PostAsync(VideosAddress(request.Connection), content, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var failure = await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken);
                // A recorded session Facebook no longer takes published nothing: upload the video again, once.
                if (reused && failure.Outcome == PublishOutcome.Permanent)
                {
                    reused = false;
                    session = null;
                    continue;
                }
                return failure;
            }
            var finished = await ReadJsonAsync(response, cancellationToken);
            if (finished is not { } answer || !answer.TryGetProperty("success", out var success) || success.ValueKind != JsonValueKind.True)
                return new PublishResult(PublishOutcome.Unknown, HttpStatus: (int)response.StatusCode,
                    Detail: "Facebook answered the video's publishing without saying it succeeded; check the Page's videos.");
            await progress.PartPostedAsync(session.VideoId, cancellationToken);
            return PublishResult.Published(session.VideoId, PostAddresses.FacebookPost(session.VideoId));
        }
    }

    /// <summary>An upload session whose bytes are all in: the video's id and the session that finishes it.</summary>
    private sealed record UploadSession(string VideoId, string SessionId)
    {
        public override string ToString() => $"{VideoId}/{SessionId}";

        public static bool TryParse(string text, out UploadSession session)
        {
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            session = slash > 0 && slash < text.Length - 1 ? new UploadSession(text[..slash], text[(slash + 1)..]) : null!;
            return session is not null;
        }
    }

    /// <summary>The start and transfer phases: every chunk Facebook asks for, read from the store as they go.</summary>
    private async Task<(UploadSession? Session, PublishResult? Failure)> UploadVideoAsync(HttpClient http, ChannelConnection connection, PublishMedia video, string what, CancellationToken cancellationToken)
    {
        string videoId, sessionId;
        long start, end;
        using (var form = Multipart([
            new("upload_phase", "start"),
            new("file_size", video.Length.ToString(CultureInfo.InvariantCulture)),
            new("access_token", connection.Credential("page_access_token")),
        ]))
        {
            using var response = await http.PostAsync(VideosAddress(connection), form, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return (null, await ChannelMedia.RefusedAsync(response, Kind, what, clock.GetUtcNow(), cancellationToken));
            var answer = await ReadJsonAsync(response, cancellationToken);
            if (answer is not { } root || Text(root, "video_id") is not { Length: > 0 } id || Text(root, "upload_session_id") is not { Length: > 0 } sid
                || !TryOffsets(root, out start, out end))
                return (null, new PublishResult(PublishOutcome.Transient, Detail: $"Facebook's answer to uploading {what} had no video id, session or offsets; nothing was posted."));
            (videoId, sessionId) = (id, sid);
        }

        Stream? stream = null;
        long position = 0;
        try
        {
            while (start < end)
            {
                if (start > video.Length || end > video.Length || start < 0)
                    return (null, new PublishResult(PublishOutcome.Transient, Detail: $"Facebook asked for bytes {start} to {end} of {what}, which has {video.Length:N0}; nothing was posted."));
                // Facebook names each chunk by offset; it asks for them in order, but a chunk it asks for again means
                // reading from the start once more.
                if (stream is null || start < position)
                {
                    if (stream is not null) await stream.DisposeAsync();
                    stream = await video.OpenAsync(cancellationToken);
                    position = 0;
                }
                var chunk = new byte[Math.Min(end - start, MaxVideoChunkBytes)];
                if (start > position)
                {
                    var skip = new byte[Math.Min(start - position, 81920)];
                    while (position < start)
                    {
                        var read = (int)Math.Min(skip.Length, start - position);
                        await stream.ReadExactlyAsync(skip.AsMemory(0, read), cancellationToken);
                        position += read;
                    }
                }
                await stream.ReadExactlyAsync(chunk, cancellationToken);
                position += chunk.Length;

                using var form = Multipart([
                    new("upload_phase", "transfer"),
                    new("upload_session_id", sessionId),
                    new("start_offset", start.ToString(CultureInfo.InvariantCulture)),
                    new("access_token", connection.Credential("page_access_token")),
                ]);
                form.Add(ChannelMedia.FilePart(chunk, "application/octet-stream"), "video_file_chunk", ChannelMedia.FileName(video));
                using var response = await http.PostAsync(VideosAddress(connection), form, cancellationToken);
                if (!response.IsSuccessStatusCode)
                    return (null, await ChannelMedia.RefusedAsync(response, Kind, what, clock.GetUtcNow(), cancellationToken));
                if (await ReadJsonAsync(response, cancellationToken) is not { } next || !TryOffsets(next, out var nextStart, out var nextEnd) || nextStart <= start)
                    return (null, new PublishResult(PublishOutcome.Transient, Detail: $"Facebook's answer to a chunk of {what} did not move on to the next one; nothing was posted."));
                (start, end) = (nextStart, nextEnd);
            }
        }
        finally
        {
            if (stream is not null) await stream.DisposeAsync();
        }
        return (new UploadSession(videoId, sessionId), null);
    }

    /// <summary>
    /// The Page's videos edge. Facebook takes video uploads on graph-video.facebook.com (its Page video docs); an
    /// account on another address (a test server, a proxy) uploads there.
    /// </summary>
    private static Uri VideosAddress(ChannelConnection connection)
    {
        var baseAddress = connection.BaseAddress;
        if (baseAddress.Host.Equals("graph.facebook.com", StringComparison.OrdinalIgnoreCase))
            baseAddress = new UriBuilder(baseAddress) { Host = "graph-video.facebook.com" }.Uri;
        return ChannelHttp.Combine(baseAddress, $"{Version(connection)}/{Uri.EscapeDataString(connection.Setting("page_id"))}/videos");
    }

    /// <summary>Every phase goes as multipart/form-data, as the Graph API's video upload examples send it.</summary>
    private static MultipartFormDataContent Multipart(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        return form;
    }

    private static async Task<JsonElement?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    /// <summary>Graph answers the offsets as strings of digits (numbers taken too).</summary>
    private static bool TryOffsets(JsonElement element, out long start, out long end)
    {
        end = 0;
        return long.TryParse(Text(element, "start_offset"), NumberStyles.None, CultureInfo.InvariantCulture, out start)
            && long.TryParse(Text(element, "end_offset"), NumberStyles.None, CultureInfo.InvariantCulture, out end)
            && end >= start;
    }
}
