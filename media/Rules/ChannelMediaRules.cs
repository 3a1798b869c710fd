namespace Publisher.Media.Rules;

/// <summary>What a channel does with an animated GIF.</summary>
public enum GifHandling
{
    /// <summary>Kept animated (resized until it fits).</summary>
    Animated,
    /// <summary>The network shows no animation: its first frame goes out as a still.</summary>
    FirstFrame,
}

/// <summary>
/// One channel's published limits on media, and how Publisher shapes a derivative to fit them. Every figure comes from
/// the page in <see cref="Documentation"/>; where a network documents none, the choice is Publisher's and says so.
/// </summary>
/// <param name="Channel">The channel kind's name ("X", "Mastodon", …, "Threads", "Instagram").</param>
/// <param name="DisplayName">The network's name as people know it.</param>
/// <param name="Documentation">Where the figures come from.</param>
/// <param name="MaxItems">Media per post, of any kind together (a Threads or Instagram carousel counts each); null: no limit.</param>
/// <param name="MaxImageBytes">The most bytes an image may have; the derivative's quality is searched down until it fits.</param>
/// <param name="MaxLongSide">The derivative's longest side in pixels (never enlarged).</param>
/// <param name="MaxImagePixels">The network's own limit on width × height, when it states one.</param>
/// <param name="ImageTypes">The still formats the network takes, in Publisher's order of preference.</param>
/// <param name="Gif">What happens to an animated GIF.</param>
/// <param name="MaxGifBytes">The most bytes an animated GIF may have where it is kept.</param>
/// <param name="AnimatedGifAlone">An animated GIF must be the post's only medium (X).</param>
/// <param name="MaxVideos">Videos per post: 0 when the network takes none by API.</param>
/// <param name="MaxVideoBytes">The most bytes a video may have (Publisher does not transcode: a bigger video is an error).</param>
/// <param name="MinVideoDuration">The shortest video the network takes.</param>
/// <param name="MaxVideoDuration">The longest video the network takes.</param>
/// <param name="VideoCodecs">Video codecs the network takes (ffprobe names).</param>
/// <param name="VideoAlone">A video cannot share a post with other media.</param>
/// <param name="MinAspectRatio">The narrowest width ÷ height the network takes; a narrower image is cropped around its focal point.</param>
/// <param name="MaxAspectRatio">The widest width ÷ height the network takes; a wider image is cropped around its focal point.</param>
/// <param name="MaxAltTextLength">The longest alt text the network keeps, in characters.</param>
/// <param name="HostedWidths">For channels Publisher serves itself (newsletter, blog, webhook): the widths made for <c>srcset</c>, the last one the main image.</param>
/// <param name="VideoAsPoster">The channel cannot play video: it shows the poster frame, linked to the video Publisher serves.</param>
/// <param name="MediaRequired">The network takes no post without an image or a video (Instagram).</param>
public sealed record ChannelMediaRules(
    string Channel,
    string DisplayName,
    string Documentation,
    int? MaxItems,
    int MaxImages,
    long MaxImageBytes,
    int MaxLongSide,
    long? MaxImagePixels,
    IReadOnlyList<string> ImageTypes,
    GifHandling Gif,
    long MaxGifBytes,
    bool AnimatedGifAlone,
    int MaxVideos,
    long MaxVideoBytes,
    TimeSpan MinVideoDuration,
    TimeSpan MaxVideoDuration,
    IReadOnlyList<string> VideoCodecs,
    bool VideoAlone,
    double? MinAspectRatio,
    double? MaxAspectRatio,
    int MaxAltTextLength,
    IReadOnlyList<int> HostedWidths,
    bool VideoAsPoster = false,
    bool MediaRequired = false,
    IReadOnlyList<string>? VideoTypes = null)
{
    /// <summary>The video containers the network takes: MP4 and MOV unless its rule names fewer.</summary>
    public IReadOnlyList<string> TakenVideoTypes => VideoTypes ?? [MediaTypes.Mp4, MediaTypes.QuickTime];

    /// <summary>Whether Publisher serves this channel's media itself (newsletter, blog, webhook).</summary>
    public bool IsHosted => HostedWidths.Count > 0;

    /// <summary>Whether the network takes this kind at all (a GIF always goes, at worst as a still).</summary>
    public bool Takes(MediaKind kind) => kind switch
    {
        MediaKind.Video => MaxVideos > 0 || VideoAsPoster,
        _ => MaxImages > 0,
    };
}

