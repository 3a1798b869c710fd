using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Publisher.Core.Domain;
using Publisher.Templates.Channels;

namespace Publisher.Worker.Channels.X;

/// <summary>
/// Uploads a post's media with X's v2 media endpoints, as https://docs.x.com/x-api/media/quickstart/media-upload-chunked
/// and the API reference (https://docs.x.com/x-api/media/media-upload, …/initialize-media-upload,
/// …/media-upload-append, …/finalize-media-upload, …/get-media-upload-status, …/create-media-metadata) describe them:
/// <list type="bullet">
/// <item>a still image in one request, <c>POST /2/media/upload</c> (multipart: <c>media</c>, <c>media_category=tweet_image</c>);</item>
/// <item>an animated GIF or a video in chunks: <c>POST /2/media/upload/initialize</c> (JSON <c>media_type</c>,
/// <c>total_bytes</c>, <c>media_category</c> tweet_gif or tweet_video), one <c>POST /2/media/upload/{id}/append</c> per
/// piece of at most <see cref="ChunkSize"/> bytes (multipart: <c>media</c>, <c>segment_index</c> from 0, in order),
/// <c>POST /2/media/upload/{id}/finalize</c>, then <c>GET /2/media/upload?command=STATUS&amp;media_id=</c> every
/// <c>check_after_secs</c> until <c>processing_info.state</c> is succeeded or failed;</item>
/// <item>the alt text with <c>POST /2/media/metadata</c> (<c>{id, metadata: {alt_text: {text}}}</c>) for images and
/// GIFs, which are the media X keeps one for.</item>
/// </list>
/// Requests are signed with OAuth 1.0a; multipart and JSON bodies are not part of the signature, the query is. Each
/// medium is recorded as uploaded as soon as X has all its bytes, with the <c>expires_after_secs</c> X gives, so a
/// retry attaches it instead of sending it again; a reused GIF or video is asked about with STATUS first, and sent
/// again if X no longer knows it.
/// </summary>
public sealed class XMediaUploader(HttpClient http, XAuthorization signer, Uri baseAddress, Func<string> nonce, TimeProvider clock)
{
    /// <summary>The size of each APPEND: X takes pieces of up to 5 MB; 4 MiB is what its own samples send.</summary>
    public const int ChunkSize = 4 * 1024 * 1024;

    public sealed record Outcome(IReadOnlyList<string> MediaIds, PublishResult? Failure);

    public async Task<Outcome> UploadAsync(PublishRequest request, IPublishProgress progress, CancellationToken cancellationToken)
    {
        var ids = new List<string>(request.Media.Count);
        foreach (var medium in request.Media)
        {
            var what = ChannelMedia.Describe(request, medium);
            try
            {
                var (id, failure) = await UploadOneAsync(request, medium, what, progress, cancellationToken);
                if (failure is not null) return new([], failure);
                ids.Add(id!);
            }
            catch (Exception e) when (ChannelMedia.TryMapUploadException(e, ChannelKind.X, what, out var failure))
            {
                return new([], failure);
            }
        }
        return new(ids, null);
    }

    private async Task<(string? Id, PublishResult? Failure)> UploadOneAsync(PublishRequest request, PublishMedia medium, string what, IPublishProgress progress, CancellationToken cancellationToken)
    {
        var id = ChannelMedia.Reusable(request, medium, clock.GetUtcNow());
        Processing? processing = null;
        if (id is not null && medium.Kind != PublishMediaKind.Image)
        {
            // A GIF or video may still be processing, or X may have let it go: STATUS says which.
            (processing, var gone) = await StatusAsync(id, what, cancellationToken);
            if (gone) id = null;
            else if (processing?.Failure is { } refused) return (null, refused);
        }
        if (id is null)
        {
            var uploaded = medium.Kind == PublishMediaKind.Image
                ? await SimpleUploadAsync(medium, what, cancellationToken)
                : await ChunkedUploadAsync(medium, what, cancellationToken);
            if (uploaded.Failure is not null) return (null, uploaded.Failure);
            id = uploaded.Id!;
            processing = uploaded.Processing;
            await progress.MediaUploadedAsync(medium.Key, id, uploaded.ExpiresAt, cancellationToken);
        }
        if (medium.Kind != PublishMediaKind.Image && await WaitForProcessingAsync(id, what, processing, cancellationToken) is { } failed)
            return (null, failed);
        // Sent for a reused upload too: metadata replaces what is there, and an attempt may have died before it.
        if (medium.Kind != PublishMediaKind.Video && !string.IsNullOrWhiteSpace(medium.AltText)
            && await AltTextAsync(id, medium.AltText, what, cancellationToken) is { } noAlt)
            return (null, noAlt);
        return (id, null);
    }

