using Publisher.Media;

namespace Publisher.Core.Domain;

/// <summary>
/// An image or video in the brand's media library: uploaded once (checked, its bytes in the blob store under their
/// SHA-256), described, tagged, and attached to as many messages as need it.
/// </summary>
public class MediaAsset
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>SHA-256 of the original bytes: the blob's name, and what makes the same file uploaded twice one asset.</summary>
    public required string Sha256 { get; set; }

    /// <summary>The file's name as uploaded (a name, never a path).</summary>
    public required string FileName { get; set; }

    /// <summary>The type its bytes are (checked, not as declared).</summary>
    public required string ContentType { get; set; }
    public MediaKind Kind { get; set; }
    public long Length { get; set; }

    /// <summary>Size as people see it (after EXIF orientation or a video's rotation).</summary>
    public int Width { get; set; }
    public int Height { get; set; }

    /// <summary>A video's running time; null for images.</summary>
    public double? DurationSeconds { get; set; }

    /// <summary>A video's codec (ffprobe's name, e.g. h264); null for images.</summary>
    public string? VideoCodec { get; set; }

    /// <summary>A video's poster frame (a JPEG blob); null for images.</summary>
    public string? PosterSha256 { get; set; }

    /// <summary>The alt text new attachments start from; each attachment keeps its own.</summary>
    public string? AltText { get; set; }

    /// <summary>The focal point new attachments start from (fractions from the top-left), when one was chosen.</summary>
    public double? FocalX { get; set; }
    public double? FocalY { get; set; }
    public List<string> Tags { get; set; } = [];
    public required string UploadedById { get; set; }
    public DateTimeOffset UploadedAt { get; set; }

    public double AspectRatio => Height == 0 ? 1 : (double)Width / Height;
}

/// <summary>One medium attached to a message, in order, with the alt text and focal point the author gave it there.</summary>
public class MessageMedia
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid MessageId { get; set; }
    public Guid MediaAssetId { get; set; }
    public MediaAsset? Asset { get; set; }

    /// <summary>0-based order in the message.</summary>
    public int Position { get; set; }

    /// <summary>What the medium shows, for people who cannot see it. Required: a missing one is a style-guide error.</summary>
    public string? AltText { get; set; }

    /// <summary>Where a channel that crops should keep (fractions of width and height from the top-left); null: the centre.</summary>
    public double? FocalX { get; set; }
    public double? FocalY { get; set; }
}

/// <summary>
/// One medium exactly as it goes out with a variant: the derivative made for its channel (its SHA-256 is the
/// <see cref="Key"/>), with the alt text and focal point it carries. The approval hash covers the key and the alt
/// text, so a changed image or description voids an approval as a changed word does.
/// </summary>
public class VariantMedia
{
    public int Position { get; set; }
    public Guid AttachmentId { get; set; }
    public Guid AssetId { get; set; }

    /// <summary>SHA-256 of the derivative's bytes (a blob in the store).</summary>
    public required string Key { get; set; }
    public MediaKind Kind { get; set; }
    public required string ContentType { get; set; }
    public long Length { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public double? DurationSeconds { get; set; }
    public string? VideoCodec { get; set; }
    public string AltText { get; set; } = "";
    public double? FocalX { get; set; }
    public double? FocalY { get; set; }

    /// <summary>A video's poster frame, as made for this channel.</summary>
    public string? PosterKey { get; set; }

    /// <summary>The file name the derivative is served under (/media/{key}/{name}).</summary>
    public required string FileName { get; set; }

    /// <summary>For channels Publisher serves: the smaller widths made for srcset, as "width:sha256" pairs.</summary>
    public List<string> Sources { get; set; } = [];
}

/// <summary>A derivative made once per asset and spec (the channel's box, byte limit, formats, crop), cached by both.</summary>
public class MediaDerivative
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid AssetId { get; set; }

    /// <summary>The spec's key (Publisher.Media.Processing.DerivativeSpec.Key).</summary>
    public required string Spec { get; set; }
    public required string Sha256 { get; set; }
    public required string ContentType { get; set; }
    public MediaKind Kind { get; set; }
    public long Length { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A medium an attempt uploaded to a network, so a retry after a crash reuses it instead of uploading again.</summary>
public class MediaUpload
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid VariantId { get; set; }
    public Guid AttemptId { get; set; }

    /// <summary>The derivative's SHA-256 (PublishMedia.Key).</summary>
    public required string MediaKey { get; set; }
    public required string NetworkMediaId { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset UploadedAt { get; set; }
}

/// <summary>A blob in the PostgreSQL store: its hash names the chunks written under <see cref="UploadId"/>.</summary>
public class MediaBlob
{
    public required string Sha256 { get; set; }
    public Guid UploadId { get; set; }
    public long Length { get; set; }
    public required string ContentType { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One 1 MiB piece of a blob in the PostgreSQL store.</summary>
public class MediaBlobChunk
{
    public Guid UploadId { get; set; }
    public int Sequence { get; set; }
    public required byte[] Data { get; set; }
}
