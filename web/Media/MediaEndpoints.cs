using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Publisher.Core.Data;
using Publisher.Core.Domain;
using Publisher.Core.Media;
using Publisher.Media;
using Publisher.Media.Inspection;
using Publisher.Media.Storage;
using Publisher.Web.Security;

namespace Publisher.Web.Media;

/// <summary>
/// Uploading media (<c>POST /api/media</c>: the file is the request body, streamed to a temporary file and refused at
/// the limit without being held in memory), listing the library for the editor's picker (<c>GET /api/media</c>), and
/// serving stored bytes at <c>/media/{sha256}/{name}</c>, public and cached for a year (the name is the hash).
/// </summary>
public static class MediaEndpoints
{
    public sealed record AssetView(Guid Id, string FileName, string Kind, string ContentType, long Length, int Width, int Height, double? DurationSeconds,
        string Sha256, string? AltText, double? FocalX, double? FocalY, IReadOnlyList<string> Tags, string ThumbnailUrl, string? PosterUrl);

    public static void MapMedia(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/media", UploadAsync)
            .RequireAuthorization(Policies.Author)
            .AddEndpointFilter<ApiAntiforgery>()
            // The upload enforces its own limit (a declared length at once, a streamed body byte by byte, Kestrel's
            // limit set to one byte over), so the refusal names the file and the limit for its kind, with the code
            // the editor shows, instead of the site-wide "what you sent is too large".
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute());

        app.MapGet("/api/media", async (string? q, PublisherDbContext db, MediaLibrary library, CancellationToken cancellationToken) =>
        {
            var assets = await Search(db, q).OrderByDescending(a => a.UploadedAt).Take(60).ToListAsync(cancellationToken);
            var thumbnails = await library.ThumbnailsAsync(assets.Select(a => a.Id).ToList(), cancellationToken);
            return Results.Ok(assets.Select(a => View(a, thumbnails.GetValueOrDefault(a.Id))));
        }).RequireAuthorization(Policies.Author);

