using System.Security.Cryptography;
using NetVips;

namespace Publisher.Media.Processing;

/// <summary>The image could not be decoded, or no derivative fits its spec: the message says what to do.</summary>
public sealed class DerivativeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Makes per-channel derivatives of an image with libvips (NetVips). The source is decoded once, shrunk on load to the
/// largest size any spec needs, turned upright by its EXIF orientation and converted to sRGB (CMYK JPEGs too); each
/// spec is then cropped (when its channel takes only some aspect ratios), resized, and encoded with the quality searched
/// down until the bytes fit. Nothing of the source's metadata is kept: no EXIF (so no GPS position), no XMP, no ICC.
/// Thread-safe; stateless.
/// </summary>
public sealed class DerivativeMaker
{
    private static readonly int[] JpegQualities = [85, 78, 70, 62, 54, 46, 38];

    /// <summary>How many times a derivative is made smaller when even the lowest quality is too big.</summary>
    private const int MaxShrinks = 8;

    static DerivativeMaker()
    {
        // Derivatives are made one image at a time per request; libvips' own operation cache only holds memory.
        Cache.Max = 0;
        NativeHeap.LimitArenas();
    }

    /// <summary>Makes one derivative per spec, in the specs' order; identical encodes are made once.</summary>
    /// <param name="path">The source file (already inspected: its type and pixel count are known to be acceptable).</param>
    /// <param name="contentType">The source's media type.</param>
    /// <param name="animated">Whether the source is an animated GIF.</param>
    public IReadOnlyList<MadeDerivative> Make(string path, string contentType, bool animated, IReadOnlyList<DerivativeSpec> specs)
    {
        if (specs.Count == 0)
            return [];
        try
        {
            var plan = DecodePlan(path, contentType, specs);
            // Converting colours costs as much as decoding: only a source with a colour profile, or a CMYK one, needs
            // it; one without is taken as sRGB already, as browsers and the networks take it.
            var profile = plan.HasProfile ? "srgb" : null;
            // Decoded once into memory: the source is read sequentially, and every spec reads the result again.
            using var loaded = plan.JpegShrink > 1
                // libvips' thumbnail shrinks a JPEG on load only to half the factor it needs (a 6000-pixel photo for a
                // 2000-pixel box is decoded whole); the DCT's own scaling is as good as resizing for these sizes, so
                // the JPEG is decoded at the largest 1/2, 1/4 or 1/8 that still covers the box.
                ? ShrunkJpeg(path, plan, profile)
                : Image.Thumbnail(path, plan.Width, height: plan.Height, size: Enums.Size.Down, failOn: Enums.FailOn.Truncated, outputProfile: profile);
            using var decoded = loaded.CopyMemory();
            using var still = Normalize(decoded);
            var made = new Dictionary<string, MadeDerivative>();
            var results = new List<MadeDerivative>(specs.Count);
            using var ladders = new LadderCache();
            foreach (var spec in specs)
            {
                if (!made.TryGetValue(spec.Key, out var derivative))
                {
                    derivative = animated && spec.KeepAnimation && contentType == MediaTypes.Gif
                        ? MakeAnimated(path, spec)
                        : MakeStill(still, spec, ladders);
                    made[spec.Key] = derivative;
                }
                results.Add(derivative);
            }
            return results;
        }
        catch (VipsException e)
        {
            throw new DerivativeException($"The image could not be decoded ({FirstLine(e.Message)}): it is damaged or cut short. Save it again from the original and upload it again.", e);
        }
    }

    /// <summary>How the source is decoded: the box it must cover, the JPEG shrink-on-load factor, whether it has a colour profile.</summary>
    private readonly record struct Decoding(int Width, int Height, int JpegShrink, bool HasProfile);

    private static Image ShrunkJpeg(string path, Decoding plan, string? profile)
    {
        using var shrunk = Image.NewFromFile(path, access: Enums.Access.Sequential, failOn: Enums.FailOn.Truncated, kwargs: new VOption { { "shrink", plan.JpegShrink } });
        return shrunk.ThumbnailImage(plan.Width, height: plan.Height, size: Enums.Size.Down, outputProfile: profile);
    }

