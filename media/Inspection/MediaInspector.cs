using NetVips;

namespace Publisher.Media.Inspection;

/// <summary>An upload that passed inspection: what it really is.</summary>
/// <param name="ContentType">The type its bytes are (not what it claimed).</param>
/// <param name="Width">Width in pixels as people see it (after EXIF orientation or a video's rotation).</param>
/// <param name="Height">Height in pixels as people see it.</param>
/// <param name="Frames">Frames of a GIF (1 for a still); 0 for a video.</param>
/// <param name="Video">ffprobe's facts for a video; null for images.</param>
public sealed record InspectedMedia(string ContentType, MediaKind Kind, long Length, int Width, int Height, int Frames, VideoFacts? Video)
{
    public TimeSpan? Duration => Video?.Duration;
}

/// <summary>Why an upload was refused: a code for tests and logs, and a message that says what to do.</summary>
public sealed record MediaRefusal(string Code, string Message);

/// <summary>The outcome of inspecting one upload: the media, or the refusal.</summary>
public sealed record InspectionResult(InspectedMedia? Media, MediaRefusal? Refusal)
{
    public static InspectionResult Refuse(string code, string message) => new(null, new MediaRefusal(code, message));
}

/// <summary>
/// Decides whether an uploaded file is an image or video Publisher takes, from its bytes: the declared type must match
/// them, SVG and HTML are refused (they can carry script and are never served), an image's header must claim no more
/// pixels than the limit before any decoder runs, and videos are read by ffprobe. Never throws for content.
/// </summary>
public sealed class MediaInspector(MediaOptions options, VideoTools video)
{
    static MediaInspector() => Processing.NativeHeap.LimitArenas();