    private sealed record Uploaded(string? Id, DateTimeOffset? ExpiresAt, Processing? Processing, PublishResult? Failure);

    /// <summary>Where X is with a medium: pending, in_progress, succeeded or failed, and when to ask again.</summary>
    private sealed record Processing(string State, double? CheckAfterSeconds, PublishResult? Failure);

    private async Task<Uploaded> SimpleUploadAsync(PublishMedia medium, string what, CancellationToken cancellationToken)
    {
        var bytes = await ChannelMedia.ReadAllAsync(medium, cancellationToken);
        using var form = new MultipartFormDataContent();
        form.Add(ChannelMedia.FilePart(bytes, medium.ContentType), "media", ChannelMedia.FileName(medium));
        form.Add(new StringContent("tweet_image"), "media_category");
        using var message = Signed(HttpMethod.Post, "2/media/upload");
        message.Content = form;
        using var response = await http.SendAsync(message, cancellationToken);
        if (!response.IsSuccessStatusCode)
            return new(null, null, null, await ChannelMedia.RefusedAsync(response, ChannelKind.X, what, clock.GetUtcNow(), cancellationToken));
        return await UploadedAsync(response, what, cancellationToken);
    }

    private async Task<Uploaded> ChunkedUploadAsync(PublishMedia medium, string what, CancellationToken cancellationToken)
    {
        var category = medium.Kind == PublishMediaKind.AnimatedGif ? "tweet_gif" : "tweet_video";
        using (var init = Signed(HttpMethod.Post, "2/media/upload/initialize"))
        {
            init.Content = JsonContent.Create(new JsonObject { ["media_type"] = medium.ContentType, ["total_bytes"] = medium.Length, ["media_category"] = category });
            using var response = await http.SendAsync(init, cancellationToken);
            if (!response.IsSuccessStatusCode)
                return new(null, null, null, await ChannelMedia.RefusedAsync(response, ChannelKind.X, what, clock.GetUtcNow(), cancellationToken));
            var started = await UploadedAsync(response, what, cancellationToken);
            if (started.Failure is not null) return started;
            var id = started.Id!;

            var segment = 0;
            await foreach (var chunk in ChannelMedia.ChunksAsync(medium, ChunkSize, cancellationToken))
            {
                using var form = new MultipartFormDataContent();
                form.Add(ChannelMedia.FilePart(chunk, "application/octet-stream"), "media", ChannelMedia.FileName(medium));
                form.Add(new StringContent(segment.ToString(CultureInfo.InvariantCulture)), "segment_index");
                using var append = Signed(HttpMethod.Post, $"2/media/upload/{Uri.EscapeDataString(id)}/append");
                append.Content = form;
                using var appended = await http.SendAsync(append, cancellationToken);
                if (!appended.IsSuccessStatusCode)
                    return new(null, null, null, await ChannelMedia.RefusedAsync(appended, ChannelKind.X, what, clock.GetUtcNow(), cancellationToken));
                segment++;
            }

            using var finalize = Signed(HttpMethod.Post, $"2/media/upload/{Uri.EscapeDataString(id)}/finalize");
            using var finalized = await http.SendAsync(finalize, cancellationToken);
            if (!finalized.IsSuccessStatusCode)
                return new(null, null, null, await ChannelMedia.RefusedAsync(finalized, ChannelKind.X, what, clock.GetUtcNow(), cancellationToken));
            return await UploadedAsync(finalized, what, cancellationToken);
        }
    }