    /// <summary>
    /// The box the source is decoded into: the largest spec's, or larger where a spec crops (a 6:1 panorama cropped to
    /// Instagram's 1.91:1 needs its full height, so it is decoded wider than any spec's box); for a JPEG, the largest
    /// shrink-on-load factor that still covers that box.
    /// </summary>
    private static Decoding DecodePlan(string path, string contentType, IReadOnlyList<DerivativeSpec> specs)
    {
        var width = specs.Max(s => s.MaxWidth);
        var height = specs.Max(s => s.MaxHeight);
        using var header = Image.NewFromFile(path, access: Enums.Access.Sequential);
        var hasProfile = header.Contains("icc-profile-data") || header.Interpretation == Enums.Interpretation.Cmyk;
        var turned = header.Contains("orientation") && header.Get("orientation") is int o && o >= 5 && o <= 8;
        double sourceWidth = turned ? header.Height : header.Width, sourceHeight = turned ? header.Width : header.PageHeight;
        var ratio = sourceWidth / sourceHeight;
        foreach (var spec in specs.Where(s => s.Crops))
        {
            var target = Math.Clamp(ratio, spec.MinAspectRatio ?? ratio, spec.MaxAspectRatio ?? ratio);
            if (ratio > target)
                width = Math.Max(width, (int)Math.Ceiling(Math.Min(spec.MaxWidth, spec.MaxHeight * target) * ratio / target));
            else if (ratio < target)
                height = Math.Max(height, (int)Math.Ceiling(Math.Min(spec.MaxHeight, spec.MaxWidth / target) * target / ratio));
        }
        width = Math.Min(width, (int)sourceWidth);
        height = Math.Min(height, (int)sourceHeight);
        // The image fits the box by its tighter side; a shrink of that factor (rounded down to 8, 4 or 2) still covers it.
        var factor = Math.Min(sourceWidth / width, sourceHeight / height);
        var shrink = contentType != MediaTypes.Jpeg ? 1 : factor >= 8 ? 8 : factor >= 4 ? 4 : factor >= 2 ? 2 : 1;
        return new Decoding(width, height, shrink, hasProfile);
    }

    /// <summary>Eight bits per band, sRGB, and alpha only where it is really used.</summary>
    private static Image Normalize(Image image)
    {
        var result = image;
        if (result.Interpretation is not (Enums.Interpretation.Srgb or Enums.Interpretation.Bw or Enums.Interpretation.Rgb16 or Enums.Interpretation.Grey16))
            result = result.Colourspace(Enums.Interpretation.Srgb);
        if (result.Format != Enums.BandFormat.Uchar)
            result = result.Interpretation is Enums.Interpretation.Rgb16 or Enums.Interpretation.Grey16
                ? result.Colourspace(result.Interpretation == Enums.Interpretation.Grey16 ? Enums.Interpretation.Bw : Enums.Interpretation.Srgb)
                : result.Cast(Enums.BandFormat.Uchar);
        // An alpha band that is opaque everywhere would make a PNG where a JPEG is smaller.
        if (result.HasAlpha() && result[result.Bands - 1].Min() >= 255)
            result = result.ExtractBand(0, result.Bands - 1);
        return result;
    }

    private static MadeDerivative MakeStill(Image still, DerivativeSpec spec, LadderCache ladders)
    {
        var crop = CropRectangle(still.Width, still.Height, spec);
        var transparent = still.HasAlpha();
        var type = transparent && spec.Types.Contains(MediaTypes.Png) ? MediaTypes.Png
            : spec.Types.Contains(MediaTypes.Jpeg) ? MediaTypes.Jpeg
            : spec.Types[0];
        var flatten = transparent && type != MediaTypes.Png && type != MediaTypes.WebP;

        var scale = Math.Min(1.0, Math.Min((double)spec.MaxWidth / crop.Width, (double)spec.MaxHeight / crop.Height));
        for (var shrink = 0; shrink <= MaxShrinks; shrink++)
        {
            // Channels whose specs differ only in their byte limit (most take a 2000-pixel JPEG) share one resized
            // image and the encodings already made of it: each limit only walks the ladder further.
            var ladder = ladders.Get(crop, scale, type, flatten, () =>
            {
                // The whole still at its own size is already in memory: its ladder reads it (a reference, not a copy).
                if (crop.Covers(still) && !flatten && scale >= 1.0)
                    return still.Copy();
                using var cropped = crop.Covers(still) ? still.Copy() : still.ExtractArea(crop.Left, crop.Top, crop.Width, crop.Height);
                using var flat = flatten ? cropped.Flatten(background: [255, 255, 255]) : cropped.Copy();
                using var sized = scale < 1.0 ? Resize(flat, scale) : flat.Copy();
                // Made once into memory: every encoding below reads it again.
                return sized.CopyMemory();
            });
            if (ladder.FirstFitting(spec.MaxBytes) is { } bytes)
                return new MadeDerivative(spec, bytes, type, ladder.Width, ladder.Height, MediaKind.Image, ladder.Sha256Of(bytes));
            scale *= 0.8;
        }
        throw new DerivativeException($"The image cannot be made small enough for {spec.MaxBytes:N0} bytes: use a simpler image.");
    }

