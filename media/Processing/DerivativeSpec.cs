using Publisher.Media.Rules;

namespace Publisher.Media.Processing;

/// <summary>A focal point: fractions of the width and height from the top-left corner (0.5, 0.5 is the centre).</summary>
public readonly record struct FocalPoint(double X, double Y)
{
    public static FocalPoint Centre => new(0.5, 0.5);

    /// <summary>A point inside the image: out-of-range values are clamped, not refused.</summary>
    public static FocalPoint Clamp(double x, double y) =>
        new(double.IsFinite(x) ? Math.Clamp(x, 0, 1) : 0.5, double.IsFinite(y) ? Math.Clamp(y, 0, 1) : 0.5);
}

/// <summary>
/// How one derivative is made: the box it must fit, the byte limit its quality is searched down to, the formats the
/// channel takes, whether an animation is kept, and an aspect-ratio range to crop into (around the focal point).
/// Two channels with the same spec share one derivative.
/// </summary>
public sealed record DerivativeSpec(
    int MaxWidth,
    int MaxHeight,
    long MaxBytes,
    IReadOnlyList<string> Types,
    bool KeepAnimation,
    long MaxAnimationBytes,
    double? MinAspectRatio = null,
    double? MaxAspectRatio = null,
    FocalPoint? Focal = null)
{
    /// <summary>Bumped when the way derivatives are made changes, so cached ones are made again.</summary>
    public const int Version = 1;

    /// <summary>Whether this spec may crop (and so depends on the focal point).</summary>
    public bool Crops => MinAspectRatio is not null || MaxAspectRatio is not null;

    /// <summary>A stable text naming everything that shapes the output: the cache key of a derivative, with the source's hash.</summary>
    public string Key
    {
        get
        {
            var focal = Focal ?? FocalPoint.Centre;
            var key = FormattableString.Invariant($"v{Version}|{MaxWidth}x{MaxHeight}|{MaxBytes}|{string.Join(',', Types)}|{(KeepAnimation ? "anim:" + MaxAnimationBytes : "still")}");
            return Crops ? key + FormattableString.Invariant($"|aspect:{MinAspectRatio:0.###}-{MaxAspectRatio:0.###}|focal:{focal.X:0.###},{focal.Y:0.###}") : key;
        }
    }

    /// <summary>The specs of a channel's main derivative and, for channels Publisher serves, each srcset width (main one last).</summary>
    public static IReadOnlyList<DerivativeSpec> For(ChannelMediaRules rules, FocalPoint? focal = null)
    {
        var keep = rules.Gif == GifHandling.Animated;
        if (rules.IsHosted)
            return rules.HostedWidths.Select(w => new DerivativeSpec(w, Math.Max(w, ChannelMediaTable.SocialLongSide), rules.MaxImageBytes, rules.ImageTypes, keep, rules.MaxGifBytes)).ToList();
        var crops = rules.MinAspectRatio is not null || rules.MaxAspectRatio is not null;
        return [new DerivativeSpec(rules.MaxLongSide, rules.MaxLongSide, rules.MaxImageBytes, rules.ImageTypes, keep, rules.MaxGifBytes,
            rules.MinAspectRatio, rules.MaxAspectRatio, crops ? focal ?? FocalPoint.Centre : null)];
    }
}

/// <summary>A derivative made: its bytes and what they are.</summary>
public sealed record MadeDerivative(DerivativeSpec Spec, byte[] Bytes, string ContentType, int Width, int Height, MediaKind Kind, string Sha256)
{
    public long Length => Bytes.LongLength;
}