        app.MapMethods("/media/{sha256}/{name}", ["GET", "HEAD"], ServeAsync).AllowAnonymous();
    }

    /// <summary>Assets whose name, alt text (their own or any attachment's) or a tag contains the words searched for.</summary>
    public static IQueryable<MediaAsset> Search(PublisherDbContext db, string? q)
    {
        var query = db.MediaAssets.AsNoTracking();
        foreach (var word in (q ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(5))
        {
            var pattern = "%" + word.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            var lower = word.ToLowerInvariant();
            query = query.Where(a => EF.Functions.ILike(a.FileName, pattern) || (a.AltText != null && EF.Functions.ILike(a.AltText, pattern))
                || a.Tags.Any(t => t.ToLower().Contains(lower))
                || db.MessageMedia.Any(m => m.MediaAssetId == a.Id && m.AltText != null && EF.Functions.ILike(m.AltText, pattern)));
        }
        return query;
    }

    public static AssetView View(MediaAsset a, MediaDerivative? thumbnail) => new(a.Id, a.FileName, a.Kind.ToString(), a.ContentType, a.Length, a.Width, a.Height,
        a.DurationSeconds, a.Sha256, a.AltText, a.FocalX, a.FocalY, a.Tags,
        thumbnail is null ? MediaLibrary.Url("", a.Sha256, MediaLibrary.ServedName(a.FileName, a.ContentType)) : MediaLibrary.Url("", thumbnail.Sha256, MediaLibrary.ServedName(a.FileName, thumbnail.ContentType)),
        a.PosterSha256 is { } poster ? MediaLibrary.Url("", poster, MediaLibrary.ServedName(a.FileName, MediaTypes.Jpeg)) : null);

    private static async Task<IResult> UploadAsync(HttpContext http, string? name, MediaLibrary library, PublisherDbContext db, IOptions<MediaOptions> options, ILoggerFactory logs)
    {
        var o = options.Value;
        name = (name ?? http.Request.Headers["X-File-Name"].ToString()).Trim();
        if (MediaInspector.CheckName(name) is { } badName)
            return Refused(400, badName.Code, badName.Message);
        if (http.Request.ContentLength is 0)
            return Refused(400, "empty", $"“{name}” is empty (0 bytes): choose the file again, it may not have finished saving.");
        // The declared type picks the limit: an image stops being read at the image limit, not a gigabyte later. A file
        // whose bytes turn out to be another kind than declared is refused for the mismatch anyway.
        var declaredType = MediaTypes.Normalize(http.Request.ContentType);
        var video = declaredType.StartsWith("video/", StringComparison.Ordinal);
        var limit = video ? o.MaxVideoBytes : declaredType.StartsWith("image/", StringComparison.Ordinal) ? o.MaxImageBytes : o.MaxUploadBytes;
        if (http.Request.ContentLength is { } declared && declared > limit)
            return Refused(413, "too-large", MediaInspector.TooLarge(name, declared, limit, video));

        // This endpoint's own limit (Kestrel's default is 30 MB): one byte over, so "too large" is seen.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            bodySize.MaxRequestBodySize = limit + 1;
        var temp = Path.Combine(o.TempPath, "publisher-upload-" + Guid.NewGuid().ToString("N"));
        try
        {
            long received = 0;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
                {
                    received += read;
                    // A chunked upload has no Content-Length to refuse up front: stop reading the moment it is too big.
                    if (received > limit)
                        return Refused(413, "too-large", MediaInspector.TooLarge(name, null, limit, video));
                    await file.WriteAsync(buffer.AsMemory(0, read), http.RequestAborted);
                }
            }
            var result = await library.IngestAsync(temp, http.Request.ContentType, name, http.User.Id(), http.RequestAborted);
            if (result.Refusal is { } refusal)
                return Refused(refusal.Code == "too-large" ? 413 : 422, refusal.Code, refusal.Message);
            var asset = result.Asset!;
            var thumbnails = await library.ThumbnailsAsync([asset.Id], http.RequestAborted);
            return Results.Json(View(asset, thumbnails.GetValueOrDefault(asset.Id)), statusCode: result.AlreadyThere ? 200 : 201);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Refused(413, "too-large", MediaInspector.TooLarge(name, null, limit, video));
        }
        catch (MediaToolMissingException e)
        {
            logs.CreateLogger("Publisher.Media").LogError("{Error}", e.Message);
            return Refused(503, "tool-missing", "Publisher cannot read videos on this server yet (ffmpeg is not installed): ask an administrator.");
        }
        finally
        {
            File.Delete(temp);
        }
    }

    // An RFC 9457 problem document like every other /api refusal; "code" and "error" stay for the editor's script.
    private static IResult Refused(int status, string code, string message) =>
        Results.Problem(statusCode: status, title: "The file was not accepted", detail: message,
            extensions: new Dictionary<string, object?> { ["code"] = code, ["error"] = message });

    private static async Task<IResult> ServeAsync(string sha256, string name, HttpContext http, IBlobStore blobs)
    {
        if (!BlobNames.IsSha256(sha256))
            return Results.NotFound();
        var info = await blobs.GetInfoAsync(sha256, http.RequestAborted);
        // Only what an upload could have become: never SVG, HTML or anything a browser would run.
        if (info is null || !MediaTypes.Accepted.Contains(info.ContentType))
            return Results.NotFound();
        var headers = http.Response.Headers;
        headers.CacheControl = "public, max-age=31536000, immutable";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        var etag = new EntityTagHeaderValue($"\"{sha256}\"");
        if (blobs.PublicAddress(sha256) is { } address)
            return Results.Redirect(address.ToString(), permanent: true);
        if (http.Request.Headers.IfNoneMatch.ToString().Contains(etag.Tag.ToString(), StringComparison.Ordinal))
        {
            headers.ETag = etag.Tag.ToString();
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        var stream = await blobs.OpenReadAsync(sha256, http.RequestAborted);
        if (stream is null)
            return Results.NotFound();
        var safeName = MediaLibrary.ServedName(name, info.ContentType);
        headers.ContentDisposition = new ContentDispositionHeaderValue("inline") { FileNameStar = safeName }.ToString();
        return Results.Stream(stream, info.ContentType, enableRangeProcessing: stream.CanSeek, entityTag: etag);
    }
}