    /// <summary>The part of an image a spec keeps.</summary>
    internal readonly record struct Crop(int Left, int Top, int Width, int Height)
    {
        public bool Covers(Image image) => Left == 0 && Top == 0 && Width == image.Width && Height == image.Height;
    }

    /// <summary>
    /// The encodings of one sized image in one format, made on demand and kept for the other specs that read them, from
    /// best to smallest: JPEG and WebP down the quality ladder, PNG full then palette.
    /// </summary>
    /// <param name="sized">The image to encode; the ladder owns it.</param>
    /// <param name="type">The format.</param>
    /// <param name="sizeExponent">How steeply bytes are expected to fall with the quantizer's scale (tests try wrong ones).</param>
    internal sealed class EncodingLadder(Image sized, string type, double sizeExponent = 0.64) : IDisposable
    {
        private readonly byte[]?[] _made = new byte[]?[type is MediaTypes.Jpeg or MediaTypes.WebP ? JpegQualities.Length : 2];
        private readonly Dictionary<byte[], string> _hashes = new(ReferenceEqualityComparer.Instance);

        public int Width => sized.Width;
        public int Height => sized.Height;

        /// <summary>
        /// The best encoding within <paramref name="maxBytes"/>, or null when even the smallest is bigger. A lower
        /// quality never makes a bigger JPEG or WebP. The best is tried first, as it usually fits; when it does not,
        /// the rung to try next is predicted from its size (bytes fall with the quantizer's scale to the power of
        /// about 0.64, <see cref="PredictedBytes"/>), then the ladder is walked up or down from there: two or three
        /// encodes where a search by halves took four or five, and fewer still when another spec made some of them.
        /// </summary>
        public byte[]? FirstFitting(long maxBytes)
        {
            var best = Encode(0).LongLength;
            if (best <= maxBytes) return _made[0];
            var last = _made.Length - 1;
            var guess = 1;
            if (type is MediaTypes.Jpeg or MediaTypes.WebP)
                while (guess < last && PredictedBytes(best, guess, sizeExponent) > maxBytes) guess++;
            int tooBig = 0;
            int? fits = null;
            if (Encode(guess).LongLength <= maxBytes) fits = guess;
            else tooBig = guess;
            if (fits is { } found)
            {
                // Climb while the rung above also fits.
                while (found - 1 > tooBig && Encode(found - 1).LongLength <= maxBytes) found--;
                return _made[found];
            }
            // Walk down until one fits.
            for (var rung = tooBig + 1; rung <= last; rung++)
                if (Encode(rung).LongLength <= maxBytes) return _made[rung];
            return null;
        }

        /// <summary>The size an encoding at <paramref name="rung"/> is expected to have, given the best one's.</summary>
        private static double PredictedBytes(long bestBytes, int rung, double exponent) =>
            bestBytes * Math.Pow(QuantizerScale(JpegQualities[0]) / QuantizerScale(JpegQualities[rung]), exponent);

        /// <summary>libjpeg's scaling of its quantization tables for a quality (IJG's jcparam.c formula, a public fact).</summary>
        private static double QuantizerScale(int quality) => quality < 50 ? 5000.0 / quality : 200 - 2 * quality;

        public string Sha256Of(byte[] bytes)
        {
            if (!_hashes.TryGetValue(bytes, out var hash)) _hashes[bytes] = hash = Sha256(bytes);
            return hash;
        }

        /// <summary>How many rungs the ladder has.</summary>
        public int Rungs => _made.Length;

        /// <summary>How many encodings were made so far.</summary>
        public int Encodings => _made.Count(b => b is not null);

