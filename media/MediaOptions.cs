namespace Publisher.Media;

/// <summary>Media settings: upload limits, the tools, and which blob store keeps the bytes (section "Media").</summary>
public sealed class MediaOptions
{
    public const string SectionName = "Media";

    /// <summary>The largest image upload, in bytes (Media__MaxImageBytes). Default 40 MB.</summary>
    public long MaxImageBytes { get; set; } = 40L * 1024 * 1024;

    /// <summary>The largest video upload, in bytes (Media__MaxVideoBytes). Default 1 GB.</summary>
    public long MaxVideoBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>The most pixels an image may claim in its header (a decompression-bomb guard). Default 50 megapixels.</summary>
    public long MaxPixels { get; set; } = 50_000_000;

    /// <summary>The most pixels of all frames of an animated GIF together. Default 400 megapixels.</summary>
    public long MaxAnimationPixels { get; set; } = 400_000_000;

    /// <summary>Where ffprobe and ffmpeg are (Debian's ffmpeg package puts them on PATH).</summary>
    public string FfprobePath { get; set; } = "ffprobe";
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>The longest ffprobe or ffmpeg may run on one file before it is stopped.</summary>
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Where uploads wait while they are checked (the system's temp folder when empty).</summary>
    public string? TempFolder { get; set; }

    /// <summary>"Postgres" (the default: every worker sees the media with no shared disk) or "S3" (an S3-compatible object store).</summary>
    public string Store { get; set; } = "Postgres";

    public S3StoreOptions S3 { get; set; } = new();

    /// <summary>The larger of the two upload limits: what an upload endpoint lets through before it knows the kind.</summary>
    public long MaxUploadBytes => Math.Max(MaxImageBytes, MaxVideoBytes);

    public string TempPath => string.IsNullOrWhiteSpace(TempFolder) ? Path.GetTempPath() : TempFolder;

    /// <summary>What is wrong with the settings, for ValidateOnStart, or null.</summary>
    public string? Problem()
    {
        if (MaxImageBytes <= 0 || MaxVideoBytes <= 0 || MaxPixels <= 0 || MaxAnimationPixels <= 0)
            return "Media: MaxImageBytes, MaxVideoBytes, MaxPixels and MaxAnimationPixels must be positive.";
        if (ToolTimeout <= TimeSpan.Zero)
            return "Media:ToolTimeout must be positive.";
        if (string.Equals(Store, "S3", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(S3.Bucket) || string.IsNullOrWhiteSpace(S3.AccessKey) || string.IsNullOrWhiteSpace(S3.SecretKey))
                return "Media:Store is S3, so set Media__S3__Bucket, Media__S3__AccessKey and Media__S3__SecretKey (and Media__S3__ServiceUrl for a store other than AWS).";
            if (!string.IsNullOrWhiteSpace(S3.ServiceUrl) && !Uri.TryCreate(S3.ServiceUrl, UriKind.Absolute, out _))
                return "Media__S3__ServiceUrl must be an absolute address, e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000.";
            if (!string.IsNullOrWhiteSpace(S3.PublicUrl) && !Uri.TryCreate(S3.PublicUrl, UriKind.Absolute, out _))
                return "Media__S3__PublicUrl must be an absolute address (where the bucket's objects can be read publicly), or empty.";
        }
        else if (!string.Equals(Store, "Postgres", StringComparison.OrdinalIgnoreCase))
            return $"Media:Store is “{Store}”: use Postgres or S3.";
        return null;
    }
}

/// <summary>An S3-compatible object store (AWS S3, MinIO, Ceph, Garage, …).</summary>
public sealed class S3StoreOptions
{
    /// <summary>The store's address; empty for AWS itself (then <see cref="Region"/> picks the endpoint).</summary>
    public string? ServiceUrl { get; set; }
    public string Region { get; set; } = "us-east-1";
    public string? Bucket { get; set; }
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }

    /// <summary>Address the bucket is read from publicly (a CDN or the bucket's website): /media redirects there. Empty: the web app serves the bytes.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>Objects are named {Prefix}{sha256}.</summary>
    public string Prefix { get; set; } = "media/";

    /// <summary>Path-style addresses (http://host/bucket/key), which MinIO and most self-hosted stores need.</summary>
    public bool ForcePathStyle { get; set; } = true;
}
