namespace Publisher.Media.Rules;

/// <summary>One medium as chosen for a channel, as the fit check sees it.</summary>
public sealed record FitItem(MediaKind Kind, string ContentType, long Length, int Width, int Height, TimeSpan? Duration, string? VideoCodec, string AltText, string FileName);

/// <summary>Something the channel cannot take, found while writing: a code and what to do about it.</summary>
public sealed record FitProblem(string Code, string Message);

/// <summary>
/// Checks the media chosen for a channel against its published limits, so what cannot go out is an error on the variant
/// while it is written, never a surprise at publish time. Derivatives already fit each image's byte and pixel limits;
/// this checks what no derivative can fix: counts, combinations, videos (Publisher does not transcode) and alt text length.
/// </summary>
public static class MediaFit
{
    public static IReadOnlyList<FitProblem> Check(ChannelMediaRules rules, IReadOnlyList<FitItem> items)
    {
        var problems = new List<FitProblem>();
        var name = rules.DisplayName;
        if (items.Count == 0)
        {
            if (rules.MediaRequired)
                problems.Add(new("media.required", $"{name} takes no post without an image or a video: choose at least one for the {name} variant (an image, up to {rules.MaxItems} for a carousel, or a video for a reel)."));
            return problems;
        }
        var videos = items.Where(i => i.Kind == MediaKind.Video).ToList();
        var gifs = items.Where(i => i.Kind == MediaKind.AnimatedGif && rules.Gif == GifHandling.Animated).ToList();
        var stills = items.Count - videos.Count;

        if (rules.MaxItems is { } max && items.Count > max)
            problems.Add(new("media.too-many", $"{name} takes at most {max} media in a post; this variant has {items.Count}: choose {max} for {name} or remove some."));
        else if (stills > rules.MaxImages)
            problems.Add(new("media.too-many-images", $"{name} takes at most {rules.MaxImages} images in a post; this variant has {stills}: choose fewer for {name}."));

        if (videos.Count > 0 && !rules.VideoAsPoster)
        {
            if (rules.MaxVideos == 0)
                problems.Add(new("media.video-not-taken", $"{name} takes no video: leave the video out of the {name} variant."));
            else if (videos.Count > rules.MaxVideos)
                problems.Add(new("media.too-many-videos", $"{name} takes {(rules.MaxVideos == 1 ? "one video" : $"at most {rules.MaxVideos} videos")} in a post; this variant has {videos.Count}: choose {(rules.MaxVideos == 1 ? "one" : rules.MaxVideos.ToString())} for {name}."));
            if (rules.VideoAlone && items.Count > 1)
                problems.Add(new("media.video-alone", $"On {name} a video goes out on its own: choose only the video, or only the images, for {name}."));
            foreach (var video in videos)
            {
                if (video.Length > rules.MaxVideoBytes)
                    problems.Add(new("media.video-too-large", $"“{video.FileName}” is {Megabytes(video.Length)}; {name} takes videos up to {Megabytes(rules.MaxVideoBytes)}: compress or shorten it, or leave it out of {name}."));
                if (video.Duration is { } duration && duration > rules.MaxVideoDuration)
                    problems.Add(new("media.video-too-long", $"“{video.FileName}” runs {Describe(duration)}; {name} takes videos up to {Describe(rules.MaxVideoDuration)}: trim it, or leave it out of {name}."));
                if (video.Duration is { } shortDuration && shortDuration < rules.MinVideoDuration)
                    problems.Add(new("media.video-too-short", $"“{video.FileName}” runs {Describe(shortDuration)}; {name} takes videos of at least {Describe(rules.MinVideoDuration)}."));
                if (!rules.TakenVideoTypes.Contains(video.ContentType, StringComparer.OrdinalIgnoreCase))
                    problems.Add(new("media.video-type", $"“{video.FileName}” is {MediaTypes.Describe(video.ContentType)}; {name} takes {string.Join(" or ", rules.TakenVideoTypes.Select(MediaTypes.Describe))}: export it again as MP4 with H.264, or leave it out of {name}."));
                if (video.VideoCodec is { } codec && !rules.VideoCodecs.Contains(codec, StringComparer.OrdinalIgnoreCase))
                    problems.Add(new("media.video-codec", $"“{video.FileName}” is {codec.ToUpperInvariant()} video; {name} takes {string.Join(" or ", rules.VideoCodecs.Select(c => c.ToUpperInvariant()))}: export it again as MP4 with H.264."));
            }
        }

        if (rules.AnimatedGifAlone && gifs.Count > 0 && items.Count > 1)
            problems.Add(new("media.gif-alone", $"On {name} an animated GIF goes out on its own: choose only the GIF, or only the other media, for {name}."));

        foreach (var item in items.Where(i => i.AltText.Length > rules.MaxAltTextLength))
            problems.Add(new("media.alt-too-long", $"The alt text of “{item.FileName}” is {item.AltText.Length:N0} characters; {name} keeps {rules.MaxAltTextLength:N0}: shorten it."));
        return problems;
    }

    private static string Megabytes(long bytes) => bytes >= 1024L * 1024 * 1024 ? $"{bytes / (1024.0 * 1024 * 1024):0.#} GB" : $"{bytes / (1024.0 * 1024):0.#} MB";

    private static string Describe(TimeSpan duration) =>
        duration.TotalSeconds < 300 ? $"{duration.TotalSeconds:0.#} s" : duration.TotalMinutes < 60 ? $"{duration.TotalMinutes:0.#} min" : $"{duration.TotalHours:0.#} h";
}