        /// <summary>The encoding at a rung (0 the best), made once.</summary>
        public byte[] Encode(int rung) => _made[rung] ??= type switch
        {
            // Huffman optimization would save about 4% of the bytes at two and a half times the encoding's cost.
            MediaTypes.Jpeg => sized.JpegsaveBuffer(q: JpegQualities[rung], keep: Enums.ForeignKeep.None),
            MediaTypes.WebP => sized.WebpsaveBuffer(q: JpegQualities[rung], keep: Enums.ForeignKeep.None),
            _ when rung == 0 => sized.PngsaveBuffer(compression: 6, keep: Enums.ForeignKeep.None),
            _ => sized.PngsaveBuffer(compression: 9, palette: true, q: 90, keep: Enums.ForeignKeep.None),
        };

        public void Dispose() => sized.Dispose();
    }

    /// <summary>The ladders made while deriving one source, by crop, scale, format and flattening.</summary>
    private sealed class LadderCache : IDisposable
    {
        private readonly Dictionary<(Crop, double, string, bool), EncodingLadder> _ladders = [];

        public EncodingLadder Get(Crop crop, double scale, string type, bool flatten, Func<Image> size)
        {
            if (!_ladders.TryGetValue((crop, scale, type, flatten), out var ladder))
                _ladders[(crop, scale, type, flatten)] = ladder = new EncodingLadder(size(), type);
            return ladder;
        }

        public void Dispose()
        {
            foreach (var ladder in _ladders.Values) ladder.Dispose();
        }
    }

    private static Image Resize(Image image, double scale)
    {
        // Resize rounds each side; keep at least one pixel.
        scale = Math.Max(scale, 1.0 / Math.Min(image.Width, image.Height));
        return image.Resize(scale, kernel: Enums.Kernel.Lanczos3);
    }

    /// <summary>For channels that take only some shapes: the largest box of an allowed ratio, centred on the focal point as far as the edges allow.</summary>
    internal static Crop CropRectangle(int imageWidth, int imageHeight, DerivativeSpec spec)
    {
        var whole = new Crop(0, 0, imageWidth, imageHeight);
        if (!spec.Crops)
            return whole;
        var ratio = (double)imageWidth / imageHeight;
        var target = Math.Clamp(ratio, spec.MinAspectRatio ?? ratio, spec.MaxAspectRatio ?? ratio);
        if (Math.Abs(target - ratio) < 0.005)
            return whole;
        var focal = spec.Focal ?? FocalPoint.Centre;
        int width = imageWidth, height = imageHeight, left = 0, top = 0;
        if (target < ratio)
        {
            width = Math.Max(1, (int)Math.Round(imageHeight * target));
            left = (int)Math.Round(Math.Clamp(focal.X * imageWidth - width / 2.0, 0, imageWidth - width));
        }
        else
        {
            height = Math.Max(1, (int)Math.Round(imageWidth / target));
            top = (int)Math.Round(Math.Clamp(focal.Y * imageHeight - height / 2.0, 0, imageHeight - height));
        }
        return new Crop(left, top, width, height);
    }

    private static MadeDerivative MakeAnimated(string path, DerivativeSpec spec)
    {
        int width = spec.MaxWidth, height = spec.MaxHeight;
        for (var shrink = 0; shrink <= MaxShrinks; shrink++)
        {
            // Every frame ([n=-1]); thumbnail keeps the frames' height metadata straight as it resizes.
            using var frames = Image.Thumbnail(path + "[n=-1]", width, height: height, size: Enums.Size.Down, failOn: Enums.FailOn.Truncated);
            var bytes = frames.GifsaveBuffer(effort: 7, keep: Enums.ForeignKeep.None);
            var pageHeight = frames.PageHeight;
            if (bytes.LongLength <= spec.MaxAnimationBytes)
                return new MadeDerivative(spec, bytes, MediaTypes.Gif, frames.Width, pageHeight, MediaKind.AnimatedGif, Sha256(bytes));
            width = Math.Max(1, (int)(Math.Min(width, frames.Width) * 0.8));
            height = Math.Max(1, (int)(Math.Min(height, pageHeight) * 0.8));
        }
        throw new DerivativeException($"The animated GIF cannot be made small enough for {spec.MaxAnimationBytes:N0} bytes: shorten it or make it smaller.");
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "unknown error";
}
