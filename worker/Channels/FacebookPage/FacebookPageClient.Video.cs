using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Publisher.Core.Domain;
using Publisher.Core.Publishing;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.FacebookPage;

/// <summary>
/// A video on the Page, the way Meta's Video API publishing guide has it
/// (https://developers.facebook.com/docs/video-api/guides/publishing), its file sent with the Resumable Upload API
/// (https://developers.facebook.com/docs/graph-api/guides/upload):
/// <list type="number">
/// <item><c>POST /{version}/{app_id}/uploads</c> with <c>file_name</c>, <c>file_length</c>, <c>file_type</c> and a
/// <em>user</em> access token (of a person with a role on the Meta app) opens an upload session, answered
/// <c>{"id":"upload:…"}</c>; the session is recorded at once;</item>
/// <item><c>POST /{version}/upload:…</c> with the header <c>Authorization: OAuth {user token}</c> (the guide says the
/// token works only there), the header <c>file_offset</c> and the file's bytes from that offset as the body, answered
/// <c>{"h":"…"}</c>, the file handle, which is recorded in place of the session; a session recorded by an attempt
/// that broke off is asked where it stands (<c>GET /{version}/upload:…</c>, answered <c>{"id", "file_offset"}</c>)
/// and the rest is sent from there;</item>
/// <item><c>POST /{version}/{page_id}/videos</c> on graph-video.facebook.com with the <em>Page</em> token,
/// <c>title</c>, <c>description</c> (the variant's text) and <c>fbuploader_video_file_chunk</c> (the handle),
/// answered <c>{"id": video id}</c>: this publishes the video, so it is the post itself, sent at most once per attempt.
/// A call that broke off after it was sent is "unknown", like any post.</item>
/// </list>
/// The two upload steps go to the account's address (graph.facebook.com: the upload guide's host, and the Video API
/// overview calls graph-video.facebook.com deprecated for uploads); the publishing call goes to graph-video.facebook.com
/// as the publishing guide shows it.
/// </summary>
public sealed partial class FacebookPageClient
{
    /// <summary>The Graph API documents no lifetime for an upload session or a file handle; a retry reuses one for a day.</summary>
    public static readonly TimeSpan UnusedVideoKept = TimeSpan.FromDays(1);

    private const string SessionRecord = "session:";
    private const string HandleRecord = "handle:";

    /// <summary>
    /// Whether an attempt may have sent the video's publishing call: it recorded the handle (or something that is not
    /// an upload session, as the upload method before this one recorded just before publishing).
    /// </summary>
    private static bool HandleRecorded(PublishRequest request, PublishMedia video) =>
        request.UploadedMedia.TryGetValue(video.Key, out var recorded) && !recorded.NetworkMediaId.StartsWith(SessionRecord, StringComparison.Ordinal);

