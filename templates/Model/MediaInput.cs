namespace Publisher.Templates.Model;

/// <summary>One smaller width of a hosted image, for <c>srcset</c>.</summary>
/// <param name="Width">Its width in pixels.</param>
/// <param name="Url">Where it is served.</param>
public sealed record MediaSource(int Width, string Url);

/// <summary>
/// An image or video that goes out with a variant, as made for its channel: templates of channels Publisher serves
/// (email, blog, webhook) place it in the HTML or the payload.
/// </summary>
public sealed record MediaInput
{
    /// <summary>"image", "animated_gif" or "video".</summary>
    public string Kind { get; init; } = "image";
    /// <summary>Where the derivative (or the video) is served, absolute.</summary>
    public string Url { get; init; } = "";
    /// <summary>The author's description of it, for people who cannot see it.</summary>
    public string Alt { get; init; } = "";
    /// <summary>Width in pixels of what <see cref="Url"/> serves (a video's poster size for videos).</summary>
    public int Width { get; init; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; init; }
    /// <summary>Media type of what <see cref="Url"/> serves.</summary>
    public string ContentType { get; init; } = "";
    /// <summary>SHA-256 of those bytes.</summary>
    public string Sha256 { get; init; } = "";
    /// <summary>Size in bytes.</summary>
    public long Bytes { get; init; }
    /// <summary>Smaller widths of the image, smallest first, for <c>srcset</c>.</summary>
    public IReadOnlyList<MediaSource> Sources { get; init; } = [];
    /// <summary>A video's poster frame (an image), where the channel shows a poster instead of playing it.</summary>
    public string? PosterUrl { get; init; }
    /// <summary>A video's running time in seconds.</summary>
    public double? DurationSeconds { get; init; }
}
