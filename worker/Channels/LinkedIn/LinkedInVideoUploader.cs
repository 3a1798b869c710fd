using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.LinkedIn;

/// <summary>
/// Uploads a video with LinkedIn's Videos API
/// (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api):
/// <list type="number">
/// <item><c>POST /rest/videos?action=initializeUpload</c> with the owner (the post's author), <c>fileSizeBytes</c>,
/// and no captions or thumbnail; LinkedIn answers the video URN, an <c>uploadToken</c> and <c>uploadInstructions</c>,
/// one upload address per part with the part's <c>firstByte</c> and <c>lastByte</c>;</item>
/// <item>each part's bytes PUT to its address (application/octet-stream), in order, keeping the <c>ETag</c> of each
/// answer;</item>
/// <item><c>POST /rest/videos?action=finalizeUpload</c> with the video, the upload token and the ETags as
/// <c>uploadedPartIds</c>, in part order;</item>
/// <item><c>GET /rest/videos/{urn}</c> until its <c>status</c> is <c>AVAILABLE</c> (or <c>PROCESSING_FAILED</c>).</item>
/// </list>
/// The video is recorded as uploaded once finalized, so a retry after a crash asks about that URN instead of sending
/// the bytes again, and uploads again only when LinkedIn no longer knows it. Nothing is posted here: any failure is
/// transient or permanent, never "unknown".
/// </summary>
internal sealed class LinkedInVideoUploader(HttpClient http, PublishRequest request, IPublishProgress progress, TimeProvider clock)
{
    /// <summary>LinkedIn documents no lifetime for a video no post uses; a retry reuses one for a day, as images.</summary>
    public static readonly TimeSpan UnusedVideoKept = TimeSpan.FromDays(1);

    /// <summary>The largest part Publisher holds in memory (LinkedIn's parts are 4 MiB; a bigger one is refused).</summary>
    public const long MaxPartBytes = 16 * 1024 * 1024;

    private ChannelConnection Connection => request.Connection;

    public async Task<(string? Urn, PublishResult? Failure)> UploadAsync(PublishMedia video, CancellationToken cancellationToken)
    {
        var what = ChannelMedia.Describe(request, video);
        try
        {
            var urn = ChannelMedia.Reusable(request, video, clock.GetUtcNow());
            if (urn is not null)
            {
                var (status, _, failure) = await StatusAsync(urn, what, cancellationToken);
                if (failure is not null) return (null, failure);
                // LinkedIn no longer knows it, or the earlier attempt died before its parts were all in: send it again.
                if (status is null or "WAITING_UPLOAD") urn = null;
            }
            if (urn is null)
            {
                var (sent, failure) = await SendAsync(video, what, cancellationToken);
                if (failure is not null) return (null, failure);
                urn = sent!;
                await progress.MediaUploadedAsync(video.Key, urn, clock.GetUtcNow() + UnusedVideoKept, cancellationToken);
            }
            return await WaitUntilAvailableAsync(urn, what, cancellationToken) is { } notAvailable ? (null, notAvailable) : (urn, null);
        }
        catch (Exception e) when (ChannelMedia.TryMapUploadException(e, ChannelKind.LinkedIn, what, out var failure))
        {
            return (null, failure);
        }
    }

    private sealed record Part(Uri Address, long FirstByte, long LastByte)
    {
        public long Length => LastByte - FirstByte + 1;
    }