    private async Task<PublishResult> PublishVideoAsync(HttpClient http, PublishRequest request, PublishMedia video, IPublishProgress progress, CancellationToken cancellationToken)
    {
        var what = ChannelMedia.Describe(request, video);
        var recorded = ChannelMedia.Reusable(request, video, clock.GetUtcNow());
        var handle = recorded is not null && recorded.StartsWith(HandleRecord, StringComparison.Ordinal) ? recorded[HandleRecord.Length..] : null;
        var session = recorded is not null && recorded.StartsWith(SessionRecord, StringComparison.Ordinal) ? recorded[SessionRecord.Length..] : null;
        var reused = handle is not null;
        while (true)
        {
            if (handle is null)
            {
                try
                {
                    var (uploaded, failure) = await UploadVideoAsync(http, request.Connection, video, what, session, progress, cancellationToken);
                    if (failure is not null) return failure;
                    handle = uploaded!;
                }
                catch (Exception e) when (ChannelMedia.TryMapUploadException(e, Kind, what, out var failure))
                {
                    return failure;
                }
                await progress.MediaUploadedAsync(video.Key, HandleRecord + handle, clock.GetUtcNow() + UnusedVideoKept, cancellationToken);
            }

            var message = request.Text;
            if (!string.IsNullOrWhiteSpace(request.Link) && !message.Contains(request.Link, StringComparison.Ordinal))
                message = $"{message}\n\n{request.Link}";
            var form = new List<KeyValuePair<string, string>> { new("description", message) };
            if (!string.IsNullOrWhiteSpace(request.Title)) form.Add(new("title", request.Title));
            form.Add(new("fbuploader_video_file_chunk", handle));
            form.Add(new("access_token", request.Connection.Credential("page_access_token")));
            using var content = new MultipartFormDataContent();
            foreach (var (name, value) in form) content.Add(new StringContent(value), name);
            using var response = await http.PostAsync(VideosAddress(request.Connection), content, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var failure = await ChannelHttp.FailureAsync(response, Kind, clock.GetUtcNow(), cancellationToken);
                // Facebook refused a recorded handle (it published nothing): upload the video again, once.
                if (reused && failure.Outcome == PublishOutcome.Permanent)
                {
                    (reused, handle, session) = (false, null, null);
                    continue;
                }
                return failure;
            }
            if (await ReadJsonAsync(response, cancellationToken) is not { } answer || Text(answer, "id") is not { Length: > 0 } videoId)
                return new PublishResult(PublishOutcome.Unknown, HttpStatus: (int)response.StatusCode,
                    Detail: "Facebook answered the video's publishing without its id; check the Page's videos.");
            await progress.PartPostedAsync(videoId, cancellationToken);
            return PublishResult.Published(videoId, PostAddresses.FacebookPost(videoId));
        }
    }