    /// <summary>Reads an upload's answer: <c>data.id</c>, <c>data.expires_after_secs</c> and any <c>data.processing_info</c>.</summary>
    private async Task<Uploaded> UploadedAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("id", out var idElement) || idElement.GetString() is not { Length: > 0 } id)
            return new(null, null, null, new PublishResult(PublishOutcome.Transient, HttpStatus: (int)response.StatusCode, Detail: $"X accepted {what} but its answer had no media id; nothing was posted."));
        DateTimeOffset? expires = data.TryGetProperty("expires_after_secs", out var seconds) && seconds.TryGetInt64(out var s) ? clock.GetUtcNow().AddSeconds(s) : null;
        return new(id, expires, ReadProcessing(data, what), null);
    }

    /// <summary>GET STATUS for a medium. Gone: X no longer knows the id (it expired), so it is uploaded again.</summary>
    private async Task<(Processing? Processing, bool Gone)> StatusAsync(string id, string what, CancellationToken cancellationToken)
    {
        using var message = Signed(HttpMethod.Get, $"2/media/upload?command=STATUS&media_id={Uri.EscapeDataString(id)}");
        using var response = await http.SendAsync(message, cancellationToken);
        if ((int)response.StatusCode is 400 or 404)
            return (null, true);
        if (!response.IsSuccessStatusCode)
            return (new Processing("failed", null, await ChannelMedia.RefusedAsync(response, ChannelKind.X, what, clock.GetUtcNow(), cancellationToken)), false);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            ? (ReadProcessing(data, what) ?? new Processing("succeeded", null, null), false)
            : (null, true);
    }

    private static Processing? ReadProcessing(JsonElement data, string what)
    {
        if (!data.TryGetProperty("processing_info", out var info) || info.ValueKind != JsonValueKind.Object) return null;
        var state = info.TryGetProperty("state", out var s) ? s.GetString() ?? "" : "";
        double? after = info.TryGetProperty("check_after_secs", out var c) && c.TryGetDouble(out var d) ? d : null;
        PublishResult? failure = null;
        if (state == "failed")
        {
            var reason = info.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.GetString() : null;
            failure = ChannelMedia.ProcessingFailed(ChannelKind.X, what, reason);
        }
        return new Processing(state, after, failure);
    }

    /// <summary>Asks STATUS until X has processed the medium; null once it has, or why it could not.</summary>
    private async Task<PublishResult?> WaitForProcessingAsync(string id, string what, Processing? processing, CancellationToken cancellationToken)
    {
        while (processing is not null && processing.State != "succeeded")
        {
            if (processing.Failure is not null) return processing.Failure;
            await Task.Delay(ChannelMedia.PollDelay(processing.CheckAfterSeconds), clock, cancellationToken);
            var (next, gone) = await StatusAsync(id, what, cancellationToken);
            if (gone)
                return new PublishResult(PublishOutcome.Transient, Detail: $"X lost track of {what} while processing it; the next attempt uploads it again.");
            processing = next;
        }
        return null;
    }

    private async Task<PublishResult?> AltTextAsync(string id, string altText, string what, CancellationToken cancellationToken)
    {
        using var message = Signed(HttpMethod.Post, "2/media/metadata");
        message.Content = JsonContent.Create(new JsonObject { ["id"] = id, ["metadata"] = new JsonObject { ["alt_text"] = new JsonObject { ["text"] = altText } } });
        using var response = await http.SendAsync(message, cancellationToken);
        return response.IsSuccessStatusCode ? null : await ChannelMedia.RefusedAsync(response, ChannelKind.X, $"the alt text of {what}", clock.GetUtcNow(), cancellationToken);
    }

    private HttpRequestMessage Signed(HttpMethod method, string path) =>
        XClient.Signed(signer, method, ChannelHttp.Combine(baseAddress, path), nonce, clock);
}