    private async Task<(string? Urn, PublishResult? Failure)> SendAsync(PublishMedia video, string what, CancellationToken cancellationToken)
    {
        string urn, uploadToken;
        List<Part> parts;
        using (var initialize = LinkedInClient.Versioned(Connection, HttpMethod.Post, "rest/videos?action=initializeUpload"))
        {
            initialize.Content = JsonContent.Create(new JsonObject
            {
                ["initializeUploadRequest"] = new JsonObject
                {
                    ["owner"] = Connection.Setting("author_urn"),
                    ["fileSizeBytes"] = video.Length,
                    ["uploadCaptions"] = false,
                    ["uploadThumbnail"] = false,
                },
            });
            using var response = await http.SendAsync(initialize, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return (null, await ChannelMedia.RefusedAsync(response, ChannelKind.LinkedIn, what, clock.GetUtcNow(), cancellationToken));
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (!TryReadInstructions(document.RootElement, video.Length, out urn, out uploadToken, out parts))
                return (null, new PublishResult(PublishOutcome.Transient,
                    Detail: $"LinkedIn's answer to uploading {what} had no video URN or upload instructions covering its {video.Length:N0} bytes; nothing was posted."));
        }

        var etags = new List<string>(parts.Count);
        await using (var stream = await video.OpenAsync(cancellationToken))
        {
            foreach (var part in parts)
            {
                // The parts are contiguous from byte 0 (checked above), so the file is read once, in order.
                var bytes = new byte[part.Length];
                await stream.ReadExactlyAsync(bytes, cancellationToken);
                using var put = new HttpRequestMessage(HttpMethod.Put, part.Address) { Content = new ByteArrayContent(bytes) };
                put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                if (LinkedInClient.IsLinkedInHost(part.Address, Connection.BaseAddress))
                    ChannelHttp.Bearer(put, Connection.Credential("access_token"));
                using var uploaded = await http.SendAsync(put, cancellationToken);
                if (!uploaded.IsSuccessStatusCode)
                    return (null, await ChannelMedia.RefusedAsync(uploaded, ChannelKind.LinkedIn, what, clock.GetUtcNow(), cancellationToken));
                // Read raw: LinkedIn's ETags are not always quoted, which the typed header would reject.
                var etag = uploaded.Headers.TryGetValues("ETag", out var values) ? values.FirstOrDefault() : null;
                if (string.IsNullOrEmpty(etag))
                    return (null, new PublishResult(PublishOutcome.Transient,
                        Detail: $"LinkedIn took part {etags.Count + 1} of {parts.Count} of {what} but did not answer its ETag; nothing was posted."));
                etags.Add(etag);
            }
        }

        using var finalize = LinkedInClient.Versioned(Connection, HttpMethod.Post, "rest/videos?action=finalizeUpload");
        finalize.Content = JsonContent.Create(new JsonObject
        {
            ["finalizeUploadRequest"] = new JsonObject
            {
                ["video"] = urn,
                ["uploadToken"] = uploadToken,
                ["uploadedPartIds"] = new JsonArray(etags.Select(e => (JsonNode)JsonValue.Create(e)!).ToArray()),
            },
        });
        using var finalized = await http.SendAsync(finalize, cancellationToken);
        return finalized.IsSuccessStatusCode
            ? (urn, null)
            : (null, await ChannelMedia.RefusedAsync(finalized, ChannelKind.LinkedIn, what, clock.GetUtcNow(), cancellationToken));
    }

    /// <summary>
    /// Reads initializeUpload's <c>value</c>: the video URN, the upload token (empty for a one-part upload) and the parts,
    /// which must cover the file's bytes exactly and in order, each on an http(s) address and small enough to hold.
    /// </summary>
    private static bool TryReadInstructions(JsonElement root, long length, out string urn, out string uploadToken, out List<Part> parts)
    {
        urn = uploadToken = "";
        parts = [];
        if (!root.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("video", out var v) || v.GetString() is not { Length: > 0 } video
            || !value.TryGetProperty("uploadInstructions", out var list) || list.ValueKind != JsonValueKind.Array)
            return false;
        urn = video;
        uploadToken = value.TryGetProperty("uploadToken", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        foreach (var instruction in list.EnumerateArray())
        {
            if (instruction.ValueKind != JsonValueKind.Object
                || !instruction.TryGetProperty("uploadUrl", out var u) || !Uri.TryCreate(u.GetString(), UriKind.Absolute, out var address) || address.Scheme is not ("https" or "http")
                || !instruction.TryGetProperty("firstByte", out var f) || !f.TryGetInt64(out var first)
                || !instruction.TryGetProperty("lastByte", out var l) || !l.TryGetInt64(out var last))
                return false;
            parts.Add(new Part(address, first, last));
        }
        parts.Sort((a, b) => a.FirstByte.CompareTo(b.FirstByte));
        var next = 0L;
        foreach (var part in parts)
        {
            if (part.FirstByte != next || part.LastByte < part.FirstByte || part.Length > MaxPartBytes) return false;
            next = part.LastByte + 1;
        }
        return parts.Count > 0 && next == length;
    }

    /// <summary>
    /// <c>GET /rest/videos/{urn}</c>: the video's status (WAITING_UPLOAD, PROCESSING, AVAILABLE, PROCESSING_FAILED), null
    /// when LinkedIn no longer knows the video (404), and its failure reason when it has one.
    /// </summary>
    private async Task<(string? Status, string? Reason, PublishResult? Failure)> StatusAsync(string urn, string what, CancellationToken cancellationToken)
    {
        using var message = LinkedInClient.Versioned(Connection, HttpMethod.Get, "rest/videos/" + Uri.EscapeDataString(urn));
        using var response = await http.SendAsync(message, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return (null, null, null);
        if (!response.IsSuccessStatusCode)
            return (null, null, await ChannelMedia.RefusedAsync(response, ChannelKind.LinkedIn, what, clock.GetUtcNow(), cancellationToken));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = document.RootElement;
        var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        var reason = root.TryGetProperty("processingFailureReason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        return (status ?? "PROCESSING", reason, null);
    }

    /// <summary>Asks about the video until LinkedIn says it is AVAILABLE; null then, or why it will not be.</summary>
    private async Task<PublishResult?> WaitUntilAvailableAsync(string urn, string what, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (status, reason, failure) = await StatusAsync(urn, what, cancellationToken);
            if (failure is not null) return failure;
            switch (status)
            {
                case "AVAILABLE":
                    return null;
                case "PROCESSING_FAILED":
                    return ChannelMedia.ProcessingFailed(ChannelKind.LinkedIn, what, reason);
                case null:
                    return new PublishResult(PublishOutcome.Transient, Detail: $"LinkedIn lost track of {what} while processing it; the next attempt uploads it again.");
            }
            // LinkedIn gives no time to wait; the request's own deadline bounds the whole wait.
            await Task.Delay(ChannelMedia.PollDelay(null), clock, cancellationToken);
        }
    }
}