    /// <summary>
    /// The two upload steps: a new session (recorded as soon as Facebook names it) or the recorded one asked where it
    /// stands, then the bytes from there in one request, read from the store as they go. Answers the file handle.
    /// </summary>
    private async Task<(string? Handle, PublishResult? Failure)> UploadVideoAsync(HttpClient http, ChannelConnection connection, PublishMedia video, string what,
        string? recordedSession, IPublishProgress progress, CancellationToken cancellationToken)
    {
        var appId = connectOptions.Value.Facebook.ClientId?.Trim() is { Length: > 0 } configured
            ? configured
            : throw new ChannelConfigurationException("Publishing a video to a Facebook Page needs the Meta app's id: set Connect__Facebook__ClientId (the App ID, with Connect__Facebook__ClientSecret) to the app the Page's tokens come from.");
        var userToken = connection.Credentials.TryGetValue("user_access_token", out var token) && !string.IsNullOrWhiteSpace(token)
            ? token
            : throw new ChannelConfigurationException("Facebook takes a video's file only with the user access token of a person with a role on the Meta app: reconnect the Page with Connect, or enter a “User access token” on the Channels page.");

        long offset = 0;
        var session = recordedSession is not null && IsSessionId(recordedSession) ? recordedSession : null;
        if (session is not null)
        {
            using var asked = new HttpRequestMessage(HttpMethod.Get, UploadAddress(connection, session));
            asked.Headers.TryAddWithoutValidation("Authorization", $"OAuth {userToken}");
            using var status = await http.SendAsync(asked, cancellationToken);
            if (!status.IsSuccessStatusCode)
            {
                var refused = await ChannelMedia.RefusedAsync(status, Kind, what, clock.GetUtcNow(), cancellationToken);
                if (refused.Outcome != PublishOutcome.Permanent) return (null, refused);
                session = null; // gone or refused: a new session takes the file (nothing was published)
            }
            else if (await ReadJsonAsync(status, cancellationToken) is { } where
                     && long.TryParse(Text(where, "file_offset"), NumberStyles.None, CultureInfo.InvariantCulture, out var received)
                     && received < video.Length)
                offset = received;
            else
                // Holding the whole file without its handle having reached us (or answering in a shape not documented):
                // the guide gives no way to get that handle back, so a new session takes the file again.
                session = null;
        }

        if (session is null)
        {
            var start = ChannelHttp.Combine(connection.BaseAddress, $"{Version(connection)}/{Uri.EscapeDataString(appId)}/uploads?" + string.Join('&',
                new[]
                {
                    ("file_name", ChannelMedia.FileName(video)),
                    ("file_length", video.Length.ToString(CultureInfo.InvariantCulture)),
                    ("file_type", video.ContentType),
                    ("access_token", userToken),
                }.Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}")));
            using var started = await http.PostAsync(start, content: null, cancellationToken);
            if (!started.IsSuccessStatusCode)
                return (null, await ChannelMedia.RefusedAsync(started, Kind, what, clock.GetUtcNow(), cancellationToken));
            if (await ReadJsonAsync(started, cancellationToken) is not { } answer || Text(answer, "id") is not { } id || !IsSessionId(id))
                return (null, new PublishResult(PublishOutcome.Transient, Detail: $"Facebook's answer to uploading {what} named no upload session; nothing was posted."));
            session = id;
            offset = 0;
            await progress.MediaUploadedAsync(video.Key, SessionRecord + session, clock.GetUtcNow() + UnusedVideoKept, cancellationToken);
        }

        await using var stream = await video.OpenAsync(cancellationToken);
        await SkipAsync(stream, offset, cancellationToken);
        using var bytes = new StreamContent(stream);
        bytes.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        bytes.Headers.ContentLength = video.Length - offset;
        using var upload = new HttpRequestMessage(HttpMethod.Post, UploadAddress(connection, session)) { Content = bytes };
        upload.Headers.TryAddWithoutValidation("Authorization", $"OAuth {userToken}");
        upload.Headers.TryAddWithoutValidation("file_offset", offset.ToString(CultureInfo.InvariantCulture));
        using var sent = await http.SendAsync(upload, cancellationToken);
        if (!sent.IsSuccessStatusCode)
            return (null, await ChannelMedia.RefusedAsync(sent, Kind, what, clock.GetUtcNow(), cancellationToken));
        return await ReadJsonAsync(sent, cancellationToken) is { } done && Text(done, "h") is { Length: > 0 } handle
            ? (handle, null)
            : (null, new PublishResult(PublishOutcome.Transient, Detail: $"Facebook's answer to the bytes of {what} had no file handle; nothing was posted, and the next attempt asks where the upload stands."));
    }

    /// <summary>
    /// A session id as Facebook names it: <c>upload:</c> and an opaque id, which may carry its own <c>?sig=</c>
    /// query (Meta's examples show one); it goes into the address as it came, so anything that could reach another
    /// path or host is refused.
    /// </summary>
    private static bool IsSessionId(string id) =>
        id.StartsWith("upload:", StringComparison.Ordinal) && id.Length > "upload:".Length
        && !id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '\\' or '#' or '@');

    private static Uri UploadAddress(ChannelConnection connection, string session) =>
        ChannelHttp.Combine(connection.BaseAddress, $"{Version(connection)}/{session}");

    /// <summary>Moves the store's stream to <paramref name="offset"/>: seeking when it can, else reading past.</summary>
    private static async Task SkipAsync(Stream stream, long offset, CancellationToken cancellationToken)
    {
        if (offset == 0) return;
        if (stream.CanSeek)
        {
            stream.Seek(offset, SeekOrigin.Begin);
            return;
        }
        var buffer = new byte[81920];
        for (var left = offset; left > 0;)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
            if (read == 0) throw new IOException("The stored video is shorter than the offset Facebook has.");
            left -= read;
        }
    }

    /// <summary>
    /// The Page's videos edge. The publishing guide sends it to graph-video.facebook.com; an account on another address
    /// (a test server, a proxy) publishes there.
    /// </summary>
    private static Uri VideosAddress(ChannelConnection connection)
    {
        var baseAddress = connection.BaseAddress;
        if (baseAddress.Host.Equals("graph.facebook.com", StringComparison.OrdinalIgnoreCase))
            baseAddress = new UriBuilder(baseAddress) { Host = "graph-video.facebook.com" }.Uri;
        return ChannelHttp.Combine(baseAddress, $"{Version(connection)}/{Uri.EscapeDataString(connection.Setting("page_id"))}/videos");
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
}