/// <summary>
/// Every channel's media limits, as one table: the Channels page shows it, the editor checks attachments against it
/// while the author writes, and the derivatives are made from it. Look a figure up on its network's page before
/// changing it, and change the comment's page with it.
/// </summary>
public static class ChannelMediaTable
{
    private const long MB = 1024 * 1024;
    private static readonly string[] JpegPngWebP = [MediaTypes.Jpeg, MediaTypes.Png, MediaTypes.WebP];
    private static readonly string[] JpegPng = [MediaTypes.Jpeg, MediaTypes.Png];
    private static readonly string[] H264 = ["h264"];
    private static readonly string[] H264Hevc = ["h264", "hevc"];
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>
    /// Social networks show photos at most about 2,000 pixels across (X's "large", Bluesky's old lexicon maximum of
    /// 2000 × 2000); more pixels only slow the upload, so that is Publisher's longest side where a network states none.
    /// </summary>
    public const int SocialLongSide = 2000;

    /// <summary>Where a network documents no image byte limit, Publisher keeps derivatives under this.</summary>
    public const long DefaultImageBytes = 5 * MB;

    public static IReadOnlyList<ChannelMediaRules> All { get; } =
    [
        // X: https://docs.x.com/x-api/media/introduction (image 5 MB, GIF 15 MB, video 512 MB) and
        // https://docs.x.com/x-api/media/quickstart/best-practices (up to 4 photos, 1 animated GIF or 1 video; video 0.5–140 s;
        // JPEG, PNG, WEBP, GIF; MP4 H.264). Alt text: https://docs.x.com/x-api/media/metadata-create (at most 1,000 characters).
        new("X", "X", "https://docs.x.com/x-api/media/introduction",
            MaxItems: 4, MaxImages: 4, MaxImageBytes: 5 * MB, MaxLongSide: SocialLongSide, MaxImagePixels: null, ImageTypes: JpegPngWebP,
            Gif: GifHandling.Animated, MaxGifBytes: 15 * MB, AnimatedGifAlone: true,
            MaxVideos: 1, MaxVideoBytes: 512 * MB, MinVideoDuration: S(0.5), MaxVideoDuration: S(140), VideoCodecs: H264, VideoAlone: true,
            MinAspectRatio: null, MaxAspectRatio: null, MaxAltTextLength: 1000, HostedWidths: []),

        // Mastodon's defaults, as mastodon.social's GET /api/v2/instance states them
        // (https://docs.joinmastodon.org/entities/Instance/#media_attachments): 4 attachments, images 16 MiB and
        // 33,177,600 pixels, video 99 MiB; description_limit 1,500. An account's own instance is read when reachable
        // (MastodonInstanceLimits). One video, or up to four images: https://docs.joinmastodon.org/methods/statuses/#create
        new("Mastodon", "Mastodon", "https://docs.joinmastodon.org/entities/Instance/",
            MaxItems: 4, MaxImages: 4, MaxImageBytes: 16 * MB, MaxLongSide: SocialLongSide, MaxImagePixels: 33_177_600, ImageTypes: JpegPngWebP,
            Gif: GifHandling.Animated, MaxGifBytes: 16 * MB, AnimatedGifAlone: false,
            MaxVideos: 1, MaxVideoBytes: 103_809_024, MinVideoDuration: TimeSpan.Zero, MaxVideoDuration: TimeSpan.FromHours(2), VideoCodecs: H264Hevc, VideoAlone: true,
            MinAspectRatio: null, MaxAspectRatio: null, MaxAltTextLength: 1500, HostedWidths: []),

        // Bluesky: the lexicons https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/images.json
        // (up to 4 images, each at most 1,000,000 bytes) and .../embed/video.json (one MP4, at most 100,000,000 bytes);
        // videos up to 3 minutes: https://docs.bsky.app/docs/tutorials/video. No GIF embed: the first frame goes as a still.
        new("Bluesky", "Bluesky", "https://docs.bsky.app/docs/advanced-guides/posts#images-embeds",
            MaxItems: 4, MaxImages: 4, MaxImageBytes: 1_000_000, MaxLongSide: SocialLongSide, MaxImagePixels: null, ImageTypes: JpegPngWebP,
            Gif: GifHandling.FirstFrame, MaxGifBytes: 1_000_000, AnimatedGifAlone: false,
            MaxVideos: 1, MaxVideoBytes: 100_000_000, MinVideoDuration: TimeSpan.Zero, MaxVideoDuration: TimeSpan.FromMinutes(3), VideoCodecs: H264, VideoAlone: true,
            MinAspectRatio: null, MaxAspectRatio: null, MaxAltTextLength: 2000, HostedWidths: []),

        // LinkedIn Images API https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api
        // (JPG, GIF, PNG; under 36,152,320 pixels; no byte limit stated: Publisher's 5 MB), MultiImage posts of up to 20
        // images (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/multiimage-post-api),
        // Videos API https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api
        // (MP4, 3 s to 30 min, at most 500 MB); alt text up to 4,086 characters (Posts API, media altText).
        new("LinkedIn", "LinkedIn", "https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api",
            MaxItems: 20, MaxImages: 20, MaxImageBytes: DefaultImageBytes, MaxLongSide: SocialLongSide, MaxImagePixels: 36_152_320, ImageTypes: JpegPng,
            Gif: GifHandling.Animated, MaxGifBytes: DefaultImageBytes, AnimatedGifAlone: true,
            MaxVideos: 1, MaxVideoBytes: 500 * MB, MinVideoDuration: S(3), MaxVideoDuration: TimeSpan.FromMinutes(30), VideoCodecs: H264, VideoAlone: true,
            MinAspectRatio: null, MaxAspectRatio: null, MaxAltTextLength: 4086, HostedWidths: []),

        // Facebook Page photos https://developers.facebook.com/docs/graph-api/reference/page/photos (JPEG, PNG, GIF, …;
        // at most 4 MB), several photos in one post through attached_media
        // (https://developers.facebook.com/docs/pages-api/posts; Publisher sends at most 10); Page videos
        // https://developers.facebook.com/docs/video-api/guides/publishing (up to 10 GB and 240 minutes), uploaded with
        // the Resumable Upload API (https://developers.facebook.com/docs/graph-api/resumable-upload-api), whose file_type
        // takes video/mp4 and no other video type: a MOV is refused while writing.
        // Page photos show GIFs still.
        new("FacebookPage", "Facebook Page", "https://developers.facebook.com/docs/graph-api/reference/page/photos",
            MaxItems: 10, MaxImages: 10, MaxImageBytes: 4 * MB, MaxLongSide: SocialLongSide, MaxImagePixels: null, ImageTypes: JpegPng,
            Gif: GifHandling.FirstFrame, MaxGifBytes: 4 * MB, AnimatedGifAlone: false,
            MaxVideos: 1, MaxVideoBytes: 10L * 1024 * MB, MinVideoDuration: S(1), MaxVideoDuration: TimeSpan.FromMinutes(240), VideoCodecs: H264Hevc, VideoAlone: true,
            MinAspectRatio: null, MaxAspectRatio: null, MaxAltTextLength: 1000, HostedWidths: [], VideoTypes: [MediaTypes.Mp4]),

        // The newsletter is Publisher's: images are served from /media and shown 600 pixels wide, so 1,200 pixels covers
        // high-density screens. JPEG, PNG and GIF only: https://www.caniemail.com/features/image-webp/ shows WebP is
        // missing in Outlook. Animated GIFs play in most mail apps. Mail cannot play video: its poster links to it.
        new("Email", "Email newsletter", "https://www.caniemail.com/features/image-webp/",
            MaxItems: null, MaxImages: 20, MaxImageBytes: 1 * MB, MaxLongSide: 1200, MaxImagePixels: null, ImageTypes: JpegPng,
            Gif: GifHandling.Animated, MaxGifBytes: 5 * MB, AnimatedGifAlone: false,
            MaxVideos: 0, MaxVideoBytes: 0, MinVideoDuration: TimeSpan.Zero, MaxVideoDuration: TimeSpan.Zero, VideoCodecs: H264Hevc, VideoAlone: false,
            MinAspectRatio: null, MaxAspectRatio: null, MaxAltTextLength: 1000, HostedWidths: [1200], VideoAsPoster: true),

        // The blog is Publisher's: responsive images (https://developer.mozilla.org/en-US/docs/Web/HTML/Guides/Responsive_images)
        // at four widths for srcset, with width and height so the page does not jump. Videos show their poster, linked.
        new("Blog", "Blog", "https://developer.mozilla.org/en-US/docs/Web/HTML/Guides/Responsive_images",
            MaxItems: null, MaxImages: 50, MaxImageBytes: 2 * MB, MaxLongSide: SocialLongSide, MaxImagePixels: null, ImageTypes: JpegPng,
            Gif: GifHandling.Animated, MaxGifBytes: 8 * MB, AnimatedGifAlone: false,
            MaxVideos: 0, MaxVideoBytes: 0, MinVideoDuration: TimeSpan.Zero, MaxVideoDuration: TimeSpan.Zero, VideoCodecs: H264Hevc, VideoAlone: false,
            MinAspectRatio: null, MaxAspectRatio: null, MaxAltTextLength: 1000, HostedWidths: [480, 960, 1440, 2000], VideoAsPoster: true),

        // The webhook carries addresses, hashes and facts, not bytes: the receiver fetches what it wants from /media.
        new("Webhook", "Webhook", "https://datatracker.ietf.org/doc/html/rfc8259",
            MaxItems: 20, MaxImages: 20, MaxImageBytes: DefaultImageBytes, MaxLongSide: SocialLongSide, MaxImagePixels: null, ImageTypes: JpegPngWebP,
            Gif: GifHandling.Animated, MaxGifBytes: 15 * MB, AnimatedGifAlone: false,
            MaxVideos: 4, MaxVideoBytes: long.MaxValue, MinVideoDuration: TimeSpan.Zero, MaxVideoDuration: TimeSpan.MaxValue, VideoCodecs: H264Hevc, VideoAlone: false,
            MinAspectRatio: null, MaxAspectRatio: null, MaxAltTextLength: 5000, HostedWidths: [SocialLongSide]),

        // Threads https://developers.facebook.com/docs/threads/overview#media-specifications: JPEG and PNG, at most 8 MB,
        // 320 to 1,440 pixels wide, aspect ratio up to 10:1; carousels of up to 20 items; MOV or MP4 (H.264 or HEVC), at
        // most 5 minutes and 1 GB. No GIF: a still. Alt text: https://developers.facebook.com/docs/threads/posts (alt_text).
        new("Threads", "Threads", "https://developers.facebook.com/docs/threads/overview#media-specifications",
            MaxItems: 20, MaxImages: 20, MaxImageBytes: 8 * MB, MaxLongSide: 1440, MaxImagePixels: null, ImageTypes: JpegPng,
            Gif: GifHandling.FirstFrame, MaxGifBytes: 8 * MB, AnimatedGifAlone: false,
            MaxVideos: 20, MaxVideoBytes: 1024 * MB, MinVideoDuration: TimeSpan.Zero, MaxVideoDuration: TimeSpan.FromMinutes(5), VideoCodecs: H264Hevc, VideoAlone: false,
            MinAspectRatio: 0.1, MaxAspectRatio: 10, MaxAltTextLength: 1000, HostedWidths: []),

        // Instagram https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media#image-specifications:
        // JPEG only, at most 8 MB, 320 to 1,440 pixels wide, aspect ratio from 4:5 to 1.91:1 (Publisher crops around the
        // focal point); carousels of up to 10 items; reels MOV or MP4, 3 s to 15 min, at most 300 MB. No GIF: a still.
        new("Instagram", "Instagram", "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media",
            MaxItems: 10, MaxImages: 10, MaxImageBytes: 8 * MB, MaxLongSide: 1440, MaxImagePixels: null, ImageTypes: [MediaTypes.Jpeg],
            Gif: GifHandling.FirstFrame, MaxGifBytes: 8 * MB, AnimatedGifAlone: false,
            MaxVideos: 10, MaxVideoBytes: 300 * MB, MinVideoDuration: S(3), MaxVideoDuration: TimeSpan.FromMinutes(15), VideoCodecs: H264Hevc, VideoAlone: false,
            MinAspectRatio: 0.8, MaxAspectRatio: 1.91, MaxAltTextLength: 1000, HostedWidths: [], MediaRequired: true),
    ];

    /// <summary>The rules of a channel kind by name, or null when Publisher has none for it.</summary>
    public static ChannelMediaRules? For(string channel) => All.FirstOrDefault(r => string.Equals(r.Channel, channel, StringComparison.OrdinalIgnoreCase));
}
