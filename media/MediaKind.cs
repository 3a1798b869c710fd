namespace Publisher.Media;

/// <summary>What a medium is, as networks tell them apart: each uploads and embeds them differently.</summary>
public enum MediaKind
{
    /// <summary>A still image: JPEG, PNG, WebP, or a GIF of one frame.</summary>
    Image,
    /// <summary>A GIF of more than one frame.</summary>
    AnimatedGif,
    /// <summary>A video: MP4 (H.264) or MOV.</summary>
    Video,
}

/// <summary>The formats Publisher accepts, named by their media types.</summary>
public static class MediaTypes
{
    public const string Jpeg = "image/jpeg";
    public const string Png = "image/png";
    public const string Gif = "image/gif";
    public const string WebP = "image/webp";
    public const string Mp4 = "video/mp4";
    public const string QuickTime = "video/quicktime";

    /// <summary>Every type an upload may be, and so every type Publisher ever serves.</summary>
    public static readonly IReadOnlySet<string> Accepted = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Jpeg, Png, Gif, WebP, Mp4, QuickTime };

    /// <summary>The usual file extension of a type (without the dot).</summary>
    public static string Extension(string contentType) => contentType.ToLowerInvariant() switch
    {
        Jpeg => "jpg",
        Png => "png",
        Gif => "gif",
        WebP => "webp",
        Mp4 => "mp4",
        QuickTime => "mov",
        _ => "bin",
    };

    /// <summary>How people call a type in a message.</summary>
    public static string Describe(string contentType) => contentType.ToLowerInvariant() switch
    {
        Jpeg => "a JPEG image",
        Png => "a PNG image",
        Gif => "a GIF",
        WebP => "a WebP image",
        Mp4 => "an MP4 video",
        QuickTime => "a QuickTime (MOV) video",
        "image/svg+xml" => "an SVG drawing",
        "text/html" => "an HTML page",
        _ => $"“{contentType}”",
    };

    /// <summary>The canonical form of a declared type ("image/jpg" and "image/pjpeg" are JPEG), lower case, without parameters.</summary>
    public static string Normalize(string? declared)
    {
        var type = (declared ?? "").Split(';')[0].Trim().ToLowerInvariant();
        return type switch
        {
            "image/jpg" or "image/pjpeg" => Jpeg,
            "image/x-png" => Png,
            "video/mov" or "video/x-quicktime" => QuickTime,
            _ => type,
        };
    }
}