    /// <summary>The longest file name kept.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Checks a file name on its own (before any byte is read): a name, not a path.</summary>
    public static MediaRefusal? CheckName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return new("name-missing", "The file has no name: choose the file again.");
        if (name.Any(c => char.IsControl(c) || IsDirectionControl(c)) || !IsWellFormed(name))
            return new("name-control", "The file name contains invisible control characters: rename the file and upload it again.");
        // Compatibility forms fold the full-width solidus and friends into / and \, and the slash look-alikes that do
        // not fold are refused too: a name that reads as a path to a person is as misleading as one that is a path.
        var folded = name.Normalize(System.Text.NormalizationForm.FormKC);
        if (folded.IndexOfAny(['/', '\\', ':', '\u2215', '\u2044', '\u29F8', '\u29F9', '\u2216']) >= 0 || folded.Trim('.', ' ').Length == 0)
            return new("name-path", $"“{Shorten(name)}” is a path, not a file name: upload the file itself (its name may not contain /, \\ or :).");
        if (name.Length > MaxNameLength)
            return new("name-long", $"The file name is {name.Length} characters: rename it to at most {MaxNameLength}.");
        return null;
    }

    /// <summary>
    /// The bidirectional controls (U+200E/F, U+202A–E, U+2066–9, U+061C) reorder what follows them on screen, so
    /// "photo\u202Egpj.exe" shows as "photoexe.jpg": a name with them would lie to whoever reads the library.
    /// </summary>
    private static bool IsDirectionControl(char c) => c is '\u200E' or '\u200F' or '\u061C' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>A lone surrogate cannot be stored as UTF-8 text (PostgreSQL would refuse the row), so it is refused here.</summary>
    private static bool IsWellFormed(string name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1])) i++;
            else if (char.IsSurrogate(name[i])) return false;
        }
        return true;
    }

    public async Task<InspectionResult> InspectAsync(string path, string? declaredType, string? name, CancellationToken cancellationToken)
    {
        if (CheckName(name) is { } badName)
            return new(null, badName);
        var length = new FileInfo(path).Length;
        if (length == 0)
            return InspectionResult.Refuse("empty", $"“{name}” is empty (0 bytes): choose the file again, it may not have finished saving.");

        var head = new byte[(int)Math.Min(MediaSniffer.HeaderLength, length)];
        await using (var file = File.OpenRead(path))
            await file.ReadExactlyAsync(head, cancellationToken);
        var actual = MediaSniffer.Sniff(head);
        var declared = MediaTypes.Normalize(declaredType);
        if (actual is "image/svg+xml")
            return InspectionResult.Refuse("svg", $"“{name}” is an SVG drawing. Publisher does not take SVG (it can carry script, and most networks refuse it): export it as PNG and upload that.");
        if (actual is "text/html" or "application/xml")
            return InspectionResult.Refuse("markup", $"“{name}” is {(actual == "text/html" ? "an HTML page" : "an XML document")}, not an image or a video: upload a JPEG, PNG, WebP, GIF, MP4 or MOV file.");
        if (actual is null || !MediaTypes.Accepted.Contains(actual))
            return InspectionResult.Refuse("unsupported", $"“{name}” is not a JPEG, PNG, WebP, GIF, MP4 or MOV file{(actual is null ? "" : $" (its bytes are {MediaTypes.Describe(actual)})")}: convert it to one of those and upload it again.");
        if (declared.Length > 0 && declared != "application/octet-stream" && declared != actual)
            return InspectionResult.Refuse("mismatch", $"“{name}” says it is {MediaTypes.Describe(declared)}, but its bytes are {MediaTypes.Describe(actual)}. Save it again in the format its name says (or rename it) and upload it again.");

        var isVideo = actual is MediaTypes.Mp4 or MediaTypes.QuickTime;
        var limit = isVideo ? options.MaxVideoBytes : options.MaxImageBytes;
        if (length > limit)
            return InspectionResult.Refuse("too-large", TooLarge(name!, length, limit, isVideo));

        return isVideo
            ? await InspectVideoAsync(path, actual, length, name!, cancellationToken)
            : InspectImage(path, actual, length, name!);
    }

    /// <summary>The refusal of a file over the limit; a null length (a stream stopped at the limit) says "larger than".</summary>
    public static string TooLarge(string name, long? length, long limit, bool video) =>
        $"“{name}” is {(length is { } l ? Megabytes(l) : "larger than " + Megabytes(limit))}; the most Publisher takes for {(video ? "a video" : "an image")} is {Megabytes(limit)}. " +
        (video ? "Shorten or compress the video and upload it again." : "Save it smaller (fewer pixels or more compression) and upload it again.");

    private InspectionResult InspectImage(string path, string type, long length, string name)
    {
        ImageHeaderInfo? header;
        using (var file = File.OpenRead(path))
            header = ImageHeader.Read(file, type);
        if (header is not { } h)
            return InspectionResult.Refuse("corrupt", $"“{name}” is damaged: its header cannot be read. Save it again from the original and upload it again.");
        if (h.Pixels > options.MaxPixels)
            return InspectionResult.Refuse("too-many-pixels",
                $"“{name}” is {h.Width:N0} × {h.Height:N0} pixels ({h.Pixels / 1e6:0.#} megapixels); the most Publisher takes is {options.MaxPixels / 1e6:0.#} megapixels. Scale it down and upload it again.");
        if (h.Frames > 1 && h.Pixels * h.Frames > options.MaxAnimationPixels)
            return InspectionResult.Refuse("too-many-frames",
                $"“{name}” has {h.Frames:N0} frames of {h.Width:N0} × {h.Height:N0} pixels, {h.Pixels * h.Frames / 1e6:0} megapixels in all; the most Publisher takes is {options.MaxAnimationPixels / 1e6:0}. Shorten the animation or make it smaller.");
        try
        {
            // Only now does libvips look at the file, and only at its header: orientation and page count.
            using var image = Image.NewFromFile(path, access: Enums.Access.Sequential, failOn: Enums.FailOn.Truncated);
            var upright = image.Contains("orientation") && image.Get("orientation") is int o && o >= 5 && o <= 8;
            var frames = type == MediaTypes.Gif ? h.Frames : 1;
            var width = upright ? image.Height : image.Width;
            var height = upright ? image.Width : image.Height;
            if (type == MediaTypes.Gif && image.Contains("page-height") && image.PageHeight > 0)
                height = image.PageHeight;
            return new(new InspectedMedia(type, frames > 1 ? MediaKind.AnimatedGif : MediaKind.Image, length, width, height, frames, null), null);
        }
        catch (VipsException)
        {
            return InspectionResult.Refuse("corrupt", $"“{name}” is damaged: it cannot be read as {MediaTypes.Describe(type)}. Save it again from the original and upload it again.");
        }
    }

    private async Task<InspectionResult> InspectVideoAsync(string path, string type, long length, string name, CancellationToken cancellationToken)
    {
        var facts = await video.ProbeAsync(path, cancellationToken);
        if (facts is null || facts.Width <= 0 || facts.Height <= 0)
            return InspectionResult.Refuse("corrupt", $"“{name}” is damaged or holds no video that can be read. Export it again (MP4 with H.264) and upload it again.");
        if (facts.VideoCodec is not ("h264" or "hevc"))
            return InspectionResult.Refuse("codec", $"“{name}” is encoded as {facts.VideoCodec}; networks take H.264 (and some HEVC). Export it as MP4 with H.264 and upload it again.");
        if ((long)facts.Width * facts.Height > options.MaxPixels)
            return InspectionResult.Refuse("too-many-pixels", $"“{name}” is {facts.Width:N0} × {facts.Height:N0} pixels: export it at 4K or less and upload it again.");
        if (facts.Duration <= TimeSpan.Zero)
            return InspectionResult.Refuse("corrupt", $"“{name}” states no duration: it is damaged or cut short. Export it again and upload it again.");
        return new(new InspectedMedia(type, MediaKind.Video, length, facts.Width, facts.Height, 0, facts), null);
    }

    private static string Megabytes(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.#} MB" : $"{bytes / 1024.0:0.#} KB";

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "…";
}
